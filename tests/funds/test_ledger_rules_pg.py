"""The ledger rules PostgreSQL enforces (funds migration 0004), through real commits.

Each test bends one rule with plain SQL, as any statement could, and expects the database to
refuse it (at the statement, or at COMMIT for the deferred checks); then it shows the service
path the rule must leave open still works. The tests are transactional, so every
``transaction.atomic()`` below is a real top-level transaction that commits.
"""

from __future__ import annotations

from types import SimpleNamespace
from uuid import uuid4

import pytest
from django.core.management import call_command
from django.db import DatabaseError, IntegrityError, connection, transaction

from accounts.models import OrgKind
from funds import services
from funds.models import Account, Bucket, Entry, FiscalYear, FundSource, Kind, Transaction
from tests.dates import LAST_YEAR
from tests.factories import OrganizationFactory, UserFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]
PS = FundSource.PROVINCIAL_SPECIAL
CM = FundSource.CITY_MATCHING
Y = LAST_YEAR  # the money's year; Y and Y + 1 get closed, so neither may be after this year


def sql(statement: str, params=()):
    with connection.cursor() as cursor:
        cursor.execute(statement, params)
        return cursor.fetchone() if cursor.description else None


def account(org, year: int, bucket: str, source: str = PS) -> int:
    return Account.objects.get_or_create(org=org, year=year, source=source, bucket=bucket)[0].pk


def balance(org, year: int, bucket: str, source: str = PS) -> int:
    found = Account.objects.filter(org=org, year=year, source=source, bucket=bucket).first()
    return found.balance if found else 0


def raw_transaction(kind: str, cause: str, legs, *, year: int = Y, entry_kind=None) -> int:
    """Write a ledger transaction and its entries with plain INSERTs."""
    (txn_id,) = sql(
        "INSERT INTO funds_transaction (kind, cause_type, cause_id, memo, idempotency_key,"
        " fingerprint, year, value_date, created_at)"
        " VALUES (%s, %s, 'raw', '', %s, '', %s, CURRENT_DATE, now()) RETURNING id",
        [kind, cause, f"raw-{uuid4()}", year],
    )
    add_entries(txn_id, legs, entry_kind or kind)
    return txn_id


def add_entries(txn_id: int, legs, kind: str) -> None:
    for account_id, amount in legs:
        sql(
            "INSERT INTO funds_entry (transaction_id, account_id, amount, kind)"
            " VALUES (%s, %s, %s, %s)",
            [txn_id, account_id, amount, kind],
        )


def refused(match: str):
    return pytest.raises(IntegrityError, match=match)


@pytest.fixture
def orgs():
    """City LC (¥10,000 of Y's provincial fund) with counties A (given ¥6,000) and B."""
    city = OrganizationFactory(code="LC", kind=OrgKind.CITY)
    county = OrganizationFactory(code="LC-A", kind=OrgKind.COUNTY, parent=city)
    sibling = OrganizationFactory(code="LC-B", kind=OrgKind.COUNTY, parent=city)
    services.grant(org=city, year=Y, source=PS, amount=1_000_000, by=None, key="g")
    services.allocate(
        from_org=city, to_org=county, year=Y, source=PS, amount=600_000, by=None, key="a"
    )
    return SimpleNamespace(city=city, county=county, sibling=sibling)


# 1 ----------------------------------------------------------------------------------------


def test_an_account_is_opened_empty(orgs):
    with refused("opened with a zero balance"), transaction.atomic():
        sql(
            "INSERT INTO funds_account (org_id, year, source, bucket, balance)"
            " VALUES (%s, %s, %s, 'available', 500)",
            [orgs.county.pk, Y + 1, PS],
        )
    assert not Account.objects.filter(year=Y + 1).exists()

    # The services open accounts empty and the entries fill them.
    services.grant(org=orgs.city, year=Y + 1, source=CM, amount=700, by=None, key="g2")
    assert balance(orgs.city, Y + 1, Bucket.AVAILABLE, CM) == 700
    assert balance(orgs.city, Y + 1, Bucket.ISSUED, CM) == -700


# 2 ----------------------------------------------------------------------------------------


def test_an_accounts_key_never_changes_and_one_with_entries_stays(orgs):
    county_available = account(orgs.county, Y, Bucket.AVAILABLE)
    changes = [
        ("UPDATE funds_account SET year = %s WHERE id = %s", Y + 1),
        ("UPDATE funds_account SET org_id = %s WHERE id = %s", orgs.sibling.pk),
        ("UPDATE funds_account SET source = %s WHERE id = %s", CM),
        ("UPDATE funds_account SET bucket = %s WHERE id = %s", Bucket.SPENT),
        ("UPDATE funds_account SET id = %s WHERE id = %s", county_available + 1000),
    ]
    for statement, value in changes:
        with refused("never change"), transaction.atomic():
            sql(statement, [value, county_available])
    # PROTECT is a foreign key in the database too: refused at commit, whatever deleted it.
    with refused("foreign key"), transaction.atomic():
        sql("DELETE FROM funds_account WHERE id = %s", [county_available])
    kept = Account.objects.get(pk=county_available)
    assert (kept.org_id, kept.year, kept.source, kept.bucket, kept.balance) == (
        orgs.county.pk,
        Y,
        PS,
        Bucket.AVAILABLE,
        600_000,
    )

    # Movements still update the balance of such an account, and an empty account may go.
    services.allocate(
        from_org=orgs.county, to_org=orgs.city, year=Y, source=PS, amount=1_000, by=None, key="up"
    )
    assert Account.objects.get(pk=county_available).balance == 599_000
    empty = account(orgs.sibling, Y, Bucket.RESERVED)
    with transaction.atomic():
        sql("DELETE FROM funds_account WHERE id = %s", [empty])
    assert not Account.objects.filter(pk=empty).exists()


# 3 ----------------------------------------------------------------------------------------


def test_a_committed_transactions_legs_are_fixed(orgs):
    allocation = Transaction.objects.get(idempotency_key="a")
    legs = [(account(orgs.city, Y, "available"), -100), (account(orgs.county, Y, "available"), 100)]
    with refused("committed earlier"), transaction.atomic():
        add_entries(allocation.pk, legs, Kind.ALLOCATE)
    assert allocation.entries.count() == 2

    # The stamp that decides it cannot be forged: never updated, and overwritten on insert.
    with refused("immutable"), transaction.atomic():
        sql("UPDATE funds_transaction SET db_xact = txid_current() WHERE id = %s", [allocation.pk])
    with transaction.atomic():
        (txn_id,) = sql(
            "INSERT INTO funds_transaction (kind, cause_type, cause_id, memo, idempotency_key,"
            " fingerprint, year, value_date, created_at, db_xact)"
            " VALUES ('allocate', 'allocation', '', '', 'forged', '', %s, CURRENT_DATE, now(), %s)"
            " RETURNING id",
            [Y, 1],
        )
        assert sql("SELECT db_xact = txid_current() FROM funds_transaction WHERE id = %s", [txn_id])
        transaction.set_rollback(True)

    # Legs written in savepoints of the same database transaction belong to it (Django nests
    # atomic blocks as savepoints): a transaction row in one, its entries in another.
    with transaction.atomic():
        with transaction.atomic():
            txn_id = raw_transaction(Kind.ALLOCATE, "allocation", [])
        with transaction.atomic():
            add_entries(txn_id, legs, Kind.ALLOCATE)
    assert Entry.objects.filter(transaction_id=txn_id).count() == 2
    # And a service called inside an outer atomic block commits with it.
    with transaction.atomic():
        services.allocate(
            from_org=orgs.city, to_org=orgs.county, year=Y, source=PS, amount=50, by=None, key="n"
        )
    assert balance(orgs.county, Y, Bucket.AVAILABLE) == 600_150


# 4 ----------------------------------------------------------------------------------------


def test_the_ledger_cannot_be_truncated(orgs):
    services.rollover(year=Y)  # so that funds_rollover and funds_fiscalyear have rows
    for statement in [
        "TRUNCATE funds_entry",
        "TRUNCATE funds_transaction CASCADE",
        "TRUNCATE funds_account CASCADE",
        "TRUNCATE funds_rollover",
        "TRUNCATE funds_fiscalyear",
    ]:
        with refused("cannot be truncated"), transaction.atomic():
            sql(statement)
    assert Entry.objects.count() == 2 + 2 + 2 + 2  # grant, allocation, city's and county's rollover

    # Only a superuser may switch triggers off (session_replication_role): an application role
    # cannot use the way the test suite flushes the database.
    role = f"funds_probe_{uuid4().hex[:8]}"
    with transaction.atomic():
        sql(f"CREATE ROLE {role} NOLOGIN NOSUPERUSER")
        sql(f"SET LOCAL ROLE {role}")
        with pytest.raises(DatabaseError, match="permission denied"), transaction.atomic():
            sql("SET LOCAL session_replication_role = replica")
        transaction.set_rollback(True)  # the role never existed

    # The test suite's flush (tests/conftest.py) runs as a replica, so it is not refused.
    call_command("flush", interactive=False, verbosity=0)
    assert (Transaction.objects.count(), Entry.objects.count(), FiscalYear.objects.count()) == (
        0,
        0,
        0,
    )
    assert sql("SHOW session_replication_role") == ("origin",)


# 5 ----------------------------------------------------------------------------------------


def test_a_closed_year_stays_closed(orgs):
    staff = UserFactory(username="closer")
    services.rollover(year=Y, by=staff)  # closes Y, then marks the rollover finished
    closed = FiscalYear.objects.get(year=Y)
    assert closed.is_closed and closed.rollover_finished_at is not None
    for statement in [
        "UPDATE funds_fiscalyear SET closed_at = NULL WHERE year = %s",
        "UPDATE funds_fiscalyear SET closed_at = now() + interval '1 day' WHERE year = %s",
        "UPDATE funds_fiscalyear SET closed_by_id = NULL WHERE year = %s",
        "UPDATE funds_fiscalyear SET year = year + 10 WHERE year = %s",
    ]:
        with refused("cannot be reopened"), transaction.atomic():
            sql(statement, [Y])
    with refused("cannot be deleted"), transaction.atomic():
        sql("DELETE FROM funds_fiscalyear WHERE year = %s", [Y])
    assert FiscalYear.objects.get(year=Y).closed_at == closed.closed_at

    # A year still open may be changed or dropped; the closed one refuses new money.
    with transaction.atomic():
        FiscalYear.objects.create(year=Y + 5)
        sql("DELETE FROM funds_fiscalyear WHERE year = %s", [Y + 5])
    with pytest.raises(services.ClosedYear):
        services.grant(org=orgs.city, year=Y, source=PS, amount=100, by=None, key="late")


# 6 ----------------------------------------------------------------------------------------


def test_only_the_moves_a_service_makes_commit(orgs):
    city, county, sibling = orgs.city, orgs.county, orgs.sibling
    services.reserve(org=county, year=Y, amount=100_000, cause_id="app-1", by=None)
    services.pay(cause_id="app-1", amount=60_000, by=None)
    services.reserve(org=county, year=Y, amount=50_000, cause_id="app-2", by=None)

    def acc(org, bucket, year=Y):
        return account(org, year, bucket)

    bent = [
        # spent money back to available
        (
            "release",
            "application",
            [(acc(county, "spent"), -100), (acc(county, "available"), 100)],
            "out of spent",
        ),
        # money from outside straight into a reservation
        (
            "grant",
            "grant",
            [(acc(city, "issued"), -100), (acc(city, "reserved"), 100)],
            "into reserved",
        ),
        # a release that lands in another organization
        (
            "release",
            "application",
            [(acc(county, "reserved"), -100), (acc(city, "available"), 100)],
            "within one organization",
        ),
        # a reservation moved between fund sources
        (
            "reserve",
            "application",
            [(acc(county, "available"), -100), (account(county, Y, "reserved", CM), 100)],
            "within one organization",
        ),
        # an allocation between sibling counties
        (
            "allocate",
            "allocation",
            [(acc(county, "available"), -100), (acc(sibling, "available"), 100)],
            "direct parent or child",
        ),
        # an allocation into another year
        (
            "allocate",
            "allocation",
            [(acc(city, "available"), -100), (acc(county, "available", Y + 1), 100)],
            "direct parent or child",
        ),
        # a rollover out of a year still open
        (
            "rollover",
            "rollover",
            [(acc(county, "available"), -100), (acc(county, "available", Y + 1), 100)],
            "only out of a closed year",
        ),
        # a kind with a cause no service gives it
        (
            "grant",
            "application",
            [(acc(city, "issued"), -100), (acc(city, "available"), 100)],
            "no service writes",
        ),
    ]
    for kind, cause, legs, message in bent:
        with refused(message), transaction.atomic():
            raw_transaction(kind, cause, legs)
    with refused("earliest leg"), transaction.atomic():
        legs = [(acc(city, "available"), -100), (acc(county, "available"), 100)]
        raw_transaction("allocate", "allocation", legs, year=Y - 1)
    with refused("must be its transaction's"), transaction.atomic():
        raw_transaction("allocate", "allocation", legs, entry_kind="grant")
    services.rollover(year=Y)
    with refused("1 year"), transaction.atomic():  # past the next year
        raw_transaction(
            "rollover",
            "application",
            [(acc(county, "reserved"), -100), (acc(county, "available", Y + 2), 100)],
        )
    assert not Transaction.objects.filter(cause_id="raw").exists()

    # Every shape the services write commits: grant, allocation down and up (a recall),
    # a reservation drawing two sources, a payment whose rest is released, a release,
    # the year-end rollover (above), and a release after the close, into Y + 1.
    services.grant(org=city, year=Y + 1, source=CM, amount=30_000, by=None, key="g-cm")
    services.allocate(
        from_org=city, to_org=county, year=Y + 1, source=CM, amount=30_000, by=None, key="d"
    )
    services.allocate(
        from_org=county, to_org=city, year=Y + 1, source=PS, amount=1_000, by=None, key="u"
    )
    services.reserve(org=county, year=Y + 1, amount=500_000, cause_id="app-3", by=None)
    assert balance(county, Y + 1, Bucket.RESERVED, CM) == 11_000  # two sources drawn
    services.pay(cause_id="app-3", amount=450_000, by=None)
    services.reserve(org=county, year=Y + 1, amount=10_000, cause_id="app-4", by=None)
    services.release(cause_id="app-4", by=None)
    services.release(cause_id="app-2", by=None)  # Y is closed: into Y + 1, as a rollover
    assert Transaction.objects.filter(kind=Kind.ROLLOVER, cause_type="application").count() == 1
    kinds = set(Transaction.objects.values_list("kind", flat=True))
    assert kinds == {Kind.GRANT, Kind.ALLOCATE, Kind.RESERVE, Kind.PAY, Kind.RELEASE, Kind.ROLLOVER}
    # A raw transaction of a legitimate shape commits too: the rule is about the moves.
    with transaction.atomic():
        raw_transaction(
            "reserve",
            "application",
            [(acc(county, "available", Y + 1), -100), (acc(county, "reserved", Y + 1), 100)],
            year=Y + 1,
        )
    assert Transaction.objects.filter(cause_id="raw").count() == 1


def test_a_late_release_hops_over_every_closed_year(orgs):
    services.reserve(org=orgs.county, year=Y, amount=100_000, cause_id="app-9", by=None)
    services.rollover(year=Y)
    services.rollover(year=Y + 1)
    services.release(cause_id="app-9", by=None)  # Y → Y+1 → Y+2, one committed hop each
    hops = Transaction.objects.filter(kind=Kind.ROLLOVER, cause_type="application")
    assert sorted(hops.values_list("year", flat=True)) == [Y, Y + 1]
    assert balance(orgs.county, Y + 2, Bucket.AVAILABLE) == 600_000
