"""Ledger rules both engines enforce in the database (funds migrations 0002 and 0004).

On SQLite these also prove the triggers survived later migrations (a table rebuild drops them).
tests/funds/test_ledger_rules_pg.py covers the PostgreSQL-only rules, through real commits.
"""

from __future__ import annotations

import pytest
from django.db import IntegrityError, connection, transaction

from funds import services
from funds.models import Account, Bucket, FiscalYear, FundSource, Transaction

pytestmark = pytest.mark.django_db
PS = FundSource.PROVINCIAL_SPECIAL


@pytest.fixture
def funded(tree):
    services.grant(org=tree.city, year=2025, source=PS, amount=100_000, by=None, key="g")
    return tree


def test_an_account_cannot_be_opened_with_a_balance(funded):
    with pytest.raises(IntegrityError, match="zero balance"), transaction.atomic():
        Account.objects.create(
            org=funded.county_a, year=2025, source=PS, bucket=Bucket.AVAILABLE, balance=100
        )
    assert not Account.objects.filter(org=funded.county_a).exists()
    services.allocate(
        from_org=funded.city, to_org=funded.county_a, year=2025, source=PS, amount=100, by=None,
        key="a",
    )  # fmt: skip
    assert Account.objects.get(org=funded.county_a, bucket=Bucket.AVAILABLE).balance == 100


@pytest.mark.parametrize(
    "change",
    [{"year": 2026}, {"source": FundSource.CITY_MATCHING}, {"bucket": Bucket.SPENT}, "org"],
)
def test_an_accounts_key_cannot_change(funded, change):
    account = Account.objects.get(org=funded.city, bucket=Bucket.AVAILABLE)
    if change == "org":
        change = {"org": funded.county_a}
    with pytest.raises(IntegrityError, match="never change"), transaction.atomic():
        Account.objects.filter(pk=account.pk).update(**change)
    assert Account.objects.get(pk=account.pk).year == 2025


def test_a_ledger_transaction_cannot_be_changed_or_deleted(funded):
    txn = Transaction.objects.get(idempotency_key="g")
    with pytest.raises(IntegrityError, match="immutable"), transaction.atomic():
        Transaction.objects.filter(pk=txn.pk).update(memo="edited")
    with (
        pytest.raises(IntegrityError, match="immutable"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute("DELETE FROM funds_transaction WHERE id = %s", [txn.pk])  # past PROTECT
    assert Transaction.objects.get(pk=txn.pk).memo == ""


def test_a_closed_year_cannot_be_reopened(funded):
    services.rollover(year=2025)
    closed_at = FiscalYear.objects.get(year=2025).closed_at
    assert closed_at is not None and FiscalYear.objects.get(year=2025).rollover_finished_at
    with pytest.raises(IntegrityError, match="closed"), transaction.atomic():
        FiscalYear.objects.filter(year=2025).update(closed_at=None)
    with pytest.raises(IntegrityError, match="closed"), transaction.atomic():
        FiscalYear.objects.filter(year=2025).update(year=2030)
    assert FiscalYear.objects.get(year=2025).closed_at == closed_at
    # An open year can still be closed by the service.
    services.rollover(year=2026)
    assert FiscalYear.objects.get(year=2026).is_closed
