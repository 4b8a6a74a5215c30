"""``seed_demo`` on awkward days, and run again on later days (funds.demo states the rule).

Each test travels in time (time-machine), seeds the demo, checks the story as of that day, then
seeds again on later days: nothing changes, except that a year which has ended in between is
closed, as the 1 January beat job would close it. The days are relative to the real today (next
year's 31 December, the next leap day, …). Each test makes one fresh seed (the demo's
applications make one take a while) and as many later runs as its case needs.
"""

from __future__ import annotations

import calendar
import itertools
import os
from datetime import date
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from accounts.models import AuditEvent, Notification, Organization, User, Worker
from applications.models import (
    Application,
    GroupParticipant,
    GroupTrip,
    Lottery,
    Settlement,
    StatusChange,
)
from bases.models import (
    AccreditationStep,
    Base,
    Batch,
    Inspection,
    InspectionDraw,
    Itinerary,
    Review,
    StarRating,
)
from funds.models import (
    Account,
    FiscalYear,
    Rollover,
    SubsidyPolicy,
    Transaction,
    UtilizationSnapshot,
)
from funds.selectors import utilization
from tests.conftest import fake_now
from tests.test_seed_demo import assert_demo_story

pytestmark = pytest.mark.django_db

NEXT = timezone.localdate().year + 1  # a year to travel to, from the real clock
LEAP = next(y for y in itertools.count(NEXT) if calendar.isleap(y))


def seed_on(time_machine, day: date) -> str:
    time_machine.move_to(fake_now(day), tick=True)
    out = StringIO()
    call_command("seed_demo", stdout=out)
    return out.getvalue()


def world() -> dict[str, list]:
    """Every row the demo writes, with the columns a change would touch."""

    def rows(model, *fields):
        return list(model.objects.order_by("pk").values_list("pk", *fields))

    return {
        "orgs": rows(Organization, "code", "path", "created_at"),
        "users": rows(User, "username", "password", "role", "org_id"),
        "workers": list(Worker.objects.order_by("pk").values()),
        "bases": list(Base.objects.order_by("pk").values()),
        "itineraries": rows(Itinerary, "title", "updated_at"),
        "batches": rows(Batch, "start_date", "capacity", "seats_held", "status", "updated_at"),
        "reviews": rows(Review, "created_at", "rating"),
        "ratings": rows(StarRating, "rated_on", "stars"),
        "steps": rows(AccreditationStep, "to_status", "at"),
        "draws": rows(InspectionDraw, "period", "seed", "chosen_ids"),
        "inspections": list(Inspection.objects.order_by("pk").values()),
        "policies": list(SubsidyPolicy.objects.order_by("pk").values()),
        "transactions": rows(Transaction, "idempotency_key", "fingerprint", "value_date"),
        "accounts": rows(Account, "org_id", "year", "source", "bucket", "balance"),
        "fiscal years": rows(FiscalYear, "year", "closed_at"),
        "snapshots": list(UtilizationSnapshot.objects.order_by("pk").values()),
        "audit": rows(AuditEvent, "action"),
        "applications": rows(
            Application, "status", "paid_fen", "lottery_rank", "created_at", "updated_at"
        ),
        "status changes": rows(StatusChange, "to_status", "at"),
        "group trips": rows(GroupTrip, "seats", "agency_id", "created_at", "cancelled_at"),
        "participants": rows(GroupParticipant, "status", "responded_at"),
        "lotteries": list(Lottery.objects.order_by("pk").values()),
        "settlements": rows(Settlement, "state", "paid_fen", "submitted_at", "decided_at"),
        "notifications": rows(Notification, "user_id", "created_at", "read_at"),
    }


def test_seeded_on_31_december_and_again_on_1_january_only_the_ended_year_closes(time_machine):
    seed_on(time_machine, date(NEXT, 12, 31))
    assert_demo_story(date(NEXT, 12, 31))
    before = world()
    assert not FiscalYear.objects.filter(year=NEXT, closed_at__isnull=False).exists()

    seed_on(time_machine, date(NEXT + 1, 1, 1))
    after = world()
    # The one change: Y is closed and its unspent money carried into Y+1 (a rollover per
    # available account), nothing else; no grant, trip, application or policy for the new year.
    changed = {what for what in before if before[what] != after[what]}
    assert changed <= {"transactions", "accounts", "fiscal years", "audit"}
    assert FiscalYear.objects.get(year=NEXT).is_closed
    new = Transaction.objects.exclude(pk__in=[row[0] for row in before["transactions"]])
    assert new.exists() and set(new.values_list("kind", flat=True)) == {"rollover"}
    assert set(new.values_list("value_date", flat=True)) == {date(NEXT, 12, 31)}
    assert Rollover.objects.filter(account__year=NEXT).exists()
    city = Organization.objects.get(code="SFS")
    old, new_year = utilization(org=city, year=NEXT), utilization(org=city, year=NEXT + 1)
    assert old.available == 0 and old.rolled_out == new_year.rolled_in > 0
    assert new_year.received == 0 and new_year.reserved == new_year.spent == 0
    assert not SubsidyPolicy.objects.filter(year=NEXT + 2).exists()

    seed_on(time_machine, date(NEXT + 1, 1, 2))  # and once closed, again nothing changes
    assert world() == after


def test_seeded_on_2_january_the_new_year_is_in_progress_and_later_runs_change_nothing(
    time_machine,
):
    seed_on(time_machine, date(NEXT, 1, 2))
    assert_demo_story(date(NEXT, 1, 2))
    city = Organization.objects.get(code="SFS")
    # The money of the year has arrived (dated today), nothing of it is committed yet...
    assert utilization(org=city, year=NEXT).received == (600_000 + 100_000 + 6 * 6_000) * 100
    assert not Transaction.objects.filter(year=NEXT, kind__in=["reserve", "pay"]).exists()
    # ... and late December's trips are not settled yet: still reserved in the closed year.
    assert utilization(org=city, year=NEXT - 1).reserved > 0
    assert Application.objects.filter(year=NEXT - 1, status__in=["approved", "completed"])
    before = world()
    seed_on(time_machine, date(NEXT, 3, 15))
    assert world() == before


def test_seeded_on_29_february_then_later_that_year_and_two_years_later(time_machine):
    first = seed_on(time_machine, date(LEAP, 2, 29))
    assert "users: 0 created" not in first
    assert_demo_story(date(LEAP, 2, 29))
    assert Transaction.objects.filter(year=LEAP, kind="reserve").exists()
    before = world()
    again = seed_on(time_machine, date(LEAP, 3, 1))  # the next day: nothing changes
    for what in ("ledger transactions", "batches", "applications"):
        assert f"{what}: 0 created" in again
    assert f"told as of {LEAP}-02-29" in again
    assert world() == before
    seed_on(time_machine, date(LEAP, 12, 19))  # later the same year: nothing either
    assert world() == before
    out = seed_on(time_machine, date(LEAP + 2, 3, 1))
    assert f"told as of {LEAP}-02-29" in out
    # Both years that ended since are closed, in order; the story itself is unchanged.
    closed = FiscalYear.objects.filter(closed_at__isnull=False)
    assert set(closed.values_list("year", flat=True)) == set(range(LEAP - 3, LEAP + 2))
    after = world()
    assert {w for w in before if before[w] != after[w]} <= {
        "transactions",
        "accounts",
        "fiscal years",
        "audit",
    }
    kept = [row[0] for row in before["transactions"]]
    assert Transaction.objects.filter(pk__in=kept).count() == len(kept)
    new = Transaction.objects.exclude(pk__in=kept)
    assert set(new.values_list("kind", flat=True)) == {"rollover"}


@pytest.mark.dates
def test_fake_today_moves_the_whole_session():
    """Under CI's FAKE_TODAY the clock of every test reads that day (tests/conftest.py)."""
    fake = os.environ.get("FAKE_TODAY")
    if not fake:
        pytest.skip("runs when FAKE_TODAY is set, as .ci/run does")
    assert timezone.localdate() == date.fromisoformat(fake)
