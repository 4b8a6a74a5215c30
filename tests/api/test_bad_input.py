"""No 5xx, whatever comes in: absurd input is a 400 (or 404) with a message, on SQLite and
PostgreSQL alike, and nonsense that would save is refused by the same rules as the pages."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.db import IntegrityError, transaction
from django.test import Client
from django.utils import timezone

from bases.models import Batch, Itinerary
from bases.validators import MAX_CAPACITY, batch_date_window
from funds.models import SubsidyPolicy
from tests.bases.factories import BaseFactory, BatchFactory, ItineraryFactory
from tests.dates import THIS_YEAR
from tests.funds.conftest import make_policy

pytestmark = pytest.mark.django_db

HUGE = 2**64  # above BIGINT: SQLite cannot even bind it
THIRTY_DIGITS = "9" * 30


@pytest.fixture
def today() -> date:
    return timezone.localdate()


@pytest.fixture
def api() -> Client:
    """A client that shows a server error as a 500 response, and speaks English."""
    return Client(raise_request_exception=False, HTTP_ACCEPT_LANGUAGE="en")


@pytest.fixture
def operator(api, tree) -> Client:
    api.force_login(tree.user("operator"))
    return api


@pytest.fixture
def base(tree):
    return BaseFactory(county=tree.county_a, operator=tree.operator)


@pytest.fixture
def itinerary(base) -> Itinerary:
    return ItineraryFactory(base=base, days=3)


def send(client: Client, method: str, url: str, data: dict | None = None):
    if data is None:
        return getattr(client, method)(url)
    return getattr(client, method)(url, data, content_type="application/json")


def errors_of(response, field: str) -> list[str]:
    assert response.status_code == 400, response.content
    return response.json()[field]


# --- Money ----------------------------------------------------------------------------------------


def itinerary_payload(base, **changes) -> dict:
    return {
        "base": base.pk,
        "title": "新线路",
        "days": 3,
        "union_price": "900.00",
        "standard_price": "1000.00",
        **changes,
    }


@pytest.mark.parametrize("price", ["1e30", "-1e30", "1E+400", "99999999999999999999"])
def test_an_absurd_union_price_is_a_400_on_create(operator, base, price):
    response = send(
        operator, "post", "/api/v1/itineraries/", itinerary_payload(base, union_price=price)
    )
    assert errors_of(response, "union_price")
    assert not Itinerary.objects.filter(title="新线路").exists()


def test_an_absurd_union_price_is_a_400_on_update(operator, itinerary):
    response = send(
        operator, "patch", f"/api/v1/itineraries/{itinerary.pk}/", {"union_price": "1e30"}
    )
    assert errors_of(response, "union_price") == ["This amount is too large."]
    itinerary.refresh_from_db()
    assert itinerary.union_price_fen == 200000


def test_a_price_above_the_sane_maximum_is_refused_with_one_message(operator, base):
    payload = itinerary_payload(base, union_price="100000.01", standard_price="100000.01")
    response = send(operator, "post", "/api/v1/itineraries/", payload)
    message = ["A price per person is at most ¥100,000.00."]
    assert errors_of(response, "union_price") == message
    assert response.json()["standard_price"] == message
    payload = itinerary_payload(base, union_price="100000.00", standard_price="100000.00")
    assert send(operator, "post", "/api/v1/itineraries/", payload).status_code == 201


# --- Batch dates ----------------------------------------------------------------------------------


@pytest.mark.parametrize("start", ["9999-12-31", "0001-01-01"])
def test_a_batch_at_the_ends_of_the_calendar_is_a_400_on_create(operator, itinerary, start):
    data = {"itinerary": itinerary.pk, "start_date": start, "capacity": 20}
    response = send(operator, "post", "/api/v1/batches/", data)
    earliest, latest = batch_date_window()
    assert errors_of(response, "start_date") == [
        f"Batch dates must lie between {earliest.isoformat()} and {latest.isoformat()}."
    ]
    assert not Batch.objects.exists()


@pytest.mark.parametrize(
    "change",
    [
        {"start_date": "9999-12-31"},
        {"start_date": "0001-01-01"},
        {"end_date": "9999-12-31"},
        {"signup_deadline": "0001-01-01"},
    ],
)
def test_a_batch_at_the_ends_of_the_calendar_is_a_400_on_update(operator, itinerary, change):
    batch = BatchFactory(itinerary=itinerary)
    response = send(operator, "patch", f"/api/v1/batches/{batch.pk}/", change)
    [field] = change
    assert errors_of(response, field)
    saved = Batch.objects.get()
    assert (saved.start_date, saved.end_date, saved.signup_deadline) == (
        batch.start_date,
        batch.end_date,
        batch.signup_deadline,
    )


def test_a_batch_holding_seats_cannot_move_years_ahead(operator, itinerary, today):
    batch = BatchFactory(itinerary=itinerary, capacity=20, seats_held=12)
    url = f"/api/v1/batches/{batch.pk}/"
    far = today + timedelta(days=5 * 365)
    moved = {
        "start_date": far.isoformat(),
        "end_date": (far + timedelta(days=2)).isoformat(),
        "signup_deadline": (far - timedelta(days=7)).isoformat(),
    }
    response = send(operator, "patch", url, moved)
    assert set(response.json()) == {"start_date", "end_date", "signup_deadline"}
    assert Batch.objects.get().start_date == batch.start_date
    _earliest, latest = batch_date_window()
    moved = {
        "start_date": latest.isoformat(),
        "end_date": latest.isoformat(),
        "signup_deadline": (latest - timedelta(days=7)).isoformat(),
    }
    assert send(operator, "patch", url, moved).status_code == 200  # the last day is still in


def test_an_old_batch_outside_the_window_can_still_change_its_capacity(operator, itinerary, today):
    long_ago = today - timedelta(days=800)
    batch = BatchFactory(itinerary=itinerary, start_date=long_ago, capacity=20)
    response = send(operator, "patch", f"/api/v1/batches/{batch.pk}/", {"capacity": 25})
    assert response.status_code == 200, response.content
    assert response.json()["start_date"] == long_ago.isoformat()


def test_sign_ups_must_close_before_the_start(operator, itinerary, today):
    start = today + timedelta(days=20)
    data = {
        "itinerary": itinerary.pk,
        "start_date": start.isoformat(),
        "signup_deadline": start.isoformat(),
        "capacity": 20,
    }
    response = send(operator, "post", "/api/v1/batches/", data)
    assert errors_of(response, "signup_deadline") == ["Sign-ups must close before the start date."]
    data["signup_deadline"] = (start - timedelta(days=1)).isoformat()
    assert send(operator, "post", "/api/v1/batches/", data).status_code == 201


def test_the_database_refuses_a_deadline_on_the_start_day(itinerary, today):
    start = today + timedelta(days=20)
    with pytest.raises(IntegrityError), transaction.atomic():
        BatchFactory(itinerary=itinerary, start_date=start, signup_deadline=start)


# --- Capacity -------------------------------------------------------------------------------------


@pytest.mark.parametrize("capacity", [MAX_CAPACITY + 1, 2**31, 2**40, HUGE])
def test_a_capacity_above_the_maximum_has_one_message_on_every_database(
    operator, itinerary, capacity
):
    batch = BatchFactory(itinerary=itinerary)
    response = send(operator, "patch", f"/api/v1/batches/{batch.pk}/", {"capacity": capacity})
    assert errors_of(response, "capacity") == ["A batch has at most 1000 seats."]
    assert Batch.objects.get().capacity == batch.capacity
    response = send(operator, "patch", f"/api/v1/batches/{batch.pk}/", {"capacity": MAX_CAPACITY})
    assert response.json()["capacity"] == MAX_CAPACITY


def test_the_database_refuses_a_capacity_above_the_maximum(itinerary):
    batch = BatchFactory(itinerary=itinerary)
    with pytest.raises(IntegrityError), transaction.atomic():
        Batch.objects.filter(pk=batch.pk).update(capacity=MAX_CAPACITY + 1)


# --- Pages, ids and filters -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/itineraries/",
        "/api/v1/bases/",
        "/api/v1/batches/",
        "/api/v1/orgs/",
        "/api/v1/funds/policies/",
    ],
)
def test_a_page_number_of_thirty_digits_is_a_404(api, itinerary, url):
    BatchFactory(itinerary=itinerary)
    make_policy(THIS_YEAR)
    response = api.get(url, {"page": THIRTY_DIGITS})
    assert response.status_code == 404
    assert response.json()["detail"]


@pytest.mark.parametrize(
    ("url", "param"),
    [("/api/v1/itineraries/", "base"), ("/api/v1/batches/", "itinerary")],
)
@pytest.mark.parametrize("value", [HUGE, 2**63, -HUGE, "1.5", "1e400"])
def test_an_id_filter_beyond_bigint_is_a_400(api, itinerary, url, param, value):
    response = api.get(url, {param: value})
    assert errors_of(response, param)


def test_an_id_filter_at_the_top_of_bigint_finds_nothing(api, itinerary):
    response = api.get("/api/v1/itineraries/", {"base": 2**63 - 1})
    assert response.status_code == 200 and response.json()["count"] == 0


@pytest.mark.parametrize(
    "url",
    [
        f"/api/v1/itineraries/{HUGE}/",
        f"/api/v1/bases/{HUGE}/",
        f"/api/v1/batches/{HUGE}/",
        f"/api/v1/funds/policies/{HUGE}/",
        "/api/v1/funds/policies/abc/",
        "/api/v1/funds/policies/-1/",
    ],
)
def test_a_detail_path_with_a_bad_id_is_a_json_404(api, tree, url):
    make_policy(THIS_YEAR)
    response = api.get(url)
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response.json()["detail"]


def test_a_policy_is_found_by_its_year(api, db):
    policy = make_policy(THIS_YEAR)
    response = api.get(f"/api/v1/funds/policies/{THIS_YEAR}/")
    assert response.status_code == 200
    assert response.json()["title"] == policy.title
    assert SubsidyPolicy.objects.count() == 1


# --- Unknown paths --------------------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/api/v1/nope/", "/api/v1/bases/1/nope/", "/api/v2/", "/api/"])
def test_an_unknown_api_path_is_a_json_404(api, db, path):
    response = api.get(path)
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"detail": "Not found."}


def test_an_unknown_page_is_still_the_html_404(api, db):
    response = api.get("/no-such-page/")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")
    assert b"<html" in response.content


def test_too_many_form_fields_is_a_json_400_on_the_api_and_a_page_elsewhere(api, tree, settings):
    """Django refuses such a request before any view (``DATA_UPLOAD_MAX_NUMBER_FIELDS``)."""
    api.force_login(tree.user("organizer_a1"))
    fields = {"applications": [str(n) for n in range(settings.DATA_UPLOAD_MAX_NUMBER_FIELDS + 1)]}
    response = api.post("/api/v1/settlements/", fields)
    assert response.status_code == 400
    assert response.json() == {"detail": "The request could not be understood."}
    response = api.post("/applications/union/endorse/", {"ids": fields["applications"]})
    assert response.status_code == 400
    assert response["Content-Type"].startswith("text/html")


# --- NUL characters (PostgreSQL refuses them in text) ---------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/funds/utilization/?org=C%00",
        "/api/v1/bases/?q=a%00b",
        "/api/v1/orgs/?within=%00",
        "/api/v1/orgs/C%00/",
        "/api/v1/itineraries/?%00=1",
    ],
)
def test_a_nul_character_in_an_api_request_is_a_json_400(api, tree, url):
    api.force_login(tree.user("city_staff"))
    response = api.get(url)
    assert response.status_code == 400
    assert response.json() == {
        "detail": "The request contains a NUL character, which is not allowed."
    }


def test_a_nul_character_in_a_token_or_cookie_is_a_400(api, tree):
    assert api.get("/api/v1/me/", HTTP_AUTHORIZATION="Token abc\x00def").status_code == 400
    api.cookies["sessionid"] = "abcdefgh\x00ijkl"
    assert api.get("/api/v1/me/").status_code == 400


def test_a_nul_character_in_a_json_body_is_a_400_on_the_field(operator, itinerary):
    url = f"/api/v1/itineraries/{itinerary.pk}/"
    response = send(operator, "patch", url, {"title": "a\x00b"})
    assert errors_of(response, "title")
    response = send(operator, "patch", url, {"programme": ["a\x00", "b", "c"]})
    assert response.status_code == 400
    itinerary.refresh_from_db()
    assert "\x00" not in itinerary.title


def test_a_nul_character_in_a_page_form_is_a_400_page(api, tree, itinerary):
    batch = BatchFactory(itinerary=itinerary)
    api.force_login(tree.user("operator"))
    response = api.post(f"/bases/manage/batches/{batch.pk}/close/", {"reason": "满\x00员"})
    assert response.status_code == 400
    assert response["Content-Type"].startswith("text/html")
    batch.refresh_from_db()
    assert batch.status == "open"
