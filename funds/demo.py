"""The demo city's money (DESIGN §5, the source document's story), built through the services.

The story is told relative to the demo's today T (``SeedReport.today``: the day of the first
run, see ``accounts.demo.demo_today``). With Y = T's year:

- Y-3: the province's special fund arrives, publicity is weak and bases are few, so only about
  40 % is used and the rest is rolled over into Y-2 (the source document's story).
- Y-2 and Y-1: use rises as city and county matching funds join. Each year is closed by its
  rollover; trips of its last weeks whose settlement falls after 31 December are paid only on
  15 January, from the closed year's reservations, their unspent rest flowing into the next
  year (when T is before 15 January, they are still reserved).
- Y, in progress: the year's money has arrived (in spring; on 2 January, or T itself, when T is
  earlier) and each organization has committed its yearly pace × the share of the year gone by
  T, in approvals dated up to T, never later; trips not yet settled are still reserved. Three
  counties (and so the city as a whole) are behind the policy's target, so early warnings show.
  On 1 January that is nothing yet: the money is there, unspent, and every organization is
  flagged.
- Y+1: its subsidy policy is published (its batches are in ``bases.demo``).

Who spends the money is not this app's business (DESIGN §1b: funds knows no workflow): ``seed``
takes a *spending strategy*, called once per organization and year with the amount to commit.
``seed_demo`` passes ``applications.demo``'s, which makes the trips real applications of demo
workers moved through the applications services; without one, ``ledger_trips`` books bare
reservations and payments (enough for this app's own tests).

Running the seed again (the rule): nothing the first run wrote changes.
- Every date and amount derives from T, which the first run fixed, and from random streams
  seeded by the organization and the year's place in the story (never by the date).
- An organization's trips of a year are drawn only once: when the strategy finds them there
  (each year's movements are written in one database transaction, so then all of them are), or
  when the year is closed, it draws none. A re-run is thus fast and immune to what users did
  since.
- The one thing a later run may add is the clock's own work: a year that has ended since T is
  closed (the idempotent rollover the 1 January beat job runs), so a demo seeded on 31 December
  and again on 1 January carries Y's unspent money into Y+1. No grants, trips or policies are
  added for the new year: start from an empty database to tell the story from a new today.
"""

from __future__ import annotations

import itertools
import random
from collections.abc import Callable
from datetime import date, timedelta
from typing import Protocol

from django.db import transaction
from django.db.models import Sum
from django.utils import timezone

from accounts.demo import CITY, COUNTIES, SeedReport
from accounts.models import Organization
from funds import services
from funds.models import (
    Bucket,
    Entry,
    FiscalYear,
    FundSource,
    Kind,
    SubsidyPolicy,
    Transaction,
    UtilizationSnapshot,
)
from funds.selectors import year_elapsed

PS, CM, KM = FundSource.PROVINCIAL_SPECIAL, FundSource.CITY_MATCHING, FundSource.COUNTY_MATCHING
YUAN = 100

# The demo city subsidises generously (within DESIGN §3's ranges: a cost ceiling of ¥400–600 a
# day, ¥3,000 a year per person), so that about half of its 600 workers a year carry its money.
POLICY_BASE = {
    "rate_model_worker": 580 * YUAN,
    "rate_senior_technician": 550 * YUAN,
    "rate_technician": 520 * YUAN,
    "rate_senior_worker": 500 * YUAN,
    "rate_member": 480 * YUAN,
    "max_days_in_province": 5,
    "max_days_out_of_province": 7,
    "cost_ceiling_per_day": 600 * YUAN,
    "yearly_cap_per_person": 3000 * YUAN,
    "trips_per_window": 1,
    "frequency_window_years": 1,
    "out_of_province_window_years": 3,
    "priority_groups": [
        "model_worker",
        "skilled",
        "competition_winner",
        "hazardous_job",
        "hardship",
        "near_retirement",
        "never_been",
    ],
}
RAISED_RATES = {"rate_model_worker": 600 * YUAN, "rate_senior_technician": 580 * YUAN}
# Years are keyed by their place in the story: 0 is the demo's current year, -3 three years ago.
POLICIES = {
    -3: {"unit_share_percent": 0, "utilization_target_percent": 80},
    -2: {"unit_share_percent": 20, "utilization_target_percent": 85},
    -1: {"unit_share_percent": 20, "utilization_target_percent": 85},
    0: {"unit_share_percent": 20, "utilization_target_percent": 85, **RAISED_RATES},
    1: {"unit_share_percent": 20, "utilization_target_percent": 85, **RAISED_RATES},
}

# place → (provincial grant, city matching, county matching per county, to each county, pace of
#          each county in COUNTIES order: share of its money its trips use over the whole year)
YEARS = {
    -3: (500_000, 0, 0, 60_000, [0.40, 0.50, 0.45, 0.35, 0.55, 0.35]),
    -2: (400_000, 80_000, 5_000, 60_000, [0.75, 0.70, 0.65, 0.55, 0.80, 0.60]),
    -1: (450_000, 90_000, 5_000, 70_000, [0.90, 0.85, 0.88, 0.70, 0.92, 0.75]),
    0: (600_000, 100_000, 6_000, 85_000, [0.97, 0.80, 0.92, 0.45, 0.95, 0.55]),
}
CITY_PACE = {-3: 0.38, -2: 0.60, -1: 0.80, 0: 0.80}
# ``ledger_trips``: trips gather in summer and autumn; a few go in winter (hot springs), so no
# month is empty.
MONTH_WEIGHTS = [1, 1, 1, 3, 5, 4, 6, 7, 5, 6, 4, 2]
NO_SHOW_REFUNDS = [0, 0, 0, 100 * YUAN, 200 * YUAN]  # a no-show's share comes back
SETTLED_AFTER = 45  # days: trips approved in the last 45 days of a period are not settled yet


def _key(*parts) -> str:
    return "demo:" + ":".join(str(p) for p in parts)


def _closed(year: int) -> bool:
    return FiscalYear.objects.filter(year__gte=year, closed_at__isnull=False).exists()


def _seed_policies(report: SeedReport, this_year: int) -> None:
    for place, extra in POLICIES.items():
        year = this_year + place
        _policy, created = SubsidyPolicy.objects.get_or_create(
            year=year,
            defaults={**POLICY_BASE, **extra, "title": f"{year}年示范市职工疗休养补助标准"},
        )
        report.add("subsidy policies", created)


# What a spending strategy returns: what is left to pay on 15 January of the next year, once
# the year is closed (called with that day, only when it is not after the demo's today).
Settle = Callable[[date], None]


class Spending(Protocol):
    def __call__(
        self,
        *,
        org: Organization,
        place: int,
        year: int,
        budget: int,
        first: date,
        today: date,
    ) -> Settle | None:
        """Commit about ``budget`` fen of ``org``'s money of ``year`` (reserved or spent), in
        trips approved from ``first`` (when the money arrived) on, nothing dated after
        ``today``; do nothing when this org's trips of this year are already there."""


def ledger_trips(
    *, org: Organization, place: int, year: int, budget: int, first: date, today: date
) -> Settle | None:
    """The simple strategy: each trip a bare reservation and payment (cause ``demo-…``).

    Draws from the org's own stream for this place in the story, the same number of draws per
    trip whatever the dates, so no date changes another year's or another org's figures.
    """
    if Transaction.objects.filter(idempotency_key=f"reserve:{_cause(year, org, 1)}").exists():
        return None  # drawn by an earlier run: never again
    rng = random.Random(f"trips:{place}:{org.code}")  # noqa: S311 - reproducible demo data
    last = min(today, date(year, 12, 20))
    days = [first + timedelta(days=d) for d in range((last - first).days + 1)]
    weights = list(itertools.accumulate(MONTH_WEIGHTS[d.month - 1] for d in days))
    unsettled_from = last - timedelta(days=SETTLED_AFTER)
    committed, n, pending = 0, 0, []
    while days:
        amount = rng.randint(18, 30) * 100 * YUAN
        if committed + amount > budget:
            break
        n += 1
        committed += amount
        day = rng.choices(days, cum_weights=weights)[0]
        unsettled, refund = rng.random() < 0.5, rng.choice(NO_SHOW_REFUNDS)
        cause = _cause(year, org, n)
        services.reserve(org=org, year=year, amount=amount, cause_id=cause, by=None, value_date=day)
        if unsettled and day > unsettled_from:
            pending.append((cause, refund))
        else:
            services.pay(cause_id=cause, amount=amount - refund, by=None, value_date=day)

    def settle(on: date) -> None:
        for cause, refund in pending:
            reserved = sum(services.reserved_for(cause).values())
            if reserved:
                services.pay(cause_id=cause, amount=reserved - refund, by=None, value_date=on)

    return settle


def _cause(year: int, org: Organization, n: int) -> str:
    return f"demo-{year}-{org.code}-{n:03d}"


def _money_in(org: Organization, year: int) -> int:
    """What reached this org itself for ``year`` (grants, allocations net, money rolled in)."""
    entries = Entry.objects.filter(
        account__org=org, account__year=year, account__bucket=Bucket.AVAILABLE
    )
    flows = entries.filter(kind__in=[Kind.GRANT, Kind.ALLOCATE]).aggregate(s=Sum("amount"))["s"]
    rolled = entries.filter(kind=Kind.ROLLOVER, amount__gt=0).aggregate(s=Sum("amount"))["s"]
    return (flows or 0) + (rolled or 0)


def _year_story(
    *,
    place: int,
    today: date,
    city: Organization,
    counties: list[Organization],
    spend: Spending,
) -> list[Settle]:
    """One year's grants, allocations and trips; returns what is left to settle in January."""
    provincial, city_matching, county_matching, per_county, paces = YEARS[place]
    year = today.year + place
    current = place == 0

    def arrived(month: int, day: int) -> date:
        """When money arrived: the usual day, or early January when today is before it."""
        usual = date(year, month, day)
        return usual if usual <= today else min(date(year, 1, 2), today)

    # The current year's pace so far: its yearly pace × the share of the year gone by today.
    so_far = float(year_elapsed(year, today)) if current else 1.0
    grants = [(city, PS, provincial, f"省总工会下达{year}年职工疗休养专项资金")]
    if city_matching:
        grants.append((city, CM, city_matching, f"市总工会{year}年配套资金"))
    for org, source, amount, memo in grants:
        services.grant(
            org=org,
            year=year,
            source=source,
            amount=amount * YUAN,
            by=None,
            key=_key("grant", year, org.code, source),
            value_date=arrived(3, 10),
            memo=memo,
        )
    trips: list[tuple[Organization, float, date]] = []
    for county, pace in zip(counties, paces, strict=True):
        services.allocate(
            from_org=city,
            to_org=county,
            year=year,
            source=PS,
            amount=per_county * YUAN,
            by=None,
            key=_key("allocate", year, county.code, PS),
            value_date=arrived(4, 1),
            memo=f"分配{year}年省总专项资金",
        )
        if county_matching:
            services.grant(
                org=county,
                year=year,
                source=KM,
                amount=county_matching * YUAN,
                by=None,
                key=_key("grant", year, county.code, KM),
                value_date=arrived(4, 15),
                memo=f"{county.name}{year}年配套资金",
            )
        trips.append((county, pace, arrived(4, 1)))
    trips.append((city, CITY_PACE[place], arrived(3, 10)))
    if _closed(year):
        return []  # the year is over: its trips are drawn or never will be
    pending = []
    for org, pace, first in trips:
        budget = int(_money_in(org, year) * pace * so_far)
        settle = spend(org=org, place=place, year=year, budget=budget, first=first, today=today)
        if settle is not None:
            pending.append(settle)
    return pending


def seed(report: SeedReport, spend: Spending = ledger_trips) -> SeedReport:
    """The money story; ``spend`` makes each organization's trips of a year (see the module)."""
    today = report.today
    before = Transaction.objects.count()
    _seed_policies(report, today.year)
    city = Organization.objects.get(code=CITY[0])
    counties = [Organization.objects.get(code=code) for code, *_ in COUNTIES]
    for place in sorted(YEARS):
        # One database transaction per year, so an org's trips of a year are all there or none.
        with transaction.atomic():
            pending = _year_story(
                place=place, today=today, city=city, counties=counties, spend=spend
            )
        if place < 0:
            year = today.year + place
            services.rollover(year=year)  # closed on 1 January, as the beat job does
            settled_on = date(year + 1, 1, 15)  # the last trips of a closed year are paid
            if settled_on <= today:
                with transaction.atomic():
                    for settle in pending:
                        settle(settled_on)
    # The clock's own work: close the years that have ended since the demo's today.
    for year in range(today.year, timezone.localdate().year):
        services.rollover(year=year)
    if not UtilizationSnapshot.objects.filter(day=today).exists():
        services.snapshot_utilization(day=today)  # the daily job's row of the demo's today
    report.add("ledger transactions", False)
    report.created["ledger transactions"] += Transaction.objects.count() - before
    return report
