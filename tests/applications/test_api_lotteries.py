"""Seat lotteries over the API: staff announce and draw; anyone reads and re-runs the draw."""

from __future__ import annotations

import pytest

from applications import lottery as rule
from applications import services
from applications.models import Application, Lottery
from tests.applications.api_support import (
    apply,
    client_for,
    close_signups,
    each_role,
    roles,
    snapshot,
)
from tests.bases.factories import BatchFactory, ItineraryFactory
from tests.factories import WorkerFactory

pytestmark = pytest.mark.django_db

STAFF_A = {"admin": 201, "city_staff": 201, "county_a_staff": 201}


def lottery_url(batch, suffix: str = "") -> str:
    return f"/api/v1/batches/{batch.pk}/lottery/{suffix}"


def new_batch(trip, **kwargs):
    """Another batch at the trip's base (an itinerary of its own: one batch per start date)."""
    itinerary = ItineraryFactory(base=trip.itinerary.base, days=5, union_price_fen=200_000)
    return BatchFactory(itinerary=itinerary, **kwargs)


def pooled_batch(tree, trip, *, capacity: int = 2, applicants: int = 5):
    """A batch of ``capacity`` seats with a lottery announced, ``applicants`` in the pool and
    the sign-up deadline passed."""
    batch = new_batch(trip, capacity=capacity)
    services.lottery_announce(batch=batch, by=None)
    for _ in range(applicants):
        apply(WorkerFactory(union=tree.union_a1), batch)
    close_signups(batch)
    return batch


def test_announce_for_every_role(tree, trip):
    # Batches are public, so everyone sees them: refusals are 403, not 404.
    each_role(
        tree,
        roles(403, **STAFF_A),
        lambda api, batch: api.post(lottery_url(batch)),
        make=lambda: new_batch(trip),
    )
    assert Lottery.objects.count() == 3


def test_after_the_announcement_sign_ups_join_the_pool(tree, trip):
    response = client_for(tree, "county_a_staff").post(lottery_url(trip.batch))
    assert response.status_code == 201
    body = response.json()
    assert (body["drawn"], body["seed"], body["result"]) == (False, None, [])
    response = client_for(tree, "worker_a1").post(
        "/api/v1/applications/", {"batch": trip.batch.pk}, format="json"
    )
    assert response.json()["status"] == "waitlisted"
    before = snapshot()
    assert client_for(tree, "county_a_staff").post(lottery_url(trip.batch)).status_code == 400
    assert snapshot() == before


def test_draw_publishes_a_reproducible_result(tree, trip):
    batch = pooled_batch(tree, trip)
    api = client_for(tree, "county_a_staff")
    response = api.post(lottery_url(batch, "draw/"), {"seed": 20_240_601}, format="json")
    assert response.status_code == 200
    body = response.json()
    assert body["drawn"] is True
    assert body["seed"] == "20240601"
    assert body["seats"] == 2
    assert len(body["candidates"]) == 5
    assert rule.draw(int(body["seed"]), body["candidates"]) == body["result"]
    winners = set(body["result"][:2])
    held = set(
        Application.objects.filter(batch=batch, status="submitted").values_list("pk", flat=True)
    )
    assert held == winners
    public = client_for(tree, "anonymous").get(f"/api/v1/lotteries/{body['id']}/").json()
    assert public == body
    assert client_for(tree, "anonymous").get(lottery_url(batch)).json() == body
    listed = client_for(tree, "anonymous").get(f"/api/v1/lotteries/?batch={batch.pk}").json()
    assert [r["id"] for r in listed["results"]] == [body["id"]]
    before = snapshot()
    assert api.post(lottery_url(batch, "draw/")).status_code == 400  # drawn once only
    assert snapshot() == before


def test_draw_for_every_role(tree, trip):
    each_role(
        tree,
        roles(403, admin=200, city_staff=200, county_a_staff=200),
        lambda api, batch: api.post(lottery_url(batch, "draw/")),
        make=lambda: pooled_batch(tree, trip, applicants=2),
    )
    assert Lottery.objects.filter(drawn_at__isnull=False).count() == 3


def test_draw_before_the_deadline_or_without_a_lottery_is_a_400(tree, trip):
    api = client_for(tree, "county_a_staff")
    before = snapshot()
    response = api.post(lottery_url(trip.batch, "draw/"))
    assert response.status_code == 400
    assert "No lottery" in str(response.json())
    services.lottery_announce(batch=trip.batch, by=None)
    before = snapshot()
    response = api.post(lottery_url(trip.batch, "draw/"))
    assert response.status_code == 400
    assert "after the sign-up deadline" in response.json()["detail"][0]
    assert snapshot() == before


@pytest.mark.parametrize("seed", ["x", -1, 2**63, 1.5, [1]])
def test_junk_seeds_are_400(tree, trip, seed):
    batch = pooled_batch(tree, trip, applicants=1)
    before = snapshot()
    response = client_for(tree, "county_a_staff").post(
        lottery_url(batch, "draw/"), {"seed": seed}, format="json"
    )
    assert response.status_code == 400
    assert snapshot() == before


@pytest.mark.parametrize("pk", ["abc", "0", "99999999999999999999999"])
def test_junk_ids_are_404(tree, trip, pk):
    api = client_for(tree, "admin")
    assert api.get(f"/api/v1/lotteries/{pk}/").status_code == 404
    assert api.get(f"/api/v1/batches/{pk}/lottery/").status_code == 404
    assert api.post(f"/api/v1/batches/{pk}/lottery/").status_code == 404
    assert api.post(f"/api/v1/batches/{pk}/lottery/draw/").status_code == 404


def test_no_lottery_yet_is_404_and_anonymous_may_not_announce(tree, trip):
    assert client_for(tree, "anonymous").get(lottery_url(trip.batch)).status_code == 404
    assert client_for(tree, "anonymous").post(lottery_url(trip.batch)).status_code == 401
    assert client_for(tree, "anonymous").get("/api/v1/lotteries/").json()["count"] == 0
