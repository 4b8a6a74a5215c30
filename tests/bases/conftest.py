from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import pytest
from django.utils import timezone

from bases.models import Base, BaseStatus, Batch, Itinerary
from tests.bases.factories import BaseFactory, BatchFactory, ItineraryFactory


@pytest.fixture
def today() -> date:
    return timezone.localdate()


@pytest.fixture
def base(tree) -> Base:
    """An active base in county A, run by the tree's operator."""
    return BaseFactory(name="甲县森林基地", county=tree.county_a, operator=tree.operator)


@pytest.fixture
def other_operator(tree):
    return tree.operator_b


@pytest.fixture
def other_base(tree, other_operator) -> Base:
    """An active base in county B run by another operator."""
    return BaseFactory(name="乙县海滨基地", county=tree.county_b, operator=other_operator)


@dataclass
class Catalogue:
    forest: Base
    sea: Base
    red: Base
    exited: Base
    applying: Base
    short_cheap: Itinerary  # forest base, 3 days, ¥900, batch in 10 days
    long_forest: Itinerary  # forest base, 7 days, ¥3,000, ages 50-60, batch in 60 days
    sea_trip: Itinerary  # sea base, 5 days, ¥2,000, social add-on, batch in 100 days
    red_trip: Itinerary  # red base (B), 4 days, ¥1,500, no batch
    inactive: Itinerary  # forest base, inactive
    gone: Itinerary  # exited base
    batches: dict[str, Batch]


@pytest.fixture
def catalogue(tree, other_operator, today) -> Catalogue:
    """A small catalogue across counties A and B with known themes, products, prices and dates."""
    forest = BaseFactory(
        name="青山森林",
        county=tree.county_a,
        operator=tree.operator,
        themes=["green"],
        products=["forest", "tea"],
        stars=5,
    )
    sea = BaseFactory(
        name="临海滨海",
        county=tree.county_a,
        operator=tree.operator,
        themes=["blue"],
        products=["seaside"],
        stars=3,
        status=BaseStatus.WATCH,
    )
    red = BaseFactory(
        name="红石纪念馆",
        county=tree.county_b,
        operator=other_operator,
        themes=["red", "green"],
        products=["other"],
        stars=4,
    )
    exited = BaseFactory(
        name="已退出温泉",
        county=tree.county_a,
        operator=tree.operator,
        themes=["green"],
        products=["hot_spring"],
        stars=2,
        status=BaseStatus.EXITED,
    )
    applying = BaseFactory(
        name="申报中基地",
        county=tree.county_b,
        operator=other_operator,
        themes=["blue"],
        products=["medical"],
        stars=0,
        status=BaseStatus.APPLIED,
    )
    short_cheap = ItineraryFactory(
        base=forest, title="森林三日", days=3, standard_price_fen=100000, union_price_fen=90000
    )
    long_forest = ItineraryFactory(
        base=forest,
        title="森林七日",
        days=7,
        standard_price_fen=350000,
        union_price_fen=300000,
        min_age=50,
        max_age=60,
        includes_checkup=True,
    )
    sea_trip = ItineraryFactory(
        base=sea,
        title="滨海五日",
        days=5,
        standard_price_fen=200000,
        union_price_fen=200000,
        addons=["social"],
        in_province=False,
    )
    red_trip = ItineraryFactory(
        base=red, title="红色四日", days=4, standard_price_fen=160000, union_price_fen=150000
    )
    inactive = ItineraryFactory(base=forest, title="停用线路", days=4, active=False)
    gone = ItineraryFactory(base=exited, title="温泉五日", days=5)
    batches = {
        "short": BatchFactory(itinerary=short_cheap, start_date=today + timedelta(days=10)),
        "long": BatchFactory(itinerary=long_forest, start_date=today + timedelta(days=60)),
        "sea": BatchFactory(itinerary=sea_trip, start_date=today + timedelta(days=100)),
        "gone": BatchFactory(itinerary=gone, start_date=today + timedelta(days=20)),
    }
    return Catalogue(
        forest,
        sea,
        red,
        exited,
        applying,
        short_cheap,
        long_forest,
        sea_trip,
        red_trip,
        inactive,
        gone,
        batches,
    )
