"""The pages refuse absurd input with a message on the field, never a 500 (same rules as the API)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client

from bases.models import Batch, Itinerary
from bases.validators import batch_date_window
from tests.bases.factories import BatchFactory, ItineraryFactory

pytestmark = pytest.mark.django_db

THIRTY_DIGITS = "9" * 30


@pytest.fixture
def operator(tree) -> Client:
    client = Client(raise_request_exception=False, HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(tree.user("operator"))
    return client


def window_message() -> str:
    earliest, latest = batch_date_window()
    return f"Batch dates must lie between {earliest.isoformat()} and {latest.isoformat()}."


def field_errors(response, field: str) -> list[str]:
    assert response.status_code == 200, response.status_code
    return response.context["form"].errors.get(field, [])


@pytest.mark.parametrize("start", ["9999-12-31", "0001-01-01"])
def test_adding_a_batch_at_the_ends_of_the_calendar_is_a_field_message(operator, base, start):
    itinerary = ItineraryFactory(base=base, days=3)
    data = {"start_date": start, "end_date": "", "signup_deadline": start, "capacity": "20"}
    response = operator.post(f"/bases/manage/itineraries/{itinerary.pk}/", data)
    assert field_errors(response, "start_date") == [window_message()]
    assert not Batch.objects.exists()


@pytest.mark.parametrize("start", ["9999-12-31", "0001-01-01"])
def test_moving_a_batch_with_seats_to_the_ends_of_the_calendar_is_a_field_message(
    operator, base, start
):
    batch = BatchFactory(itinerary=ItineraryFactory(base=base, days=3), seats_held=8)
    data = {
        "start_date": start,
        "end_date": "",
        "signup_deadline": batch.signup_deadline.isoformat(),
        "capacity": "30",
    }
    response = operator.post(f"/bases/manage/batches/{batch.pk}/edit/", data)
    assert field_errors(response, "start_date") == [window_message()]
    assert Batch.objects.get().start_date == batch.start_date


def test_an_old_batch_keeps_its_dates_when_its_capacity_changes_on_the_page(operator, base, today):
    long_ago = today - timedelta(days=800)
    batch = BatchFactory(itinerary=ItineraryFactory(base=base, days=3), start_date=long_ago)
    data = {
        "start_date": batch.start_date.isoformat(),
        "end_date": batch.end_date.isoformat(),
        "signup_deadline": batch.signup_deadline.isoformat(),
        "capacity": "35",
    }
    response = operator.post(f"/bases/manage/batches/{batch.pk}/edit/", data)
    assert response.status_code == 302
    assert Batch.objects.get().capacity == 35


@pytest.mark.parametrize(
    ("capacity", "stored"), [("1001", False), (str(2**70), False), ("1000", True)]
)
def test_capacity_above_the_maximum_on_the_page(operator, base, today, capacity, stored):
    itinerary = ItineraryFactory(base=base, days=3)
    start = today + timedelta(days=30)
    data = {
        "start_date": start.isoformat(),
        "end_date": "",
        "signup_deadline": (start - timedelta(days=3)).isoformat(),
        "capacity": capacity,
    }
    response = operator.post(f"/bases/manage/itineraries/{itinerary.pk}/", data)
    if stored:
        assert response.status_code == 302
        assert Batch.objects.get().capacity == 1000
    else:
        assert field_errors(response, "capacity") == ["A batch has at most 1000 seats."]
        assert not Batch.objects.exists()


def test_sign_ups_closing_on_the_start_day_is_a_field_message(operator, base, today):
    itinerary = ItineraryFactory(base=base, days=3)
    start = (today + timedelta(days=30)).isoformat()
    data = {"start_date": start, "end_date": "", "signup_deadline": start, "capacity": "20"}
    response = operator.post(f"/bases/manage/itineraries/{itinerary.pk}/", data)
    assert field_errors(response, "signup_deadline") == [
        "Sign-ups must close before the start date."
    ]


def itinerary_form(**changes) -> dict:
    return {
        "title": "茶园三日",
        "days": "3",
        "programme": "第一天\n第二天\n第三天",
        "standard_price_fen": "1000.00",
        "union_price_fen": "900",
        "active": "on",
        **changes,
    }


@pytest.mark.parametrize(
    "changes",
    [
        {"union_price_fen": "1e30"},
        {"union_price_fen": "1e30", "standard_price_fen": "1e30"},
        {"union_price_fen": "-1e30"},
        {"union_price_fen": "100000.01", "standard_price_fen": "100000.01"},
    ],
)
def test_an_absurd_price_on_the_itinerary_pages_is_a_field_message(operator, base, changes):
    response = operator.post(f"/bases/manage/{base.pk}/itineraries/new/", itinerary_form(**changes))
    assert field_errors(response, "union_price_fen")
    assert not Itinerary.objects.exists()
    itinerary = ItineraryFactory(base=base, days=3, union_price_fen=90000)
    response = operator.post(
        f"/bases/manage/itineraries/{itinerary.pk}/edit/", itinerary_form(**changes)
    )
    assert field_errors(response, "union_price_fen")
    itinerary.refresh_from_db()
    assert itinerary.union_price_fen == 90000


def test_a_price_above_the_maximum_has_the_models_message_on_the_page(operator, base):
    changes = {"union_price_fen": "100000.01", "standard_price_fen": "100000.01"}
    response = operator.post(f"/bases/manage/{base.pk}/itineraries/new/", itinerary_form(**changes))
    assert field_errors(response, "union_price_fen") == [
        "A price per person is at most ¥100,000.00."
    ]


@pytest.mark.parametrize("url", ["/bases/", "/bases/all/"])
@pytest.mark.parametrize(
    "query",
    [{"page": THIRTY_DIGITS}, {"page": "-1"}, {"base": 2**64}, {"min_days": "1e400"}],
)
def test_catalogue_pages_take_absurd_queries_without_error(catalogue, url, query):
    response = Client(raise_request_exception=False).get(url, query)
    assert response.status_code == 200
