"""The publicity part of ``seed_demo``: a few articles of each kind relative to the demo's
today, routes linking demo itineraries, idempotent."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import transaction

from accounts.demo import SeedReport, demo_today, seed_people
from bases import demo as bases_demo
from bases.models import Theme
from funds import demo as funds_demo
from publicity import demo as publicity_demo
from publicity import selectors
from publicity.models import Article, Kind, Status
from recuperation.money import format_yuan
from tests.conftest import fire_deferred_checks

pytestmark = [pytest.mark.django_db, pytest.mark.dates]


def snapshot() -> list:
    return list(
        Article.objects.order_by("pk").values_list(
            "pk", "kind", "status", "title", "published_at", "event_date", "updated_at"
        )
    )


@pytest.fixture(scope="module")
def seeded(django_db_setup, django_db_blocker):
    """People, bases and the subsidy policies, then the publicity part twice (the money story is
    seed_demo's, tests/test_seed_demo.py, which also checks the demo's disclosure); rolled back."""
    with django_db_blocker.unblock(), transaction.atomic():
        report = bases_demo.seed(seed_people())
        funds_demo._seed_policies(report, report.today.year)  # what the policy texts quote
        publicity_demo.seed(report)
        first = snapshot()
        again = publicity_demo.seed(SeedReport(today=demo_today()))
        fire_deferred_checks()
        yield first, again, snapshot()
        transaction.set_rollback(True)


def test_a_second_run_creates_and_changes_nothing(seeded):
    first, report, second = seeded
    assert report.created["articles"] == 0
    assert first == second


def test_a_few_of_each_kind_are_published_relative_to_today(seeded):
    today = demo_today()
    for kind in Kind.values:
        published = Article.objects.filter(kind=kind, status=Status.PUBLISHED)
        assert published.count() >= 2, kind
        for article in published:
            assert today - timedelta(days=90) <= article.published_at.date() <= today
    assert Article.objects.filter(status=Status.DRAFT).exists()  # staff see a draft
    upcoming = Article.objects.filter(
        kind=Kind.EVENT, event_date__gt=today, event_date__lte=today + timedelta(days=45)
    )
    assert upcoming.exists(), "a promotion event next month"


def test_each_themes_route_links_itineraries_of_that_theme(seeded):
    for theme in Theme.values:
        route = Article.objects.get(kind=Kind.ROUTE, theme=theme, status=Status.PUBLISHED)
        itineraries = list(route.itineraries.select_related("base"))
        assert itineraries, theme
        for itinerary in itineraries:
            assert theme in itinerary.base.themes, (theme, itinerary)


def test_the_policy_explanation_quotes_this_years_numbers(seeded):
    policy = selectors.policy_in_force(demo_today().year)
    explanation = Article.objects.get(
        kind=Kind.POLICY, title=f"{demo_today().year}年职工疗休养补助政策解读"
    )
    assert format_yuan(policy.rate_model_worker) in explanation.body
    assert format_yuan(policy.yearly_cap_per_person) in explanation.body


def test_the_home_shows_the_demo_routes_and_events(seeded, client):
    home = client.get("/").content.decode()
    for title in ("红色精品线路", "绿色精品线路", "蓝色精品线路", "职工疗休养基地推介会"):
        assert title in home
