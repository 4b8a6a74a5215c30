"""Real threads on PostgreSQL: no overdraw, no deadlock, one rollover effect."""

from __future__ import annotations

import contextlib
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection

from accounts.models import OrgKind
from funds import services
from funds.models import Account, Bucket, FundSource, Rollover, Transaction
from tests.dates import LAST_YEAR, THIS_YEAR
from tests.factories import OrganizationFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]
PS = FundSource.PROVINCIAL_SPECIAL


def in_thread(fn):
    """Run fn in a worker thread with its own connection, closed afterwards."""

    def run(*args):
        try:
            return fn(*args)
        finally:
            connection.close()

    return run


@pytest.fixture
def county():
    city = OrganizationFactory(code="TC", kind=OrgKind.CITY)
    county = OrganizationFactory(code="TC-A", kind=OrgKind.COUNTY, parent=city)
    services.grant(org=city, year=THIS_YEAR, source=PS, amount=37 * 10_000, by=None, key="g")
    services.allocate(
        from_org=city,
        to_org=county,
        year=THIS_YEAR,
        source=PS,
        amount=37 * 10_000,
        by=None,
        key="a",
    )
    return county


def test_100_concurrent_reservations_against_money_for_37(county):
    @in_thread
    def reserve(i: int) -> str:
        try:
            services.reserve(org=county, year=THIS_YEAR, amount=10_000, cause_id=f"c{i}", by=None)
            return "ok"
        except services.InsufficientFunds:
            return "refused"

    with ThreadPoolExecutor(max_workers=16) as pool:
        results = list(pool.map(reserve, range(100)))
    assert results.count("ok") == 37
    assert results.count("refused") == 63
    reserved = Account.objects.get(org=county, year=THIS_YEAR, source=PS, bucket=Bucket.RESERVED)
    available = Account.objects.get(org=county, year=THIS_YEAR, source=PS, bucket=Bucket.AVAILABLE)
    assert (reserved.balance, available.balance) == (370_000, 0)


def test_mixed_concurrent_movements_never_deadlock_or_overdraw(county):
    for i in range(20):
        services.reserve(org=county, year=THIS_YEAR, amount=5_000, cause_id=f"r{i}", by=None)

    @in_thread
    def work(i: int) -> None:
        # Pay and release race on the same reservation: whichever comes second finds less.
        with contextlib.suppress(services.InsufficientFunds):
            if i % 3 == 0:
                services.pay(cause_id=f"r{i // 3}", amount=3_000, by=None)
            elif i % 3 == 1:
                services.release(cause_id=f"r{i // 3}", by=None)
            else:
                services.reserve(
                    org=county, year=THIS_YEAR, amount=4_000, cause_id=f"n{i}", by=None
                )

    with ThreadPoolExecutor(max_workers=12) as pool:
        list(pool.map(work, range(60)))
    total = sum(
        Account.objects.filter(org=county, year=THIS_YEAR)
        .exclude(bucket=Bucket.ISSUED)
        .values_list("balance", flat=True)
    )
    assert total == 370_000
    assert all(
        a.balance >= 0
        for a in Account.objects.filter(bucket__in=[Bucket.AVAILABLE, Bucket.RESERVED])
    )


def test_rollover_run_five_times_concurrently_moves_money_once(county):
    # This year cannot be closed before it ends; close last year instead.
    city = county.parent
    services.grant(org=city, year=LAST_YEAR, source=PS, amount=123_400, by=None, key="g-last")
    services.allocate(
        from_org=city,
        to_org=county,
        year=LAST_YEAR,
        source=PS,
        amount=23_400,
        by=None,
        key="a-last",
    )

    @in_thread
    def close(_i: int) -> int:
        return len(services.rollover(year=LAST_YEAR))

    with ThreadPoolExecutor(max_workers=5) as pool:
        moved = list(pool.map(close, range(5)))
    assert sum(moved) == 2  # two accounts, each moved by exactly one of the five runs
    assert Rollover.objects.filter(account__year=LAST_YEAR).count() == 2
    assert Transaction.objects.filter(kind="rollover").count() == 2
    nxt = {
        a.org.code: a.balance
        for a in Account.objects.filter(year=THIS_YEAR, source=PS, bucket=Bucket.AVAILABLE)
    }
    assert nxt == {"TC": 100_000, "TC-A": 370_000 + 23_400}
