"""Issue 7 §1 for money: a grant or allocation names only organizations the writer may move money
of; a forged form value is refused with a field message and writes nothing."""

from __future__ import annotations

import pytest

from funds import services
from funds.models import FundSource, Transaction
from tests.dates import LAST_YEAR, THIS_YEAR

pytestmark = pytest.mark.django_db
PS = FundSource.PROVINCIAL_SPECIAL
OUT_OF_SCOPE = "不在您的管理范围内。"


@pytest.fixture
def money(tree):
    services.grant(org=tree.county_b, year=LAST_YEAR, source=PS, amount=500_000, by=None, key="gb")
    services.grant(org=tree.county_a, year=LAST_YEAR, source=PS, amount=500_000, by=None, key="ga")
    return tree


def test_grant_form_refuses_a_forged_organization_of_another_county(client, money):
    client.force_login(money.user("county_a_staff"))
    data = {"org": money.county_b.pk, "year": LAST_YEAR, "source": PS, "amount": "10", "key": "f1"}
    response = client.post("/funds/grant/", data)
    assert response.status_code == 200
    assert response.context["form"].errors == {"org": [OUT_OF_SCOPE]}
    assert not Transaction.objects.filter(idempotency_key="web:f1").exists()


@pytest.mark.parametrize("field", ["from_org", "to_org"])
def test_allocation_form_refuses_a_forged_organization_of_another_county(client, money, field):
    client.force_login(money.user("county_a_staff"))
    data = {
        "from_org": money.county_a.pk,
        "to_org": money.union_a1.pk,
        "year": LAST_YEAR,
        "source": PS,
        "amount": "10",
        "key": "f2",
    }
    data[field] = {"from_org": money.county_b.pk, "to_org": money.union_b1.pk}[field]
    response = client.post("/funds/allocate/", data)
    assert response.status_code == 200
    assert response.context["form"].errors == {field: [OUT_OF_SCOPE]}
    assert not Transaction.objects.filter(idempotency_key="web:f2").exists()


def test_movement_forms_offer_only_organizations_in_scope(client, money):
    client.force_login(money.user("county_a_staff"))
    form = client.get("/funds/allocate/").context["form"]
    offered = {str(value) for value, _label in form.fields["to_org"].choices if value}
    assert offered == {str(o.pk) for o in (money.county_a, money.union_a1, money.union_a2)}
    form = client.get("/funds/grant/").context["form"]
    assert {str(v) for v, _label in form.fields["org"].choices if v} == {str(money.county_a.pk)}


def test_allocation_inside_ones_own_county_is_recorded(client, money):
    client.force_login(money.user("county_a_staff"))
    data = {
        "from_org": money.county_a.pk,
        "to_org": money.union_a1.pk,
        "year": LAST_YEAR,
        "source": PS,
        "amount": "10",
        "key": "ok",
    }
    assert client.post("/funds/allocate/", data).status_code == 302
    assert Transaction.objects.filter(idempotency_key="web:ok").count() == 1


def test_policy_of_an_unknown_year_is_404_and_county_staff_get_403(client, tree):
    client.force_login(tree.user("city_staff"))
    assert client.get(f"/funds/policies/{THIS_YEAR - 27}/").status_code == 404
    assert client.get("/funds/policies/0/").status_code == 404
    client.force_login(tree.user("county_a_staff"))
    assert client.get(f"/funds/policies/{THIS_YEAR - 27}/").status_code == 403


def test_utilization_api_and_overview_hide_another_countys_money_alike(client, money):
    client.force_login(money.user("county_a_staff"))
    assert client.get(f"/api/v1/funds/utilization/?org=CB&year={LAST_YEAR}").status_code == 404
    assert client.get(f"/funds/?org=CB&year={LAST_YEAR}").status_code == 404
    assert client.get("/funds/ledger/?org=CB").status_code == 404
    assert client.get(f"/api/v1/funds/utilization/?org=CA&year={LAST_YEAR}").status_code == 200
