"""Reads on the ledger: utilization of a subtree, early warnings, ledger browsing."""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from datetime import date
from decimal import Decimal

from django.db.models import Min, Q, QuerySet, Sum

from accounts.models import Organization
from funds.models import Account, Bucket, SubsidyPolicy, Transaction
from recuperation.money import percent


@dataclass
class Utilization:
    """One subtree's use of one fiscal year's money, in fen (DESIGN §4, §5).

    Conservation: received + rolled_in = spent + reserved + available + rolled_out.
    """

    org: str
    year: int
    received: int
    rolled_in: int
    rolled_out: int
    reserved: int
    spent: int
    available: int
    people_served: int

    @property
    def denominator(self) -> int:
        return self.received + self.rolled_in

    @property
    def utilization_rate(self) -> Decimal:
        return percent(self.spent, self.denominator)

    @property
    def committed_rate(self) -> Decimal:
        return percent(self.spent + self.reserved, self.denominator)

    def as_dict(self) -> dict:
        return {
            **asdict(self),
            "utilization_rate": self.utilization_rate,
            "committed_rate": self.committed_rate,
        }


FIGURES = ("received", "rolled_in", "rolled_out", "reserved", "spent", "available", "people")


def _figures() -> dict[str, Sum]:
    """The sums that make a Utilization, over accounts of one year.

    Each account carries running figures kept by the entry trigger (``Account``, migration
    0005), so a subtree's year is one aggregate over its accounts, not a scan of its entries.
    """
    return {
        "available": Sum("balance", filter=Q(bucket=Bucket.AVAILABLE), default=0),
        "reserved": Sum("balance", filter=Q(bucket=Bucket.RESERVED), default=0),
        "spent": Sum("balance", filter=Q(bucket=Bucket.SPENT), default=0),
        "received": Sum("received", default=0),
        "rolled_in": Sum("rolled_in", default=0),
        "rolled_out": Sum("rolled_out", default=0),
        "people": Sum("served", default=0),
    }


def utilization(*, org: Organization, year: int) -> Utilization:
    """One aggregate query over the subtree's accounts of the year, whatever the ledger's size.

    Money that entered the subtree from outside is the sum of the ``received`` figures (grant
    and allocation entries) of the subtree's available accounts: an allocation between two
    members of the subtree adds up to zero there, so only money crossing its edge remains.
    People served add up across the subtree's organizations because one application's money is
    always reserved from a single organization.
    """
    totals = Account.objects.filter(year=year, org__path__startswith=org.path).aggregate(
        **_figures()
    )
    return _usage(org, year, totals)


def _usage(org: Organization, year: int, totals: dict) -> Utilization:
    return Utilization(
        org=org.code,
        year=year,
        received=totals["received"],
        rolled_in=totals["rolled_in"],
        rolled_out=totals["rolled_out"],
        reserved=totals["reserved"],
        spent=totals["spent"],
        available=totals["available"],
        people_served=totals["people"],
    )


def utilizations(*, orgs: Iterable[Organization], year: int) -> dict[int, Utilization]:
    """``utilization`` for many subtrees at once, in one grouped query (not one per org).

    Sums are grouped per organization holding the accounts, then rolled up to every requested
    organization whose path is a prefix of the holder's.
    """
    wanted = {org.path: org for org in orgs}
    if not wanted:
        return {}
    if len(wanted) == 1:  # one subtree: one aggregate row, no roll-up
        [org] = wanted.values()
        return {org.pk: utilization(org=org, year=year)}
    # One indexed prefix for all of them (a city's counties and unions: the city's subtree),
    # not one OR-ed condition per organization; the roll-up below picks what each one holds.
    common = os.path.commonprefix(list(wanted))
    common = common[: common.rfind("/") + 1] or "/"
    totals = {org.pk: [0] * len(FIGURES) for org in wanted.values()}
    # A holder's path counts for each wanted organization that is its prefix; only prefixes
    # as deep as a wanted organization can be one (a city's 5,000 unions: two lookups each).
    depths = sorted({path.count("/") for path in wanted})

    def targets(path: str) -> list[int]:
        found, end, slashes = [], -1, 0
        for depth in depths:
            while slashes < depth:
                end = path.find("/", end + 1)
                if end < 0:
                    return found
                slashes += 1
            if (org := wanted.get(path[: end + 1])) is not None:
                found.append(org.pk)
        return found

    rows = (
        Account.objects.filter(org__path__startswith=common, year=year)
        .values("org__path")
        .annotate(**_figures())
        .order_by()
        .values_list("org__path", *FIGURES)
    )
    for path, *sums in rows:
        for pk in targets(path):
            total = totals[pk]
            for i, value in enumerate(sums):
                total[i] += value
    return {
        org.pk: _usage(org, year, dict(zip(FIGURES, totals[org.pk], strict=True)))
        for org in wanted.values()
    }


def policy_for(year: int) -> SubsidyPolicy | None:
    return SubsidyPolicy.objects.filter(year=year).first()


def fiscal_years(today: date) -> range:
    """The years a page offers, newest first: next year back to the first year with money."""
    first = Account.objects.aggregate(first=Min("year"))["first"] or today.year
    return range(today.year + 1, min(first, today.year) - 1, -1)


def year_elapsed(year: int, today: date) -> Decimal:
    """How much of fiscal year ``year`` has passed on ``today``: 0 before, 1 after."""
    start, end = date(year, 1, 1), date(year, 12, 31)
    if today < start:
        return Decimal(0)
    if today >= end:
        return Decimal(1)
    return Decimal((today - start).days + 1) / Decimal((end - start).days + 1)


@dataclass
class PaceWarning:
    org: Organization
    usage: Utilization
    projected_rate: Decimal
    target_rate: Decimal
    suggested_reallocation: int  # fen this org could give up at its current pace

    @property
    def is_behind(self) -> bool:
        return self.projected_rate < self.target_rate


def projected_rate(usage: Utilization, elapsed: Decimal) -> Decimal:
    """Year-end utilization if money keeps being committed at the pace so far."""
    if not elapsed or not usage.denominator:
        return Decimal(0)
    return min(usage.committed_rate / elapsed, Decimal(1)).quantize(Decimal("0.0001"))


def early_warnings(*, orgs: QuerySet[Organization], year: int, today: date) -> list[PaceWarning]:
    """Pace and projection for each org; those projected under the target are behind.

    For an org behind pace, the suggested reallocation is the part of its available money that
    its pace will not use by year end (available − what the pace projects it will still commit).
    """
    policy = policy_for(year)
    target = Decimal(policy.utilization_target_percent if policy else 80) / 100
    elapsed = year_elapsed(year, today)
    warnings = []
    orgs = list(orgs)
    usages = utilizations(orgs=orgs, year=year)
    for org in orgs:
        usage = usages[org.pk]
        if not usage.denominator:
            continue
        projected = projected_rate(usage, elapsed)
        committed = usage.spent + usage.reserved
        still_needed = int(committed / elapsed * (1 - elapsed)) if elapsed else usage.available
        spare = max(usage.available - still_needed, 0) if projected < target else 0
        warnings.append(PaceWarning(org, usage, projected, target, spare))
    return warnings


def ledger_transactions(*, orgs: QuerySet[Organization]) -> QuerySet[Transaction]:
    """Transactions touching any account of the given organizations, newest first."""
    return (
        Transaction.objects.filter(entries__account__org__in=orgs)
        .distinct()
        .select_related("actor")
        .prefetch_related("entries__account__org")
        .order_by("-created_at", "-pk")
    )
