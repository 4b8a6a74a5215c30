"""Ledger movements: balances, refusals that write nothing, idempotency, year end."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.db import IntegrityError, connection, transaction

from funds import services
from funds.models import Account, Bucket, Entry, FiscalYear, FundSource, Kind, Rollover, Transaction
from funds.selectors import utilization
from tests.dates import LAST_YEAR, NEXT_YEAR, THIS_YEAR

pytestmark = pytest.mark.django_db
PS = FundSource.PROVINCIAL_SPECIAL
CM = FundSource.CITY_MATCHING


def balance(org, year, bucket, source=PS) -> int:
    account = Account.objects.filter(org=org, year=year, source=source, bucket=bucket).first()
    return account.balance if account else 0


def ledger_size() -> tuple[int, int]:
    return Transaction.objects.count(), Entry.objects.count()


@pytest.fixture
def funded(tree):
    """City gets ¥10,000 of last year's provincial fund and gives county A ¥6,000."""
    staff = tree.user("city_staff")
    services.grant(org=tree.city, year=LAST_YEAR, source=PS, amount=1_000_000, by=staff, key="g1")
    services.allocate(
        from_org=tree.city,
        to_org=tree.county_a,
        year=LAST_YEAR,
        source=PS,
        amount=600_000,
        by=staff,
        key="a1",
    )
    return tree


def test_grant_and_allocation_move_available_money(funded):
    t = funded
    assert balance(t.city, LAST_YEAR, Bucket.AVAILABLE) == 400_000
    assert balance(t.county_a, LAST_YEAR, Bucket.AVAILABLE) == 600_000
    assert balance(t.city, LAST_YEAR, Bucket.ISSUED) == -1_000_000
    for txn in Transaction.objects.all():
        assert sum(txn.entries.values_list("amount", flat=True)) == 0
        assert txn.entries.count() == 2
    assert Transaction.objects.get(idempotency_key="g1").actor == t.user("city_staff")


def test_allocation_only_to_a_direct_child_or_back_to_the_parent(funded):
    t = funded
    before = ledger_size()
    with pytest.raises(services.WrongOrg):
        services.allocate(
            from_org=t.city,
            to_org=t.union_a1,
            year=LAST_YEAR,
            source=PS,
            amount=100,
            by=None,
            key="x",
        )
    with pytest.raises(services.WrongOrg):
        services.allocate(
            from_org=t.county_a,
            to_org=t.county_b,
            year=LAST_YEAR,
            source=PS,
            amount=100,
            by=None,
            key="y",
        )
    assert ledger_size() == before
    services.allocate(
        from_org=t.county_a,
        to_org=t.city,
        year=LAST_YEAR,
        source=PS,
        amount=100_000,
        by=None,
        key="recall",
    )
    assert balance(t.county_a, LAST_YEAR, Bucket.AVAILABLE) == 500_000


def test_overdrawing_allocation_is_refused_and_writes_nothing(funded):
    t = funded
    before = ledger_size()
    with pytest.raises(services.InsufficientFunds, match="needed"):
        services.allocate(
            from_org=t.city,
            to_org=t.county_b,
            year=LAST_YEAR,
            source=PS,
            amount=400_001,
            by=None,
            key="big",
        )
    assert ledger_size() == before
    assert balance(t.city, LAST_YEAR, Bucket.AVAILABLE) == 400_000


@pytest.mark.parametrize("amount", [0, -5, 1.5, True])
def test_non_positive_or_non_integer_amounts_are_refused(tree, amount):
    with pytest.raises(services.InvalidAmount):
        services.grant(org=tree.city, year=LAST_YEAR, source=PS, amount=amount, by=None, key="k")
    assert ledger_size() == (0, 0)


def test_money_stays_in_union_organizations(tree):
    with pytest.raises(services.WrongOrg):
        services.grant(org=tree.operator, year=LAST_YEAR, source=PS, amount=100, by=None, key="k")


def test_replayed_key_returns_the_first_transaction_and_different_content_is_refused(funded):
    t = funded
    again = services.grant(
        org=t.city, year=LAST_YEAR, source=PS, amount=1_000_000, by=None, key="g1"
    )
    assert again == Transaction.objects.get(idempotency_key="g1")
    assert balance(t.city, LAST_YEAR, Bucket.ISSUED) == -1_000_000
    with pytest.raises(services.DuplicateKey):
        services.grant(org=t.city, year=LAST_YEAR, source=PS, amount=999, by=None, key="g1")
    assert ledger_size() == (2, 4)


def test_reservation_draws_sources_in_order_and_release_gives_it_back(funded):
    t = funded
    services.grant(org=t.county_a, year=LAST_YEAR, source=CM, amount=50_000, by=None, key="g2")
    services.reserve(org=t.county_a, year=LAST_YEAR, amount=620_000, cause_id="app-1", by=None)
    assert balance(t.county_a, LAST_YEAR, Bucket.AVAILABLE) == 0
    assert balance(t.county_a, LAST_YEAR, Bucket.RESERVED) == 600_000
    assert balance(t.county_a, LAST_YEAR, Bucket.RESERVED, CM) == 20_000
    assert services.reserved_for("app-1") == {
        (t.county_a.pk, LAST_YEAR, PS): 600_000,
        (t.county_a.pk, LAST_YEAR, CM): 20_000,
    }
    services.release(cause_id="app-1", by=None)
    assert balance(t.county_a, LAST_YEAR, Bucket.AVAILABLE) == 600_000
    assert balance(t.county_a, LAST_YEAR, Bucket.AVAILABLE, CM) == 50_000
    assert services.reserved_for("app-1") == {}
    assert services.release(cause_id="app-1", by=None)  # idempotent: the same transactions
    assert balance(t.county_a, LAST_YEAR, Bucket.AVAILABLE) == 600_000


def test_reservation_beyond_available_is_refused_and_writes_nothing(funded):
    t = funded
    before = ledger_size()
    with pytest.raises(services.InsufficientFunds, match="available"):
        services.reserve(org=t.county_a, year=LAST_YEAR, amount=600_001, cause_id="app-1", by=None)
    assert ledger_size() == before


def test_pay_moves_to_spent_and_releases_the_remainder(funded):
    t = funded
    services.reserve(org=t.county_a, year=LAST_YEAR, amount=150_000, cause_id="app-2", by=None)
    services.pay(cause_id="app-2", amount=120_000, by=None)
    assert balance(t.county_a, LAST_YEAR, Bucket.SPENT) == 120_000
    assert balance(t.county_a, LAST_YEAR, Bucket.RESERVED) == 0
    assert balance(t.county_a, LAST_YEAR, Bucket.AVAILABLE) == 600_000 - 120_000
    services.pay(cause_id="app-2", amount=120_000, by=None)  # replay: nothing more
    assert balance(t.county_a, LAST_YEAR, Bucket.SPENT) == 120_000


def test_paying_more_than_reserved_is_refused(funded):
    t = funded
    services.reserve(org=t.county_a, year=LAST_YEAR, amount=10_000, cause_id="app-3", by=None)
    before = ledger_size()
    with pytest.raises(services.InsufficientFunds, match="reserved"):
        services.pay(cause_id="app-3", amount=10_001, by=None)
    assert ledger_size() == before


def test_rollover_closes_the_year_moves_available_once_and_keeps_reservations(funded):
    t = funded
    services.reserve(org=t.county_a, year=LAST_YEAR, amount=100_000, cause_id="app-4", by=None)
    services.pay(cause_id="app-4", amount=100_000, by=None)
    services.reserve(org=t.county_a, year=LAST_YEAR, amount=50_000, cause_id="app-5", by=None)
    moved = services.rollover(year=LAST_YEAR)
    assert {(line.org_code, line.amount) for line in moved if line.amount} == {
        ("C", 400_000),
        ("CA", 450_000),
    }
    assert FiscalYear.objects.get(year=LAST_YEAR).is_closed
    assert balance(t.city, THIS_YEAR, Bucket.AVAILABLE) == 400_000
    assert balance(t.county_a, THIS_YEAR, Bucket.AVAILABLE) == 450_000
    assert balance(t.county_a, LAST_YEAR, Bucket.RESERVED) == 50_000
    assert services.rollover(year=LAST_YEAR) == []  # twice: no second effect
    assert (
        Rollover.objects.count()
        == Account.objects.filter(year=LAST_YEAR, bucket=Bucket.AVAILABLE).count()
    )
    assert balance(t.city, THIS_YEAR, Bucket.AVAILABLE) == 400_000


def test_a_closed_year_takes_no_new_money_or_reservations(funded):
    t = funded
    services.rollover(year=LAST_YEAR)
    before = ledger_size()
    with pytest.raises(services.ClosedYear):
        services.grant(org=t.city, year=LAST_YEAR, source=PS, amount=100, by=None, key="late")
    with pytest.raises(services.ClosedYear):
        services.reserve(org=t.county_a, year=LAST_YEAR, amount=100, cause_id="app-6", by=None)
    with pytest.raises(services.ClosedYear):
        services.allocate(
            from_org=t.city,
            to_org=t.county_b,
            year=LAST_YEAR,
            source=PS,
            amount=1,
            by=None,
            key="a",
        )
    assert ledger_size() == before


def test_future_years_cannot_be_closed(tree):
    with pytest.raises(services.ClosedYear):
        services.rollover(year=NEXT_YEAR)


def test_a_year_can_be_closed_from_the_first_minute_of_the_next_local_day(tree, time_machine):
    services.grant(org=tree.city, year=THIS_YEAR, source=PS, amount=100, by=None, key="g")
    time_machine.move_to(datetime(THIS_YEAR, 12, 31, 23, 59, tzinfo=ZoneInfo("Asia/Shanghai")))
    with pytest.raises(services.ClosedYear):
        services.rollover(year=NEXT_YEAR)
    # One minute past midnight in China is still 31 December in UTC: the local date counts.
    time_machine.move_to(datetime(NEXT_YEAR, 1, 1, 0, 1, tzinfo=ZoneInfo("Asia/Shanghai")))
    assert len(services.rollover(year=THIS_YEAR)) == 1
    assert balance(tree.city, NEXT_YEAR, Bucket.AVAILABLE) == 100


def test_after_closing_a_release_and_a_pay_remainder_flow_into_next_year(funded):
    t = funded
    services.reserve(org=t.county_a, year=LAST_YEAR, amount=100_000, cause_id="app-7", by=None)
    services.reserve(org=t.county_a, year=LAST_YEAR, amount=80_000, cause_id="app-8", by=None)
    services.rollover(year=LAST_YEAR)
    services.release(cause_id="app-7", by=None)
    services.pay(cause_id="app-8", amount=60_000, by=None)
    assert balance(t.county_a, LAST_YEAR, Bucket.RESERVED) == 0
    assert balance(t.county_a, LAST_YEAR, Bucket.AVAILABLE) == 0
    assert balance(t.county_a, LAST_YEAR, Bucket.SPENT) == 60_000
    assert balance(t.county_a, THIS_YEAR, Bucket.AVAILABLE) == 420_000 + 100_000 + 20_000
    old = utilization(org=t.city, year=LAST_YEAR)
    new = utilization(org=t.city, year=THIS_YEAR)
    assert old.rolled_out == new.rolled_in == 400_000 + 420_000 + 120_000
    assert old.received + old.rolled_in == old.spent + old.reserved + old.available + old.rolled_out


def test_release_after_two_closed_years_hops_year_by_year(funded):
    t = funded
    services.reserve(org=t.county_a, year=LAST_YEAR, amount=100_000, cause_id="app-9", by=None)
    services.rollover(year=LAST_YEAR)
    services.rollover(year=THIS_YEAR)
    services.release(cause_id="app-9", by=None)
    assert balance(t.county_a, NEXT_YEAR, Bucket.AVAILABLE) == 500_000 + 100_000
    for year in (LAST_YEAR, THIS_YEAR):
        u, nxt = utilization(org=t.city, year=year), utilization(org=t.city, year=year + 1)
        assert u.rolled_out == nxt.rolled_in
        assert u.received + u.rolled_in == u.spent + u.reserved + u.available + u.rolled_out


def test_entries_cannot_be_changed_or_deleted(funded):
    entry = Entry.objects.first()
    with pytest.raises(Exception, match="immutable"), transaction.atomic():
        Entry.objects.filter(pk=entry.pk).update(amount=1)
    with pytest.raises(Exception, match="immutable"), transaction.atomic():
        Entry.objects.filter(pk=entry.pk).delete()


def test_the_database_refuses_a_negative_available_balance(funded):
    t = funded
    account = Account.objects.get(
        org=t.county_a, year=LAST_YEAR, source=PS, bucket=Bucket.AVAILABLE
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        txn = Transaction.objects.create(
            kind=Kind.ALLOCATE,
            cause_type="allocation",
            idempotency_key="raw",
            fingerprint="x",
            year=LAST_YEAR,
        )
        Entry.objects.create(transaction=txn, account=account, amount=-700_000, kind=Kind.ALLOCATE)
    assert Account.objects.get(pk=account.pk).balance == 600_000


@pytest.mark.postgres
def test_postgres_refuses_an_unbalanced_transaction_at_commit(funded):
    t = funded
    account = Account.objects.get(org=t.city, year=LAST_YEAR, source=PS, bucket=Bucket.AVAILABLE)
    with pytest.raises(IntegrityError, match="unbalanced"), transaction.atomic():
        txn = Transaction.objects.create(
            kind=Kind.GRANT,
            cause_type="grant",
            idempotency_key="raw",
            fingerprint="x",
            year=LAST_YEAR,
        )
        Entry.objects.create(transaction=txn, account=account, amount=500, kind=Kind.GRANT)
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    assert not Transaction.objects.filter(idempotency_key="raw").exists()


@pytest.mark.postgres
def test_postgres_refuses_writing_a_balance_directly(funded):
    with pytest.raises(IntegrityError, match="only through ledger entries"), transaction.atomic():
        Account.objects.filter(bucket=Bucket.AVAILABLE).update(balance=1)


def test_years_are_closed_in_order(funded):
    t = funded
    services.grant(org=t.city, year=THIS_YEAR - 2, source=PS, amount=100, by=None, key="old")
    with pytest.raises(services.ClosedYear, match=str(THIS_YEAR - 2)):
        services.rollover(year=LAST_YEAR)
    assert not FiscalYear.objects.filter(closed_at__isnull=False).exists()
    services.rollover(year=THIS_YEAR - 2)
    services.rollover(year=LAST_YEAR)
    assert balance(t.city, THIS_YEAR, Bucket.AVAILABLE) == 400_100


def test_closing_a_year_closes_the_years_before_it(tree):
    services.rollover(year=LAST_YEAR)
    with pytest.raises(services.ClosedYear):
        services.grant(org=tree.city, year=THIS_YEAR - 2, source=PS, amount=100, by=None, key="old")


class Interrupted(Exception):
    pass


def test_a_rollover_interrupted_between_batches_keeps_what_moved_and_resumes_once(
    funded, monkeypatch
):
    """An error half-way (here raised in this process) leaves the batches of accounts already
    moved, each in its own committed transaction, and a rerun moves only the rest. A real worker killed
    with SIGKILL half-way and restarted: tests/ops/test_worker_crash.py."""
    t = funded
    services.grant(org=t.county_b, year=LAST_YEAR, source=CM, amount=70_000, by=None, key="g3")
    real = services._roll_batch
    calls = {"n": 0}

    def fails_on_the_second_batch(account_ids, by):
        calls["n"] += 1
        if calls["n"] == 2:
            raise Interrupted
        return real(account_ids, by)

    monkeypatch.setattr(services, "ROLLOVER_BATCH_SIZE", 1)  # one account per batch
    monkeypatch.setattr(services, "_roll_batch", fails_on_the_second_batch)
    with pytest.raises(Interrupted):
        services.rollover(year=LAST_YEAR)
    assert Rollover.objects.count() == 1  # the first batch moved, in its own transaction
    monkeypatch.setattr(services, "_roll_batch", real)
    services.rollover(year=LAST_YEAR)  # the rerun finishes the rest
    assert (
        Rollover.objects.count()
        == Account.objects.filter(year=LAST_YEAR, bucket=Bucket.AVAILABLE).count()
    )
    assert balance(t.city, THIS_YEAR, Bucket.AVAILABLE) == 400_000
    assert balance(t.county_a, THIS_YEAR, Bucket.AVAILABLE) == 600_000
    assert balance(t.county_b, THIS_YEAR, Bucket.AVAILABLE, CM) == 70_000
    assert Transaction.objects.filter(kind="rollover").count() == 3


def test_a_replay_returns_only_its_own_transactions(funded):
    t = funded
    for cause in ("app-1", "app-10"):
        services.reserve(org=t.county_a, year=LAST_YEAR, amount=10_000, cause_id=cause, by=None)
        services.pay(cause_id=cause, amount=8_000, by=None)
    replay = services.pay(cause_id="app-1", amount=8_000, by=None)
    assert {txn.cause_id for txn in replay} == {"app-1"}
    assert {txn.idempotency_key for txn in replay} == {"pay:app-1", "pay:app-1:remainder"}
