"""Fixtures of the portal tests: a small priced catalogue under this year's policy."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.conf import settings
from django.utils import timezone

from bases.models import Base, Batch, Itinerary
from funds.models import SubsidyPolicy
from tests.bases.conftest import catalogue, other_operator, today  # noqa: F401 - shared fixtures
from tests.bases.factories import BaseFactory, BatchFactory, ItineraryFactory
from tests.funds.conftest import make_policy


@dataclass
class Shop:
    """Two bases and four itineraries, each with one batch in 40 days.

    worker_a1 (tests/conftest.py) is an ordinary member in his forties: ¥200 a day, at most
    5 days in the province, a ¥3,000 yearly cap. Their net costs by hand:

    - 森林三日: 3 days, ¥1,000 → subsidy 3 × ¥200 = ¥600 → pays ¥400
    - 森林五日: 5 days, ¥1,200 → subsidy 5 × ¥200 = ¥1,000 → pays ¥200
    - 长者七日: 7 days, ¥3,000, ages 50–60 (worker_a1 is too young) → subsidy ¥1,000 → ¥2,000
    - 滨海五日: 5 days, ¥2,000, county B → subsidy ¥1,000 → pays ¥1,000
    """

    forest: Base
    sea: Base
    three: Itinerary
    five: Itinerary
    elders: Itinerary
    seaside: Itinerary
    batches: dict[str, Batch]
    policies: list[SubsidyPolicy]
    today: date


@pytest.fixture
def shop(tree) -> Shop:
    day = timezone.localdate()
    policies = [make_policy(day.year), make_policy(day.year + 1)]
    forest = BaseFactory(
        name="青山森林",
        county=tree.county_a,
        operator=tree.operator,
        themes=["green"],
        stars=4,
        service_score=Decimal("90.0"),
    )
    sea = BaseFactory(
        name="临海滨海",
        county=tree.county_b,
        operator=tree.operator_b,
        themes=["blue"],
        products=["seaside"],
        stars=3,
    )
    three = ItineraryFactory(
        base=forest, title="森林三日", days=3, union_price_fen=100_000, standard_price_fen=120_000
    )
    five = ItineraryFactory(
        base=forest,
        title="森林五日",
        days=5,
        union_price_fen=120_000,
        standard_price_fen=150_000,
        includes_checkup=True,
    )
    elders = ItineraryFactory(
        base=forest,
        title="长者七日",
        days=7,
        union_price_fen=300_000,
        standard_price_fen=350_000,
        min_age=50,
        max_age=60,
    )
    seaside = ItineraryFactory(
        base=sea, title="滨海五日", days=5, union_price_fen=200_000, standard_price_fen=200_000
    )
    start = day + timedelta(days=40)
    batches = {
        key: BatchFactory(itinerary=it, start_date=start)
        for key, it in {"three": three, "five": five, "elders": elders, "sea": seaside}.items()
    }
    return Shop(forest, sea, three, five, elders, seaside, batches, policies, day)


@pytest.fixture
def en(client):
    """A client reading pages in English (assertions independent of the catalogue)."""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def cards(html: str) -> str:
    """The catalogue's cards (after "recommended for you", which names itineraries too)."""
    return html[html.index('id="results"') :]


def card_of(html: str, title: str) -> str:
    """The one catalogue card of the itinerary called ``title``."""
    found = [c for c in cards(html).split("<article")[1:] if f">{title}</a></h2>" in c]
    assert len(found) == 1, title
    return found[0]
