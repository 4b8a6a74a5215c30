"""The demo city's money (DESIGN §5, the source document's story), built through the services.

2023: the province's special fund arrives, publicity is weak and bases are few, so only about
40 % is used and the rest is rolled over into 2024. Use rises in 2024 and 2025 as city and county
matching funds join; 2026 is in progress (today), with some counties behind pace.
Every movement has a fixed idempotency key, so running the seed again changes nothing.
"""

from __future__ import annotations

import random
from datetime import date

from django.db.models import Sum
from django.utils import timezone

from accounts.demo import CITY, COUNTIES, SeedReport
from accounts.models import Organization
from funds import services
from funds.models import Bucket, Entry, FundSource, Kind, SubsidyPolicy, Transaction

PS, CM, KM = FundSource.PROVINCIAL_SPECIAL, FundSource.CITY_MATCHING, FundSource.COUNTY_MATCHING
YUAN = 100

POLICY_BASE = {
    "rate_model_worker": 400 * YUAN,
    "rate_senior_technician": 350 * YUAN,
    "rate_technician": 300 * YUAN,
    "rate_senior_worker": 250 * YUAN,
    "rate_member": 200 * YUAN,
    "max_days_in_province": 5,
    "max_days_out_of_province": 7,
    "cost_ceiling_per_day": 500 * YUAN,
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
POLICIES = {
    2023: {"unit_share_percent": 0, "utilization_target_percent": 80},
    2024: {"unit_share_percent": 20, "utilization_target_percent": 85},
    2025: {"unit_share_percent": 20, "utilization_target_percent": 85},
    2026: {
        "unit_share_percent": 20,
        "utilization_target_percent": 85,
        "rate_model_worker": 450 * YUAN,
        "rate_senior_technician": 400 * YUAN,
    },
    2027: {
        "unit_share_percent": 20,
        "utilization_target_percent": 85,
        "rate_model_worker": 450 * YUAN,
        "rate_senior_technician": 400 * YUAN,
    },
}

# year → (provincial grant, city matching, county matching per county, to each county, trips,
#          pace of each county in COUNTIES order: share of its money its trips use)
YEARS = {
    2023: (500_000, 0, 0, 60_000, [0.40, 0.50, 0.45, 0.35, 0.55, 0.35]),
    2024: (400_000, 80_000, 5_000, 60_000, [0.75, 0.70, 0.65, 0.55, 0.80, 0.60]),
    2025: (450_000, 90_000, 5_000, 70_000, [0.90, 0.85, 0.88, 0.70, 0.92, 0.75]),
    2026: (600_000, 100_000, 6_000, 85_000, [0.95, 0.80, 0.85, 0.45, 0.93, 0.50]),
}
CITY_PACE = {2023: 0.38, 2024: 0.60, 2025: 0.80, 2026: 0.80}
MONTH_WEIGHTS = [0, 0, 1, 3, 5, 4, 6, 7, 5, 6, 4, 2]  # trips gather in summer and autumn


def _key(*parts) -> str:
    return "demo:" + ":".join(str(p) for p in parts)


def _seed_policies(report: SeedReport) -> None:
    for year, extra in POLICIES.items():
        _policy, created = SubsidyPolicy.objects.get_or_create(
            year=year,
            defaults={**POLICY_BASE, **extra, "title": f"{year}年示范市职工疗休养补助标准"},
        )
        report.add("subsidy policies", created)


def _trips(
    rng: random.Random, org: Organization, year: int, share: float, last_day: date, report
) -> list[str]:
    """Reserve and pay trips of one org until ``share`` of its available money is committed.

    Trips approved near the end of the period stay reserved: the caller pays them later (in
    January, after the year was closed, for a past year). Returns those causes.
    """
    budget = int(_money_in(org, year) * share)
    committed, n, pending = 0, 0, []
    months = [m for m in range(1, 13) if date(year, m, 1) <= last_day]
    weights = [MONTH_WEIGHTS[m - 1] for m in months]
    while True:
        amount = rng.randint(18, 30) * 100 * YUAN
        if committed + amount > budget:
            break
        n += 1
        committed += amount
        month = rng.choices(months, weights=weights)[0]
        day = min(date(year, month, rng.randint(1, 28)), last_day)
        cause = f"demo-{year}-{org.code}-{n:03d}"
        before = Transaction.objects.count()
        services.reserve(org=org, year=year, amount=amount, cause_id=cause, by=None, value_date=day)
        if month >= last_day.month - 1 and rng.random() < 0.5:
            pending.append(cause)
        else:
            services.pay(cause_id=cause, amount=_paid(rng, amount), by=None, value_date=day)
        report.add("ledger transactions", Transaction.objects.count() > before)
    return pending


def _money_in(org: Organization, year: int) -> int:
    """What reached this org itself for ``year`` (grants, allocations net, money rolled in).

    Computed from flows that a re-run finds unchanged, so budgets (and the seed) are the same
    on every run, whatever was spent since.
    """
    entries = Entry.objects.filter(
        account__org=org, account__year=year, account__bucket=Bucket.AVAILABLE
    )
    flows = entries.filter(kind__in=[Kind.GRANT, Kind.ALLOCATE]).aggregate(s=Sum("amount"))["s"]
    rolled = entries.filter(kind=Kind.ROLLOVER, amount__gt=0).aggregate(s=Sum("amount"))["s"]
    return (flows or 0) + (rolled or 0)


def _paid(rng: random.Random, amount: int) -> int:
    return amount - rng.choice([0, 0, 0, 100 * YUAN, 200 * YUAN])  # a no-show's share came back


def seed(report: SeedReport) -> SeedReport:
    rng = random.Random(1949)  # noqa: S311 - reproducible demo data
    _seed_policies(report)
    city = Organization.objects.get(code=CITY[0])
    counties = [Organization.objects.get(code=code) for code, *_ in COUNTIES]
    today = timezone.localdate()
    pending: list[str] = []
    for year, (provincial, city_matching, county_matching, per_county, pace) in YEARS.items():
        if year > today.year:
            break
        spring = date(year, 3, 10)
        services.grant(
            org=city,
            year=year,
            source=PS,
            amount=provincial * YUAN,
            by=None,
            key=_key("grant", year, city.code, PS),
            value_date=spring,
            memo=f"省总工会下达{year}年职工疗休养专项资金",
        )
        if city_matching:
            services.grant(
                org=city,
                year=year,
                source=CM,
                amount=city_matching * YUAN,
                by=None,
                key=_key("grant", year, city.code, CM),
                value_date=spring,
                memo=f"市总工会{year}年配套资金",
            )
        for county, share in zip(counties, pace, strict=True):
            services.allocate(
                from_org=city,
                to_org=county,
                year=year,
                source=PS,
                amount=per_county * YUAN,
                by=None,
                key=_key("allocate", year, county.code, PS),
                value_date=date(year, 4, 1),
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
                    value_date=date(year, 4, 15),
                    memo=f"{county.name}{year}年配套资金",
                )
            last_day = date(year, 12, 20) if year < today.year else today
            pending += _trips(rng, county, year, share, last_day, report)
        last_day = date(year, 12, 20) if year < today.year else today
        pending += _trips(rng, city, year, CITY_PACE[year], last_day, report)
        if year < today.year:
            services.rollover(year=year)
            # Trips of late December are settled in January: paid from the closed year's
            # reservation, their unspent remainder flows into the new year.
            for cause in pending:
                refund = rng.choice([0, 0, 0, 100 * YUAN])  # drawn on every run: same sequence
                reserved = sum(services.reserved_for(cause).values())
                if reserved:
                    services.pay(
                        cause_id=cause,
                        amount=reserved - refund,
                        by=None,
                        value_date=date(year + 1, 1, 15),
                    )
            pending = []
    services.snapshot_utilization(day=today)
    return report
