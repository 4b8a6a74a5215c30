"""/api/v1/bases/, /api/v1/itineraries/, /api/v1/batches/ (DESIGN §5)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.authtoken.models import Token

from bases.models import AccreditationStep, BaseStatus, Batch, BatchStatus, Itinerary
from tests.bases.factories import BaseFactory, BatchFactory, ItineraryFactory
from tests.dates import THIS_YEAR

pytestmark = pytest.mark.django_db


def get(client, url: str, **params):
    response = client.get(url, params)
    assert response.status_code == 200, response.content
    return response.json()


def ids(body) -> set[int]:
    return {row["id"] for row in body["results"]}


# --- Bases ---------------------------------------------------------------------------------------


def test_bases_list_is_the_public_catalogue_with_codes(client, catalogue):
    body = get(client, "/api/v1/bases/")
    assert set(body) == {"count", "next", "previous", "results"}
    assert body["count"] == 3  # active and watch; not exited, not in accreditation
    first = body["results"][0]  # most stars first
    assert first["id"] == catalogue.forest.pk
    assert {
        "id": first["id"],
        "name": first["name"],
        "county": first["county"],
        "themes": first["themes"],
        "products": first["products"],
        "stars": first["stars"],
    } == {
        "id": catalogue.forest.pk,
        "name": "青山森林",
        "county": "CA",
        "themes": ["green"],
        "products": ["forest", "tea"],
        "stars": 5,
    }


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"theme": "green"}, {"forest", "red"}),
        ({"theme": "red"}, {"red"}),
        ({"theme": "blue"}, {"sea"}),
        ({"product": "tea"}, {"forest"}),
        ({"product": "seaside"}, {"sea"}),
        ({"product": "hot_spring"}, set()),  # only the exited base has it
        ({"county": "CA"}, {"forest", "sea"}),
        ({"county": "CB"}, {"red"}),
        ({"county": "C"}, {"forest", "sea", "red"}),  # a city takes in its counties
        ({"county": "NOPE"}, set()),
        ({"min_stars": 4}, {"forest", "red"}),
        ({"min_stars": 5}, {"forest"}),
        ({"theme": "green", "county": "CA", "min_stars": 3}, {"forest"}),
        ({"q": "纪念"}, {"red"}),
    ],
)
def test_bases_filters(client, catalogue, query, expected):
    names = {"forest": catalogue.forest.pk, "sea": catalogue.sea.pk, "red": catalogue.red.pk}
    assert ids(get(client, "/api/v1/bases/", **query)) == {names[n] for n in expected}


@pytest.mark.parametrize(
    "query", [{"theme": "purple"}, {"product": "spa"}, {"min_stars": "6"}, {"min_stars": "x"}]
)
def test_bad_filter_values_are_a_400_naming_the_filter(client, catalogue, query):
    response = client.get("/api/v1/bases/", query)
    assert response.status_code == 400
    assert set(response.json()) == set(query)


def test_a_base_outside_the_catalogue_is_hidden_except_from_its_managers(client, tree, catalogue):
    url = f"/api/v1/bases/{catalogue.exited.pk}/"
    assert client.get(url).status_code == 404
    client.force_login(tree.user("worker_a1"))
    assert client.get(url).status_code == 404
    client.force_login(tree.user("operator"))
    assert client.get(url).json()["status"] == "exited"
    client.force_login(tree.user("county_a_staff"))
    assert client.get(url).status_code == 200
    assert client.get(f"/api/v1/bases/{catalogue.applying.pk}/").status_code == 404  # county B


# --- Itineraries -----------------------------------------------------------------------------------


def test_itinerary_results_carry_the_contract_fields(client, catalogue):
    body = get(client, "/api/v1/itineraries/", ordering="price")
    first = body["results"][0]
    assert first["id"] == catalogue.short_cheap.pk
    assert first["title"] == "森林三日"
    assert first["base"] == catalogue.forest.pk
    assert first["days"] == 3
    assert first["union_price"] == "900.00"
    assert first["standard_price"] == "1000.00"
    assert first["themes"] == ["green"]
    assert first["county"] == "CA"
    assert "net_cost" not in first  # added later by the applications layer


def test_itineraries_list_only_active_ones_of_catalogue_bases(client, catalogue):
    body = get(client, "/api/v1/itineraries/")
    assert ids(body) == {
        catalogue.short_cheap.pk,
        catalogue.long_forest.pk,
        catalogue.sea_trip.pk,
        catalogue.red_trip.pk,
    }
    assert body["count"] == 4


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"theme": "green"}, {"short", "long", "red"}),
        ({"theme": "blue"}, {"sea"}),
        ({"product": "tea"}, {"short", "long"}),
        ({"product": "other"}, {"red"}),
        ({"county": "CA"}, {"short", "long", "sea"}),
        ({"county": "CB"}, {"red"}),
        ({"max_days": 4}, {"short", "red"}),
        ({"max_days": 3}, {"short"}),
        ({"min_days": 5}, {"long", "sea"}),
        ({"max_price": "1500"}, {"short", "red"}),
        ({"max_price": "1499.99"}, {"short"}),
        ({"max_price": "900.00"}, {"short"}),
        ({"min_stars": 4}, {"short", "long", "red"}),
        ({"age": 55}, {"short", "long", "sea", "red"}),
        ({"age": 30}, {"short", "sea", "red"}),
        ({"addon": "social"}, {"sea"}),
        ({"in_province": "false"}, {"sea"}),
        ({"available": "true"}, {"short", "long", "sea"}),
        ({"available": "false"}, {"red"}),
        ({"q": "七日"}, {"long"}),
        ({"base": "FOREST"}, {"short", "long"}),
    ],
)
def test_itinerary_filters(client, catalogue, query, expected):
    if query.get("base") == "FOREST":
        query = {"base": catalogue.forest.pk}
    names = {
        "short": catalogue.short_cheap.pk,
        "long": catalogue.long_forest.pk,
        "sea": catalogue.sea_trip.pk,
        "red": catalogue.red_trip.pk,
    }
    assert ids(get(client, "/api/v1/itineraries/", **query)) == {names[n] for n in expected}


def test_date_window_filters_on_batches(client, catalogue, today):
    def window(**params):
        return ids(get(client, "/api/v1/itineraries/", **params))

    short, long_, sea = catalogue.short_cheap.pk, catalogue.long_forest.pk, catalogue.sea_trip.pk
    d = lambda n: (today + timedelta(days=n)).isoformat()  # noqa: E731
    assert window(start_after=d(11)) == {long_, sea}
    assert window(start_after=d(10)) == {short, long_, sea}  # both ends included
    assert window(start_before=d(60)) == {short, long_}
    assert window(start_after=d(11), start_before=d(99)) == {long_}
    assert window(start_after=d(61), start_before=d(99)) == set()
    # Both ends apply to the same batch: one before and one after the window is not a match.
    BatchFactory(itinerary=catalogue.short_cheap, start_date=today + timedelta(days=200))
    assert window(start_after=d(30), start_before=d(150)) == {long_, sea}
    response = client.get("/api/v1/itineraries/", {"start_after": f"{THIS_YEAR}-13-01"})
    assert response.status_code == 400 and "start_after" in response.json()


def test_ordering_by_price_both_ways_and_default(client, catalogue):
    def titles(**params):
        return [r["title"] for r in get(client, "/api/v1/itineraries/", **params)["results"]]

    assert titles(ordering="price") == ["森林三日", "红色四日", "滨海五日", "森林七日"]
    assert titles(ordering="-price") == ["森林七日", "滨海五日", "红色四日", "森林三日"]
    assert titles() == ["森林三日", "森林七日", "红色四日", "滨海五日"]  # stars, then price
    # Net cost is a worker's own (tests/portal/test_ordering.py): from anyone else a 400.
    assert client.get("/api/v1/itineraries/", {"ordering": "net_cost"}).status_code == 400


def test_inactive_itinerary_is_visible_to_its_operator_only(client, tree, catalogue):
    url = f"/api/v1/itineraries/{catalogue.inactive.pk}/"
    assert client.get(url).status_code == 404
    client.force_login(tree.user("operator"))
    assert client.get(url).json()["active"] is False


# --- Batches --------------------------------------------------------------------------------------


def test_batches_of_an_itinerary_with_seats_left(client, catalogue, today):
    batch = catalogue.batches["long"]
    Batch.objects.filter(pk=batch.pk).update(seats_held=12)
    body = get(client, "/api/v1/batches/", itinerary=catalogue.long_forest.pk)
    assert body["count"] == 1
    detail = get(client, f"/api/v1/batches/{batch.pk}/")
    assert {k: detail[k] for k in ("id", "itinerary", "capacity", "seats_left")} == {
        "id": batch.pk,
        "itinerary": catalogue.long_forest.pk,
        "capacity": 30,
        "seats_left": 18,
    }
    assert detail["start_date"] == (today + timedelta(days=60)).isoformat()
    assert detail["end_date"] == (today + timedelta(days=66)).isoformat()
    assert detail["accepting_signups"] is True
    assert body["results"] == [detail]


def test_batches_of_hidden_bases_are_not_listed(client, catalogue):
    assert get(client, "/api/v1/batches/", itinerary=catalogue.gone.pk)["count"] == 0
    all_ids = ids(get(client, "/api/v1/batches/"))
    assert catalogue.batches["gone"].pk not in all_ids
    assert client.get(f"/api/v1/batches/{catalogue.batches['gone'].pk}/").status_code == 404


def test_batch_filters_available_and_window(client, catalogue, today):
    full = catalogue.batches["short"]
    Batch.objects.filter(pk=full.pk).update(seats_held=30)
    available = ids(get(client, "/api/v1/batches/", available="true"))
    assert full.pk not in available and catalogue.batches["long"].pk in available
    after = (today + timedelta(days=50)).isoformat()
    assert ids(get(client, "/api/v1/batches/", start_after=after)) == {
        catalogue.batches["long"].pk,
        catalogue.batches["sea"].pk,
    }


# --- Pages of results: constant queries, one query per page -----------------------------------------


@pytest.fixture
def many(tree):
    bases = [
        BaseFactory(county=tree.county_a, operator=tree.operator, themes=["green", "blue"])
        for _ in range(6)
    ]
    itineraries = [ItineraryFactory(base=bases[i % 6]) for i in range(120)]
    Batch.objects.bulk_create(
        [
            BatchFactory.build(itinerary=it, start_date=BatchFactory.build().start_date)
            for it in itineraries
        ]
    )
    return itineraries


def count_queries(client, url: str) -> tuple[int, dict]:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries), response.json()


@pytest.mark.parametrize("url", ["/api/v1/itineraries/", "/api/v1/bases/", "/api/v1/batches/"])
@pytest.mark.parametrize("who", ["anonymous", "token"])
def test_a_page_of_20_and_a_page_of_100_run_the_same_queries(client, tree, many, url, who):
    if who == "token":
        token = Token.objects.create(user=tree.user("worker_a1"))
        client.defaults["HTTP_AUTHORIZATION"] = f"Token {token.key}"
    small, body20 = count_queries(client, f"{url}?page_size=20&theme=green")
    large, body100 = count_queries(client, f"{url}?page_size=100&theme=green")
    assert len(body100["results"]) == min(100, body100["count"])
    assert body20["count"] == body100["count"]
    assert small == large


@pytest.mark.parametrize("size", [20, 100])
def test_an_anonymous_catalogue_page_is_one_query(client, many, size, django_assert_num_queries):
    with django_assert_num_queries(1):  # the page and its total in one query
        body = client.get(f"/api/v1/itineraries/?page_size={size}&ordering=price").json()
    assert len(body["results"]) == size and body["count"] == 120


def test_pages_link_to_each_other_and_count_everything(client, many):
    first = get(client, "/api/v1/itineraries/", page_size=50)
    assert first["count"] == 120 and first["previous"] is None and "page=2" in first["next"]
    last = get(client, "/api/v1/itineraries/", page_size=50, page=3)
    assert len(last["results"]) == 20 and last["next"] is None
    seen = ids(first) | ids(get(client, "/api/v1/itineraries/", page_size=50, page=2)) | ids(last)
    assert len(seen) == 120  # a stable order: no row on two pages
    assert client.get("/api/v1/itineraries/", {"page": 4, "page_size": 50}).status_code == 404
    assert client.get("/api/v1/itineraries/", {"page": "x"}).status_code == 404
    assert get(client, "/api/v1/itineraries/", theme="red")["count"] == 0


# --- Writes ---------------------------------------------------------------------------------------------


def itinerary_payload(base, **changes) -> dict:
    return {
        "base": base.pk,
        "title": "新线路",
        "days": 3,
        "union_price": "900.00",
        "standard_price": "1000.00",
        "programme": ["第一天", "第二天", "第三天"],
        "addons": ["social"],
        **changes,
    }


def test_operator_creates_an_itinerary_and_a_batch_on_its_own_base(client, tree, base, today):
    client.force_login(tree.user("operator"))
    response = client.post(
        "/api/v1/itineraries/", itinerary_payload(base), content_type="application/json"
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["union_price"], body["themes"], body["addons"]) == (
        "900.00",
        ["green"],
        ["social"],
    )
    itinerary = Itinerary.objects.get(pk=body["id"])
    assert itinerary.union_price_fen == 90000
    start = (today + timedelta(days=20)).isoformat()
    response = client.post(
        "/api/v1/batches/",
        {"itinerary": itinerary.pk, "start_date": start, "capacity": 25},
        content_type="application/json",
    )
    assert response.status_code == 201, response.json()
    batch = response.json()
    assert batch["end_date"] == (today + timedelta(days=22)).isoformat()
    assert batch["signup_deadline"] == (today + timedelta(days=13)).isoformat()
    assert batch["seats_left"] == 25


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"union_price": "1000.01"}, "union_price"),
        ({"union_price": "-1"}, "union_price"),
        ({"union_price": "12.345"}, "union_price"),
        ({"days": 0}, "days"),
        ({"programme": ["只有一天"]}, "programme"),
        ({"addons": ["karaoke"]}, "addons"),
        ({"title": ""}, "title"),
    ],
)
def test_bad_itinerary_input_is_a_400_on_the_field_and_saves_nothing(
    client, tree, base, changes, field
):
    client.force_login(tree.user("operator"))
    response = client.post(
        "/api/v1/itineraries/", itinerary_payload(base, **changes), content_type="application/json"
    )
    assert response.status_code == 400
    assert field in response.json()
    assert not Itinerary.objects.exists()


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"capacity": 0}, "capacity"),
        ({"capacity": -5}, "capacity"),
        ({"end_date": "START-1"}, "end_date"),
        ({"signup_deadline": "START+1"}, "signup_deadline"),
    ],
)
def test_bad_batch_input_is_a_400_on_the_field_and_saves_nothing(
    client, tree, base, today, changes, field
):
    itinerary = ItineraryFactory(base=base)
    start = today + timedelta(days=20)
    data = {"itinerary": itinerary.pk, "start_date": start.isoformat(), "capacity": 20}
    for key, value in changes.items():
        if isinstance(value, str) and value.startswith("START"):
            value = (start + timedelta(days=int(value[5:]))).isoformat()
        data[key] = value
    client.force_login(tree.user("operator"))
    response = client.post("/api/v1/batches/", data, content_type="application/json")
    assert response.status_code == 400
    assert field in response.json()
    assert not Batch.objects.exists()


def test_capacity_cannot_drop_below_seats_held(client, tree, base):
    batch = BatchFactory(itinerary=ItineraryFactory(base=base), capacity=20, seats_held=15)
    client.force_login(tree.user("operator"))
    url = f"/api/v1/batches/{batch.pk}/"
    response = client.patch(url, {"capacity": 10}, content_type="application/json")
    assert response.status_code == 400 and "capacity" in response.json()
    response = client.patch(url, {"capacity": 18}, content_type="application/json")
    assert response.json()["seats_left"] == 3


def test_another_operators_objects_are_not_found_for_writes(client, tree, other_base):
    itinerary = ItineraryFactory(base=other_base)
    batch = BatchFactory(itinerary=itinerary)
    client.force_login(tree.user("operator"))
    for url in (
        f"/api/v1/bases/{other_base.pk}/",
        f"/api/v1/itineraries/{itinerary.pk}/",
        f"/api/v1/batches/{batch.pk}/",
    ):
        response = client.patch(url, {"summary": "x"}, content_type="application/json")
        assert response.status_code == 404, url
    response = client.post(
        "/api/v1/itineraries/", itinerary_payload(other_base), content_type="application/json"
    )
    assert response.status_code == 400 and "base" in response.json()
    assert client.post(f"/api/v1/batches/{batch.pk}/close/").status_code == 404
    assert Batch.objects.get().status == BatchStatus.OPEN


def test_auditors_read_but_cannot_write(client, tree, base):
    itinerary = ItineraryFactory(base=base)
    client.force_login(tree.user("auditor"))
    response = client.patch(
        f"/api/v1/itineraries/{itinerary.pk}/", {"title": "x"}, content_type="application/json"
    )
    assert response.status_code == 403
    response = client.post(
        "/api/v1/itineraries/", itinerary_payload(base), content_type="application/json"
    )
    assert response.status_code == 403
    assert Itinerary.objects.get().title == itinerary.title


def test_anonymous_writes_are_refused(client, base):
    response = client.post(
        "/api/v1/itineraries/", itinerary_payload(base), content_type="application/json"
    )
    assert response.status_code == 401


def test_operator_applies_for_a_base_and_staff_move_it(client, tree):
    client.force_login(tree.user("operator"))
    response = client.post(
        "/api/v1/bases/",
        {"name": "新基地", "county": "CA", "themes": ["green"], "products": ["tea"]},
        content_type="application/json",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["status"], body["operator"]) == ("applied", "OPA")
    url = f"/api/v1/bases/{body['id']}/transition/"
    assert client.post(url, {"to": "checked"}).status_code == 403
    client.force_login(tree.user("county_a_staff"))
    response = client.post(url, {"to": "active"}, content_type="application/json")
    assert response.status_code == 400 and "to" in response.json()
    response = client.post(url, {"to": "checked", "reason": "材料齐全"})
    assert response.json()["status"] == "checked"
    assert AccreditationStep.objects.filter(to_status=BaseStatus.CHECKED).get().reason == "材料齐全"
    client.force_login(tree.user("county_b_staff"))
    assert client.post(url, {"to": "recommended"}).status_code == 404


def test_operator_edits_profile_but_not_the_name_through_the_api(client, tree, base):
    client.force_login(tree.user("operator"))
    url = f"/api/v1/bases/{base.pk}/"
    response = client.patch(url, {"summary": "新简介"}, content_type="application/json")
    assert response.status_code == 200 and response.json()["summary"] == "新简介"
    response = client.patch(url, {"name": "别名"}, content_type="application/json")
    assert response.status_code == 400 and "name" in response.json()
    response = client.patch(url, {"stars": 5}, content_type="application/json")
    assert response.json()["stars"] == base.stars  # read-only


def test_closing_and_reopening_a_batch(client, tree, base):
    batch = BatchFactory(itinerary=ItineraryFactory(base=base))
    client.force_login(tree.user("operator"))
    response = client.post(f"/api/v1/batches/{batch.pk}/close/", {"reason": "满员"})
    assert response.json()["status"] == "closed"
    assert response.json()["accepting_signups"] is False
    assert client.post(f"/api/v1/batches/{batch.pk}/reopen/").json()["status"] == "open"
    base.status = BaseStatus.SUSPENDED
    base.save()
    client.post(f"/api/v1/batches/{batch.pk}/close/")
    response = client.post(f"/api/v1/batches/{batch.pk}/reopen/")
    assert response.status_code == 400


# --- Schema -------------------------------------------------------------------------------------------


def test_everything_is_in_the_openapi_schema(client):
    schema = client.get("/api/v1/schema/", {"format": "json"}).json()
    paths = schema["paths"]
    for path in (
        "/api/v1/bases/",
        "/api/v1/bases/{id}/",
        "/api/v1/bases/{id}/transition/",
        "/api/v1/itineraries/",
        "/api/v1/itineraries/{id}/",
        "/api/v1/batches/",
        "/api/v1/batches/{id}/",
        "/api/v1/batches/{id}/close/",
        "/api/v1/batches/{id}/reopen/",
    ):
        assert path in paths, path
    params = {p["name"] for p in paths["/api/v1/itineraries/"]["get"]["parameters"]}
    assert {
        "theme",
        "product",
        "county",
        "max_days",
        "max_price",
        "start_after",
        "start_before",
        "ordering",
        "page",
        "page_size",
    } <= params
    assert {"theme", "product", "county", "min_stars"} <= {
        p["name"] for p in paths["/api/v1/bases/"]["get"]["parameters"]
    }
    assert "itinerary" in {p["name"] for p in paths["/api/v1/batches/"]["get"]["parameters"]}
    assert {"post", "patch"} <= set(paths["/api/v1/itineraries/{id}/"]) | set(
        paths["/api/v1/itineraries/"]
    )


def test_county_staff_register_bases_only_in_their_county(client, tree, other_operator):
    client.force_login(tree.user("county_a_staff"))
    data = {"name": "县里登记", "themes": ["red"], "products": ["other"]}
    response = client.post(
        "/api/v1/bases/", dict(data, county="CB", operator="OPA"), content_type="application/json"
    )
    assert response.status_code == 400 and "county" in response.json()
    response = client.post(
        "/api/v1/bases/", dict(data, county="CA", operator="OPB"), content_type="application/json"
    )
    assert response.status_code == 400 and "operator" in response.json()
    response = client.post(
        "/api/v1/bases/", dict(data, county="CA", operator="OPA"), content_type="application/json"
    )
    assert response.status_code == 201 and response.json()["status"] == "applied"
