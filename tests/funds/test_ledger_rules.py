"""Ledger rules both engines enforce in the database (funds migrations 0002 and 0004).

On SQLite these also prove the triggers survived later migrations (a table rebuild drops them).
tests/funds/test_ledger_rules_pg.py covers the PostgreSQL-only rules, through real commits.
"""

from __future__ import annotations

import pytest
from django.db import IntegrityError, connection, transaction

from funds import services
from funds.models import Account, Bucket, FiscalYear, FundSource, Transaction
from tests.dates import LAST_YEAR, THIS_YEAR

pytestmark = pytest.mark.django_db
PS = FundSource.PROVINCIAL_SPECIAL


@pytest.fixture
def funded(tree):
    services.grant(org=tree.city, year=LAST_YEAR, source=PS, amount=100_000, by=None, key="g")
    return tree


def test_an_account_cannot_be_opened_with_a_balance(funded):
    with pytest.raises(IntegrityError, match="zero balance"), transaction.atomic():
        Account.objects.create(
            org=funded.county_a, year=LAST_YEAR, source=PS, bucket=Bucket.AVAILABLE, balance=100
        )
    assert not Account.objects.filter(org=funded.county_a).exists()
    services.allocate(
        from_org=funded.city, to_org=funded.county_a, year=LAST_YEAR, source=PS, amount=100,
        by=None, key="a",
    )  # fmt: skip
    assert Account.objects.get(org=funded.county_a, bucket=Bucket.AVAILABLE).balance == 100


@pytest.mark.parametrize(
    "change",
    [{"year": THIS_YEAR}, {"source": FundSource.CITY_MATCHING}, {"bucket": Bucket.SPENT}, "org"],
)
def test_an_accounts_key_cannot_change(funded, change):
    account = Account.objects.get(org=funded.city, bucket=Bucket.AVAILABLE)
    if change == "org":
        change = {"org": funded.county_a}
    with pytest.raises(IntegrityError, match="never change"), transaction.atomic():
        Account.objects.filter(pk=account.pk).update(**change)
    assert Account.objects.get(pk=account.pk).year == LAST_YEAR


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
    services.rollover(year=LAST_YEAR)
    closed_at = FiscalYear.objects.get(year=LAST_YEAR).closed_at
    assert closed_at is not None and FiscalYear.objects.get(year=LAST_YEAR).rollover_finished_at
    with pytest.raises(IntegrityError, match="closed"), transaction.atomic():
        FiscalYear.objects.filter(year=LAST_YEAR).update(closed_at=None)
    with pytest.raises(IntegrityError, match="closed"), transaction.atomic():
        FiscalYear.objects.filter(year=LAST_YEAR).update(year=THIS_YEAR + 4)
    assert FiscalYear.objects.get(year=LAST_YEAR).closed_at == closed_at
    # An open year can still be closed by the service.
    services.rollover(year=THIS_YEAR)
    assert FiscalYear.objects.get(year=THIS_YEAR).is_closed
