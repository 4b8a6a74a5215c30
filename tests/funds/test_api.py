from __future__ import annotations

from decimal import Decimal

import pytest

from funds import services
from funds.models import FundSource
from tests.dates import LAST_YEAR, THIS_YEAR

pytestmark = [pytest.mark.django_db, pytest.mark.dates]
PS = FundSource.PROVINCIAL_SPECIAL


@pytest.fixture
def money(tree):
    services.grant(org=tree.city, year=LAST_YEAR, source=PS, amount=1_000_000, by=None, key="g")
    services.allocate(
        from_org=tree.city,
        to_org=tree.county_a,
        year=LAST_YEAR,
        source=PS,
        amount=600_000,
        by=None,
        key="a",
    )
    services.reserve(org=tree.county_a, year=LAST_YEAR, amount=200_000, cause_id="x1", by=None)
    services.pay(cause_id="x1", amount=150_000, by=None)
    services.reserve(org=tree.county_a, year=LAST_YEAR, amount=100_000, cause_id="x2", by=None)
    return tree


def test_utilization_of_a_subtree_in_yuan_strings(client, money):
    client.force_login(money.user("city_staff"))
    body = client.get(f"/api/v1/funds/utilization/?org=C&year={LAST_YEAR}").json()
    assert body == {
        "org": "C",
        "year": LAST_YEAR,
        "received": "10000.00",
        "rolled_in": "0.00",
        "rolled_out": "0.00",
        "reserved": "1000.00",
        "spent": "1500.00",
        "available": "7500.00",
        "utilization_rate": 0.15,
        "committed_rate": 0.25,
        "people_served": 1,
    }
    total = sum(Decimal(body[k]) for k in ("spent", "reserved", "available", "rolled_out"))
    assert Decimal(body["received"]) + Decimal(body["rolled_in"]) == total


def test_county_subtree_counts_the_allocation_as_received(client, money):
    client.force_login(money.user("county_a_staff"))
    body = client.get(f"/api/v1/funds/utilization/?org=CA&year={LAST_YEAR}").json()
    assert (body["received"], body["spent"], body["available"]) == ("6000.00", "1500.00", "3500.00")
    assert body["utilization_rate"] == 0.25


def test_rollover_shows_as_rolled_out_and_next_years_rolled_in(client, money):
    services.rollover(year=LAST_YEAR)
    client.force_login(money.user("auditor"))
    last = client.get(f"/api/v1/funds/utilization/?org=C&year={LAST_YEAR}").json()
    this = client.get(f"/api/v1/funds/utilization/?org=C&year={THIS_YEAR}").json()
    assert last["rolled_out"] == this["rolled_in"] == "7500.00"
    assert last["available"] == "0.00"


def test_utilization_outside_scope_is_404_and_bad_input_400(client, money, token_client):
    client.force_login(money.user("county_b_staff"))
    assert client.get(f"/api/v1/funds/utilization/?org=CA&year={LAST_YEAR}").status_code == 404
    assert client.get("/api/v1/funds/utilization/?org=NOPE").status_code == 404
    assert client.get(f"/api/v1/funds/utilization/?year={LAST_YEAR}").status_code == 400
    assert client.get("/api/v1/funds/utilization/?org=CB&year=abc").status_code == 400
    api = token_client(money.user("city_staff"))
    assert api.get(f"/api/v1/funds/utilization/?org=CB&year={LAST_YEAR}").status_code == 200


def test_policies_are_public(client, policy):
    body = client.get("/api/v1/funds/policies/").json()
    assert body["count"] == 1
    detail = client.get(f"/api/v1/funds/policies/{THIS_YEAR}/").json()
    assert detail["daily_rates"]["model_worker"] == "400.00"
    assert detail["yearly_cap_per_person"] == "3000.00"
    assert client.get(f"/api/v1/funds/policies/{THIS_YEAR - 27}/").status_code == 404


def test_grouped_utilizations_equal_one_by_one(money, django_assert_max_num_queries):
    from accounts.models import Organization
    from funds.selectors import utilization, utilizations

    services.rollover(year=LAST_YEAR)
    services.release(cause_id="x2", by=None)  # a late release: carried into this year
    orgs = list(Organization.objects.all())
    for year in (LAST_YEAR, THIS_YEAR):
        with django_assert_max_num_queries(3):
            grouped = utilizations(orgs=orgs, year=year)
        for org in orgs:
            assert grouped[org.pk] == utilization(org=org, year=year), (org.code, year)
