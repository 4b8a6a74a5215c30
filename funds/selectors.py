"""Reads on the ledger: utilization of a subtree, early warnings, ledger browsing."""

from __future__ import annotations

import operator
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from datetime import date
from decimal import Decimal
from functools import reduce

from django.db.models import Count, Min, Q, QuerySet, Sum

from accounts.models import Organization
from funds.models import Account, Bucket, Entry, Kind, SubsidyPolicy, Transaction
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


def utilization(*, org: Organization, year: int) -> Utilization:
    """Three aggregate queries, whatever the size of the ledger.

    Money that entered the subtree from outside is the sum of every grant and allocation entry
    on the subtree's available accounts: an allocation between two members of the subtree adds
    up to zero there, so only money crossing the subtree's edge remains.
    """
    accounts = Account.objects.filter(year=year, org__path__startswith=org.path)
    balances = accounts.aggregate(
        available=Sum("balance", filter=Q(bucket=Bucket.AVAILABLE), default=0),
        reserved=Sum("balance", filter=Q(bucket=Bucket.RESERVED), default=0),
        spent=Sum("balance", filter=Q(bucket=Bucket.SPENT), default=0),
    )
    entries = Entry.objects.filter(account__year=year, account__org__path__startswith=org.path)
    flows = entries.filter(kind__in=[Kind.GRANT, Kind.ALLOCATE, Kind.ROLLOVER]).aggregate(
        received=Sum(
            "amount",
            filter=Q(kind__in=[Kind.GRANT, Kind.ALLOCATE], account__bucket=Bucket.AVAILABLE),
            default=0,
        ),
        rolled_in=Sum("amount", filter=Q(kind=Kind.ROLLOVER, amount__gt=0), default=0),
        rolled_out=Sum("amount", filter=Q(kind=Kind.ROLLOVER, amount__lt=0), default=0),
    )
    people = entries.filter(kind=Kind.PAY, amount__gt=0, account__bucket=Bucket.SPENT).aggregate(
        n=Count("transaction__cause_id", distinct=True)
    )
    return Utilization(
        org=org.code,
        year=year,
        received=flows["received"],
        rolled_in=flows["rolled_in"],
        rolled_out=-flows["rolled_out"],
        reserved=balances["reserved"],
        spent=balances["spent"],
        available=balances["available"],
        people_served=people["n"],
    )


def utilizations(*, orgs: Iterable[Organization], year: int) -> dict[int, Utilization]:
    """``utilization`` for many subtrees at once, in three grouped queries (not three per org).

    Sums are grouped per organization holding the accounts, then rolled up to every requested
    organization whose path is a prefix of the holder's. People served add up across holders
    because one application's money is always reserved from a single organization.
    """
    wanted = {org.path: org for org in orgs}
    if not wanted:
        return {}
    in_scope = reduce(operator.or_, (Q(org__path__startswith=path) for path in wanted))
    totals = {
        org.pk: dict.fromkeys(
            ("received", "rolled_in", "rolled_out", "reserved", "spent", "available", "people"), 0
        )
        for org in wanted.values()
    }

    def targets(path: str) -> list[int]:
        parts = path.strip("/").split("/")
        prefixes = ("/" + "/".join(parts[:i]) + "/" for i in range(1, len(parts) + 1))
        return [wanted[p].pk for p in prefixes if p in wanted]

    balances = (
        Account.objects.filter(in_scope, year=year)
        .exclude(bucket=Bucket.ISSUED)
        .values_list("org__path", "bucket")
        .annotate(total=Sum("balance"))
    )
    for path, bucket, total in balances:
        for pk in targets(path):
            totals[pk][bucket] += total
    entries = Entry.objects.filter(
        reduce(operator.or_, (Q(account__org__path__startswith=p) for p in wanted)),
        account__year=year,
    )
    flows = (
        entries.filter(kind__in=[Kind.GRANT, Kind.ALLOCATE, Kind.ROLLOVER])
        .exclude(account__bucket=Bucket.ISSUED)
        .values_list("account__org__path")
        .annotate(
            received=Sum(
                "amount",
                filter=Q(kind__in=[Kind.GRANT, Kind.ALLOCATE], account__bucket=Bucket.AVAILABLE),
                default=0,
            ),
            rolled_in=Sum("amount", filter=Q(kind=Kind.ROLLOVER, amount__gt=0), default=0),
            rolled_out=Sum("amount", filter=Q(kind=Kind.ROLLOVER, amount__lt=0), default=0),
        )
    )
    for path, received, rolled_in, rolled_out in flows:
        for pk in targets(path):
            totals[pk]["received"] += received
            totals[pk]["rolled_in"] += rolled_in
            totals[pk]["rolled_out"] -= rolled_out
    people = (
        entries.filter(kind=Kind.PAY, amount__gt=0, account__bucket=Bucket.SPENT)
        .values_list("account__org__path")
        .annotate(n=Count("transaction__cause_id", distinct=True))
    )
    for path, n in people:
        for pk in targets(path):
            totals[pk]["people"] += n
    return {
        org.pk: Utilization(
            org=org.code,
            year=year,
            received=totals[org.pk]["received"],
            rolled_in=totals[org.pk]["rolled_in"],
            rolled_out=totals[org.pk]["rolled_out"],
            reserved=totals[org.pk]["reserved"],
            spent=totals[org.pk]["spent"],
            available=totals[org.pk]["available"],
            people_served=totals[org.pk]["people"],
        )
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
