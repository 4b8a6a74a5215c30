"""Issue 7 §1: scope is checked on every write, for the object and for every organization set.

The reported hole: county A's staff PATCHed a base of county A to another county's operator (or
to another county) and got 200; the base left their scope and county B's operator could then edit
it. Every organization a write sets must be within the writer's scope, on the API and the pages
alike (a forged form value included); keeping a value that is already there is not "setting" it.
"""

from __future__ import annotations

import pytest

from bases.models import Base, BaseStatus
from tests.bases.factories import BaseFactory

pytestmark = pytest.mark.django_db

OUT_OF_SCOPE_EN = "This is not in your scope."
OUT_OF_SCOPE_ZH = "不在您的管理范围内。"


def patch(client, base: Base, data: dict):
    return client.patch(f"/api/v1/bases/{base.pk}/", data, content_type="application/json")


def edit_form(base: Base, **changes) -> dict:
    """Everything the staff edit form posts, as it stands, with ``changes``."""
    form = {
        "name": base.name,
        "county": base.county_id,
        "operator": base.operator_id,
        "address": base.address,
        "summary": base.summary,
        "description": base.description,
        "contact_name": base.contact_name,
        "contact_phone": base.contact_phone,
        "themes": base.themes,
        "products": base.products,
    }
    form.update(changes)
    return form


def unchanged(base: Base) -> tuple:
    fresh = Base.objects.get(pk=base.pk)
    return (fresh.county_id, fresh.operator_id) == (base.county_id, base.operator_id)


# --- The reported hole, over the API ------------------------------------------------------------


def test_county_staff_cannot_patch_a_base_to_another_countys_operator(client, tree, base):
    client.force_login(tree.user("county_a_staff"))
    response = patch(client, base, {"operator": tree.operator_b.code})
    assert response.status_code == 400
    assert response.json() == {"operator": [OUT_OF_SCOPE_ZH]}
    assert unchanged(base)
    # …so county B's operator still cannot touch it.
    client.force_login(tree.user("operator_b"))
    assert patch(client, base, {"summary": "接管"}).status_code == 404


def test_county_staff_cannot_patch_a_base_into_another_county(client, tree, base):
    client.force_login(tree.user("county_a_staff"))
    response = patch(
        client,
        base,
        {"county": tree.county_b.code},
    )
    assert response.status_code == 400
    assert response.json() == {"county": [OUT_OF_SCOPE_ZH]}
    assert unchanged(base)
    client.force_login(tree.user("county_b_staff"))
    assert patch(client, base, {"summary": "接管"}).status_code == 404


def test_out_of_scope_message_is_keyed_by_each_refused_field(client, tree, base):
    client.force_login(tree.user("county_a_staff"))
    response = client.patch(
        f"/api/v1/bases/{base.pk}/",
        {"county": "CB", "operator": "OPB", "summary": "x"},
        content_type="application/json",
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 400
    assert response.json() == {"county": [OUT_OF_SCOPE_EN], "operator": [OUT_OF_SCOPE_EN]}
    assert Base.objects.get(pk=base.pk).summary == base.summary


def test_city_staff_may_move_a_base_between_counties_of_their_city(client, tree, base):
    client.force_login(tree.user("city_staff"))
    response = patch(client, base, {"county": "CB", "operator": "OPB"})
    assert response.status_code == 200, response.json()
    assert (response.json()["county"], response.json()["operator"]) == ("CB", "OPB")


def test_keeping_an_operator_outside_ones_scope_is_not_setting_it(client, tree):
    """A base of county A run by county B's operator: county A's staff still edit it, and sending
    the operator it already has is not a change of scope."""
    base = BaseFactory(county=tree.county_a, operator=tree.operator_b)
    client.force_login(tree.user("county_a_staff"))
    response = patch(client, base, {"operator": "OPB", "summary": "照旧"})
    assert response.status_code == 200, response.json()
    assert Base.objects.get(pk=base.pk).summary == "照旧"
    response = client.post(f"/bases/manage/{base.pk}/edit/", edit_form(base, summary="页面照旧"))
    assert response.status_code == 302
    assert Base.objects.get(pk=base.pk).summary == "页面照旧"


def test_operator_cannot_apply_for_a_base_in_another_county(client, tree):
    client.force_login(tree.user("operator_b"))
    data = {"name": "越界申报", "county": "CA", "themes": ["green"], "products": ["tea"]}
    response = client.post("/api/v1/bases/", data, content_type="application/json")
    assert response.status_code == 400
    assert response.json() == {"county": [OUT_OF_SCOPE_ZH]}
    data["county"] = "CB"
    response = client.post("/api/v1/bases/", data, content_type="application/json")
    assert response.status_code == 201 and response.json()["operator"] == "OPB"


# --- The same hole on the web edit form: a forged value ------------------------------------------


@pytest.mark.parametrize("field", ["operator", "county"])
def test_base_edit_form_refuses_a_forged_out_of_scope_value(client, tree, base, field):
    forged = {"operator": tree.operator_b.pk, "county": tree.county_b.pk}[field]
    client.force_login(tree.user("county_a_staff"))
    response = client.post(f"/bases/manage/{base.pk}/edit/", edit_form(base, **{field: forged}))
    assert response.status_code == 200
    assert response.context["form"].errors == {field: [OUT_OF_SCOPE_ZH]}
    assert unchanged(base)


def test_base_edit_form_does_not_offer_out_of_scope_organizations(client, tree, base):
    client.force_login(tree.user("county_a_staff"))
    form = client.get(f"/bases/manage/{base.pk}/edit/").context["form"]
    offered = {
        f: {str(v) for v, _label in form.fields[f].choices if v} for f in ("county", "operator")
    }
    assert offered == {"county": {str(tree.county_a.pk)}, "operator": {str(tree.operator.pk)}}


def test_apply_form_refuses_a_forged_county_from_an_operator(client, tree):
    client.force_login(tree.user("operator_b"))
    form = {
        "name": "越界",
        "county": tree.county_a.pk,
        "themes": ["green"],
        "products": ["tea"],
        "address": "",
        "summary": "",
        "description": "",
        "contact_name": "",
        "contact_phone": "",
    }
    response = client.post("/bases/manage/apply/", form)
    assert response.status_code == 200
    assert response.context["form"].errors == {"county": [OUT_OF_SCOPE_ZH]}
    assert not Base.objects.filter(name="越界").exists()


def test_apply_form_refuses_a_forged_operator_from_county_staff(client, tree):
    client.force_login(tree.user("county_a_staff"))
    form = {
        "name": "越界",
        "county": tree.county_a.pk,
        "operator": tree.operator_b.pk,
        "themes": ["green"],
        "products": ["tea"],
        "address": "",
        "summary": "",
        "description": "",
        "contact_name": "",
        "contact_phone": "",
    }
    response = client.post("/bases/manage/apply/", form)
    assert response.status_code == 200
    assert response.context["form"].errors == {"operator": [OUT_OF_SCOPE_ZH]}
    assert not Base.objects.filter(name="越界").exists()


def test_exited_base_stays_refused_for_writes(client, tree):
    base = BaseFactory(county=tree.county_a, operator=tree.operator, status=BaseStatus.EXITED)
    client.force_login(tree.user("county_a_staff"))
    assert patch(client, base, {"summary": "x"}).status_code == 403
    assert client.post(f"/bases/manage/{base.pk}/edit/", edit_form(base)).status_code == 403


@pytest.mark.parametrize("pk", ["abc", "0", "99999999999999999999"])
def test_a_malformed_or_unknown_id_on_a_write_is_404(client, tree, pk):
    client.force_login(tree.user("county_a_staff"))
    for url in (f"/api/v1/bases/{pk}/", f"/api/v1/itineraries/{pk}/", f"/api/v1/batches/{pk}/"):
        response = client.patch(url, {"summary": "x"}, content_type="application/json")
        assert response.status_code == 404, url
    assert client.post(f"/api/v1/batches/{pk}/close/").status_code == 404
