"""The bases part of ``seed_demo``: its shape, and that a second run changes nothing.

Seats and reviews come from the applications demo (``tests/applications/test_demo.py``)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from accounts.demo import seed_people
from accounts.models import User
from bases import demo as bases_demo
from bases.models import (
    AccreditationStep,
    Base,
    BaseStatus,
    Batch,
    Inspection,
    InspectionDraw,
    Itinerary,
    Review,
    StarRating,
)
from bases.selectors import overdue_inspections
from bases.services import draw_sample
from tests.conftest import fire_deferred_checks

pytestmark = [pytest.mark.django_db, pytest.mark.dates]


def snapshot() -> dict:
    return {
        "bases": list(Base.objects.order_by("pk").values()),
        "itineraries": list(Itinerary.objects.order_by("pk").values()),
        "batches": list(Batch.objects.order_by("pk").values_list("pk", "start_date", "seats_held")),
        "ratings": StarRating.objects.count(),
        "steps": AccreditationStep.objects.count(),
        "inspections": list(Inspection.objects.order_by("pk").values_list("pk", "status")),
    }


@pytest.fixture(scope="module")
def seeded(django_db_setup, django_db_blocker):
    """People, then bases, twice (the rest of seed_demo is other apps' and tests/test_seed_demo)."""
    with django_db_blocker.unblock(), transaction.atomic():
        first_report = bases_demo.seed(seed_people())
        first = snapshot()
        second_report = bases_demo.seed(seed_people())
        second = snapshot()
        fire_deferred_checks()
        yield first_report.created, first, second_report.created, second
        transaction.set_rollback(True)


def test_second_seed_changes_nothing(seeded):
    created, first, again, second = seeded
    assert created["bases"] >= 30 and created["batches"] > 1000
    for what in ("bases", "batches", "itineraries", "star ratings"):
        assert again.get(what, 0) == 0, what
    assert first == second


def test_bases_cover_counties_themes_and_products(seeded):
    public = Base.objects.filter(status__in=("active", "watch"))
    assert Base.objects.count() >= 30 and public.count() >= 28
    assert len({b.county_id for b in Base.objects.all()}) == 6
    assert {t for b in public for t in b.themes} == {"red", "green", "blue"}
    products = {p for b in public for p in b.products}
    assert {"forest", "seaside", "hot_spring", "medical", "tcm_diet", "tea"} <= products
    assert Base.objects.filter(status=BaseStatus.WATCH).count() == 1
    assert Base.objects.filter(status=BaseStatus.EXITED).count() == 1
    assert Base.objects.filter(status=BaseStatus.NOTICE, notice_ends_on__isnull=False).exists()
    assert set(Base.objects.values_list("stars", flat=True)) - {0} >= {2, 3, 4, 5}
    watch = Base.objects.get(status=BaseStatus.WATCH)
    assert watch.service_score < 70 and watch.watch_since  # its inspection, before any review
    scores = [b.service_score for b in Base.objects.filter(status="active")]
    assert all(score >= 70 for score in scores if score is not None)


def test_itineraries_and_batches_span_three_years_ago_to_next_year_with_full_and_open(seeded):
    today = timezone.localdate()  # the demo's today: it was first seeded in this test module
    assert Itinerary.objects.count() >= 80
    assert set(Itinerary.objects.values_list("days", flat=True)) <= set(range(3, 8))
    assert all(len(it.programme) == it.days for it in Itinerary.objects.all())
    assert not Itinerary.objects.filter(union_price_fen__gt=F("standard_price_fen")).exists()
    years = {d.year for d in Batch.objects.values_list("start_date", flat=True)}
    assert years == set(range(today.year - 3, today.year + 2))
    assert Batch.objects.filter(start_date__gt=today, start_date__lt=today + timedelta(77)).exists()
    # Created empty: only the applications app holds seats (its demo fills them).
    assert not Batch.objects.filter(seats_held__gt=0).exists()
    out = Itinerary.objects.filter(in_province=False)
    assert out.count() == 3 and all(it.days == 7 for it in out)
    # Union prices above the policy's daily subsidy, so most workers still pay a little.
    assert all(it.union_price_fen >= it.days * 560 * 100 for it in Itinerary.objects.all())
    exited = Base.objects.get(status=BaseStatus.EXITED)
    left_on = exited.steps.order_by("at").last().at.date()
    assert left_on == date(today.year - 1, 9, 15)
    assert not Batch.objects.filter(
        itinerary__base=exited, status="open", start_date__gte=left_on
    ).exists()


def test_ratings_and_reproducible_inspection_draws(seeded):
    assert not Review.objects.exists()  # reviews come from the applications demo's trips
    assert StarRating.objects.count() >= 28
    for draw in InspectionDraw.objects.all():
        assert draw_sample(draw.seed, draw.candidate_ids, draw.sample_size) == draw.chosen_ids
    # Last month's draw is inspected, this month's is not yet; the watch base is overdue.
    today = timezone.localdate()
    last_month = (today.replace(day=1) - timedelta(days=1)).strftime("%Y-%m")
    assert set(InspectionDraw.objects.values_list("period", flat=True)) == {
        last_month,
        today.strftime("%Y-%m"),
    }
    assert not Inspection.objects.filter(draw__period=last_month, status="scheduled").exists()
    assert Inspection.objects.filter(draw__period=f"{today:%Y-%m}", status="scheduled").exists()
    assert overdue_inspections(User.objects.get(username="city"), today).exists()
