"""Money and seats over a whole simulated year, and under real concurrency on PostgreSQL.

After many workers apply, wait, withdraw, are approved or rejected, attend or not, and are
settled (some settlements returned and claimed again), the ledger agrees with the applications:
spent = the settled applications' ``paid_fen``, reserved = the approved and attended ones'
subsidies, and every batch's ``seats_held`` = ``selectors.seats_accounted``.
"""

from __future__ import annotations

import random
import threading
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection
from django.db.models import F

from applications import selectors, services
from applications.models import (
    MONEY_RESERVED,
    SEAT_HOLDING,
    Application,
    GroupTrip,
    Status,
    StatusChange,
    cause_id,
)
from bases.models import Batch
from funds import services as funds
from funds.selectors import utilization
from tests.applications.conftest import after_departure, pdf_upload
from tests.bases.factories import ItineraryFactory


def assert_books_agree(tree, batches) -> None:
    """The ledger equals the applications, for every year and federation; seats are counted."""
    years = {b.start_date.year for b in batches}
    for year in years:
        apps = Application.objects.filter(year=year)
        for org in (tree.city, tree.county_a, tree.county_b):
            mine = apps.filter(funding_org__path__startswith=org.path)
            usage = utilization(org=org, year=year)
            settled = mine.filter(status=Status.SETTLED)
            assert usage.spent == sum(settled.values_list("paid_fen", flat=True)), (org, year)
            assert usage.reserved == sum(
                mine.filter(status__in=MONEY_RESERVED).values_list("subsidy_fen", flat=True)
            ), (org, year)
            assert usage.people_served == settled.filter(paid_fen__gt=0).count()
            assert usage.received + usage.rolled_in == (
                usage.spent + usage.reserved + usage.available + usage.rolled_out
            )
    for app in Application.objects.exclude(status__in=MONEY_RESERVED):
        if app.status != Status.SETTLED:
            assert not funds.reserved_for(cause_id(app.pk)), app
    for batch in Batch.objects.filter(pk__in=[b.pk for b in batches]):
        assert batch.seats_held == selectors.seats_accounted(batch), batch
        assert batch.seats_held <= batch.capacity
    for group in GroupTrip.objects.filter(cancelled_at__isnull=True):
        assert group.members.filter(status__in=SEAT_HOLDING).count() <= group.seats


@pytest.mark.django_db
@pytest.mark.parametrize("seed", [8, 17])
def test_a_whole_simulated_year_keeps_the_books_and_the_seats(
    seed, tree, trip, make_batch, make_worker
):
    rng = random.Random(seed)
    far = ItineraryFactory(base=trip.itinerary.base, in_province=False, days=7)
    batches = [
        trip.batch,
        make_batch(days_ahead=20, capacity=6),
        make_batch(days_ahead=45, capacity=8, itinerary=far),
        make_batch(days_ahead=70, capacity=5),
    ]
    unions = [tree.union_a1, tree.union_a2, tree.union_b1]
    workers = [make_worker(union=unions[n % 3]) for n in range(36)]
    organizer = tree.user("organizer_a1")
    staff = {
        tree.county_a.pk: tree.user("county_a_staff"),
        tree.county_b.pk: tree.user("county_b_staff"),
    }

    def attempt(fn, **kwargs):
        try:
            return fn(**kwargs)
        except services.ApplicationRefused:
            return None

    # Sign-ups, a group trip with its roster, second thoughts.
    group = services.group_trip_create(
        batch=batches[1], organizer=tree.union_a1, seats=3, by=organizer
    )
    for worker in workers:
        if worker.union_id == tree.union_a1.pk and rng.random() < 0.3:
            attempt(
                services.roster_add, group_trip=group, worker=worker, union=worker.union, by=None
            )
        else:
            attempt(services.application_submit, worker=worker, batch=rng.choice(batches), by=None)
    attempt(services.group_trip_resize, group_trip=group, seats=rng.randint(1, 4), by=organizer)
    for app in list(Application.objects.filter(status__in=["submitted", "waitlisted"])):
        if rng.random() < 0.15:
            services.application_withdraw(application=app, by=None, reason="改期")
    assert_books_agree(tree, batches)

    # Decisions before departure: endorse, approve or reject; a few leave after approval.
    for app in list(Application.objects.filter(status=Status.SUBMITTED).order_by("pk")):
        services.application_endorse(application=app, by=None)
        if rng.random() < 0.15:
            services.application_reject(application=app, by=None, reason="不符合条件")
            continue
        services.application_approve(application=app, by=staff[app.funding_org_id])
    for app in list(Application.objects.filter(status=Status.SUBMITTED).order_by("pk")):
        services.application_endorse(application=app, by=None)  # promoted meanwhile
        services.application_approve(application=app, by=staff[app.funding_org_id])
    for app in list(Application.objects.filter(status=Status.APPROVED)):
        if rng.random() < 0.1:
            services.application_withdraw(application=app, by=None, reason="生病")
    for app in list(Application.objects.filter(status=Status.SUBMITTED).order_by("pk")):
        services.application_endorse(application=app, by=None)
        services.application_approve(application=app, by=staff[app.funding_org_id])
    assert_books_agree(tree, batches)

    # The trips: attended or not.
    for app in list(Application.objects.filter(status=Status.APPROVED)):
        services.application_attendance(
            application=app, by=None, attended=rng.random() < 0.85, today=after_departure(app.batch)
        )
    still_waiting = Application.objects.filter(status=Status.WAITLISTED).count()
    assert services.waitlist_expire(today=after_departure(batches[-1])) == still_waiting
    assert not Application.objects.filter(status=Status.WAITLISTED).exists()
    assert_books_agree(tree, batches)

    # Settlements per batch, union and federation: some returned and claimed again, some
    # invoices below the subsidies, some left unclaimed (their money stays reserved).
    claims = defaultdict(list)
    for app in Application.objects.filter(status=Status.COMPLETED).order_by("pk"):
        claims[(app.batch_id, app.union_id, app.funding_org_id)].append(app)
    for (_batch, _union, funder), apps in sorted(claims.items()):
        if rng.random() < 0.25:
            continue
        subsidies = sum(a.subsidy_fen for a in apps)
        amount = max(1, int(subsidies * rng.choice([0.5, 0.9, 1.0, 1.7])))
        settlement = services.settlement_submit(
            applications=apps,
            union=apps[0].union,
            invoice=pdf_upload(),
            invoice_amount=amount,
            by=None,
        )
        if rng.random() < 0.3:
            services.settlement_return(settlement=settlement, by=None, reason="发票不清晰")
            settlement = services.settlement_submit(
                applications=apps,
                union=apps[0].union,
                invoice=pdf_upload(),
                invoice_amount=amount,
                by=None,
            )
        services.settlement_pay(
            settlement=settlement, by=staff[funder], today=after_departure(apps[0].batch)
        )
    assert_books_agree(tree, batches)

    statuses = set(Application.objects.values_list("status", flat=True))
    assert {Status.SETTLED, Status.COMPLETED, Status.WITHDRAWN, Status.REJECTED} <= statuses
    assert StatusChange.objects.count() >= Application.objects.count()


# --- Real threads on PostgreSQL ---------------------------------------------------------------


def in_thread(fn):
    """Run fn in a worker thread with its own connection, closed afterwards."""

    def run(*args):
        try:
            return fn(*args)
        finally:
            connection.close()

    return run


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_simultaneous_sign_ups_never_exceed_the_seats(tree, trip, make_batch, make_worker):
    batch = make_batch(capacity=5)
    workers = [make_worker() for _ in range(40)]
    start = threading.Barrier(8)

    @in_thread
    def sign_up(n: int) -> str:
        if n < 8:
            start.wait()
        worker = workers[n % len(workers)]  # the first four workers try twice
        try:
            return services.application_submit(worker=worker, batch=batch.pk, by=None).status
        except services.ApplicationRefused:
            return "refused"

    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(sign_up, range(44)))
    assert results.count("submitted") == 5
    assert results.count("waitlisted") == 35
    assert results.count("refused") == 4  # the second try of the same worker
    batch.refresh_from_db()
    assert batch.seats_held == 5 == selectors.seats_accounted(batch)
    assert Application.objects.filter(batch=batch).count() == 40


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_approve_and_withdraw_at_once_leave_the_money_consistent(tree, trip, make_worker):
    apps = []
    for _ in range(8):
        app = services.application_submit(worker=make_worker(), batch=trip.batch, by=None)
        apps.append(services.application_endorse(application=app, by=None))
    staff = tree.user("county_a_staff")

    def race(app):
        barrier = threading.Barrier(2)

        @in_thread
        def act(what: str) -> str:
            barrier.wait()
            try:
                if what == "approve":
                    services.application_approve(application=app, by=staff)
                elif what == "withdraw":
                    services.application_withdraw(application=app, by=None, reason="并发")
                else:
                    services.application_reject(application=app, by=staff, reason="并发")
                return "ok"
            except services.ApplicationRefused:
                return "refused"

        other = "withdraw" if app.pk % 2 else "reject"
        with ThreadPoolExecutor(max_workers=2) as pool:
            return list(pool.map(act, ["approve", other]))

    for app in apps:
        outcome = race(app)
        assert outcome[1] == "ok"  # withdrawing or rejecting works from endorsed and approved
        app.refresh_from_db()
        assert app.status in (Status.WITHDRAWN, Status.REJECTED)
        assert not funds.reserved_for(cause_id(app.pk))
    usage = utilization(org=tree.county_a, year=trip.year)
    assert usage.reserved == 0
    assert usage.available == usage.received
    assert_books_agree(tree, [trip.batch])


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_promotion_runs_at_once_promote_once(tree, trip, make_batch, make_worker):
    batch = make_batch(capacity=3)
    apps = [
        services.application_submit(worker=make_worker(), batch=batch, by=None) for _ in range(9)
    ]
    waiting = [a.pk for a in apps if a.status == Status.WAITLISTED]
    assert len(waiting) == 6
    Batch.objects.filter(pk=batch.pk).update(capacity=F("capacity") + 2)
    barrier = threading.Barrier(2)

    @in_thread
    def promote(_n: int) -> list[int]:
        barrier.wait()
        return [a.pk for a in services.waitlist_promote(batch_id=batch.pk)]

    with ThreadPoolExecutor(max_workers=2) as pool:
        runs = list(pool.map(promote, range(2)))
    assert sorted(map(len, runs)) == [0, 2]
    assert sorted(runs[0] + runs[1]) == waiting[:2]
    assert (
        StatusChange.objects.filter(
            from_status=Status.WAITLISTED, to_status=Status.SUBMITTED
        ).count()
        == 2
    )
    batch.refresh_from_db()
    assert batch.seats_held == 5 == selectors.seats_accounted(batch)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_withdrawals_racing_the_promotion_job_promote_in_order(tree, trip, make_batch, make_worker):
    batch = make_batch(capacity=5)
    apps = [
        services.application_submit(worker=make_worker(), batch=batch, by=None) for _ in range(12)
    ]
    holders = [a for a in apps if a.status == Status.SUBMITTED]
    waiting = [a.pk for a in apps if a.status == Status.WAITLISTED]

    @in_thread
    def work(n: int) -> None:
        if n < len(holders):
            services.application_withdraw(application=holders[n], by=None)
        else:
            services.waitlist_promote(batch_id=batch.pk)

    with ThreadPoolExecutor(max_workers=6) as pool:
        list(pool.map(work, range(len(holders) + 4)))
    promoted = set(
        Application.objects.filter(pk__in=waiting, status=Status.SUBMITTED).values_list(
            "pk", flat=True
        )
    )
    assert promoted == set(waiting[:5])
    batch.refresh_from_db()
    assert batch.seats_held == 5 == selectors.seats_accounted(batch)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_blocks_rosters_and_sign_ups_at_once_never_overflow(tree, trip, make_batch, make_worker):
    batch = make_batch(capacity=8)
    group = services.group_trip_create(batch=batch, organizer=tree.union_a1, seats=3, by=None)
    members = [make_worker() for _ in range(6)]
    loners = [make_worker(union=tree.union_a2) for _ in range(10)]

    @in_thread
    def work(n: int) -> str:
        try:
            if n < len(members):
                services.roster_add(
                    group_trip=group, worker=members[n], union=tree.union_a1, by=None
                )
            elif n < len(members) + len(loners):
                services.application_submit(
                    worker=loners[n - len(members)], batch=batch.pk, by=None
                )
            else:
                services.group_trip_create(batch=batch, organizer=tree.union_b1, seats=2, by=None)
            return "ok"
        except services.ApplicationRefused:
            return "refused"

    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(work, range(len(members) + len(loners) + 3)))
    assert results[: len(members)].count("ok") == 3  # the block holds three
    batch.refresh_from_db()
    assert batch.seats_held == selectors.seats_accounted(batch) <= batch.capacity
    assert group.members.filter(status__in=SEAT_HOLDING).count() == 3
    assert_books_agree(tree, [batch])
