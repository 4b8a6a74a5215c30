"""Utilization from the running figures the entry trigger keeps (migration 0006), checked by
hand and against funds.checks' scan of the entries; rollover in set-based batches."""

from __future__ import annotations

import pytest
from django.db import IntegrityError, connection, transaction

from funds import services
from funds.checks import ledger_problems, utilization_from_entries
from funds.models import Account, Bucket, FundSource, Rollover, Transaction
from funds.selectors import utilization, utilizations
from tests.dates import LAST_YEAR, THIS_YEAR
from tests.factories import OrganizationFactory

pytestmark = pytest.mark.django_db
PS, KM = FundSource.PROVINCIAL_SPECIAL, FundSource.COUNTY_MATCHING


@pytest.fixture
def county(tree):
    """County A: ¥100 of provincial money from the city, ¥500 of its own matching money."""
    services.grant(org=tree.city, year=LAST_YEAR, source=PS, amount=10_000, by=None, key="g")
    services.allocate(
        from_org=tree.city, to_org=tree.county_a, year=LAST_YEAR, source=PS, amount=10_000, by=None,
        key="a",
    )  # fmt: skip
    services.grant(org=tree.county_a, year=LAST_YEAR, source=KM, amount=50_000, by=None, key="k")
    return tree.county_a


def figures(org, year: int, bucket: str, source: str) -> tuple[int, ...]:
    a = Account.objects.get(org=org, year=year, bucket=bucket, source=source)
    return (a.balance, a.received, a.rolled_in, a.rolled_out, a.served)


def test_a_payment_drawing_two_sources_serves_one_person(tree, county):
    # ¥300 reserved: ¥100 of provincial money, then ¥200 of county money (SOURCE_ORDER).
    services.reserve(org=county, year=LAST_YEAR, amount=30_000, cause_id="app-1", by=None)
    services.pay(cause_id="app-1", amount=25_000, by=None)  # both sources paid, ¥50 released
    assert figures(county, LAST_YEAR, Bucket.SPENT, PS) == (10_000, 0, 0, 0, 1)
    assert figures(county, LAST_YEAR, Bucket.SPENT, KM) == (15_000, 0, 0, 0, 0)
    assert figures(county, LAST_YEAR, Bucket.AVAILABLE, KM) == (35_000, 50_000, 0, 0, 0)
    usage = utilization(org=tree.city, year=LAST_YEAR)
    assert (usage.received, usage.spent, usage.available, usage.people_served) == (
        60_000,
        25_000,
        35_000,
        1,
    )
    assert usage == utilization_from_entries(org=tree.city, year=LAST_YEAR)


def test_people_served_count_applications_not_payments(tree, county):
    for n in range(3):
        services.reserve(org=county, year=LAST_YEAR, amount=5_000, cause_id=f"app-{n}", by=None)
        services.pay(cause_id=f"app-{n}", amount=5_000, by=None)
    services.reserve(org=county, year=LAST_YEAR, amount=5_000, cause_id="app-9", by=None)
    services.release(cause_id="app-9", by=None)  # withdrawn: nobody served
    services.reserve(org=county, year=LAST_YEAR, amount=5_000, cause_id="app-8", by=None)
    services.pay(cause_id="app-8", amount=0, by=None)  # paid nothing: nobody served
    assert utilization(org=county, year=LAST_YEAR).people_served == 3
    assert utilization(org=tree.city, year=LAST_YEAR).people_served == 3
    assert utilization(org=tree.county_b, year=LAST_YEAR).people_served == 0
    assert ledger_problems(orgs=[tree.city, county, tree.county_b]) == []


def test_rolled_figures_follow_a_rollover_and_a_late_release(tree, county):
    services.reserve(org=county, year=LAST_YEAR, amount=20_000, cause_id="app-1", by=None)
    services.rollover(year=LAST_YEAR)  # ¥400 of county A and the city's ¥0 move on
    services.release(cause_id="app-1", by=None)  # after the close: into this year
    assert figures(county, LAST_YEAR, Bucket.AVAILABLE, KM) == (0, 50_000, 0, 40_000, 0)
    assert figures(county, THIS_YEAR, Bucket.AVAILABLE, KM) == (50_000, 0, 50_000, 0, 0)
    old, new = (
        utilization(org=tree.city, year=LAST_YEAR),
        utilization(org=tree.city, year=THIS_YEAR),
    )
    assert old.rolled_out == new.rolled_in == 60_000
    assert (old.reserved, old.available, new.available) == (0, 0, 60_000)
    for year in (LAST_YEAR, THIS_YEAR):
        assert utilization(org=tree.city, year=year) == utilization_from_entries(
            org=tree.city, year=year
        )


def test_utilizations_of_many_subtrees_equal_one_by_one(tree, county):
    services.reserve(org=county, year=LAST_YEAR, amount=12_000, cause_id="app-1", by=None)
    orgs = [tree.city, tree.county_a, tree.county_b, tree.union_a1]
    many = utilizations(orgs=orgs, year=LAST_YEAR)
    assert [many[o.pk] for o in orgs] == [utilization(org=o, year=LAST_YEAR) for o in orgs]
    assert many[tree.county_a.pk].reserved == 12_000


def test_an_account_cannot_be_opened_with_figures(tree):
    for figure in ("received", "rolled_in", "rolled_out", "served"):
        with pytest.raises(IntegrityError, match="zero balance"), transaction.atomic():
            Account.objects.create(
                org=tree.city, year=LAST_YEAR, source=PS, bucket=Bucket.AVAILABLE, **{figure: 1}
            )


@pytest.mark.postgres
def test_postgres_refuses_writing_a_figure_directly(county):
    for figure in ("received", "rolled_in", "rolled_out", "served"):
        with (
            pytest.raises(IntegrityError, match="only through ledger entries"),
            transaction.atomic(),
        ):
            Account.objects.filter(org=county).update(**{figure: 7})


def test_the_checks_see_a_figure_that_drifted(tree, county):
    if connection.vendor == "postgresql":
        pytest.skip("PostgreSQL refuses the write itself (the test above)")
    Account.objects.filter(org=county, bucket=Bucket.AVAILABLE, source=KM).update(received=1)
    problems = ledger_problems(orgs=[tree.city])
    assert any("running figures differ" in p for p in problems)
    assert any("utilization" in p for p in problems)


def test_rollover_moves_hundreds_of_accounts_in_a_few_statements(
    tree, django_assert_max_num_queries
):
    parent = tree.county_a
    unions = [
        OrganizationFactory(code=f"U{n:03d}", parent=parent) for n in range(120)
    ]  # fmt: skip
    services.grant(org=parent, year=LAST_YEAR, source=PS, amount=120 * 100, by=None, key="g")
    for union in unions:
        services.allocate(
            from_org=parent, to_org=union, year=LAST_YEAR, source=PS, amount=100, by=None,
            key=f"a{union.code}",
        )  # fmt: skip
    with django_assert_max_num_queries(30):  # not ~15 per account
        moved = services.rollover(year=LAST_YEAR)
    assert len(moved) == 121 and sum(line.amount for line in moved) == 120 * 100
    assert Rollover.objects.count() == 121
    assert Transaction.objects.filter(kind="rollover").count() == 120  # the county's is empty
    assert all(
        a.balance == a.rolled_in == 100
        for a in Account.objects.filter(year=THIS_YEAR, org__in=unions, bucket=Bucket.AVAILABLE)
    )
    assert services.rollover(year=LAST_YEAR) == []
    assert ledger_problems(orgs=[tree.city, parent]) == []
