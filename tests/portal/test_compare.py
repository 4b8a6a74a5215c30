"""Comparing itineraries: at most four picks, side by side, with the calculator's numbers."""

from __future__ import annotations

import pytest

from funds.calculator import quote
from portal import compare
from portal.catalogue.selectors import comparison
from portal.models import BaseLocation, OrgLocation
from recuperation.money import format_yuan
from tests.bases.factories import BatchFactory, ItineraryFactory

pytestmark = pytest.mark.django_db

TOGGLE = "/bases/compare/toggle/"


def toggle(client, itinerary, *, follow=True, **extra):
    pk = itinerary.pk if hasattr(itinerary, "pk") else itinerary
    return client.post(TOGGLE, {"itinerary": pk, "next": "/bases/compare/", **extra}, follow=follow)


def picks(client) -> list[int]:
    return client.session.get(compare.SESSION_KEY, [])


def messages_of(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]


def test_picking_and_taking_out_keeps_the_order_in_the_session(en, shop):
    response = toggle(en, shop.five, follow=False)
    assert response.status_code == 302 and response["Location"] == "/bases/compare/"
    toggle(en, shop.three)
    assert picks(en) == [shop.five.pk, shop.three.pk]
    html = en.get("/bases/compare/").content.decode()
    assert html.index("森林五日") < html.index("森林三日")
    response = toggle(en, shop.five)
    assert "“森林五日” is out of the comparison." in messages_of(response)
    assert picks(en) == [shop.three.pk]


def test_a_fifth_pick_is_refused_with_a_message(en, shop):
    for it in (shop.three, shop.five, shop.elders, shop.seaside):
        toggle(en, it)
    fifth = ItineraryFactory(base=shop.forest, title="第五条")
    response = toggle(en, fifth)
    assert messages_of(response) == [
        "You can compare at most 4 itineraries: take one out of the comparison before adding "
        "“第五条”."
    ]
    assert picks(en) == [shop.three.pk, shop.five.pk, shop.elders.pk, shop.seaside.pk]
    assert "第五条</a>" not in response.content.decode()  # named in the message, not a column


@pytest.mark.parametrize("bad", ["", "abc", "-3", "1,2", str(2**70), "999999"])
def test_a_bad_pick_is_a_message_and_stores_nothing(en, shop, bad):
    response = toggle(en, bad)
    assert response.status_code == 200
    assert messages_of(response) == ["Choose an itinerary of the catalogue to compare."]
    assert picks(en) == []


def test_an_itinerary_out_of_the_catalogue_cannot_be_picked_by_outsiders(client, tree, shop):
    hidden = ItineraryFactory(base=shop.forest, title="停用线路", active=False)
    toggle(client, hidden)
    assert picks(client) == []
    client.force_login(tree.user("operator"))  # it manages the base: it sees its own
    toggle(client, hidden)
    assert picks(client) == [hidden.pk]


def test_next_never_leaves_the_site(en, shop):
    response = toggle(en, shop.three, follow=False, next="https://evil.example/")
    assert response["Location"] == "/bases/compare/"


def test_emptying_the_comparison(en, shop):
    toggle(en, shop.three)
    en.post(TOGGLE, {"clear": "1"})
    assert picks(en) == []
    assert "Nothing to compare yet" in en.get("/bases/compare/").content.decode()


@pytest.mark.dates  # crosses New Year when run late in December
def test_a_workers_comparison_equals_the_calculator(tree, shop):
    """Every column's numbers are the calculator's, for the departure shown first."""
    user = tree.user("worker_a1")
    policy = shop.policies[1] if shop.batches["three"].start_date.year > shop.today.year else None
    policy = policy or shop.policies[0]
    data = comparison(user=user, ids=[shop.three.pk, shop.five.pk, shop.seaside.pk])
    assert [c.itinerary.pk for c in data.columns] == [shop.three.pk, shop.five.pk, shop.seaside.pk]
    for column in data.columns:
        it = column.itinerary
        expected = quote(
            policy=policy,
            category="member",
            days=it.days,
            in_province=it.in_province,
            union_price=it.union_price_fen,
        )
        assert column.quote == expected
        assert column.next_dates == [
            shop.batches[k].start_date
            for k in shop.batches
            if shop.batches[k].itinerary_id == it.pk
        ]
    three, five, sea = data.columns
    assert (three.quote.subsidy, three.quote.net_cost) == (60_000, 40_000)
    assert three.net_cost_per_day == 13_333  # ¥400 / 3 = ¥133.33
    assert five.net_cost_per_day == 4_000  # ¥200 / 5
    assert sea.net_cost_per_day == 20_000  # ¥1,000 / 5
    assert data.cheapest_id == shop.five.pk


def test_the_comparison_page_shows_every_row(en, tree, shop):
    OrgLocation.objects.create(org=tree.county_a, latitude="30.0000", longitude="120.0000")
    BaseLocation.objects.create(base=shop.forest, latitude="30.1000", longitude="120.0000")
    BaseLocation.objects.create(base=shop.sea, latitude="30.0000", longitude="121.0000")
    en.force_login(tree.user("worker_a1"))
    for it in (shop.three, shop.seaside):
        toggle(en, it)
    html = en.get("/bases/compare/").content.decode()
    rows = ["You pay", "May you apply?", "Union price", "Union subsidy", "You pay per day"]
    rows += ["Days", "Next departures", "Health items", "Stars", "Service score"]
    rows += ["Distance from your county seat", "Programme"]
    positions = [html.index(f">{row}</th>") for row in rows]
    assert positions == sorted(positions)  # the worker's own cost first
    for amount in (40_000, 60_000, 13_333, 100_000, 20_000):
        assert format_yuan(amount) in html
    # straight lines: 0.1° of latitude = 11.1 km; 1° of longitude at 30° N = 96.3 km
    assert "about 11 km" in html and "about 96 km" in html
    assert "90.0" in html and "★★★★☆" in html
    start = shop.batches["three"].start_date.isoformat()
    assert start in html and "第1天" in html
    assert "Yes (1 batch)" in html


def test_the_public_comparison_shows_union_prices_and_a_login_hint(en, shop):
    toggle(en, shop.three)
    toggle(en, shop.five)
    html = en.get("/bases/compare/").content.decode()
    assert ">You pay</th>" not in html and "Union price per day" in html
    assert format_yuan(33_333) in html and format_yuan(24_000) in html  # ¥1,000/3, ¥1,200/5
    assert "Log in as a union member to see your own cost" in html
    assert "Distance from your county seat" not in html


def test_a_shared_link_shows_those_itineraries(en, shop):
    ids = f"{shop.seaside.pk},{shop.three.pk}"
    html = en.get(f"/bases/compare/?ids={ids}").content.decode()
    assert html.index("滨海五日") < html.index("森林三日")
    assert picks(en) == []  # a shared link does not change one's own picks


def test_a_shared_link_with_too_many_or_bad_ids_says_so(en, shop):
    extra = ItineraryFactory(base=shop.forest, title="第五条")
    BatchFactory(itinerary=extra)
    ids = [shop.three.pk, shop.five.pk, shop.elders.pk, shop.seaside.pk, extra.pk]
    response = en.get("/bases/compare/", {"ids": ",".join(map(str, ids))})
    assert "At most 4 itineraries can be compared: the first 4 are shown." in messages_of(response)
    assert "第五条" not in response.content.decode()
    response = en.get("/bases/compare/", {"ids": "1,x"})
    assert response.status_code == 200
    assert "The link to this comparison is not valid." in messages_of(response)
    gone = ItineraryFactory(base=shop.forest, title="停用线路", active=False)
    response = en.get("/bases/compare/", {"ids": f"{shop.three.pk},{gone.pk}"})
    assert "1 itinerary you picked is no longer in the catalogue." in messages_of(response)
    assert "停用线路" not in response.content.decode()


def test_cards_and_the_itinerary_page_toggle_the_comparison(en, shop):
    html = en.get("/bases/").content.decode()
    assert html.count('action="/bases/compare/toggle/"') == 4  # one per card
    toggle(en, shop.three)
    html = en.get("/bases/").content.decode()
    assert "✓ In the comparison" in html and "1 itinerary picked to compare (at most 4)" in html
    detail = en.get(f"/bases/itineraries/{shop.three.pk}/").content.decode()
    assert "✓ In the comparison" in detail and "See the comparison (1)" in detail
