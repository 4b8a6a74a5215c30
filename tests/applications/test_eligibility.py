"""Each eligibility rule alone, with its own message; the priority rank; the catalogue helper
``selectors.Eligibility`` says exactly what ``application_submit`` then does."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from accounts.models import WorkerCategory
from applications import selectors, services
from applications.eligibility import NEVER_BEEN, priority_rank
from applications.models import Application, Status
from bases.models import BaseStatus, BatchStatus
from tests.bases.factories import ItineraryFactory

pytestmark = pytest.mark.django_db


def codes(worker, batch, *, today=None) -> list[str]:
    return [r.code for r in selectors.Eligibility(worker, today=today).refusals(batch)]


def messages(worker, batch, *, today=None) -> list[str]:
    return [r.message for r in selectors.Eligibility(worker, today=today).refusals(batch)]


def refused_by_service(worker, batch, *, today=None) -> list[str]:
    count = Application.objects.count()
    with pytest.raises(services.ApplicationRefused) as error:
        services.application_submit(worker=worker, batch=batch, by=None, today=today)
    assert Application.objects.count() == count
    return error.value.messages


def born(years: int, before: date) -> date:
    """The birth date of someone who turns ``years`` on ``before``."""
    try:
        return before.replace(year=before.year - years)
    except ValueError:  # 29 February
        return before.replace(year=before.year - years, day=28)


def elsewhere_in_year(year_of: date) -> date:
    """A day of the same year at least ten days away from ``year_of``."""
    first = date(year_of.year, 1, 1)
    return first if (year_of - first).days > 10 else date(year_of.year, 12, 1)


def test_an_eligible_worker_has_no_refusals(trip, make_worker):
    assert codes(make_worker(), trip.batch) == []


class TestGoodStanding:
    def test_a_member_not_in_good_standing_may_not_apply(self, trip, make_worker):
        worker = make_worker(in_good_standing=False)
        assert codes(worker, trip.batch) == ["not_in_good_standing"]
        assert "good standing" in messages(worker, trip.batch)[0]
        assert refused_by_service(worker, trip.batch) == messages(worker, trip.batch)


class TestAgeGroup:
    @pytest.fixture
    def batch(self, trip, make_batch):
        itinerary = ItineraryFactory(base=trip.itinerary.base, min_age=40, max_age=50)
        return make_batch(itinerary=itinerary)

    @pytest.mark.parametrize(("age", "fits"), [(39, False), (40, True), (50, True), (51, False)])
    def test_both_ends_of_the_age_group_on_the_day_of_departure(
        self, age, fits, batch, make_worker
    ):
        worker = make_worker(birth_date=born(age, batch.start_date))
        assert worker.age_on(batch.start_date) == age
        assert codes(worker, batch) == ([] if fits else ["age_group"])
        if not fits:
            message = messages(worker, batch)[0]
            assert "40–50" in message and f"you will be {age}" in message

    def test_a_birthday_the_day_after_departure_does_not_count(self, batch, make_worker):
        worker = make_worker(birth_date=born(40, batch.start_date) + timedelta(days=1))
        assert codes(worker, batch) == ["age_group"]

    def test_open_ended_groups(self, trip, make_batch, make_worker):
        senior = make_batch(itinerary=ItineraryFactory(base=trip.itinerary.base, min_age=55))
        young = make_batch(itinerary=ItineraryFactory(base=trip.itinerary.base, max_age=35))
        worker = make_worker(birth_date=born(45, senior.start_date))
        assert codes(worker, senior) == ["age_group"]
        assert "55 and over" in messages(worker, senior)[0]
        assert codes(worker, young) == ["age_group"]
        assert "up to 35" in messages(worker, young)[0]


class TestFrequency:
    def test_one_subsidised_trip_a_year(self, trip, make_worker, record_trip):
        worker = make_worker()
        earlier = record_trip(
            worker, start=elsewhere_in_year(trip.batch.start_date), status=Status.APPROVED
        )
        assert codes(worker, trip.batch) == ["frequency"]
        message = messages(worker, trip.batch)[0]
        assert "1 subsidised trip a year" in message
        assert earlier.batch.itinerary.title in message and str(trip.year) in message
        assert refused_by_service(worker, trip.batch) == [message]

    @pytest.mark.parametrize("status", [Status.WAITLISTED, Status.SUBMITTED, Status.SETTLED])
    def test_every_live_trip_counts(self, status, trip, make_worker, record_trip):
        worker = make_worker()
        record_trip(worker, start=elsewhere_in_year(trip.batch.start_date), status=status)
        assert codes(worker, trip.batch) == ["frequency"]

    @pytest.mark.parametrize("status", [Status.WITHDRAWN, Status.REJECTED, Status.NO_SHOW])
    def test_trips_that_did_not_happen_do_not_count(self, status, trip, make_worker, record_trip):
        worker = make_worker()
        record_trip(worker, start=elsewhere_in_year(trip.batch.start_date), status=status)
        assert codes(worker, trip.batch) == []

    def test_last_years_trip_does_not_count_in_a_one_year_window(
        self, trip, make_worker, record_trip
    ):
        worker = make_worker()
        record_trip(worker, start=date(trip.year - 1, 3, 1))
        assert codes(worker, trip.batch) == []

    @pytest.mark.parametrize(("years_apart", "refused"), [(1, True), (2, True), (3, False)])
    def test_multi_year_window_looks_back(
        self, years_apart, refused, trip, make_worker, record_trip
    ):
        trip.policy.frequency_window_years = 3
        trip.policy.save()
        worker = make_worker()
        record_trip(worker, start=date(trip.year - years_apart, 3, 1))
        assert codes(worker, trip.batch) == (["frequency"] if refused else [])
        if refused:
            message = messages(worker, trip.batch)[0]
            assert "1 subsidised trip every 3 years" in message
            assert str(trip.year - years_apart) in message

    @pytest.mark.parametrize(("years_apart", "refused"), [(1, True), (2, True), (3, False)])
    def test_multi_year_window_also_looks_ahead(
        self, years_apart, refused, trip, make_worker, record_trip
    ):
        """A trip already booked for a later year is as much a repeat as an earlier one."""
        trip.policy.frequency_window_years = 3
        trip.policy.save()
        worker = make_worker()
        record_trip(worker, start=date(trip.year + years_apart, 3, 1), status=Status.SUBMITTED)
        assert codes(worker, trip.batch) == (["frequency"] if refused else [])

    def test_more_trips_per_window(self, trip, make_worker, record_trip):
        trip.policy.frequency_window_years = 3
        trip.policy.trips_per_window = 2
        trip.policy.save()
        worker = make_worker()
        record_trip(worker, start=date(trip.year - 2, 3, 1))
        assert codes(worker, trip.batch) == []
        record_trip(worker, start=date(trip.year - 1, 3, 1))
        assert codes(worker, trip.batch) == ["frequency"]
        assert "2 subsidised trips every 3 years" in messages(worker, trip.batch)[0]

    def test_no_policy_no_frequency_rule(self, trip, make_worker, record_trip):
        trip.policy.delete()
        worker = make_worker()
        record_trip(worker, start=elsewhere_in_year(trip.batch.start_date))
        assert codes(worker, trip.batch) == []


class TestOutOfProvince:
    @pytest.fixture
    def far(self, trip, make_batch):
        itinerary = ItineraryFactory(base=trip.itinerary.base, in_province=False)
        return make_batch(itinerary=itinerary)

    @pytest.mark.parametrize(("years_apart", "refused"), [(1, True), (2, True), (3, False)])
    def test_no_repeat_out_of_province_trip_within_the_window(
        self, years_apart, refused, trip, far, make_worker, record_trip
    ):
        assert trip.policy.out_of_province_window_years == 3
        worker = make_worker()
        earlier = record_trip(worker, start=date(far.start_date.year - years_apart, 3, 1))
        earlier.batch.itinerary.in_province = False
        earlier.batch.itinerary.save()
        assert codes(worker, far) == (["out_of_province_repeat"] if refused else [])
        if refused:
            message = messages(worker, far)[0]
            assert "within 3 years" in message and earlier.batch.itinerary.title in message
            assert refused_by_service(worker, far) == [message]

    def test_an_in_province_trip_is_no_repeat(self, far, make_worker, record_trip):
        worker = make_worker()
        record_trip(worker, start=date(far.start_date.year - 1, 3, 1), in_province=True)
        assert codes(worker, far) == []

    def test_an_in_province_batch_ignores_the_rule(self, trip, make_worker, record_trip):
        worker = make_worker()
        record_trip(worker, start=date(trip.year - 1, 3, 1), in_province=False)
        assert codes(worker, trip.batch) == []

    def test_a_window_of_zero_years_turns_the_rule_off(self, trip, far, make_worker, record_trip):
        trip.policy.out_of_province_window_years = 0
        trip.policy.save()
        worker = make_worker()
        record_trip(worker, start=date(far.start_date.year - 1, 3, 1), in_province=False)
        assert codes(worker, far) == []


class TestBatchOpen:
    def test_closed_batch(self, trip, make_worker):
        trip.batch.status = BatchStatus.CLOSED
        trip.batch.save()
        worker = make_worker()
        assert codes(worker, trip.batch) == ["batch_closed"]
        assert messages(worker, trip.batch) == ["This batch is not taking sign-ups."]
        assert refused_by_service(worker, trip.batch) == ["This batch is not taking sign-ups."]

    def test_base_no_longer_public_or_itinerary_withdrawn(self, trip, make_worker):
        worker = make_worker()
        trip.itinerary.active = False
        trip.itinerary.save()
        assert codes(worker, trip.batch) == ["batch_closed"]
        trip.itinerary.active = True
        trip.itinerary.save()
        trip.itinerary.base.status = BaseStatus.SUSPENDED
        trip.itinerary.base.save()
        assert codes(worker, trip.batch) == ["batch_closed"]

    def test_deadline_day_is_still_open_and_the_day_after_is_not(self, trip, make_worker):
        worker = make_worker()
        deadline = trip.batch.signup_deadline
        assert codes(worker, trip.batch, today=deadline) == []
        assert codes(worker, trip.batch, today=deadline + timedelta(days=1)) == ["deadline_passed"]
        message = messages(worker, trip.batch, today=deadline + timedelta(days=1))[0]
        assert f"{deadline:%Y-%m-%d}" in message
        assert refused_by_service(worker, trip.batch, today=deadline + timedelta(days=1)) == [
            message
        ]

    @pytest.mark.parametrize("days_after_start", [0, 1, 10])
    def test_departed_batch(self, days_after_start, trip, make_worker):
        today = trip.batch.start_date + timedelta(days=days_after_start)
        assert codes(make_worker(), trip.batch, today=today) == ["batch_closed"]


def test_an_unknown_batch_is_refused_with_a_message(trip, make_worker):
    with pytest.raises(services.ApplicationRefused, match="This batch does not exist."):
        services.application_submit(worker=make_worker(), batch=trip.batch.pk + 1000, by=None)
    assert not Application.objects.exists()


class TestAlreadyApplied:
    def test_a_second_application_for_the_same_batch(self, trip, make_worker):
        worker = make_worker()
        services.application_submit(worker=worker, batch=trip.batch, by=None)
        assert codes(worker, trip.batch) == ["already_applied"]
        assert refused_by_service(worker, trip.batch) == [
            "You have already applied for this batch."
        ]

    def test_waiting_counts_as_applied(self, trip, make_worker, make_batch):
        batch = make_batch(capacity=1)
        services.application_submit(worker=make_worker(), batch=batch, by=None)
        worker = make_worker()
        app = services.application_submit(worker=worker, batch=batch, by=None)
        assert app.status == Status.WAITLISTED
        assert codes(worker, batch) == ["already_applied"]

    def test_after_withdrawing_one_may_apply_again(self, trip, make_worker):
        worker = make_worker()
        app = services.application_submit(worker=worker, batch=trip.batch, by=None)
        services.application_withdraw(application=app, by=None)
        assert codes(worker, trip.batch) == []
        again = services.application_submit(worker=worker, batch=trip.batch, by=None)
        assert again.pk != app.pk and again.status == Status.SUBMITTED


class TestOverlap:
    @pytest.fixture
    def two_a_year(self, trip):
        trip.policy.trips_per_window = 2  # so the frequency rule stays out of the way
        trip.policy.save()

    def test_an_overlapping_trip(self, trip, two_a_year, make_batch, make_worker):
        other = make_batch(
            itinerary=ItineraryFactory(base=trip.itinerary.base, title="温泉三日", days=3),
            start_date=trip.batch.end_date,
        )
        worker = make_worker()
        services.application_submit(worker=worker, batch=other, by=None)
        assert codes(worker, trip.batch) == ["overlap"]
        message = messages(worker, trip.batch)[0]
        assert "温泉三日" in message and f"{other.start_date:%Y-%m-%d}" in message
        assert refused_by_service(worker, trip.batch) == [message]

    def test_back_to_back_trips_do_not_overlap(self, trip, two_a_year, make_batch, make_worker):
        other = make_batch(
            itinerary=ItineraryFactory(base=trip.itinerary.base, days=3),
            start_date=trip.batch.end_date + timedelta(days=1),
        )
        worker = make_worker()
        services.application_submit(worker=worker, batch=other, by=None)
        assert codes(worker, trip.batch) == []


def test_every_reason_at_once(trip, make_worker):
    trip.batch.status = BatchStatus.CLOSED
    trip.batch.save()
    trip.itinerary.min_age = 70
    trip.itinerary.save()
    worker = make_worker(in_good_standing=False)
    assert codes(worker, trip.batch) == ["not_in_good_standing", "batch_closed", "age_group"]
    assert refused_by_service(worker, trip.batch) == messages(worker, trip.batch)


class TestPriorityRank:
    ORDER = ["model_worker", "skilled", NEVER_BEEN, "hardship"]

    @pytest.fixture
    def policy(self, trip):
        trip.policy.priority_groups = self.ORDER
        trip.policy.save()
        return trip.policy

    @pytest.mark.parametrize(
        ("category", "flags", "been", "rank"),
        [
            (WorkerCategory.MODEL_WORKER, {}, True, 0),
            (WorkerCategory.SENIOR_TECHNICIAN, {}, True, 1),
            (WorkerCategory.TECHNICIAN, {"hardship": True}, False, 1),
            (WorkerCategory.MEMBER, {}, False, 2),
            (WorkerCategory.MEMBER, {"hardship": True}, False, 2),
            (WorkerCategory.MEMBER, {"hardship": True}, True, 3),
            (WorkerCategory.MEMBER, {"near_retirement": True}, True, 4),
            (WorkerCategory.SENIOR_WORKER, {}, True, 4),
        ],
    )
    def test_rank_is_the_first_group_the_worker_belongs_to(
        self, category, flags, been, rank, trip, policy, make_worker, record_trip
    ):
        worker = make_worker(category=category, **flags)
        if been:
            record_trip(worker, start=date(trip.year - 2, 3, 1), status=Status.COMPLETED)
        assert selectors.Eligibility(worker).priority_rank(trip.year) == rank
        app = services.application_submit(worker=worker, batch=trip.batch, by=None)
        assert app.priority_rank == rank

    def test_a_trip_not_attended_keeps_one_never_been(self, trip, policy, make_worker, record_trip):
        worker = make_worker()
        record_trip(worker, start=date(trip.year - 2, 3, 1), status=Status.NO_SHOW)
        record_trip(worker, start=date(trip.year - 1, 3, 1), status=Status.APPROVED)
        assert selectors.Eligibility(worker).priority_rank(trip.year) == 2

    def test_without_a_policy_everybody_ranks_alike(self, make_worker):
        for category in WorkerCategory.values:
            assert priority_rank(worker=make_worker(category=category), policy=None, trips=[]) == 0


class TestTheCatalogueAgreesWithTheService:
    def test_same_answer_for_every_kind_of_worker(self, trip, make_worker, record_trip, make_batch):
        itinerary = ItineraryFactory(base=trip.itinerary.base, min_age=30, max_age=45)
        batch = make_batch(itinerary=itinerary)
        applied = make_worker(birth_date=born(40, batch.start_date))
        services.application_submit(worker=applied, batch=batch, by=None)
        frequent = make_worker(birth_date=born(40, batch.start_date))
        record_trip(frequent, start=elsewhere_in_year(batch.start_date))
        workers = [
            make_worker(birth_date=born(40, batch.start_date)),
            make_worker(birth_date=born(46, batch.start_date)),
            make_worker(birth_date=born(29, batch.start_date), in_good_standing=False),
            applied,
            frequent,
        ]
        for worker in workers:
            said = messages(worker, batch)
            if said:
                assert refused_by_service(worker, batch) == said
            else:
                app = services.application_submit(worker=worker, batch=batch, by=None)
                assert app.status == Status.SUBMITTED
                # …and now the catalogue says "already applied", as the service would.
                assert codes(worker, batch) == ["already_applied"]
        assert selectors.Eligibility(applied).application_for(batch.pk) is not None

    def test_the_yearly_cap_counts_what_was_granted_this_year(self, trip, make_worker, make_batch):
        """Subsidy already approved this year lowers the next trip's subsidy (the yearly cap)."""
        trip.policy.trips_per_window = 2
        trip.policy.yearly_cap_per_person = 150_000
        trip.policy.save()
        worker = make_worker()
        first = services.application_submit(worker=worker, batch=trip.batch, by=None)
        services.application_endorse(application=first, by=None)
        services.application_approve(application=first, by=None)
        assert first.subsidy_fen == 100_000
        # Another batch the same fiscal year, not overlapping: before the trip or right after.
        starts = [trip.today + timedelta(days=10), trip.batch.end_date + timedelta(days=1)]
        start = next((d for d in starts if d.year == trip.year), None)
        if start is None:
            pytest.skip("no other batch fits into the trip's fiscal year")
        other = make_batch(itinerary=ItineraryFactory(base=trip.itinerary.base), start_date=start)
        assert selectors.Eligibility(worker).used(trip.year) == 100_000
        second = services.application_submit(worker=worker, batch=other, by=None)
        assert second.subsidy_fen == 50_000
