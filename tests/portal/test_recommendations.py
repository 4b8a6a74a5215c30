"""``GET /api/v1/recommendations/`` (DESIGN §5) and the "recommended for you" sections."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from applications import services
from bases.models import Review
from portal import recommend
from portal.catalogue.recommendations import candidates
from portal.pricing import pricing_for
from tests.applications.conftest import fund
from tests.bases.factories import BaseFactory, BatchFactory, ItineraryFactory
from tests.dates import THIS_YEAR

pytestmark = pytest.mark.django_db

URL = "/api/v1/recommendations/"


def results(client, **params) -> list[dict]:
    response = client.get(URL, params, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200, response.content
    body = response.json()
    assert set(body) == {"count", "next", "previous", "results"}
    return body["results"]


def test_a_worker_gets_what_they_may_apply_for_best_first_with_a_reason(client, tree, shop):
    client.force_login(tree.user("worker_a1"))
    rows = results(client)
    # 长者七日 is for ages 50–60: worker_a1 may not apply, so it never appears.
    assert [r["title"] for r in rows] == ["森林五日", "森林三日", "滨海五日"]
    five, three, sea = rows
    assert (five["id"], five["net_cost"], five["subsidy"]) == (shop.five.pk, "200.00", "1000.00")
    assert (three["net_cost"], sea["net_cost"]) == ("400.00", "1000.00")
    # 森林五日: cost 40 × (1 − 200/1000) = 32; quality 0.3 × 90 = 27 → 59
    # 森林三日: cost 40 × (1 − 400/1000) = 24; quality 27 → 51
    # 滨海五日: cost 0 (¥1,000); quality 6 × 3 stars = 18 → 18
    assert [r["score"] for r in rows] == ["59.0", "51.0", "18.0"]
    assert five["reason"] == "you pay ¥200.00; service score 90.0"
    assert sea["reason"] == "you pay ¥1,000.00"
    assert five["next_start"] == shop.batches["five"].start_date.isoformat()
    assert five["themes"] == ["green"] and five["base_name"] == "青山森林"


def test_the_reason_is_in_the_users_language(client, tree, shop):
    client.force_login(tree.user("worker_a1"))
    body = client.get(URL).json()  # zh-hans by default
    assert body["results"][0]["reason"] == "个人自付 ¥200.00；服务评分 90.0"


def test_themes_they_went_for_and_their_free_dates_count(client, tree, shop):
    """A 5★ review of a blue base lifts 滨海五日 (theme +15); free dates around its departure
    lift every trip departing then (+10 each)."""
    worker = tree.user("worker_a1")
    Review.objects.create(
        base=BaseFactory(county=tree.county_b, operator=tree.operator_b, themes=["blue"]),
        author=worker,
        rating=5,
        application_ref="test:1",
    )
    client.force_login(worker)
    sea = next(r for r in results(client) if r["title"] == "滨海五日")
    assert sea["score"] == "33.0" and "Blue seaside, like trips you chose before" in sea["reason"]
    start = shop.batches["sea"].start_date
    rows = results(client, start_after=start.isoformat(), start_before=start.isoformat())
    assert [r["score"] for r in rows] == ["69.0", "61.0", "43.0"]
    assert all("when you are free" in r["reason"] for r in rows)


@pytest.mark.dates  # crosses New Year when run late in December
def test_a_worker_refused_by_the_frequency_window_gets_no_trip_that_year(client, tree, shop):
    worker = tree.user("worker_a1").worker
    batch = shop.batches["three"]
    fund(tree.county_a, batch.start_date.year)
    services.application_submit(worker=worker, batch=batch, by=worker.user)
    client.force_login(worker.user)
    # Every batch departs the same day in the same year: one trip a year allows no other.
    assert results(client) == []
    later = BatchFactory(
        itinerary=shop.five,
        start_date=batch.start_date.replace(year=batch.start_date.year + 1, day=1),
    )
    assert [r["title"] for r in results(client)] == ["森林五日"]
    assert results(client)[0]["next_start"] == later.start_date.isoformat()


def test_the_api_ranks_as_the_pure_function_does(tree, shop):
    user = tree.user("worker_a1")
    from applications.selectors import eligibility_of

    pairs = candidates(pricing_for(user), eligibility_of(user))
    profile = recommend.Profile(birth_date=user.worker.birth_date)
    expected = [r.candidate.id for r in recommend.rank([c for _it, c in pairs], profile)]
    assert expected == [shop.five.pk, shop.three.pk, shop.seaside.pk]


@pytest.mark.parametrize("role", ["city_staff", "organizer_a1", "operator", "agency", "admin"])
def test_anyone_but_a_worker_gets_a_403_with_a_message(client, tree, shop, role):
    client.force_login(tree.user(role))
    response = client.get(URL, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 403
    assert response.json()["detail"].startswith("Recommendations are for workers")


def test_anonymous_is_asked_to_authenticate(client, shop):
    response = client.get(URL)
    assert response.status_code == 401 and "detail" in response.json()


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"start_after": "tomorrow"}, "start_after"),
        ({"start_before": "9999-99-99"}, "start_before"),
        (
            {"start_after": f"{THIS_YEAR + 4}-02-01", "start_before": f"{THIS_YEAR + 4}-01-01"},
            "start_before",
        ),
    ],
)
def test_bad_free_dates_are_a_400_on_the_field(client, tree, shop, params, field):
    client.force_login(tree.user("worker_a1"))
    response = client.get(URL, params)
    assert response.status_code == 400 and field in response.json()


def test_recommendations_cost_the_same_queries_for_a_bigger_catalogue(client, tree, shop):
    client.force_login(tree.user("worker_a1"))
    results(client)
    with CaptureQueriesContext(connection) as few:
        results(client)
    for n in range(20):
        it = ItineraryFactory(base=shop.forest, title=f"加开{n}", days=3)
        for weeks in (6, 8):
            BatchFactory(itinerary=it, start_date=shop.today + timedelta(weeks=weeks))
    with CaptureQueriesContext(connection) as many:
        body = client.get(URL).json()
    assert body["count"] == 23 and len(body["results"]) == 20 and body["next"]
    assert len(few) == len(many)


def test_the_catalogue_and_the_home_recommend_to_workers_only(en, tree, shop):
    en.force_login(tree.user("worker_a1"))
    for url in ("/bases/", "/"):
        html = en.get(url).content.decode()
        section = html[html.index("Recommended for you") :]
        assert section.index("森林五日") < section.index("森林三日")
        assert "service score 90.0" in section
    for n in range(20):
        BatchFactory(itinerary=ItineraryFactory(base=shop.forest, title=f"加开{n}"))
    html = en.get("/bases/?page=2").content.decode()
    assert "加开" in html and "Recommended for you" not in html  # page 1 only
    en.force_login(tree.user("city_staff"))
    assert "Recommended for you" not in en.get("/bases/").content.decode()
