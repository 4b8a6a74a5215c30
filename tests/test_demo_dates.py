"""``seed_demo`` on awkward days, and run again on later days (funds.demo states the rule).

Each test travels in time (time-machine), seeds the demo, checks the story as of that day, then
seeds again on a later day: nothing changes, except that a year which has ended in between is
closed, as the 1 January beat job would close it.
"""

from __future__ import annotations

import os
from datetime import date
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from accounts.models import AuditEvent, Organization, User, Worker
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
    }


def test_seeded_on_30_november_and_again_on_19_december_nothing_changes(time_machine):
    first = seed_on(time_machine, date(2026, 11, 30))
    assert "users: 0 created" not in first
    assert_demo_story(date(2026, 11, 30))
    before = world()
    again = seed_on(time_machine, date(2026, 12, 19))
    assert "ledger transactions: 0 created" in again and "batches: 0 created" in again
    assert "told as of 2026-11-30" in again
    assert world() == before


def test_seeded_on_31_december_and_again_on_1_january_only_the_ended_year_closes(time_machine):
    seed_on(time_machine, date(2026, 12, 31))
    assert_demo_story(date(2026, 12, 31))
    before = world()
    assert not FiscalYear.objects.filter(year=2026, closed_at__isnull=False).exists()

    seed_on(time_machine, date(2027, 1, 1))
    after = world()
    # The one change: 2026 is closed and its unspent money carried into 2027 (a rollover per
    # available account), nothing else; no grant, trip or policy for the new year.
    changed = {what for what in before if before[what] != after[what]}
    assert changed <= {"transactions", "accounts", "fiscal years", "audit"}
    assert FiscalYear.objects.get(year=2026).is_closed
    new = Transaction.objects.exclude(pk__in=[row[0] for row in before["transactions"]])
    assert new.exists() and set(new.values_list("kind", flat=True)) == {"rollover"}
    assert set(new.values_list("value_date", flat=True)) == {date(2026, 12, 31)}
    assert Rollover.objects.filter(account__year=2026).exists()
    city = Organization.objects.get(code="SFS")
    old, new_year = utilization(org=city, year=2026), utilization(org=city, year=2027)
    assert old.available == 0 and old.rolled_out == new_year.rolled_in > 0
    assert new_year.received == 0 and new_year.reserved == new_year.spent == 0
    assert not SubsidyPolicy.objects.filter(year=2028).exists()

    seed_on(time_machine, date(2027, 1, 2))  # and once closed, again nothing changes
    assert world() == after


def test_seeded_on_2_january_the_new_year_is_in_progress_and_later_runs_change_nothing(
    time_machine,
):
    seed_on(time_machine, date(2027, 1, 2))
    assert_demo_story(date(2027, 1, 2))
    city = Organization.objects.get(code="SFS")
    # The money of the year has arrived (dated today), nothing of it is committed yet...
    assert utilization(org=city, year=2027).received == (600_000 + 100_000 + 6 * 6_000) * 100
    assert not Transaction.objects.filter(year=2027, kind__in=["reserve", "pay"]).exists()
    # ... and late December's trips are not settled yet: still reserved in the closed year.
    assert utilization(org=city, year=2026).reserved > 0
    before = world()
    seed_on(time_machine, date(2027, 3, 15))
    assert world() == before


def test_seeded_on_29_february_of_a_leap_year(time_machine):
    seed_on(time_machine, date(2028, 2, 29))
    assert_demo_story(date(2028, 2, 29))
    assert Transaction.objects.filter(year=2028, kind="reserve").exists()
    before = world()
    seed_on(time_machine, date(2028, 3, 1))
    assert world() == before


def test_seeded_in_mid_year_and_again_two_years_later(time_machine):
    seed_on(time_machine, date(2027, 7, 1))
    assert_demo_story(date(2027, 7, 1))
    before = world()
    out = seed_on(time_machine, date(2029, 3, 1))
    assert "told as of 2027-07-01" in out
    # Both years that ended since are closed, in order; the story itself is unchanged.
    closed = FiscalYear.objects.filter(closed_at__isnull=False)
    assert set(closed.values_list("year", flat=True)) == {2024, 2025, 2026, 2027, 2028}
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
