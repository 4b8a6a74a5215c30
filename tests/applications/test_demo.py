"""The applications part of ``seed_demo``: the money story made of real applications.

The module seeds the whole demo once (as of today, inside a transaction rolled back at the end)
and checks what ``applications.demo`` promises; ``assert_trips_are_the_money`` and
``assert_every_state`` are also run by ``tests/test_seed_demo.assert_demo_story`` on the awkward
days of ``tests/test_demo_dates.py``.
"""

from __future__ import annotations

from collections import Counter
from datetime import date, datetime, time, timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import transaction
from django.db.models import Count, F, Q, Sum
from django.test import override_settings
from django.utils import timezone

from accounts.models import Notification, Organization, OrgKind, User
from applications import lottery as rule
from applications import selectors
from applications.models import (
    MONEY_RESERVED,
    SEAT_HOLDING,
    Application,
    GroupTrip,
    Lottery,
    ParticipantStatus,
    Settlement,
    Status,
    StatusChange,
)
from bases.demo import WATCH_BASE
from bases.models import Base, BaseStatus, Batch, Review
from funds.models import Transaction
from funds.selectors import utilization
from tests.conftest import fire_deferred_checks

pytestmark = [pytest.mark.django_db, pytest.mark.dates]


def _money_of(org: Organization, year: int) -> dict[str, int]:
    """What the applications of ``org``'s subtree say its money of ``year`` did."""
    apps = Application.objects.filter(year=year, funding_org__path__startswith=org.path)
    return {
        "spent": apps.filter(status=Status.SETTLED).aggregate(s=Sum("paid_fen", default=0))["s"],
        "reserved": apps.filter(status__in=MONEY_RESERVED).aggregate(
            s=Sum("subsidy_fen", default=0)
        )["s"],
        "people_served": apps.filter(status=Status.SETTLED, paid_fen__gt=0).count(),
    }


def assert_trips_are_the_money(today: date) -> None:
    """Every fen the ledger shows reserved or spent, from Y-3 to Y, for the city and each
    county, is an application's; every batch holds exactly its applications' seats."""
    city = Organization.objects.get(code="SFS")
    feds = [city, *Organization.objects.filter(kind=OrgKind.COUNTY).order_by("code")]
    for year in range(today.year - 3, today.year + 1):
        for org in feds:
            usage = utilization(org=org, year=year)
            ledger = {k: getattr(usage, k) for k in ("spent", "reserved", "people_served")}
            assert ledger == _money_of(org, year), (org.code, year)
    # Only applications move the money: no synthetic causes are left.
    causes = Transaction.objects.filter(kind__in=["reserve", "pay"]).values_list(
        "cause_id", flat=True
    )
    assert all(cause.startswith("application:") for cause in causes)
    # Seats: one check per batch that has any application or group trip, zero elsewhere.
    used = Batch.objects.filter(Q(applications__isnull=False) | Q(group_trips__isnull=False))
    used = used.distinct()
    assert used.count() > 100
    for batch in used:
        assert batch.seats_held == selectors.seats_accounted(batch), batch.pk
    assert not Batch.objects.exclude(pk__in=used.values("pk")).filter(seats_held__gt=0).exists()


def assert_every_state(today: date) -> None:
    """Every status of DESIGN §3 is there on the demo's today, and nothing is dated after it."""
    statuses = set(Application.objects.values_list("status", flat=True))
    assert statuses == set(Status.values), set(Status.values) - statuses
    rejected = StatusChange.objects.filter(to_status=Status.REJECTED)
    assert rejected.exists() and not rejected.filter(reason="").exists()
    end = datetime.combine(today, time.max, tzinfo=timezone.get_current_timezone())
    assert not StatusChange.objects.filter(at__gt=end).exists()
    assert not Application.objects.filter(Q(created_at__gt=end) | Q(updated_at__gt=end)).exists()
    assert not Settlement.objects.filter(Q(submitted_at__gt=end) | Q(decided_at__gt=end)).exists()
    assert not Notification.objects.filter(created_at__gt=end).exists()
    # Moves happened in order: applied before the trip's deadline, attended after departure.
    late = Application.objects.filter(created_at__date__gt=F("batch__signup_deadline"))
    assert not late.exists()
    early = StatusChange.objects.filter(
        to_status__in=[Status.COMPLETED, Status.NO_SHOW],
        at__date__lt=F("application__batch__start_date"),
    )
    assert not early.exists()


@pytest.fixture(scope="module")
def seeded(django_db_setup, django_db_blocker, tmp_path_factory):
    """``seed_demo`` twice, once for the whole module, rolled back at the end (its invoices in
    a temporary folder: the function-scoped fixture that moves uploads there comes later)."""
    media = override_settings(PRIVATE_MEDIA_ROOT=tmp_path_factory.mktemp("demo-invoices"))
    with django_db_blocker.unblock(), media, transaction.atomic():
        first, again = StringIO(), StringIO()
        call_command("seed_demo", stdout=first)
        before = _rows()
        call_command("seed_demo", stdout=again)
        fire_deferred_checks()
        yield first.getvalue(), again.getvalue(), before
        transaction.set_rollback(True)


def _rows() -> dict[str, list]:
    return {
        "applications": list(
            Application.objects.order_by("pk").values_list(
                "pk", "status", "paid_fen", "created_at", "updated_at", "settlement_id"
            )
        ),
        "changes": list(StatusChange.objects.order_by("pk").values_list("pk", "at")),
        "groups": list(GroupTrip.objects.order_by("pk").values_list("pk", "seats", "created_at")),
        "settlements": list(Settlement.objects.order_by("pk").values_list("pk", "state")),
        "notifications": list(
            Notification.objects.order_by("pk").values_list("pk", "created_at", "read_at")
        ),
        "batches": list(Batch.objects.order_by("pk").values_list("pk", "seats_held")),
    }


def test_a_second_run_adds_no_application(seeded):
    first, again, before = seeded
    created = int(first.split("applications: ")[1].split(" ")[0])
    assert 700 <= created <= 1200  # a moderate number, so a fresh seed stays fast
    assert "applications: 0 created" in again
    assert _rows() == before


def test_every_status_is_present_and_nothing_is_dated_after_today(seeded):
    assert_every_state(timezone.localdate())


def test_the_ledger_is_the_sum_of_the_applications_and_seats_are_accounted(seeded):
    assert_trips_are_the_money(timezone.localdate())


def test_the_utilization_story_still_holds(seeded):
    from tests.test_seed_demo import assert_demo_story

    assert_demo_story(timezone.localdate())


def test_past_trips_are_group_trips_and_single_applications_settled_with_an_invoice(seeded):
    today = timezone.localdate()
    settled = Application.objects.filter(status=Status.SETTLED)
    assert settled.filter(group_trip__isnull=False).count() > settled.count() / 2
    assert settled.filter(group_trip__isnull=True).exists()
    for settlement in Settlement.objects.filter(state=Settlement.State.PAID)[:20]:
        assert settlement.invoice.name.endswith(".pdf")
        assert settlement.paid_fen == sum(a.paid_fen for a in settlement.applications.all())
    # One trip a year for each worker, subsidised or not (the policy's frequency rule).
    live = Application.objects.filter(status__in=[*SEAT_HOLDING, Status.WAITLISTED])
    twice = live.values("worker", "year").annotate(n=Count("pk")).filter(n__gt=1)
    assert not twice.exists()
    # The city's own trips are those of the unions directly under it.
    city = Organization.objects.get(code="SFS")
    direct = Application.objects.filter(funding_org=city)
    assert direct.filter(year=today.year - 1).count() >= 30
    assert set(direct.values_list("union__parent", flat=True)) == {city.pk}


def test_group_trips_joint_groups_and_the_agency(seeded):
    today = timezone.localdate()
    board = list(selectors.open_seat_board(today=today))
    assert board and all(group.open_seats > 0 for group in board)
    joint = board[0]
    participants = joint.participants.select_related("union").annotate(n=Count("union__workers"))
    statuses = Counter(p.status for p in participants if not p.lead)
    assert statuses[ParticipantStatus.JOINED] >= 1 and statuses[ParticipantStatus.INVITED] >= 1
    assert any(p.n <= 8 for p in participants if not p.lead), "small units join"
    assert Application.objects.filter(group_trip=joint).values("union").distinct().count() >= 2
    agency = User.objects.get(username="agency1")
    entrusted = selectors.group_trips_visible_to(agency)
    assert entrusted.filter(batch__start_date__gt=today).exists()
    assert entrusted.filter(settlements__state=Settlement.State.PAID).exists()
    assert Settlement.objects.filter(submitted_by=agency).exists()


def test_a_full_batch_has_a_waiting_list(seeded):
    today = timezone.localdate()
    full = Batch.objects.filter(start_date__gt=today, seats_held=F("capacity"))
    waiting = [b for b in full if selectors.waiting_count(b)]
    assert waiting
    promoted = StatusChange.objects.filter(
        application__batch__in=waiting, from_status=Status.WAITLISTED, to_status=Status.SUBMITTED
    )
    assert promoted.exists(), "a withdrawal gave the first in line a seat"


def test_an_oversubscribed_batch_was_drawn_by_a_reproducible_lottery(seeded):
    today = timezone.localdate()
    lottery = Lottery.objects.select_related("batch").get()
    batch = lottery.batch
    assert lottery.is_drawn and batch.signup_deadline < today < batch.start_date
    assert lottery.seed is not None and len(lottery.candidates) > lottery.seats > 0
    assert rule.draw(lottery.seed, lottery.candidates) == lottery.result
    winners, rest = lottery.result[: lottery.seats], lottery.result[lottery.seats :]
    assert set(Application.objects.filter(pk__in=winners).values_list("status", flat=True)) <= set(
        SEAT_HOLDING
    )
    waiting = list(selectors.waiting_list(batch).values_list("pk", flat=True))
    assert waiting == [pk for pk in rest if pk in waiting] and len(waiting) == len(rest)
    assert batch.seats_held == batch.capacity


def test_upcoming_batches_are_full_nearly_full_and_open(seeded):
    today = timezone.localdate()
    upcoming = Batch.objects.filter(start_date__gt=today, start_date__lt=today + timedelta(77))
    full = upcoming.filter(seats_held=F("capacity")).count()
    nearly = upcoming.filter(seats_held__lt=F("capacity"), seats_held__gte=F("capacity") - 3)
    open_ = upcoming.filter(seats_held__lt=F("capacity") - 3)
    assert full >= 5 and nearly.count() >= 5 and open_.count() >= 5


def test_reviews_come_from_completed_trips_and_feed_the_service_scores(seeded):
    reviews = Review.objects.select_related("author")
    assert reviews.count() >= 100
    apps = Application.objects.in_bulk([int(r.application_ref.split(":")[1]) for r in reviews])
    for review in reviews:
        app = apps[int(review.application_ref.removeprefix("application:"))]
        assert app.status in (Status.COMPLETED, Status.SETTLED)
        assert review.author_id == app.worker.user_id
        assert timezone.localdate(review.created_at) >= app.batch.end_date
    watch = Base.objects.get(name=WATCH_BASE)
    assert watch.status == BaseStatus.WATCH and watch.service_score < 70
    active = Base.objects.filter(status=BaseStatus.ACTIVE)
    scored = [b.service_score for b in active if b.service_score is not None]
    assert len(scored) >= 20 and min(scored) >= 70


def test_union1_s_members_show_each_state_and_the_queues_are_waiting(seeded):
    """The README's demo accounts: who to log in as to see each part of the workflow."""
    expected = {
        "worker1": {Status.SUBMITTED},
        "worker2": {Status.ENDORSED},
        "worker3": {Status.WAITLISTED},
        "worker4": {Status.WITHDRAWN},
        "worker5": {Status.REJECTED},
        "worker6": {Status.SUBMITTED, Status.WAITLISTED},  # drawn in the lottery, or waiting
    }
    today = timezone.localdate()
    for username, states in expected.items():
        user = User.objects.get(username=username)
        upcoming = Application.objects.filter(worker__user=user, batch__start_date__gt=today)
        assert set(upcoming.values_list("status", flat=True)) <= states, username
        assert upcoming.count() == 1, username
        assert Notification.objects.filter(user=user, read_at__isnull=True).exists()
    assert Lottery.objects.filter(batch__applications__worker__user__username="worker6").exists()
    union1 = User.objects.get(username="union1")
    assert selectors.union_applications(union1, status=Status.SUBMITTED).exists()
    assert selectors.open_seat_board(today=today).filter(organizer=union1.org).exists()
    assert selectors.approval_queue(User.objects.get(username="county1")).count() >= 5
    assert selectors.approval_queue(User.objects.get(username="city")).exists()
