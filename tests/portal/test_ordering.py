"""Ordering the catalogue (DESIGN §5): ``net_cost`` is a worker's own, anything not offered is
a 400 with a message on the API and a message on the page, never a silent sort or a 500."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db

URL = "/api/v1/itineraries/"


def titles(response) -> list[str]:
    assert response.status_code == 200, response.content
    return [r["title"] for r in response.json()["results"]]


@pytest.mark.parametrize("role", [None, "city_staff", "organizer_a1", "operator", "admin"])
@pytest.mark.parametrize("ordering", ["net_cost", "-net_cost", "price,net_cost"])
def test_net_cost_ordering_from_anyone_but_a_worker_is_a_400_that_says_why(
    client, tree, shop, role, ordering
):
    if role:
        client.force_login(tree.user(role))
    response = client.get(URL, {"ordering": ordering}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400
    message = response.json()["ordering"][0]
    assert "logged-in workers" in message and "ordering=price" in message


def test_a_worker_orders_by_their_own_net_cost(client, tree, shop):
    client.force_login(tree.user("worker_a1"))
    # ¥200 (森林五日), ¥400 (森林三日), ¥1,000 (滨海五日), ¥2,000 (长者七日)
    assert titles(client.get(URL, {"ordering": "net_cost"})) == [
        "森林五日",
        "森林三日",
        "滨海五日",
        "长者七日",
    ]
    assert titles(client.get(URL, {"ordering": "-net_cost"}))[0] == "长者七日"


@pytest.mark.parametrize("url", [URL, "/api/v1/bases/", "/api/v1/batches/"])
@pytest.mark.parametrize("ordering", ["junk", "-", "price;drop", "base__name", "id,nope"])
def test_an_ordering_not_offered_is_a_400_naming_the_offered_ones(
    client, tree, shop, url, ordering
):
    if url == URL and ordering == "price;drop":
        client.force_login(tree.user("worker_a1"))  # the same for a worker
    response = client.get(url, {"ordering": ordering}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400
    message = response.json()["ordering"][0]
    assert message.startswith("Unknown ordering") and "id" in message


def test_offered_orderings_still_work(client, shop):
    assert titles(client.get(URL, {"ordering": "-price"}))[0] == "长者七日"
    assert titles(client.get(URL, {"ordering": "days,-price"}))[0] == "森林三日"
    assert titles(client.get(URL, {"ordering": ""})) == titles(client.get(URL))  # the default
    assert client.get("/api/v1/bases/", {"ordering": "-stars"}).status_code == 200
    assert client.get("/api/v1/batches/", {"ordering": "start_date"}).status_code == 200


def test_the_message_is_in_the_users_language(client, shop):
    response = client.get(URL, {"ordering": "net_cost"})  # zh-hans by default
    assert response.status_code == 400 and "职工" in response.json()["ordering"][0]


def test_pages_answer_a_bad_sort_with_a_message(en, tree, shop):
    for params in ({"sort": "junk"}, {"sort": "net_cost"}, {"sort": "x" * 500}):
        response = en.get("/bases/", params)
        assert response.status_code == 200
        html = response.content.decode()
        assert "alert-warning" in html and "usual order" in html
        assert "森林三日" in html  # the list itself, in the default order
    en.force_login(tree.user("worker_a1"))
    html = en.get("/bases/", {"sort": "net_cost"}).content.decode()
    assert "usual order" not in html and 'value="net_cost" selected' in html
