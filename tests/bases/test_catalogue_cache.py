"""The anonymous catalogue API is cached (bases.cache) and every write shows at once."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from bases import services
from bases.models import BaseStatus
from tests.bases.factories import BatchFactory

pytestmark = pytest.mark.django_db


def get(client, url: str, **params) -> dict:
    response = client.get(url, params)
    assert response.status_code == 200, response.content
    return response.json()


def titles(body: dict) -> list[str]:
    return [row["title"] for row in body["results"]]


def test_a_second_anonymous_request_is_answered_without_a_query(client, catalogue):
    first = get(client, "/api/v1/itineraries/", ordering="price")
    with CaptureQueriesContext(connection) as queries:
        again = get(client, "/api/v1/itineraries/", ordering="price")
    assert len(queries) == 0
    assert again == first
    assert titles(first) == ["森林三日", "红色四日", "滨海五日", "森林七日"]


def test_each_query_string_is_its_own_page(client, catalogue):
    assert set(titles(get(client, "/api/v1/itineraries/", theme="blue"))) == {"滨海五日"}
    assert set(titles(get(client, "/api/v1/itineraries/", theme="red"))) == {"红色四日"}
    assert get(client, "/api/v1/itineraries/", page_size=1)["next"] is not None


def test_a_price_change_shows_at_once(client, catalogue, tree):
    before = get(client, "/api/v1/itineraries/", base=catalogue.forest.pk, ordering="price")
    assert [r["union_price"] for r in before["results"]] == ["900.00", "3000.00"]
    services.itinerary_update(
        itinerary=catalogue.short_cheap, by=tree.user("operator"), union_price_fen=95000
    )
    after = get(client, "/api/v1/itineraries/", base=catalogue.forest.pk, ordering="price")
    assert [r["union_price"] for r in after["results"]] == ["950.00", "3000.00"]


def test_a_base_leaving_the_catalogue_disappears_at_once(client, catalogue):
    assert "滨海五日" in titles(get(client, "/api/v1/itineraries/"))
    assert get(client, "/api/v1/bases/")["count"] == 3
    catalogue.sea.status = BaseStatus.SUSPENDED
    catalogue.sea.save()
    assert "滨海五日" not in titles(get(client, "/api/v1/itineraries/"))
    assert get(client, "/api/v1/bases/")["count"] == 2


def take_seats(batch, n: int) -> None:
    with transaction.atomic():
        locked = services.lock_batch(batch.pk)
        assert services.batch_take_seats(batch=locked, seats=n)


def test_a_seat_taken_shows_in_the_batches_list_and_the_available_filter(client, catalogue):
    short = catalogue.batches["short"]
    url = "/api/v1/batches/"
    [row] = get(client, url, itinerary=catalogue.short_cheap.pk)["results"]
    assert row["seats_left"] == short.capacity
    assert "森林三日" in titles(get(client, "/api/v1/itineraries/", available="true"))
    take_seats(short, 1)
    [row] = get(client, url, itinerary=catalogue.short_cheap.pk)["results"]
    assert row["seats_left"] == short.capacity - 1
    take_seats(short, short.capacity - 1)  # now full: no batch of it takes sign-ups
    assert "森林三日" not in titles(get(client, "/api/v1/itineraries/", available="true"))
    [row] = get(client, url, itinerary=catalogue.short_cheap.pk)["results"]
    assert (row["seats_left"], row["accepting_signups"]) == (0, False)


def test_a_seat_taken_keeps_pages_that_do_not_show_seats(client, catalogue):
    get(client, "/api/v1/itineraries/")
    take_seats(catalogue.batches["short"], 1)
    with CaptureQueriesContext(connection) as queries:
        get(client, "/api/v1/itineraries/")
    assert len(queries) == 0


def test_a_new_batch_shows_at_once(client, catalogue, today):
    assert get(client, "/api/v1/batches/", itinerary=catalogue.red_trip.pk)["count"] == 0
    BatchFactory(itinerary=catalogue.red_trip, start_date=today + timedelta(days=30))
    assert get(client, "/api/v1/batches/", itinerary=catalogue.red_trip.pk)["count"] == 1


def test_logged_in_users_always_get_a_fresh_page(client, catalogue, tree):
    get(client, "/api/v1/itineraries/")
    client.force_login(tree.user("worker_a1"))
    with CaptureQueriesContext(connection) as queries:
        get(client, "/api/v1/itineraries/")
    assert len(queries) > 0


def test_the_long_batches_list_counts_apart_and_pages_stay_exact(client, catalogue, today):
    for days in range(200, 215):  # 15 more departures of the forest trip: 18 public in all
        BatchFactory(itinerary=catalogue.short_cheap, start_date=today + timedelta(days=days))
    pages = [get(client, "/api/v1/batches/", page=n, page_size=5) for n in (1, 2, 3, 4)]
    assert [p["count"] for p in pages] == [18, 18, 18, 18]
    seen = [row["id"] for p in pages for row in p["results"]]
    assert len(seen) == len(set(seen)) == 18
    assert pages[3]["next"] is None and len(pages[3]["results"]) == 3
    assert client.get("/api/v1/batches/", {"page": 5, "page_size": 5}).status_code == 404
    # One itinerary's batches: the page and its total in one query, as before.
    with CaptureQueriesContext(connection) as queries:
        one = get(client, "/api/v1/batches/", itinerary=catalogue.long_forest.pk, page=1)
    assert one["count"] == 1 and len(queries) == 1


@pytest.mark.parametrize(
    "query",
    [{}, {"ordering": "price"}, {"theme": "green", "ordering": "-days"}, {"available": "true"}],
)
def test_the_unpriced_list_from_values_is_exactly_the_serializers(client, catalogue, query):
    import json

    from bases.api import ItinerarySerializer, ItineraryViewSet
    from bases.selectors import itineraries_for_catalogue

    qs = itineraries_for_catalogue(user=None, filters=query)
    ordering = [query["ordering"]] if "ordering" in query else ItineraryViewSet.ordering
    expected = ItinerarySerializer(qs.order_by(*ordering, "pk"), many=True).data
    body = get(client, "/api/v1/itineraries/", **query)
    assert body["results"] == json.loads(json.dumps(expected))
    assert body["count"] == len(expected) > 0
    client.force_login(catalogue.forest.operator.users.first() or _operator(catalogue))
    assert get(client, "/api/v1/itineraries/", **query)["results"] == body["results"]


def _operator(catalogue):
    from tests.factories import UserFactory

    return UserFactory(role="base_operator", org=catalogue.forest.operator)


def test_a_filter_that_names_nothing_still_refuses_bad_values(client, catalogue):
    assert client.get("/api/v1/itineraries/", {"min_stars": "9"}).status_code == 400
    assert client.get("/api/v1/itineraries/", {"nonsense": "9"}).status_code == 200


def test_unknown_parameters_are_answered_but_never_stored(client, catalogue):
    assert titles(get(client, "/api/v1/itineraries/", junk="1")) == titles(
        get(client, "/api/v1/itineraries/")
    )
    with CaptureQueriesContext(connection) as queries:
        get(client, "/api/v1/itineraries/", junk="1")
    assert len(queries) > 0  # built again: not from the cache
    with CaptureQueriesContext(connection) as queries:
        get(client, "/api/v1/itineraries/")
    assert len(queries) == 0
