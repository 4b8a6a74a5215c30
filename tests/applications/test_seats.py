"""Seats: one lock point, one counter. ``batch.seats_held`` always equals what the applications
and group blocks account for; a full batch waits; a freed seat promotes in order.

The state machine's long run: ``HYPOTHESIS_PROFILE=thorough .venv/bin/pytest
tests/applications/test_seats.py``; the suite runs a short one.
"""

from __future__ import annotations

import os
from datetime import timedelta

import pytest
from django.db import transaction
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule

from accounts.models import Notification, WorkerCategory
from applications import selectors, services
from applications.eligibility import NEVER_BEEN
from applications.models import (
    MONEY_RESERVED,
    SEAT_HOLDING,
    Application,
    GroupTrip,
    Status,
    StatusChange,
)
from bases.models import Batch, BatchStatus
from funds.selectors import utilization
from tests.applications.conftest import after_departure

pytestmark = pytest.mark.django_db

settings.register_profile(
    "apps-quick",
    max_examples=8,
    stateful_step_count=18,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
settings.register_profile(
    "apps-thorough",
    max_examples=300,
    stateful_step_count=40,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
PROFILE = "apps-thorough" if os.environ.get("HYPOTHESIS_PROFILE") == "thorough" else "apps-quick"


def fresh(batch: Batch) -> Batch:
    return Batch.objects.get(pk=batch.pk)


def status_of(app: Application) -> str:
    return Application.objects.values_list("status", flat=True).get(pk=app.pk)


def test_full_batch_puts_new_applicants_on_the_waiting_list(trip, make_batch, make_worker):
    batch = make_batch(capacity=2)
    apps = [services.application_submit(worker=make_worker(), batch=batch, by=None) for _ in "abc"]
    assert [a.status for a in apps] == ["submitted", "submitted", "waitlisted"]
    assert fresh(batch).seats_held == 2 == selectors.seats_accounted(batch)
    assert Notification.objects.filter(
        user=apps[2].worker.user, url=f"/applications/{apps[2].pk}/"
    ).exists()


class TestPromotion:
    @pytest.fixture
    def batch(self, trip, make_batch):
        trip.policy.priority_groups = ["model_worker", NEVER_BEEN]
        trip.policy.save()
        return make_batch(capacity=1)

    @pytest.fixture
    def holder(self, batch, make_worker):
        return services.application_submit(worker=make_worker(), batch=batch, by=None)

    def test_priority_first_then_time(self, batch, holder, make_worker, record_trip, trip):
        def been(worker):
            record_trip(worker, start=trip.batch.start_date.replace(day=1) - timedelta(days=800))
            return worker

        late_member = been(make_worker())
        never_been = make_worker()
        model = been(make_worker(category=WorkerCategory.MODEL_WORKER))
        early_member = been(make_worker())
        order = [early_member, late_member, never_been, model]
        waiting = {}
        for worker in order:  # created in this order: early before late
            waiting[worker.pk] = services.application_submit(worker=worker, batch=batch, by=None)
        assert [waiting[w.pk].priority_rank for w in order] == [2, 2, 1, 0]
        assert list(selectors.waiting_list(batch).values_list("worker_id", flat=True)) == [
            model.pk,
            never_been.pk,
            early_member.pk,
            late_member.pk,
        ]
        current = holder
        for expected in (model, never_been, early_member, late_member):
            services.application_withdraw(application=current, by=None)
            current = waiting[expected.pk]
            assert status_of(current) == Status.SUBMITTED
            assert Application.objects.filter(batch=batch, status=Status.WAITLISTED).count() == (
                len(order) - 1 - [model, never_been, early_member, late_member].index(expected)
            )
            change = current.changes.latest("pk")
            assert (change.from_status, change.to_status, change.by) == (
                Status.WAITLISTED,
                Status.SUBMITTED,
                None,
            )
            assert (
                Notification.objects.filter(
                    user=expected.user, url=f"/applications/{current.pk}/"
                ).count()
                == 2
            )  # on the waiting list, then holding a seat
        assert fresh(batch).seats_held == 1 == selectors.seats_accounted(batch)

    def test_each_kind_of_freed_seat_promotes(self, batch, holder, make_worker, flow):
        waiting = services.application_submit(worker=make_worker(), batch=batch, by=None)
        flow.to(holder, Status.APPROVED)
        services.application_reject(application=holder, by=None, reason="材料不全")
        assert status_of(waiting) == Status.SUBMITTED

    def test_a_larger_capacity_is_filled_by_the_promotion_job_once(
        self, batch, holder, make_worker
    ):
        waiting = [
            services.application_submit(worker=make_worker(), batch=batch, by=None)
            for _ in range(3)
        ]
        Batch.objects.filter(pk=batch.pk).update(capacity=3)
        assert len(services.waitlist_promote(batch_id=batch.pk)) == 2
        assert services.waitlist_promote(batch_id=batch.pk) == []
        assert [status_of(a) for a in waiting] == ["submitted", "submitted", "waitlisted"]
        assert fresh(batch).seats_held == 3 == selectors.seats_accounted(batch)

    @pytest.mark.parametrize("how", ["capacity", "reopen"])
    def test_seats_freed_by_the_base_go_to_those_waiting_before_a_newcomer(
        self, how, batch, holder, make_worker, django_capture_on_commit_callbacks
    ):
        from bases.services import batch_close, batch_reopen, batch_update

        waiting = services.application_submit(worker=make_worker(), batch=batch, by=None)
        with django_capture_on_commit_callbacks(execute=True):
            if how == "capacity":
                batch_update(batch=batch, by=None, capacity=2)
            else:
                batch_close(batch=batch, by=None, reason="临时关闭")
                services.application_withdraw(application=holder, by=None)
                batch_reopen(batch=batch, by=None)
        # bases announced the free seat after commit; the waiting list moved up at once.
        assert status_of(waiting) == Status.SUBMITTED
        newcomer = services.application_submit(worker=make_worker(), batch=batch, by=None)
        assert newcomer.status == Status.WAITLISTED
        assert fresh(batch).seats_held == selectors.seats_accounted(batch)

    def test_no_promotion_after_departure(self, batch, holder, make_worker, flow):
        waiting = services.application_submit(worker=make_worker(), batch=batch, by=None)
        flow.to(holder, Status.NO_SHOW)  # recorded after departure: frees the seat
        assert status_of(waiting) == Status.WAITLISTED
        assert services.waitlist_promote(batch_id=batch.pk, today=after_departure(batch)) == []
        assert fresh(batch).seats_held == 0 == selectors.seats_accounted(batch)
        # The housekeeping job then tells the waiting applicant the trip left without them.
        assert services.waitlist_expire(today=after_departure(batch)) == 1
        assert status_of(waiting) == Status.WITHDRAWN
        assert services.waitlist_expire(today=after_departure(batch)) == 0

    def test_no_promotion_when_the_batch_is_closed(self, batch, holder, make_worker):
        waiting = services.application_submit(worker=make_worker(), batch=batch, by=None)
        Batch.objects.filter(pk=batch.pk).update(status=BatchStatus.CLOSED)
        services.application_withdraw(application=holder, by=None)
        assert status_of(waiting) == Status.WAITLISTED
        assert services.waitlist_promote(batch_id=batch.pk) == []
        assert fresh(batch).seats_held == 0 == selectors.seats_accounted(batch)

    def test_no_promotion_while_a_lottery_is_pending(self, batch, holder, make_worker):
        waiting = services.application_submit(worker=make_worker(), batch=batch, by=None)
        services.lottery_announce(batch=batch, by=None)
        services.application_withdraw(application=holder, by=None)
        assert status_of(waiting) == Status.WAITLISTED
        assert services.waitlist_promote(batch_id=batch.pk) == []


class TestGroupBlock:
    @pytest.fixture
    def group(self, trip, tree):
        return services.group_trip_create(
            batch=trip.batch, organizer=tree.union_a1, seats=2, by=tree.user("organizer_a1")
        )

    def test_a_block_holds_its_seats_whatever_the_roster(self, trip, group):
        assert fresh(trip.batch).seats_held == 2 == selectors.seats_accounted(trip.batch)

    def test_the_roster_never_outgrows_the_block(self, trip, tree, group, make_worker):
        for _ in range(2):
            services.roster_add(
                group_trip=group, worker=make_worker(), union=tree.union_a1, by=None
            )
        worker = make_worker()
        with pytest.raises(services.ApplicationRefused, match="block of 2 seats is full"):
            services.roster_add(group_trip=group, worker=worker, union=tree.union_a1, by=None)
        assert not Application.objects.filter(worker=worker).exists()
        with pytest.raises(services.ApplicationRefused, match="2 members are on the roster"):
            services.group_trip_resize(group_trip=group, seats=1, by=None)
        assert GroupTrip.objects.get(pk=group.pk).seats == 2
        assert fresh(trip.batch).seats_held == 2 == selectors.seats_accounted(trip.batch)

    def test_a_member_leaving_frees_a_place_in_the_block_not_on_the_batch(
        self, trip, tree, group, make_worker
    ):
        member = services.roster_add(
            group_trip=group, worker=make_worker(), union=tree.union_a1, by=None
        )
        services.application_withdraw(application=member, by=None)
        assert fresh(trip.batch).seats_held == 2 == selectors.seats_accounted(trip.batch)
        services.roster_add(group_trip=group, worker=make_worker(), union=tree.union_a1, by=None)
        services.roster_add(group_trip=group, worker=make_worker(), union=tree.union_a1, by=None)

    def test_a_block_larger_than_the_seats_left_is_refused(self, trip, tree, make_batch):
        batch = make_batch(capacity=3)
        with pytest.raises(services.ApplicationRefused, match="Only 3 seats are left"):
            services.group_trip_create(batch=batch, organizer=tree.union_a1, seats=4, by=None)
        assert not GroupTrip.objects.filter(batch=batch).exists()
        group = services.group_trip_create(batch=batch, organizer=tree.union_a1, seats=3, by=None)
        with pytest.raises(services.ApplicationRefused, match="Only 0 more seats"):
            services.group_trip_resize(group_trip=group, seats=4, by=None)
        assert fresh(batch).seats_held == 3 == selectors.seats_accounted(batch)

    def test_shrinking_a_block_promotes_the_waiting_list(self, tree, make_batch, make_worker):
        batch = make_batch(capacity=3)
        group = services.group_trip_create(batch=batch, organizer=tree.union_a1, seats=3, by=None)
        waiting = services.application_submit(worker=make_worker(), batch=batch, by=None)
        assert waiting.status == Status.WAITLISTED
        services.group_trip_resize(group_trip=group, seats=2, by=None)
        assert status_of(waiting) == Status.SUBMITTED
        assert fresh(batch).seats_held == 3 == selectors.seats_accounted(batch)


# --- The state machine -------------------------------------------------------------------------

WORKERS = 9


class SeatMachine(RuleBasedStateMachine):
    """One small batch; workers of two unions apply, leave, get refused, approved, put on group
    rosters; blocks are created, resized and cancelled; then the trip departs and attendance is
    recorded. Whatever happens, the counter equals the accounting and nothing overflows."""

    world: dict = {}

    def __init__(self):
        super().__init__()
        self.atomic = transaction.atomic()
        self.atomic.__enter__()
        self.batch = self.world["batch"]
        self.workers = self.world["workers"]
        self.unions = self.world["unions"]
        self.year = self.batch.start_date.year
        self.apps: list[Application] = []
        self.groups: list[GroupTrip] = []
        self.departed = False

    def teardown(self):
        transaction.set_rollback(True)
        self.atomic.__exit__(None, None, None)

    @property
    def today(self):
        return (
            after_departure(self.batch)
            if self.departed
            else self.batch.start_date - timedelta(days=10)
        )

    def state(self) -> tuple:
        return (
            tuple(Application.objects.order_by("pk").values_list("pk", "status")),
            tuple(GroupTrip.objects.order_by("pk").values_list("pk", "seats", "cancelled_at")),
            fresh(self.batch).seats_held,
            StatusChange.objects.count(),
        )

    def attempt(self, fn, **kwargs):
        """Run a service; a refusal must leave everything as it was."""
        before = self.state()
        try:
            with transaction.atomic():
                return fn(**kwargs)
        except services.ApplicationRefused:
            assert self.state() == before
            return None

    def pick(self, items: list, index: int):
        return items[index % len(items)] if items else None

    # Before departure ------------------------------------------------------------------

    @precondition(lambda self: not self.departed)
    @rule(w=st.integers(0, WORKERS - 1))
    def submit(self, w):
        app = self.attempt(
            services.application_submit,
            worker=self.workers[w],
            batch=self.batch,
            by=None,
            today=self.today,
        )
        if app is not None:
            self.apps.append(app)

    @precondition(lambda self: not self.departed)
    @rule(i=st.integers(0, 50))
    def withdraw(self, i):
        if app := self.pick(self.apps, i):
            self.attempt(services.application_withdraw, application=app, by=None, today=self.today)

    @precondition(lambda self: not self.departed)
    @rule(i=st.integers(0, 50))
    def reject(self, i):
        if app := self.pick(self.apps, i):
            self.attempt(
                services.application_reject,
                application=app,
                by=None,
                reason="名额调整",
                today=self.today,
            )

    @precondition(lambda self: not self.departed)
    @rule(i=st.integers(0, 50))
    def endorse_and_approve(self, i):
        if app := self.pick(self.apps, i):
            self.attempt(services.application_endorse, application=app, by=None, today=self.today)
            self.attempt(services.application_approve, application=app, by=None, today=self.today)

    @precondition(lambda self: not self.departed)
    @rule(u=st.integers(0, 1), seats=st.integers(1, 4))
    def create_group(self, u, seats):
        group = self.attempt(
            services.group_trip_create,
            batch=self.batch,
            organizer=self.unions[u],
            seats=seats,
            by=None,
            today=self.today,
        )
        if group is not None:
            self.groups.append(group)

    @precondition(lambda self: not self.departed)
    @rule(g=st.integers(0, 10), seats=st.integers(1, 5))
    def resize_group(self, g, seats):
        if group := self.pick(self.groups, g):
            self.attempt(
                services.group_trip_resize, group_trip=group, seats=seats, by=None, today=self.today
            )

    @precondition(lambda self: not self.departed)
    @rule(g=st.integers(0, 10))
    def cancel_group(self, g):
        if group := self.pick(self.groups, g):
            self.attempt(
                services.group_trip_cancel,
                group_trip=group,
                by=None,
                reason="单位安排调整",
                today=self.today,
            )

    @precondition(lambda self: not self.departed)
    @rule(g=st.integers(0, 10), w=st.integers(0, WORKERS - 1))
    def add_to_roster(self, g, w):
        group = self.pick(self.groups, g)
        worker = self.workers[w]
        if group is not None and worker.union_id == group.organizer_id:
            app = self.attempt(
                services.roster_add,
                group_trip=group,
                worker=worker,
                union=worker.union,
                by=None,
                today=self.today,
            )
            if app is not None:
                self.apps.append(app)

    @precondition(lambda self: not self.departed)
    @rule()
    def promote_twice(self):
        services.waitlist_promote(batch_id=self.batch.pk, today=self.today)
        assert services.waitlist_promote(batch_id=self.batch.pk, today=self.today) == []

    # After departure ------------------------------------------------------------------

    @precondition(lambda self: not self.departed)
    @rule()
    def depart(self):
        self.departed = True

    @precondition(lambda self: self.departed)
    @rule(i=st.integers(0, 50), attended=st.booleans())
    def attendance(self, i, attended):
        if app := self.pick(self.apps, i):
            self.attempt(
                services.application_attendance,
                application=app,
                by=None,
                attended=attended,
                today=self.today,
            )

    @precondition(lambda self: self.departed)
    @rule(i=st.integers(0, 50))
    def withdraw_too_late(self, i):
        if app := self.pick(self.apps, i):
            done = self.attempt(
                services.application_withdraw, application=app, by=None, today=self.today
            )
            assert done is None

    # Invariants -----------------------------------------------------------------------

    @invariant()
    def counter_equals_accounting(self):
        batch = fresh(self.batch)
        assert batch.seats_held == selectors.seats_accounted(batch)
        assert 0 <= batch.seats_held <= batch.capacity

    @invariant()
    def rosters_fit_their_blocks(self):
        for group in GroupTrip.objects.filter(batch=self.batch, cancelled_at__isnull=True):
            assert group.members.filter(status__in=SEAT_HOLDING).count() <= group.seats
        for group in GroupTrip.objects.filter(batch=self.batch, cancelled_at__isnull=False):
            assert not group.members.filter(status__in=SEAT_HOLDING).exists()

    @invariant()
    def nobody_waits_for_a_free_seat_before_departure(self):
        batch = fresh(self.batch)
        if not self.departed and batch.seats_held < batch.capacity:
            assert not selectors.waiting_list(batch).exists()

    @invariant()
    def money_reserved_follows_the_status(self):
        expected = sum(
            Application.objects.filter(batch=self.batch, status__in=MONEY_RESERVED).values_list(
                "subsidy_fen", flat=True
            )
        )
        assert utilization(org=self.world["city"], year=self.year).reserved == expected


def test_seats_stay_accounted_under_random_sequences(tree, trip, make_batch, make_worker):
    trip.policy.trips_per_window = 9  # the batch is what is tested, not the frequency rules
    trip.policy.save()
    batch = make_batch(capacity=5)
    unions = [tree.union_a1, tree.union_a2]
    SeatMachine.world = {
        "batch": batch,
        "unions": unions,
        "workers": [make_worker(union=unions[n % 2]) for n in range(WORKERS)],
        "city": tree.city,
    }
    SeatMachine.TestCase.settings = settings.get_profile(PROFILE)
    SeatMachine.TestCase("runTest").runTest()


def test_a_sign_up_takes_a_fixed_small_number_of_queries(
    trip, make_worker, django_assert_max_num_queries
):
    """DESIGN §8 asks for hundreds of sign-ups a second: the service reads the worker's trips,
    the batch, the policy and the paying federation, then locks the batch and writes the
    application, its history, its notification and its audit row — nothing per other row."""
    from accounts.models import Worker

    for _ in range(3):  # other applicants change nothing in the count
        services.application_submit(worker=make_worker(), batch=trip.batch.pk, by=None)
    worker = Worker.objects.select_related("union", "user").get(pk=make_worker().pk)
    with django_assert_max_num_queries(14):
        services.application_submit(worker=worker, batch=trip.batch.pk, by=worker.user)
