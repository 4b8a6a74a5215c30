"""Reads: published articles for the public pages, the API and the home; the staff's list; the
policy page's numbers; the public fund-use disclosure."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db.models import F, Prefetch, QuerySet, Window
from django.db.models.functions import RowNumber
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Organization, OrgKind, WorkerCategory
from bases.fields import code_pattern
from bases.models import Itinerary
from bases.permissions import public_q
from funds.calculator import Quote, quote
from funds.forms import PRIORITY_GROUP_CHOICES
from funds.models import Account, FiscalYear, SubsidyPolicy
from funds.selectors import Utilization, utilizations
from publicity.models import Article, ArticleImage, Kind, Status
from publicity.permissions import articles_managed_by, visible_q

# --- Articles ------------------------------------------------------------------------------


def _with_cards(qs: QuerySet[Article]) -> QuerySet[Article]:
    """Everything a card shows, in two extra queries whatever the number of articles."""
    return qs.select_related("org").prefetch_related(
        Prefetch("images", queryset=ArticleImage.objects.order_by("position", "pk")),
        Prefetch(
            "itineraries",
            queryset=Itinerary.objects.select_related("base").order_by("days", "pk"),
        ),
    )


def published_articles(*, kind: str = "") -> QuerySet[Article]:
    qs = Article.objects.filter(status=Status.PUBLISHED)
    if kind:
        qs = qs.filter(kind=kind)
    return _with_cards(qs).order_by("-published_at", "-pk")


def articles_visible_to(user) -> QuerySet[Article]:
    """The detail page: published articles, and any article of the user's management scope."""
    return _with_cards(Article.objects.filter(visible_q(user)))


def articles_for_management(*, user, kind: str = "", status: str = "") -> QuerySet[Article]:
    qs = articles_managed_by(user).select_related("org", "created_by", "published_by")
    if kind:
        qs = qs.filter(kind=kind)
    if status:
        qs = qs.filter(status=status)
    return qs.order_by("-updated_at", "-pk")


def itineraries_of_theme(theme: str) -> QuerySet[Itinerary]:
    """Catalogue itineraries of bases with this theme (the demo's fallback for routes)."""
    return (
        Itinerary.objects.filter(active=True, base__themes__contains=code_pattern(theme))
        .filter(public_q("base__"))
        .order_by("base__name", "days", "pk")
    )


def latest_by_kind(*, per_kind: int = 3) -> dict[str, list[Article]]:
    """The newest ``per_kind`` published articles of each kind, in one query (plus prefetches).

    A promotion event still to come sorts before those that are over, soonest first.
    """
    rank = Window(
        RowNumber(), partition_by=[F("kind")], order_by=[F("published_at").desc(), F("pk").desc()]
    )
    rows = list(
        _with_cards(Article.objects.filter(status=Status.PUBLISHED))
        .annotate(rank=rank)
        .filter(rank__lte=per_kind)
        .order_by("kind", "rank")
    )
    grouped: dict[str, list[Article]] = {kind: [] for kind in Kind.values}
    for article in rows:
        grouped[article.kind].append(article)
    today = timezone.localdate()
    grouped[Kind.EVENT].sort(
        key=lambda a: (a.event_date is None or a.event_date < today, a.event_date or today)
    )
    return grouped


# --- The policy page -------------------------------------------------------------------------


def policy_in_force(year: int | None = None) -> SubsidyPolicy | None:
    """This year's policy, or the latest published before it (as the catalogue prices trips)."""
    year = year or timezone.localdate().year
    return SubsidyPolicy.objects.filter(year__lte=year).order_by("-year").first()


TYPICAL_TRIPS = ((5, True), (7, False))  # a 5-day trip in the province, 7 days outside it


@dataclass(frozen=True)
class CategoryRow:
    category: str
    label: str
    daily_rate: int
    trips: list[tuple[int, bool, Quote]]  # (days, in province, quote) per TYPICAL_TRIPS


@dataclass(frozen=True)
class PolicySummary:
    policy: SubsidyPolicy
    rows: list[CategoryRow]
    trip_prices: list[int]  # the union price each typical trip is priced at
    priority_labels: list[str]

    @property
    def rates(self) -> list[int]:
        return [row.daily_rate for row in self.rows]


def typical_trip_price(policy: SubsidyPolicy, days: int) -> int:
    """A trip priced at the cost ceiling: the dearest trip the policy still subsidises in full,
    so what the table shows is what the policy gives, not what one base charges."""
    return policy.cost_ceiling_per_day * days


def policy_summary(policy: SubsidyPolicy) -> PolicySummary:
    """What a worker of each category gets, computed by ``funds.calculator.quote``."""
    prices = [typical_trip_price(policy, days) for days, _in in TYPICAL_TRIPS]
    rows = [
        CategoryRow(
            category=value,
            label=str(label),
            daily_rate=policy.daily_rate(value),
            trips=[
                (
                    days,
                    in_province,
                    quote(
                        policy=policy,
                        category=value,
                        days=days,
                        in_province=in_province,
                        union_price=price,
                    ),
                )
                for (days, in_province), price in zip(TYPICAL_TRIPS, prices, strict=True)
            ],
        )
        for value, label in WorkerCategory.choices
    ]
    labels = dict(PRIORITY_GROUP_CHOICES)
    return PolicySummary(
        policy=policy,
        rows=rows,
        trip_prices=prices,
        priority_labels=[str(labels.get(code, code)) for code in policy.priority_groups or []],
    )


# --- The public fund-use disclosure ------------------------------------------------------------


@dataclass(frozen=True)
class DisclosureRow:
    name: str
    usage: Utilization
    kind: str  # "county", "city_level" or "total"


@dataclass(frozen=True)
class Disclosure:
    city: Organization
    year: int
    closed: bool
    rows: list[DisclosureRow]  # counties, the city level, then the city total

    @property
    def total(self) -> Utilization:
        return self.rows[-1].usage


def disclosure_cities() -> QuerySet[Organization]:
    return Organization.objects.filter(kind=OrgKind.CITY).order_by("path")


def disclosure_years(city: Organization) -> list[int]:
    """Years in which the city's tree holds money, newest first."""
    return sorted(
        set(
            Account.objects.filter(org__path__startswith=city.path)
            .values_list("year", flat=True)
            .distinct()
        ),
        reverse=True,
    )


def default_disclosure_year(years: list[int], today: date | None = None) -> int:
    """This year when it has money, else the latest year before it that has, else the first."""
    today = today or timezone.localdate()
    earlier = [y for y in years if y <= today.year]
    return earlier[0] if earlier else (years[-1] if years else today.year)


def _minus(whole: Utilization, parts: list[Utilization], *, org: str) -> Utilization:
    fields = ("received", "rolled_in", "rolled_out", "reserved", "spent", "available")
    values = {f: getattr(whole, f) - sum(getattr(p, f) for p in parts) for f in fields}
    people = whole.people_served - sum(p.people_served for p in parts)
    return Utilization(org=org, year=whole.year, people_served=people, **values)


def disclosure(*, city: Organization, year: int) -> Disclosure:
    """Each county's subtree, the city level (the city federation's own money and the unions
    directly under it: the city's total less its counties'), and the city's total.

    One call of ``funds.selectors.utilizations`` for the city and all its counties (grouped
    queries, not a query per county). People served add up, because one application's money is
    always reserved from a single organization.
    """
    counties = list(Organization.objects.filter(parent=city, kind=OrgKind.COUNTY).order_by("path"))
    usages = utilizations(orgs=[city, *counties], year=year)
    county_rows = [DisclosureRow(c.name, usages[c.pk], "county") for c in counties]
    city_level = _minus(usages[city.pk], [usages[c.pk] for c in counties], org=city.code)
    closed = FiscalYear.objects.filter(year=year, closed_at__isnull=False).exists()
    return Disclosure(
        city=city,
        year=year,
        closed=closed,
        rows=[
            *county_rows,
            DisclosureRow(
                str(_("City level and units directly under the city")), city_level, "city_level"
            ),
            DisclosureRow(str(_("City total")), usages[city.pk], "total"),
        ],
    )
