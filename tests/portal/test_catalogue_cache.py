"""The catalogue page (/bases/): an anonymous page comes from the cache (bases.cache) with the
visitor's own CSRF token, and every change it shows appears at once; a logged-in user's page is
always their own."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from bases import services
from portal.catalogue.views import CSRF_PLACEHOLDER
from tests.bases.factories import BaseFactory, BatchFactory, ItineraryFactory
from tests.dates import THIS_YEAR
from tests.funds.conftest import make_policy

pytestmark = pytest.mark.django_db

TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def page(client, params: dict | None = None) -> str:
    response = client.get("/bases/", params or {})
    assert response.status_code == 200
    return response.content.decode()


def cards(html: str) -> str:
    return html[html.index('id="results"') :]


def test_a_second_anonymous_visit_runs_no_query_and_shows_the_same_cards(client, catalogue):
    first = page(client)
    with CaptureQueriesContext(connection) as queries:
        again = page(Client())
    assert len(queries) == 0
    assert TOKEN.sub("", cards(again)) == TOKEN.sub("", cards(first))
    assert "森林三日" in again and CSRF_PLACEHOLDER not in again


def test_each_visitor_gets_a_csrf_token_of_their_own_that_works(catalogue):
    for _ in range(2):  # built, then from the cache
        visitor = Client(enforce_csrf_checks=True)
        html = page(visitor)
        tokens = set(TOKEN.findall(html))
        assert tokens and CSRF_PLACEHOLDER not in tokens
        response = visitor.post(
            "/bases/compare/toggle/",
            {"itinerary": catalogue.short_cheap.pk, "csrfmiddlewaretoken": tokens.pop()},
        )
        assert response.status_code == 302  # accepted (a foreign token would be a 403)


def test_picks_to_compare_show_on_a_cached_page(client, catalogue):
    assert "In the comparison" not in page(client) and "已加入对比" not in page(client)
    client.post("/bases/compare/toggle/", {"itinerary": catalogue.short_cheap.pk})
    html = page(client)
    assert 'aria-pressed="true"' in html
    assert 'aria-pressed="true"' not in page(Client())  # another visitor has no picks


def test_a_price_change_and_a_seat_taken_show_at_once(client, catalogue, tree):
    assert "¥900.00" in page(client)
    services.itinerary_update(
        itinerary=catalogue.short_cheap, by=tree.user("operator"), union_price_fen=95000
    )
    html = page(client)
    assert "¥950.00" in html and "¥900.00" not in html
    batch = catalogue.short_cheap.batches.order_by("start_date").first()
    left = batch.capacity - batch.seats_held
    assert f"{left} 个名额" in cards(html) or f"{left} seats left" in cards(html)
    batch.seats_held = batch.capacity - 3
    batch.save()
    html = cards(page(client))
    assert "3 个名额" in html or "3 seats left" in html


def test_unknown_parameters_are_answered_but_never_stored(client, catalogue):
    page(client, {"junk": "1"})
    with CaptureQueriesContext(connection) as queries:
        page(client, {"junk": "1"})
    assert len(queries) > 0
    page(client, {"theme": "green"})
    with CaptureQueriesContext(connection) as queries:
        page(client, {"theme": "green"})
    assert len(queries) == 0


def test_a_logged_in_page_is_never_from_the_cache(client, catalogue, tree):
    make_policy(THIS_YEAR)
    page(client)  # an anonymous page in the cache
    client.force_login(tree.user("worker_a1"))
    html = page(client)
    assert "个人自付" in html
    with CaptureQueriesContext(connection) as queries:
        page(client)
    assert len(queries) > 0


def test_a_workers_page_runs_the_same_queries_for_few_and_many_cards(
    client, tree, django_assert_num_queries
):
    make_policy(THIS_YEAR)
    base = BaseFactory(county=tree.county_a, operator=tree.operator)
    for _ in range(3):
        BatchFactory(itinerary=ItineraryFactory(base=base))
    client.force_login(tree.user("worker_a1"))
    page(client)
    with CaptureQueriesContext(connection) as few:
        page(client)
    for _ in range(25):
        BatchFactory(itinerary=ItineraryFactory(base=base))
    with django_assert_num_queries(len(few)):
        page(client)
