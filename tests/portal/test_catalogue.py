"""The priced catalogue's pages for a worker: their own cost first, whether they may apply and
why not, the age filter from their profile, filter errors by label, and the phone layout."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from applications import services
from applications.models import Application, Status
from portal.models import BaseLocation, OrgLocation
from tests.applications.conftest import fund
from tests.bases.factories import BatchFactory, ItineraryFactory
from tests.portal.conftest import card_of, cards

pytestmark = pytest.mark.django_db


def page(client, url: str, **params) -> str:
    response = client.get(url, params)
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def as_worker(client, tree):
    client.force_login(tree.user("worker_a1"))
    return client


# --- Cards -----------------------------------------------------------------------------------


def test_a_workers_card_leads_with_their_own_cost_then_the_union_price(en, tree, shop):
    html = page(as_worker(en, tree), "/bases/")
    card = card_of(html, "森林三日")
    assert card.index("You pay") < card.index("¥400.00") < card.index("Union price ¥1,000.00")
    assert "Union price ¥1,000.00 − subsidy ¥600.00" in card
    assert "¥200.00" in card_of(html, "森林五日")  # ¥1,200 − 5 × ¥200
    assert "¥1,000.00" in card_of(html, "滨海五日")  # ¥2,000 − 5 × ¥200


def test_others_see_the_union_price_and_no_cost_of_their_own(en, tree, shop):
    for role in (None, "city_staff", "organizer_a1"):
        if role:
            en.force_login(tree.user(role))
        card = card_of(page(en, "/bases/"), "森林三日")
        assert "You pay" not in card and "¥1,000.00" in card and "<s>¥1,200.00</s>" in card


def test_the_age_filter_starts_from_the_workers_profile(en, tree, shop):
    worker = tree.user("worker_a1").worker
    client = as_worker(en, tree)
    html = page(client, "/bases/")
    assert f'name="age" value="{worker.age}"' in html
    assert "Your age is filled in from your profile" in html
    assert "长者七日" not in cards(html)  # ages 50–60
    html = page(client, "/bases/", age="")  # cleared: every age group, and why not
    card = card_of(html, "长者七日")
    assert "Cannot apply:" in card and "This itinerary is for ages 50–60" in card
    assert 'name="age" value=""' in html
    en.logout()
    assert "长者七日" in cards(page(en, "/bases/"))  # anonymous: no profile, no filter


@pytest.mark.dates  # crosses New Year when run late in December
def test_cards_say_why_a_worker_may_not_apply(en, tree, shop):
    """Frequency window: an application for another trip that year refuses the others."""
    worker = tree.user("worker_a1").worker
    year_of = shop.batches["three"].start_date
    other = BatchFactory(
        itinerary=ItineraryFactory(base=shop.forest, title="另一线路", days=3),
        start_date=year_of + timedelta(days=10)
        if (year_of + timedelta(days=15)).year == year_of.year
        else year_of - timedelta(days=10),
    )
    fund(tree.county_a, other.start_date.year)
    services.application_submit(worker=worker, batch=other, by=worker.user)
    html = page(as_worker(en, tree), "/bases/")
    card = card_of(html, "森林三日")
    assert "Cannot apply:" in card and "The policy allows 1 subsidised trip a year" in card
    assert "/applications/apply/" not in card
    assert "Applied" in card_of(html, "另一线路")


@pytest.mark.dates
def test_a_worker_who_used_the_yearly_cap_is_told_and_priced_without_subsidy(en, tree, shop):
    """¥3,000 approved this year: this year's departures carry no subsidy; next year's do."""
    worker = tree.user("worker_a1").worker
    today = shop.today
    earlier = BatchFactory(
        itinerary=ItineraryFactory(base=shop.forest, title="年初七日", days=7),
        start_date=date(today.year, 1, 1),
        status="closed",
    )
    Application.objects.create(  # as the workflow leaves an approved trip
        worker=worker,
        batch=earlier,
        union=worker.union,
        funding_org=tree.county_a,
        year=today.year,
        status=Status.APPROVED,
        price_fen=400_000,
        subsidy_fen=300_000,
        net_cost_fen=100_000,
    )
    html = page(as_worker(en, tree), "/bases/", age="")
    assert f"You have used all of your subsidy for {today.year}" in html
    card = card_of(html, "森林三日")
    if shop.batches["three"].start_date.year == today.year:
        assert "subsidy ¥0.00" in card and "¥1,000.00" in card
    else:  # departs next year: next year's cap is whole
        assert "subsidy ¥600.00" in card and "¥400.00" in card


def test_filter_errors_name_the_field_by_its_label_in_chinese(client, shop):
    html = page(client, "/bases/", theme="purple", max_price="abc")
    alert = html[html.index("alert-danger") : html.index('<div class="row g-3">')]
    assert "主题" in alert and "工会价上限（元）" in alert
    assert "max_price" not in alert and "theme:" not in alert


def test_on_a_phone_the_results_come_before_the_folded_filters(client, tree, shop):
    for params in ({}, {"theme": "green", "county": "CA"}):
        html = page(as_worker(client, tree), "/bases/", **params)
        form = html[html.index('<form method="get" id="filters"') :][:200]
        assert 'class="collapse d-lg-block' in form and " show" not in form  # folded
        assert 'data-bs-target="#filters"' in html
    assert "bootstrap.bundle.min.js" in html and "cdn" not in html.lower()


def test_a_workers_catalogue_costs_the_same_queries_for_more_cards(client, tree, shop):
    client = as_worker(client, tree)
    page(client, "/bases/")
    with CaptureQueriesContext(connection) as few:
        page(client, "/bases/")
    for n in range(25):
        BatchFactory(itinerary=ItineraryFactory(base=shop.forest, title=f"加开{n}"))
    with CaptureQueriesContext(connection) as many:
        page(client, "/bases/")
    assert len(few) == len(many)


# --- The itinerary page ------------------------------------------------------------------------


def test_the_itinerary_page_puts_the_workers_cost_right_under_the_title(en, tree, shop):
    html = page(as_worker(en, tree), f"/bases/itineraries/{shop.three.pk}/")
    title = html.index("<h1")
    phone = html.index('id="cost-phone"')
    assert title < phone < html.index("Programme")
    block = html[phone : html.index("</table>", phone)]
    assert "Your cost after the union subsidy" in block
    assert "¥1,000.00" in block and "− ¥600.00" in block and "¥400.00" in block
    start = shop.batches["three"].start_date.isoformat()
    assert f"departing {start}" in html
    assert "You may apply for 1 batch." in html


def test_the_itinerary_page_shows_the_public_the_union_price(en, shop):
    html = page(en, f"/bases/itineraries/{shop.three.pk}/")
    block = html[html.index('id="cost-phone"') :][:600]
    assert "Union price per person" in block and "¥1,000.00" in block
    assert "Your cost" not in html and "Log in to apply" in html


def test_the_itinerary_page_says_how_far_the_base_is(en, tree, shop):
    # 0.1 degree of latitude apart: 6371 km × 0.1 × π / 180 = 11.1 km
    OrgLocation.objects.create(org=tree.county_a, latitude="30.0000", longitude="120.0000")
    BaseLocation.objects.create(base=shop.forest, latitude="30.1000", longitude="120.0000")
    html = page(as_worker(en, tree), f"/bases/itineraries/{shop.three.pk}/")
    assert "About 11 km from your county seat, in a straight line" in html
    worker_b = en.force_login(tree.user("worker_b1")) or en  # county B has no location
    assert "km from your county seat" not in page(worker_b, f"/bases/itineraries/{shop.three.pk}/")
