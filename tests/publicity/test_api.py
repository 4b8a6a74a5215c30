"""GET /api/v1/articles/ and /api/v1/articles/{id}/: published articles, public, read only."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from publicity.models import Kind, Status
from tests.bases.factories import ItineraryFactory
from tests.publicity.factories import ArticleFactory

pytestmark = pytest.mark.django_db


def test_the_list_is_paginated_newest_first_and_published_only(client, tree):
    now = timezone.now()
    for i in range(23):
        ArticleFactory(org=tree.city, title=f"新闻{i}", published_at=now - timedelta(hours=i))
    ArticleFactory(org=tree.city, title="草稿", status=Status.DRAFT)
    ArticleFactory(org=tree.city, title="撤回", status=Status.WITHDRAWN)
    first = client.get("/api/v1/articles/").json()
    assert set(first) == {"count", "next", "previous", "results"}
    assert first["count"] == 23
    assert [a["title"] for a in first["results"][:3]] == ["新闻0", "新闻1", "新闻2"]
    assert len(first["results"]) == 20
    second = client.get(first["next"]).json()
    assert [a["title"] for a in second["results"]] == ["新闻20", "新闻21", "新闻22"]


def test_kind_filters_and_an_unknown_kind_is_a_400(client, tree):
    itinerary = ItineraryFactory()
    route = ArticleFactory(org=tree.city, kind=Kind.ROUTE, theme="blue", itineraries=[itinerary])
    ArticleFactory(org=tree.county_a, kind=Kind.NEWS)
    data = client.get("/api/v1/articles/?kind=route").json()
    assert data["count"] == 1
    row = data["results"][0]
    assert row["id"] == route.pk
    assert row["org"] == "C" and row["org_name"] == "市总"
    assert row["theme"] == "blue" and row["itineraries"] == [itinerary.pk]
    assert row["page"] == f"/publicity/{route.pk}/"
    response = client.get("/api/v1/articles/?kind=nope")
    assert response.status_code == 400
    assert "kind" in response.json()


def test_the_detail_carries_the_text_and_its_sanitized_html(client, tree):
    event = ArticleFactory(
        org=tree.county_a,
        kind=Kind.EVENT,
        body="**推介会** <script>x()</script>",
        event_date=timezone.localdate() + timedelta(days=10),
        event_place="礼堂",
        signup_url="https://signup.example/",
    )
    data = client.get(f"/api/v1/articles/{event.pk}/").json()
    assert data["body_html"] == "<p><strong>推介会</strong> </p>"
    assert data["event_date"] == event.event_date.isoformat()
    assert data["event_place"] == "礼堂" and data["signup_url"] == "https://signup.example/"


def test_drafts_are_not_found_even_for_their_staff(client, tree):
    draft = ArticleFactory(org=tree.county_a, status=Status.DRAFT)
    client.force_login(tree.user("county_a_staff"))
    assert client.get(f"/api/v1/articles/{draft.pk}/").status_code == 404
    assert client.get("/api/v1/articles/").json()["count"] == 0


@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
def test_nobody_writes_over_the_api(client, tree, method):
    article = ArticleFactory(org=tree.county_a)
    client.force_login(tree.user("admin"))
    assert getattr(client, method)("/api/v1/articles/").status_code == 405
    assert getattr(client, method)(f"/api/v1/articles/{article.pk}/").status_code == 405


def test_the_schema_documents_the_articles(client):
    schema = client.get("/api/v1/schema/?format=json").json()
    assert "/api/v1/articles/" in schema["paths"]
    detail = schema["paths"]["/api/v1/articles/{id}/"]["get"]
    assert {"200", "404"} <= set(detail["responses"])
    params = {p["name"] for p in schema["paths"]["/api/v1/articles/"]["get"]["parameters"]}
    assert {"kind", "page", "page_size"} <= params


def test_a_list_of_many_articles_costs_the_same_queries(
    client, tree, django_assert_max_num_queries
):
    itinerary = ItineraryFactory()
    for _ in range(3):
        ArticleFactory(org=tree.city, kind=Kind.ROUTE, itineraries=[itinerary])
    with CaptureQueriesContext(connection) as few:
        client.get("/api/v1/articles/")
    for _ in range(15):
        ArticleFactory(org=tree.city, kind=Kind.ROUTE, itineraries=[itinerary])
    with CaptureQueriesContext(connection) as many:
        assert client.get("/api/v1/articles/").json()["count"] == 18
    assert len(many) == len(few)
