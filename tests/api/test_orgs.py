from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db


def test_orgs_list_is_paginated_with_code_name_kind_parent(client, tree):
    body = client.get("/api/v1/orgs/").json()
    assert set(body) == {"count", "next", "previous", "results"}
    assert body["count"] == 11
    first = body["results"][0]
    assert {"code", "name", "kind", "parent"} <= set(first)
    assert first == {"code": "P", "name": "省总", "kind": "province", "parent": None, "depth": 0}


@pytest.mark.parametrize(
    ("query", "codes"),
    [
        ("kind=county", ["CA", "CB"]),
        ("kind=grassroots", ["A1", "A2", "B1"]),
        ("kind=base_operator", ["OPA", "OPB"]),
        ("kind=agency", ["AG", "AGB"]),
        ("kind=city", ["C"]),
        ("parent=CA", ["A1", "A2", "OPA"]),
        ("within=CB", ["CB", "AGB", "B1", "OPB"]),
        ("within=NOPE", []),
        ("kind=grassroots&within=CA", ["A1", "A2"]),
    ],
)
def test_orgs_filters(client, tree, query, codes):
    results = client.get(f"/api/v1/orgs/?{query}").json()["results"]
    assert [r["code"] for r in results] == codes
    if query.startswith("kind=grassroots&"):
        assert all(r["parent"] == "CA" for r in results)


def test_unknown_kind_is_a_400_with_a_message(client, tree):
    response = client.get("/api/v1/orgs/?kind=planet")
    assert response.status_code == 400
    assert "kind" in response.json()


def test_org_detail_by_code_and_unknown_code_is_404(client, tree):
    assert client.get("/api/v1/orgs/A1/").json()["parent"] == "CA"
    assert client.get("/api/v1/orgs/ZZZ/").status_code == 404


def test_orgs_list_is_read_only(client, tree):
    client.force_login(tree.user("admin"))
    assert client.post("/api/v1/orgs/", {"code": "X"}).status_code == 405


def test_orgs_page_size_and_constant_queries(client, tree, django_assert_max_num_queries):
    body = client.get("/api/v1/orgs/?page_size=2").json()
    assert len(body["results"]) == 2 and body["next"]
    with django_assert_max_num_queries(3):
        client.get("/api/v1/orgs/?page_size=100")
