"""funds.demo's own spending strategy (``seed_demo`` hands it the applications' instead)."""

from __future__ import annotations

from datetime import date

import pytest
from django.utils import timezone

from funds import services
from funds.demo import ledger_trips
from funds.models import FundSource, Transaction
from funds.selectors import utilization

pytestmark = pytest.mark.django_db
YUAN = 100


def test_ledger_trips_commit_the_budget_once_and_pay_the_last_ones_in_january(tree):
    today = timezone.localdate()
    year, county = today.year - 1, tree.county_a
    services.grant(
        org=county,
        year=year,
        source=FundSource.PROVINCIAL_SPECIAL,
        amount=100_000 * YUAN,
        by=None,
        key="test:grant",
    )
    spend = {
        "org": county,
        "place": -1,
        "year": year,
        "budget": 60_000 * YUAN,
        "first": date(year, 4, 1),
        "today": today,
    }
    settle = ledger_trips(**spend)
    usage = utilization(org=county, year=year)
    committed = usage.spent + usage.reserved
    # Trips of ¥1,800–3,000 until the next would overdraw the budget; no-shows give some back.
    assert 54_000 * YUAN < committed <= 60_000 * YUAN
    dates = Transaction.objects.filter(year=year).exclude(kind="grant")
    assert all(date(year, 4, 1) <= t.value_date <= date(year, 12, 20) for t in dates)
    assert ledger_trips(**spend) is None  # drawn once: a second call adds nothing
    assert utilization(org=county, year=year) == usage

    services.rollover(year=year)
    settle(date(year + 1, 1, 15))
    closed = utilization(org=county, year=year)
    assert closed.reserved == 0 and closed.spent <= committed
    assert closed.rolled_out == utilization(org=county, year=year + 1).rolled_in
