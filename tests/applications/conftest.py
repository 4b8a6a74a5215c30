"""Fixtures of the applications tests: a trip under county A with money and a policy."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import pytest
from django.utils import timezone

from accounts.models import Worker, WorkerCategory
from bases.models import Batch, Itinerary
from funds import services as funds
from funds.models import FundSource, SubsidyPolicy
from tests.bases.factories import BaseFactory, BatchFactory, ItineraryFactory
from tests.factories import WorkerFactory
from tests.funds.conftest import make_policy

YUAN = 100


@dataclass
class Trip:
    itinerary: Itinerary
    batch: Batch
    policy: SubsidyPolicy
    today: date

    @property
    def year(self) -> int:
        return self.batch.start_date.year


def fund(org, year: int, yuan: int = 100_000) -> None:
    funds.grant(
        org=org,
        year=year,
        source=FundSource.PROVINCIAL_SPECIAL,
        amount=yuan * YUAN,
        by=None,
        key=f"test-grant:{org.code}:{year}:{yuan}",
    )


@pytest.fixture
def trip(tree) -> Trip:
    """A five-day, ¥2,000 trip at a county A base, departing in 30 days (30 seats), with the
    departure year's policy (member: ¥200 a day) and ¥100,000 granted to counties A and B."""
    today = timezone.localdate()
    base = BaseFactory(name="甲县森林基地", county=tree.county_a, operator=tree.operator)
    itinerary = ItineraryFactory(base=base, title="森林康养五日", days=5, union_price_fen=200_000)
    batch = BatchFactory(itinerary=itinerary, start_date=today + timedelta(days=30), capacity=30)
    year = batch.start_date.year
    policy = make_policy(year)
    fund(tree.county_a, year)
    fund(tree.county_b, year)
    return Trip(itinerary, batch, policy, today)


@pytest.fixture
def worker_a1(tree) -> Worker:
    return tree.user("worker_a1").worker


@pytest.fixture
def make_worker(tree):
    def make(union=None, **kwargs) -> Worker:
        kwargs.setdefault("category", WorkerCategory.MEMBER)
        return WorkerFactory(union=union or tree.union_a1, **kwargs)

    return make
