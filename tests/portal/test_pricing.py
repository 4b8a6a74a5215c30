"""Each worker's net cost in the catalogue: SQL and the calculator agree, and it sorts."""

from __future__ import annotations

from datetime import timedelta

import pytest

from accounts.models import WorkerCategory
from bases.models import Itinerary
from funds.calculator import quote
from portal import pricing
from tests.bases.factories import BaseFactory, BatchFactory, ItineraryFactory
from tests.dates import THIS_YEAR
from tests.funds.conftest import make_policy

pytestmark = pytest.mark.django_db


@pytest.fixture
def trips(tree):
    make_policy(THIS_YEAR, unit_share_percent=20)
    base = BaseFactory(county=tree.county_a, operator=tree.operator)
    short = ItineraryFactory(
        base=base, title="三日游", days=3, union_price_fen=100_000, standard_price_fen=120_000
    )
    long = ItineraryFactory(
        base=base, title="五日游", days=5, union_price_fen=120_000, standard_price_fen=150_000
    )
    far = ItineraryFactory(
        base=base,
        title="省外七日",
        days=7,
        in_province=False,
        union_price_fen=400_000,
        standard_price_fen=450_000,
    )
    for itinerary in (short, long, far):
        BatchFactory(itinerary=itinerary)
    return short, long, far


def titles(body) -> list[str]:
    return [r["title"] for r in body["results"]]


def test_a_worker_sees_their_own_subsidy_and_net_cost(client, tree, trips):
    client.force_login(tree.user("worker_a1"))  # an ordinary member: ¥200 a day
    results = {r["title"]: r for r in client.get("/api/v1/itineraries/").json()["results"]}
    assert (results["三日游"]["subsidy"], results["三日游"]["net_cost"]) == ("600.00", "320.00")
    assert (results["五日游"]["subsidy"], results["五日游"]["net_cost"]) == ("1000.00", "160.00")
    assert results["省外七日"]["subsidy"] == "1400.00"  # seven days count out of the province
    detail = client.get(f"/api/v1/itineraries/{trips[0].pk}/").json()
    assert detail["net_cost"] == "320.00"


def test_net_cost_ordering_differs_from_price_ordering(client, tree, trips):
    client.force_login(tree.user("worker_a1"))
    assert titles(client.get("/api/v1/itineraries/?ordering=price").json()) == [
        "三日游",
        "五日游",
        "省外七日",
    ]
    assert titles(client.get("/api/v1/itineraries/?ordering=net_cost").json()) == [
        "五日游",
        "三日游",
        "省外七日",
    ]
    assert titles(client.get("/api/v1/itineraries/?ordering=-net_cost").json())[0] == "省外七日"


@pytest.mark.parametrize("role", ["anonymous", "city_staff", "organizer_a1"])
def test_others_get_no_net_cost_field(client, tree, trips, role):
    if role != "anonymous":
        client.force_login(tree.user(role))
    result = client.get("/api/v1/itineraries/").json()["results"][0]
    assert "net_cost" not in result and "subsidy" not in result


def test_sql_net_cost_equals_the_calculator_for_every_category(tree, trips):
    policy = pricing.policy_for_catalogue(THIS_YEAR)
    worker = tree.user("worker_a1").worker
    for category in WorkerCategory.values:
        worker.category = category
        for used in (0, 250_000, 400_000):
            rows = pricing.annotate_net_cost(
                Itinerary.objects.all(), worker=worker, policy=policy, used_this_year=used
            )
            for it in rows:
                q = quote(
                    policy=policy,
                    category=category,
                    days=it.days,
                    in_province=it.in_province,
                    union_price=it.union_price_fen,
                    used_this_year=used,
                )
                assert (it.subsidy, it.net_cost) == (q.subsidy, q.net_cost), (
                    category,
                    used,
                    it.title,
                )


def test_worker_catalogue_queries_do_not_grow_with_page_size(
    client, tree, trips, django_assert_num_queries
):
    from django.core.cache import cache

    base = trips[0].base
    for n in range(30):
        BatchFactory(itinerary=ItineraryFactory(base=base, title=f"线路{n}"))
    client.force_login(tree.user("worker_a1"))
    client.get("/api/v1/itineraries/?page_size=20")  # warm the session
    cache.clear()
    # session, user, worker, their trips, the policies, the page (with its count)
    with django_assert_num_queries(6):
        client.get("/api/v1/itineraries/?page_size=20")
    with django_assert_num_queries(6):
        client.get("/api/v1/itineraries/?page_size=100")
    with django_assert_num_queries(6):
        client.get("/api/v1/itineraries/?page_size=100&ordering=net_cost")  # never cached
    # The page's rows are every worker's (only the prices are theirs): from the cache.
    with django_assert_num_queries(5):
        client.get("/api/v1/itineraries/?page_size=100")


def test_the_cached_rows_are_priced_for_each_worker(client, tree, trips):
    from accounts.models import WorkerCategory

    client.force_login(tree.user("worker_a1"))  # a member: ¥200 a day
    member = {
        r["title"]: r["net_cost"] for r in client.get("/api/v1/itineraries/").json()["results"]
    }
    model = tree.user("worker_b1").worker
    model.category = WorkerCategory.MODEL_WORKER  # ¥400 a day
    model.save()
    client.force_login(model.user)
    body = client.get("/api/v1/itineraries/").json()
    assert {r["title"]: r["net_cost"] for r in body["results"]} != member
    assert {r["title"]: r["subsidy"] for r in body["results"]}["三日游"] == "1000.00"


def test_pages_show_a_worker_their_cost_and_the_breakdown(client, tree, trips):
    client.force_login(tree.user("worker_a1"))
    html = client.get(f"/bases/itineraries/{trips[0].pk}/").content.decode()
    assert "¥320.00" in html and "¥600.00" in html
    html = client.get("/bases/").content.decode()
    assert "¥320.00" in html and "¥160.00" in html
    client.logout()
    assert "¥320.00" not in client.get(f"/bases/itineraries/{trips[0].pk}/").content.decode()


def cards(html: str) -> str:
    """The catalogue's cards (after "recommended for you", which lists titles too)."""
    return html[html.index('id="results"') :]


def test_catalogue_page_sorts_by_a_workers_own_cost(client, tree, trips):
    client.force_login(tree.user("worker_a1"))
    html = client.get("/bases/?sort=net_cost").content.decode()
    assert 'value="net_cost" selected' in html
    html = cards(html)
    assert html.index("五日游") < html.index("三日游") < html.index("省外七日")
    html = cards(client.get("/bases/?sort=price").content.decode())
    assert html.index("三日游") < html.index("五日游")
    client.logout()
    response = client.get("/bases/?sort=net_cost")
    assert response.status_code == 200
    html = response.content.decode()
    assert 'value="net_cost"' not in html  # not offered, and the request falls back…
    assert "alert-warning" in html and "职工" in html  # …with a message that says why


@pytest.mark.dates
def test_each_trip_is_priced_for_the_year_of_its_next_departure(client, tree):
    """Next year's policy (¥300 a day, no unit share) for a trip leaving next year, with what the
    worker already has approved for next year; this year's (¥200, the unit pays 10 %) for a
    trip with no departure taking sign-ups."""
    from datetime import date

    from django.utils import timezone

    from applications.models import Application, Status

    today = timezone.localdate()
    make_policy(today.year, unit_share_percent=10)
    make_policy(today.year + 1, rate_member=30_000)
    base = BaseFactory(county=tree.county_a, operator=tree.operator)
    trips = {
        key: ItineraryFactory(base=base, title=key, days=5, union_price_fen=200_000)
        for key in ("next year", "in two years", "no departure")
    }
    BatchFactory(itinerary=trips["next year"], start_date=date(today.year + 1, 3, 1))
    BatchFactory(itinerary=trips["in two years"], start_date=date(today.year + 2, 3, 1))
    worker = tree.user("worker_a1").worker
    Application.objects.create(
        worker=worker,
        batch=BatchFactory(
            itinerary=trips["no departure"], start_date=date(today.year + 1, 6, 1), status="closed"
        ),
        union=tree.union_a1,
        funding_org=tree.county_a,
        year=today.year + 1,
        status=Status.APPROVED,
        price_fen=400_000,
        subsidy_fen=250_000,
        net_cost_fen=150_000,
    )
    priced = pricing.pricing_for(worker.user)
    rows = {it.title: it for it in priced.annotate(Itinerary.objects.all())}
    # next year: min(5 × ¥300, ¥3,000 − ¥2,500 left) = ¥500 → pays ¥1,500
    # in two years: that year has no policy yet: next year's, nothing used → ¥1,500 → pays ¥500
    # no departure: this year, 5 × ¥200 = ¥1,000; the unit pays 10 % of ¥1,000 → pays ¥900
    expected = {
        "next year": (today.year + 1, 50_000, 0, 150_000),
        "in two years": (today.year + 2, 150_000, 0, 50_000),
        "no departure": (today.year, 100_000, 10_000, 90_000),
    }
    for title, (year, subsidy, share, net) in expected.items():
        it = rows[title]
        assert (it.price_year, it.subsidy, it.unit_share, it.net_cost) == (
            year,
            subsidy,
            share,
            net,
        )
        q = priced.quote(it)
        assert (q.subsidy, q.unit_share, q.net_cost) == (subsidy, share, net), title
    client.force_login(worker.user)
    api = {r["title"]: r["net_cost"] for r in client.get("/api/v1/itineraries/").json()["results"]}
    assert api == {"next year": "1500.00", "in two years": "500.00", "no departure": "900.00"}


@pytest.mark.dates
@pytest.mark.parametrize(
    "query",
    [
        {},
        {"ordering": "price"},
        {"ordering": "-days"},
        {"ordering": "net_cost"},
        {"ordering": "-net_cost,days"},
        {"min_days": "4", "ordering": "stars"},
        {"available": "true", "page_size": "2", "page": "2"},
    ],
)
def test_the_priced_list_from_values_is_exactly_the_serializers(client, tree, query):
    """The worker's list is built from ``.values()`` and priced by the calculator; it equals
    ``WorkerItinerarySerializer`` over the SQL-priced itineraries (``Pricing.annotate``), across
    years with different policies, a cap partly used, and trips too long to subsidise fully."""
    import json
    from datetime import date

    from django.utils import timezone

    from applications.models import Application, Status
    from portal.api import PricedItineraryViewSet, WorkerItinerarySerializer

    today = timezone.localdate()
    make_policy(today.year, unit_share_percent=10)
    make_policy(today.year + 1, rate_member=30_000, yearly_cap_per_person=260_000)
    base = BaseFactory(county=tree.county_a, operator=tree.operator)
    departures = {
        "next year": date(today.year + 1, 3, 1),
        "in two years": date(today.year + 2, 3, 1),
        "no departure": None,
        "soon": today + timedelta(days=40),
    }
    for n, (title, start) in enumerate(departures.items()):
        for days, in_province in ((3, True), (6, True), (9, False)):
            it = ItineraryFactory(
                base=base,
                title=f"{title} {days}",
                days=days,
                in_province=in_province,
                union_price_fen=90_000 + 37_000 * days + n * 1_000,
                standard_price_fen=900_000,
            )
            if start is not None:
                BatchFactory(itinerary=it, start_date=start)
    worker = tree.user("worker_a1").worker
    Application.objects.create(
        worker=worker,
        batch=BatchFactory(itinerary=it, start_date=date(today.year + 1, 6, 1), status="closed"),
        union=tree.union_a1,
        funding_org=tree.county_a,
        year=today.year + 1,
        status=Status.APPROVED,
        price_fen=400_000,
        subsidy_fen=150_000,
        net_cost_fen=250_000,
    )
    client.force_login(worker.user)
    priced = pricing.pricing_for(worker.user)
    from bases.selectors import itineraries_for_catalogue

    filters = {k: v for k, v in query.items() if k not in ("ordering", "page", "page_size")}
    qs = priced.annotate(itineraries_for_catalogue(user=worker.user, filters=filters))
    ordering = (
        query["ordering"].split(",") if "ordering" in query else PricedItineraryViewSet.ordering
    )
    everything = WorkerItinerarySerializer(qs.order_by(*ordering, "pk"), many=True).data
    size, page = int(query.get("page_size", 20)), int(query.get("page", 1))
    expected = json.loads(json.dumps(everything))[(page - 1) * size : page * size]
    for _ in range(2):  # built, then from the cache (or built again: sorted by net cost)
        body = client.get("/api/v1/itineraries/", query).json()
        assert body["results"] == expected
        assert body["count"] == len(everything) > 0
