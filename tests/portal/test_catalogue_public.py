"""The itinerary catalogue and the itinerary page as the public sees them (moved here from
tests/bases/test_pages.py with the pages: portal.catalogue)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from bases.models import Batch
from tests.bases.factories import BaseFactory, BatchFactory, ItineraryFactory

pytestmark = pytest.mark.django_db

TITLES = {"short": "森林三日", "long": "森林七日", "sea": "滨海五日", "red": "红色四日"}


def shown(client, url: str, params: dict | None = None) -> set[str]:
    response = client.get(url, params or {})
    assert response.status_code == 200
    html = response.content.decode()
    return {key for key, title in TITLES.items() if title in html}


def test_catalogue_lists_catalogue_itineraries_without_login(client, catalogue):
    html = client.get("/bases/").content.decode()
    assert shown(client, "/bases/") == {"short", "long", "sea", "red"}
    assert "停用线路" not in html and "温泉五日" not in html
    assert "¥900.00" in html and "¥1,000.00" in html  # union price and struck standard price
    assert f'href="/bases/itineraries/{catalogue.short_cheap.pk}/"' in html


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"theme": "blue"}, {"sea"}),
        ({"theme": "red"}, {"red"}),
        ({"product": "tea"}, {"short", "long"}),
        ({"county": "CB"}, {"red"}),
        ({"min_days": "5"}, {"long", "sea"}),
        ({"max_days": "4"}, {"short", "red"}),
        ({"max_price": "1500"}, {"short", "red"}),
        ({"start_after": "+11"}, {"long", "sea"}),
        ({"start_before": "+60"}, {"short", "long"}),
        ({"start_after": "+11", "start_before": "+99"}, {"long"}),
        ({"age": "35"}, {"short", "sea", "red"}),
        ({"min_stars": "4"}, {"short", "long", "red"}),
        ({"addon": "social"}, {"sea"}),
        ({"available": "true"}, {"short", "long", "sea"}),
        ({"q": "森林"}, {"short", "long"}),
        ({"theme": "green", "max_days": "3", "county": "CA"}, {"short"}),
    ],
)
def test_catalogue_page_filters(client, catalogue, today, params, expected):
    for key, value in params.items():
        if value.startswith("+"):
            params[key] = (today + timedelta(days=int(value[1:]))).isoformat()
    assert shown(client, "/bases/", params) == expected


def test_catalogue_page_sorts_by_price(client, catalogue):
    html = client.get("/bases/", {"sort": "-price"}).content.decode()
    positions = [html.index(TITLES[k]) for k in ("long", "sea", "red", "short")]
    assert positions == sorted(positions)


def test_bad_filter_shows_a_message_not_an_error(client, catalogue):
    response = client.get("/bases/", {"theme": "purple", "max_price": "abc"})
    assert response.status_code == 200
    html = response.content.decode()
    alert = html[html.index("alert-danger") : html.index('<div class="row g-3">')]
    assert "主题" in alert and "工会价上限（元）" in alert  # the fields' labels, not their codes
    assert shown(client, "/bases/", {"theme": "purple"}) == set()


def test_catalogue_page_runs_the_same_queries_for_few_and_many_results(client, tree):
    base = BaseFactory(county=tree.county_a, operator=tree.operator)
    for _ in range(3):
        BatchFactory(itinerary=ItineraryFactory(base=base))
    with CaptureQueriesContext(connection) as few:
        client.get("/bases/")
    for _ in range(25):
        BatchFactory(itinerary=ItineraryFactory(base=base))
    with CaptureQueriesContext(connection) as many:
        assert client.get("/bases/").status_code == 200
    assert len(few) == len(many)


def test_an_itinerary_out_of_the_catalogue_is_404_for_the_public(client, catalogue):
    assert client.get(f"/bases/itineraries/{catalogue.gone.pk}/").status_code == 404
    assert client.get(f"/bases/itineraries/{catalogue.inactive.pk}/").status_code == 404


def test_itinerary_page_shows_programme_and_batches_with_seats_left(client, catalogue, today):
    batch = catalogue.batches["long"]
    Batch.objects.filter(pk=batch.pk).update(seats_held=28)
    past = BatchFactory(itinerary=catalogue.long_forest, start_date=today - timedelta(days=30))
    html = client.get(f"/bases/itineraries/{catalogue.long_forest.pk}/").content.decode()
    assert "第1天" in html and "第7天" in html
    assert batch.start_date.isoformat() in html
    assert 'data-label="剩余名额"' in html or 'data-label="Seats left"' in html
    assert ">2</td>" in html  # 30 - 28 seats left
    assert "50–60" in html  # the age group
    assert past.start_date.isoformat() in html  # under "recent past batches"
