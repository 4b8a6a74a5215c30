"""The whole TRANSITIONS table, through the services: every allowed move works and is recorded;
every other move from every state is refused with a clear message and changes nothing."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db.models import F
from django.utils import timezone

from accounts.models import AuditEvent, Notification, OrgKind
from applications import selectors, services
from applications.models import (
    MONEY_RESERVED,
    TRANSITIONS,
    Application,
    Settlement,
    Status,
    StatusChange,
    cause_id,
)
from bases.models import Batch
from funds import services as funds
from funds.models import Entry, Transaction
from funds.selectors import utilization
from recuperation.money import format_yuan
from tests.applications.conftest import after_departure, fund, pdf_upload
from tests.factories import OrganizationFactory, WorkerFactory

pytestmark = pytest.mark.django_db

ALLOWED = sorted((src, dst) for src, targets in TRANSITIONS.items() for dst in targets)
ACTION = {
    Status.SUBMITTED: "application.promote",
    Status.ENDORSED: "application.endorse",
    Status.APPROVED: "application.approve",
    Status.COMPLETED: "application.attendance",
    Status.NO_SHOW: "application.attendance",
    Status.SETTLED: "application.settle",
    Status.REJECTED: "application.reject",
    Status.WITHDRAWN: "application.withdraw",
}


def test_the_table_names_every_state_and_only_known_states():
    assert set(TRANSITIONS) == set(Status.values)
    for targets in TRANSITIONS.values():
        assert targets <= set(Status.values)
    assert not TRANSITIONS[Status.SETTLED]
    assert len(ALLOWED) == 14


def test_applying_is_the_first_recorded_move(trip, flow, make_worker):
    worker = make_worker()
    app = flow.submit(worker, trip.batch)
    change = app.changes.get()
    assert (change.from_status, change.to_status, change.by) == ("", Status.SUBMITTED, worker.user)
    event = AuditEvent.objects.get(action="application.submit", target_id=str(app.pk))
    assert event.actor == worker.user and event.org == worker.union
    assert event.data["status"] == Status.SUBMITTED and event.data["subsidy"] == app.subsidy_fen
    assert Notification.objects.filter(user=worker.user, url=f"/applications/{app.pk}/").exists()


def reserved_for(app: Application) -> int:
    return sum(funds.reserved_for(cause_id(app.pk)).values())


def snapshot(app: Application) -> tuple:
    """Everything a refused move must leave alone."""
    app.refresh_from_db()
    batch = Batch.objects.get(pk=app.batch_id)
    return (
        app.status,
        app.updated_at,
        app.paid_fen,
        app.settlement_id,
        StatusChange.objects.count(),
        AuditEvent.objects.count(),
        Transaction.objects.count(),
        Entry.objects.count(),
        Notification.objects.count(),
        Settlement.objects.count(),
        batch.seats_held,
        reserved_for(app),
    )


@pytest.fixture
def in_state(trip, flow, make_worker, make_batch):
    """An application in a given state, reached with the real services."""

    def make(state: str) -> Application:
        worker = make_worker()
        if state == Status.WAITLISTED:
            batch = make_batch(capacity=1)
            flow.submit(make_worker(), batch)
            app = flow.submit(worker, batch)
            assert app.status == Status.WAITLISTED
            return app
        app = flow.submit(worker, trip.batch)
        return flow.to(app, state)

    return make


def do_move(app: Application, target: str, flow, *, reason: str = "不符合条件") -> Application:
    """Ask the service that makes ``target`` moves (promotion for ``submitted``)."""
    before, after = app.batch.start_date - timedelta(days=1), after_departure(app.batch)
    if target == Status.SUBMITTED:
        Batch.objects.filter(pk=app.batch_id).update(capacity=F("capacity") + 1)
        services.waitlist_promote(batch_id=app.batch_id)
        app.refresh_from_db()
        return app
    if target == Status.ENDORSED:
        return services.application_endorse(application=app, by=flow.organizer, today=before)
    if target == Status.APPROVED:
        return services.application_approve(application=app, by=flow.staff, today=before)
    if target in (Status.COMPLETED, Status.NO_SHOW):
        return services.application_attendance(
            application=app, by=flow.organizer, attended=target == Status.COMPLETED, today=after
        )
    if target == Status.SETTLED:
        settlement = services.settlement_submit(
            applications=[app],
            union=app.union,
            invoice=pdf_upload(),
            invoice_amount=app.price_fen,
            by=flow.organizer,
        )
        services.settlement_pay(settlement=settlement, by=flow.staff, today=after)
        app.refresh_from_db()
        return app
    if target == Status.REJECTED:
        return services.application_reject(
            application=app, by=flow.staff, reason=reason, today=before
        )
    if target == Status.WITHDRAWN:
        return services.application_withdraw(
            application=app, by=app.worker.user, reason=reason, today=before
        )
    raise AssertionError(target)


@pytest.mark.parametrize(("source", "target"), ALLOWED)
def test_every_allowed_move_works_and_is_recorded(source, target, in_state, flow):
    app = in_state(source)
    changes, events = StatusChange.objects.count(), AuditEvent.objects.count()
    moved = do_move(app, target, flow)
    moved.refresh_from_db()
    assert moved.status == target
    change = StatusChange.objects.filter(application=app).latest("pk")
    assert (change.from_status, change.to_status) == (source, target)
    if target == Status.REJECTED:
        assert change.reason == "不符合条件"
    assert StatusChange.objects.count() == changes + 1
    event = AuditEvent.objects.filter(
        target_type="applications.application", target_id=str(app.pk), action=ACTION[target]
    ).latest("pk")
    assert event.data["from_status"] == source
    assert event.data["to_status"] == target
    assert AuditEvent.objects.count() > events
    # Seats and money follow the status.
    batch = Batch.objects.get(pk=app.batch_id)
    assert batch.seats_held == selectors.seats_accounted(batch)
    assert reserved_for(moved) == (moved.subsidy_fen if target in MONEY_RESERVED else 0)
    # The worker hears about it.
    assert Notification.objects.filter(user=app.worker.user).exists()


@pytest.mark.parametrize("source", Status.values)
def test_every_other_move_is_refused_with_a_message_and_changes_nothing(source, in_state, flow):
    app = in_state(source)
    refused = [t for t in Status.values if t not in TRANSITIONS[source]]
    assert refused, "every state has moves it may not make (at least to itself)"
    for target in refused:
        before = snapshot(app)
        with pytest.raises(services.ApplicationRefused) as error:
            services.ensure_move(app, target, reason="理由", today=app.batch.start_date)
        message = " ".join(error.value.messages)
        assert str(Status(source).label) in message and str(Status(target).label) in message
        if target in (Status.SUBMITTED, Status.WAITLISTED):
            continue  # no service moves an application there except promotion (tested apart)
        with pytest.raises(services.ApplicationRefused) as error:
            do_move(app, target, flow, reason="理由")
        assert error.value.messages and all(error.value.messages)
        assert snapshot(app) == before, f"{source} → {target} changed something"


def test_promotion_leaves_every_state_but_the_waiting_list_alone(in_state):
    apps = [in_state(s) for s in (Status.SUBMITTED, Status.ENDORSED, Status.APPROVED)]
    for app in apps:
        Batch.objects.filter(pk=app.batch_id).update(capacity=F("capacity") + 1)
        assert services.waitlist_promote(batch_id=app.batch_id) == []
    assert [Application.objects.get(pk=a.pk).status for a in apps] == [
        "submitted",
        "endorsed",
        "approved",
    ]


@pytest.mark.parametrize("reason", ["", "   ", "\n"])
def test_rejection_needs_a_reason(reason, in_state, flow):
    app = in_state(Status.ENDORSED)
    before = snapshot(app)
    with pytest.raises(services.ApplicationRefused, match="reason"):
        services.application_reject(application=app, by=flow.staff, reason=reason)
    assert snapshot(app) == before


def test_reason_is_kept_on_withdrawal_and_rejection(in_state, flow):
    app = in_state(Status.SUBMITTED)
    services.application_withdraw(application=app, by=app.worker.user, reason="  家中有事 ")
    assert app.changes.latest("pk").reason == "家中有事"


class TestDeparture:
    """Moves before departure, and attendance only once the trip has started."""

    @pytest.mark.parametrize(
        ("source", "target"),
        [
            (Status.SUBMITTED, Status.ENDORSED),
            (Status.ENDORSED, Status.APPROVED),
            (Status.SUBMITTED, Status.WITHDRAWN),
            (Status.APPROVED, Status.WITHDRAWN),
        ],
    )
    def test_refused_once_the_trip_has_started(self, source, target, in_state, flow):
        app = in_state(source)
        before = snapshot(app)
        start = app.batch.start_date
        for today in (start, start + timedelta(days=3)):
            with pytest.raises(services.ApplicationRefused) as error:
                if target == Status.ENDORSED:
                    services.application_endorse(application=app, by=flow.organizer, today=today)
                elif target == Status.APPROVED:
                    services.application_approve(application=app, by=flow.staff, today=today)
                else:
                    services.application_withdraw(application=app, by=None, today=today)
            assert f"{start:%Y-%m-%d}" in error.value.messages[0]
            assert "started" in error.value.messages[0]
        assert snapshot(app) == before

    @pytest.mark.parametrize("attended", [True, False])
    def test_attendance_refused_before_the_trip_starts(self, attended, in_state, flow):
        app = in_state(Status.APPROVED)
        before = snapshot(app)
        for today in (app.batch.start_date - timedelta(days=1), timezone.localdate()):
            with pytest.raises(services.ApplicationRefused, match="once the trip has started"):
                services.application_attendance(
                    application=app, by=flow.organizer, attended=attended, today=today
                )
        assert snapshot(app) == before

    def test_attendance_on_the_first_day_is_allowed(self, in_state, flow):
        app = in_state(Status.APPROVED)
        services.application_attendance(
            application=app, by=flow.organizer, attended=True, today=app.batch.start_date
        )
        assert Application.objects.get(pk=app.pk).status == Status.COMPLETED

    def test_withdrawal_on_the_eve_of_departure_is_allowed(self, in_state):
        app = in_state(Status.APPROVED)
        services.application_withdraw(
            application=app, by=None, today=app.batch.start_date - timedelta(days=1)
        )
        assert Application.objects.get(pk=app.pk).status == Status.WITHDRAWN
        assert reserved_for(app) == 0


class TestMoney:
    @pytest.fixture
    def poor_county_worker(self, tree, trip):
        """A worker whose county federation holds only ¥500 for the trip's year."""
        county = OrganizationFactory(
            code="CP", name="丙县总工会", kind=OrgKind.COUNTY, parent=tree.city
        )
        union = OrganizationFactory(code="P1", name="丙一工会", parent=county)
        fund(county, trip.year, yuan=500)
        return WorkerFactory(union=union)

    def test_approval_without_the_money_is_refused_naming_the_amount_and_writes_nothing(
        self, tree, trip, flow, poor_county_worker
    ):
        app = flow.submit(poor_county_worker, trip.batch)
        services.application_endorse(application=app, by=None)
        assert app.subsidy_fen == 100_000  # ¥1,000 wanted, ¥500 there
        before = snapshot(app)
        with pytest.raises(services.ApplicationRefused) as error:
            services.application_approve(application=app, by=tree.user("admin"))
        message = " ".join(error.value.messages)
        assert format_yuan(50_000) in message and format_yuan(100_000) in message
        assert snapshot(app) == before
        county = app.funding_org
        assert utilization(org=county, year=trip.year).reserved == 0
        assert utilization(org=county, year=trip.year).available == 50_000

    def test_approval_of_a_zero_subsidy_moves_no_money(self, trip, flow, make_worker):
        trip.policy.rate_member = 0
        trip.policy.save()
        app = flow.to(flow.submit(make_worker(), trip.batch), Status.APPROVED)
        assert app.subsidy_fen == 0
        assert not Transaction.objects.filter(cause_id=cause_id(app.pk)).exists()

    @pytest.mark.parametrize(
        "way_out", [Status.WITHDRAWN, Status.REJECTED, Status.NO_SHOW, Status.SETTLED]
    )
    def test_each_transition_has_its_own_key_and_replaying_it_moves_nothing(
        self, way_out, tree, trip, in_state, flow
    ):
        app = in_state(Status.APPROVED)
        flow.to(app, way_out)
        cause = cause_id(app.pk)
        keys = set(
            Transaction.objects.filter(cause_id=cause).values_list("idempotency_key", flat=True)
        )
        expected = {f"{cause}:approve"}
        if way_out == Status.SETTLED:
            expected.add(f"{cause}:pay")
        else:
            expected.add(f"{cause}:release")
        assert keys == expected
        usage = utilization(org=tree.city, year=trip.year)
        count = Transaction.objects.count()
        # Replays of each movement with its key: the first transaction comes back, no money moves.
        first = Transaction.objects.get(idempotency_key=f"{cause}:approve")
        again = funds.reserve(
            org=app.funding_org,
            year=app.year,
            amount=app.subsidy_fen,
            cause_id=cause,
            by=None,
            key=f"{cause}:approve",
        )
        assert again.pk == first.pk
        if way_out == Status.SETTLED:
            funds.pay(cause_id=cause, amount=app.subsidy_fen, by=None, key=f"{cause}:pay")
        else:
            funds.release(cause_id=cause, by=None, key=f"{cause}:release")
        assert Transaction.objects.count() == count
        assert utilization(org=tree.city, year=trip.year) == usage

    def test_approving_twice_reserves_once(self, tree, trip, in_state, flow):
        app = in_state(Status.ENDORSED)
        services.application_approve(application=app, by=flow.staff)
        with pytest.raises(services.ApplicationRefused):
            services.application_approve(application=app, by=flow.staff)
        assert reserved_for(app) == app.subsidy_fen
        assert utilization(org=tree.county_a, year=trip.year).reserved == app.subsidy_fen

    def test_withdrawing_twice_releases_once(self, tree, trip, in_state, flow):
        app = in_state(Status.APPROVED)
        services.application_withdraw(application=app, by=None)
        with pytest.raises(services.ApplicationRefused):
            services.application_withdraw(application=app, by=None)
        usage = utilization(org=tree.county_a, year=trip.year)
        assert usage.reserved == 0
        assert usage.available == 100_000 * 100

    def test_two_trips_approved_in_one_year_never_pass_the_yearly_cap(
        self, tree, trip, flow, make_worker, make_batch
    ):
        """Both quoted while nothing was approved yet: the second approval gets what is left."""
        trip.policy.trips_per_window = 2
        trip.policy.yearly_cap_per_person = 150_000
        trip.policy.save()
        starts = [trip.today + timedelta(days=10), trip.batch.end_date + timedelta(days=1)]
        start = next((d for d in starts if d.year == trip.year), None)
        if start is None:
            pytest.skip("no second batch fits into the trip's fiscal year")
        worker = make_worker()
        first = flow.submit(worker, trip.batch)
        second = flow.submit(worker, make_batch(start_date=start))
        assert first.subsidy_fen == second.subsidy_fen == 100_000
        flow.to(first, Status.APPROVED)
        second = flow.to(second, Status.APPROVED)
        second.refresh_from_db()
        assert second.subsidy_fen == 50_000
        assert second.net_cost_fen == second.price_fen - 50_000
        assert reserved_for(second) == 50_000
        assert utilization(org=tree.county_a, year=trip.year).reserved == 150_000
        assert selectors.Eligibility(worker).used(trip.year) == 150_000
