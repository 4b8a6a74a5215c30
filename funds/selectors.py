"""Reads on the ledger: utilization of a subtree, early warnings, ledger browsing."""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from datetime import date
from decimal import Decimal

from django.db.models import Count, Min, Q, QuerySet, Sum
from django.db.models.functions import TruncMonth

from accounts.models import Organization, OrgKind
from funds.models import (
    Account,
    Bucket,
    Entry,
    FiscalYear,
    Kind,
    SubsidyPolicy,
    Transaction,
)
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
    0006), so a subtree's year is one aggregate over its accounts, not a scan of its entries.
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
    orgs = list(orgs)
    return pace_of(orgs=orgs, usages=utilizations(orgs=orgs, year=year), year=year, today=today)


def utilization_target(year: int) -> Decimal:
    """The year's utilization target set by city staff (0–1; 80 % without a policy)."""
    policy = policy_for(year)
    return Decimal(policy.utilization_target_percent if policy else 80) / 100


def pace_of(
    *, orgs: Iterable[Organization], usages: dict[int, Utilization], year: int, today: date
) -> list[PaceWarning]:
    """``early_warnings`` over utilizations already read (``utilizations``), in the order of
    ``orgs``; organizations without money for the year are left out."""
    target = utilization_target(year)
    elapsed = year_elapsed(year, today)
    warnings = []
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


def year_is_closed(year: int) -> bool:
    return FiscalYear.objects.filter(year=year, closed_at__isnull=False).exists()


def first_open_year(today: date) -> int:
    """The earliest fiscal year with money that is not closed yet (this year when all are)."""
    closed = set(FiscalYear.objects.filter(closed_at__isnull=False).values_list("year", flat=True))
    years = Account.objects.order_by("year").values_list("year", flat=True).distinct()
    return next((y for y in years if y not in closed), max(closed, default=today.year - 1) + 1)


ADDITIVE = ("received", "rolled_in", "rolled_out", "reserved", "spent", "available")


@dataclass
class Breakdown:
    """One organization's money for a year, split by the organizations directly under it.

    ``rows`` are the children with money (their whole subtrees, with their pace); ``own`` is
    what the organization keeps on its own accounts: the total less its children's subtrees,
    field by field, so the rows and ``own`` add up to ``total`` in every column (money that
    moved between the organization and a child counts once on each side and cancels out).
    """

    org: Organization
    year: int
    total: Utilization
    own: Utilization
    rows: list[PaceWarning]
    total_pace: PaceWarning | None
    closed: bool
    started: bool  # the year has begun (no pace before)
    target_rate: Decimal

    @property
    def shows_pace(self) -> bool:
        """Pace and early warnings belong to a year in progress: a closed year shows its final
        figures, a year to come has no pace yet."""
        return self.started and not self.closed

    @property
    def behind(self) -> list[PaceWarning]:
        return [r for r in self.rows if r.is_behind] if self.shows_pace else []

    @property
    def own_has_money(self) -> bool:
        return any(getattr(self.own, name) for name in ADDITIVE) or bool(self.own.people_served)

    @property
    def holds_money_itself(self) -> bool:
        """A federation none of whose children has money of this year, while it has: it pays
        its unions' trips from its own accounts."""
        return self.org.kind != OrgKind.GRASSROOTS and not self.rows and self.own_has_money


def breakdown(*, org: Organization, year: int, today: date) -> Breakdown:
    """``org``'s subtree and each union-tree child's subtree for ``year``, in a fixed number of
    queries whatever the number of children (one ``utilizations`` call)."""
    children = list(
        Organization.objects.filter(
            parent=org, kind__in=[OrgKind.CITY, OrgKind.COUNTY, OrgKind.GRASSROOTS]
        ).order_by("path")
    )
    usages = utilizations(orgs=[org, *children], year=year)
    paces = pace_of(orgs=[org, *children], usages=usages, year=year, today=today)
    total_pace = paces[0] if paces and paces[0].org.pk == org.pk else None
    rows = [p for p in paces if p.org.pk != org.pk]
    total = usages[org.pk]
    own = {name: getattr(total, name) for name in ADDITIVE}
    people = total.people_served
    for row in rows:  # a child without money of the year stays in ``own``
        for name in ADDITIVE:
            own[name] -= getattr(row.usage, name)
        people -= row.usage.people_served
    return Breakdown(
        org=org,
        year=year,
        total=total,
        own=Utilization(org=org.code, year=year, people_served=people, **own),
        rows=rows,
        total_pace=total_pace,
        closed=year_is_closed(year),
        started=today >= date(year, 1, 1),
        target_rate=total_pace.target_rate if total_pace else utilization_target(year),
    )


@dataclass
class MonthOfSpend:
    year: int
    month: int
    spent: int  # fen paid out (settlements) in this month
    people: int  # applications paid in this month


def monthly_spend(*, org: Organization, year: int) -> list[MonthOfSpend]:
    """Money of fiscal year ``year`` paid by ``org``'s subtree, month by month of the payment's
    value date, January to December (and on into the next year while payments of ``year``'s
    money still come in). One grouped query. The months add up to ``utilization``'s ``spent``
    and ``people_served``: one application is paid by one transaction."""
    rows = (
        Entry.objects.filter(
            kind=Kind.PAY,
            amount__gt=0,
            account__bucket=Bucket.SPENT,
            account__year=year,
            account__org__path__startswith=org.path,
        )
        .annotate(month=TruncMonth("transaction__value_date"))
        .values("month")
        .annotate(spent=Sum("amount"), people=Count("transaction__cause_id", distinct=True))
        .order_by("month")
    )
    found = {(r["month"].year, r["month"].month): r for r in rows}
    first = min([(year, 1), *found])
    last = max([(year, 12), *found])
    months = []
    y, m = first
    while (y, m) <= last:
        row = found.get((y, m))
        months.append(MonthOfSpend(y, m, row["spent"] if row else 0, row["people"] if row else 0))
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return months


def available_balances(*, orgs: Iterable[Organization], year: int) -> list[Account]:
    """The ``available`` accounts of ``orgs`` for ``year`` that hold money, by organization and
    fund source (what a grant or allocation form shows beside its fields)."""
    return list(
        Account.objects.filter(
            org__in=list(orgs), year=year, bucket=Bucket.AVAILABLE, balance__gt=0
        )
        .select_related("org")
        .order_by("org__path", "source")
    )


def ledger_transactions(
    *,
    orgs: QuerySet[Organization],
    year: int | None = None,
    kind: str = "",
    source: str = "",
    within: Organization | None = None,
) -> QuerySet[Transaction]:
    """Transactions touching any account of ``orgs`` (optionally: of fiscal year ``year``, of
    ``kind``, with a leg in ``source`` or in ``within``'s subtree), latest value date first, then
    latest recorded, with who recorded each. Each transaction once, with all its entries."""
    legs = Entry.objects.filter(account__org__in=orgs)
    if source:
        legs = legs.filter(account__source=source)
    if within is not None:
        legs = legs.filter(account__org__path__startswith=within.path)
    txns = Transaction.objects.filter(pk__in=legs.values("transaction_id"))
    if year:
        txns = txns.filter(year=year)
    if kind:
        txns = txns.filter(kind=kind)
    return (
        txns.select_related("actor", "actor__org")
        .prefetch_related("entries__account__org")
        .order_by("-value_date", "-created_at", "-pk")
    )


def ledger_entries(transactions: QuerySet[Transaction]) -> QuerySet[Entry]:
    """Every entry of ``transactions`` in the same order, each with its transaction, account,
    organization and actor joined in: an export reads it in chunks (``.iterator()``)."""
    return (
        Entry.objects.filter(transaction__in=transactions.order_by().values("pk"))
        .select_related("transaction", "transaction__actor", "account", "account__org")
        .order_by("-transaction__value_date", "-transaction__created_at", "-transaction_id", "pk")
    )
