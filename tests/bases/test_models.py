"""What the database itself refuses, and the small model helpers."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import IntegrityError, transaction

from bases.fields import code_pattern
from bases.models import Base, Batch, BatchStatus, stars_for
from tests.bases.factories import BaseFactory, BatchFactory, ItineraryFactory

pytestmark = pytest.mark.django_db


def refused(**changes) -> bool:
    try:
        with transaction.atomic():
            BatchFactory(**changes)
    except IntegrityError:
        return True
    return False


def test_batch_constraints_are_enforced_by_the_database(today):
    itinerary = ItineraryFactory(days=3)
    assert refused(itinerary=itinerary, capacity=0)
    assert refused(itinerary=itinerary, capacity=5, seats_held=6)
    assert refused(itinerary=itinerary, end_date=today)  # start is in 30 days
    assert refused(itinerary=itinerary, signup_deadline=today + timedelta(days=31))
    assert not refused(itinerary=itinerary, capacity=5, seats_held=5)


def test_one_batch_per_itinerary_and_start_date(today):
    batch = BatchFactory()
    assert refused(itinerary=batch.itinerary, start_date=batch.start_date)


def test_union_price_above_standard_price_is_refused_by_the_database():
    with pytest.raises(IntegrityError):
        ItineraryFactory(standard_price_fen=100000, union_price_fen=100001)


def test_code_sets_are_stored_in_choice_order_and_found_by_code():
    base = BaseFactory(themes=["blue", "red"], products=["tea", "forest"])
    assert base.themes == ["red", "blue"]  # normalised on save, like after a reload
    base.refresh_from_db()
    assert base.themes == ["red", "blue"]
    assert base.products == ["forest", "tea"]
    assert Base.objects.filter(themes__contains=code_pattern("red")).get() == base
    assert not Base.objects.filter(themes__contains=code_pattern("green")).exists()
    assert Base.objects.filter(products__contains=code_pattern("tea")).exists()


def test_batch_state_for_pages(today):
    batch = BatchFactory(capacity=20, seats_held=5)
    assert batch.state(today) == "open"
    assert batch.accepting_signups(today)
    batch.seats_held = 19
    assert batch.state(today) == "few_left"
    batch.seats_held = 20
    assert batch.state(today) == "full"
    assert not batch.accepting_signups(today)
    batch.seats_held = 5
    assert batch.state(batch.signup_deadline + timedelta(days=1)) == "deadline_passed"
    assert batch.state(batch.end_date + timedelta(days=1)) == "finished"
    batch.status = BatchStatus.CLOSED
    assert batch.state(today) == "closed"


def test_seats_left_is_annotated_by_selectors():
    from bases.selectors import with_seats_left

    BatchFactory(capacity=12, seats_held=5)
    assert with_seats_left(Batch.objects.all()).get().seats_left == 7


@pytest.mark.parametrize(
    ("basic", "others", "stars"),
    [(20, 80, 5), (18, 72, 5), (16, 66, 4), (15, 56, 3), (14, 47, 2), (12, 40, 1), (12, 30, 0)],
)
def test_points_give_stars(basic, others, stars):
    scores = {"basic": basic, "reception": others}
    assert stars_for(scores) == (basic + others, stars)


def test_failing_the_basic_requirements_gives_no_star():
    assert stars_for({"basic": 11, "reception": 89}) == (100, 0)


def test_age_group_label_and_fit():
    itinerary = ItineraryFactory.build(min_age=50, max_age=60)
    assert itinerary.fits_age(50) and itinerary.fits_age(60)
    assert not itinerary.fits_age(49) and not itinerary.fits_age(61)
    assert itinerary.age_group == "50–60"
    assert ItineraryFactory.build(min_age=None, max_age=None).fits_age(18)
