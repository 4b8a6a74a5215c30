"""Reads of the priced catalogue: the catalogue page, an itinerary's page and the comparison.

Each combines bases' catalogue (``bases.selectors``), the worker's own price (``portal.pricing``)
and their eligibility (``portal.catalogue.signups``) in a fixed number of queries, whatever the
number of cards, batches or columns.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.http import Http404, QueryDict
from django.utils import timezone
from django.utils.translation import gettext as _

import applications.selectors
from accounts.models import Organization, OrgKind
from bases import selectors as bases_selectors
from bases.filters import ItineraryFilter, labelled_errors
from bases.models import Addon, Batch, Itinerary, Product, Theme
from funds.calculator import Quote
from portal import compare, distance
from portal.catalogue import signups
from portal.catalogue.recommendations import Recommended, recommendations_for
from portal.pricing import Pricing, per_day, pricing_for

PAGE_SIZE = 20
SORTS = {
    "": ("-stars", "price", "pk"),
    "net_cost": ("net_cost", "price", "pk"),  # a worker's own cost: workers only
    "price": ("price", "pk"),
    "-price": ("-price", "pk"),
    "days": ("days", "price", "pk"),
    "-days": ("-days", "price", "pk"),
    "departure": ("next_start", "price", "pk"),
}
WORKER_SORTS = frozenset({"net_cost"})
# Filters that narrow the list (page and sort only arrange it).
NOT_FILTERS = frozenset({"page", "sort"})
PAGE_PARAMS = NOT_FILTERS  # the page's own parameters besides the filters
RECOMMENDED_ON_CATALOGUE = 3
NEXT_DATES = 3


def filter_context() -> dict:
    return {
        "themes": Theme.choices,
        "products": Product.choices,
        "addons": Addon.choices,
        "counties": Organization.objects.filter(kind=OrgKind.COUNTY).order_by("path"),
    }


def sort_notice(sort: str, pricing: Pricing | None) -> str | None:
    """Why a requested sort is not applied (the page then uses the default), or None."""
    if sort not in SORTS:
        return _("Unknown sort order “%(sort)s”: the trips are shown in the usual order.") % {
            "sort": sort[:30]
        }
    if sort in WORKER_SORTS and pricing is None:
        return _(
            "Sorting by your own cost needs a worker's login: each worker's cost after the "
            "subsidy is their own. The trips are shown in the usual order."
        )
    return None


@dataclass
class CataloguePage:
    page: Page
    form: object | None  # None when no filter is named (every field empty)
    errors: list[tuple[str, list[str]]]
    sort: str
    notices: list[str]
    pricing: Pricing | None
    age_from_profile: int | None  # the worker's age, when the age filter was filled from it
    active_filters: int
    recommended: list[Recommended] | None = None
    compare_ids: list[int] = field(default_factory=list)

    @property
    def cap_used_up(self) -> bool:
        """The worker has used all of this year's cap: this year's trips get no subsidy."""
        terms = self.pricing.terms[self.pricing.this_year] if self.pricing else None
        return bool(terms and terms.policy and terms.used >= terms.policy.yearly_cap_per_person)


def catalogue_page(*, user, params: QueryDict, picks: list[int]) -> CataloguePage:
    """The catalogue page: filtered like ``/api/v1/itineraries/``, each card priced for a
    logged-in worker (their net cost first), with whether they may apply and why not."""
    pricing = pricing_for(user)
    data = params.copy()
    age_from_profile = None
    if pricing is not None and "age" not in params:
        # A worker's catalogue starts with what suits their age; clearing the field keeps it off.
        age_from_profile = pricing.worker.age
        data["age"] = str(age_from_profile)
    qs = bases_selectors.itineraries_for_catalogue(user=user)
    filterset, valid = None, True
    if any(name in data for name in ItineraryFilter.base_filters):
        # Filters are named: validate them (no form otherwise; an empty one filters nothing).
        filterset = ItineraryFilter(data, queryset=qs)
        valid = filterset.is_valid()
        qs = filterset.qs if valid else qs.none()
    if pricing is not None:
        qs = pricing.annotate(qs)
    sort = params.get("sort", "")
    notices = []
    notice = sort_notice(sort, pricing)
    if notice:
        notices.append(notice)
        sort = ""
    qs = bases_selectors.with_next_departure(qs).order_by(*SORTS[sort])
    page = Paginator(qs, PAGE_SIZE).get_page(params.get("page"))
    page.object_list = list(page.object_list)
    signups.annotate_itineraries(applications.selectors.eligibility_of(user), page.object_list)
    recommended = None
    if pricing is not None and page.number == 1:
        cleaned = filterset.form.cleaned_data if filterset is not None and valid else {}
        recommended = recommendations_for(
            user,
            free_from=cleaned.get("start_after"),
            free_until=cleaned.get("start_before"),
            limit=RECOMMENDED_ON_CATALOGUE,
        )
    return CataloguePage(
        page=page,
        form=filterset.form if filterset is not None else None,
        errors=labelled_errors(filterset) if not valid else [],
        sort=sort,
        notices=notices,
        pricing=pricing,
        age_from_profile=age_from_profile,
        active_filters=sum(1 for k, v in data.items() if k not in NOT_FILTERS and v),
        recommended=recommended,
        compare_ids=picks,
    )


@dataclass
class ItineraryPage:
    itinerary: Itinerary
    upcoming: list[Batch]
    past: list[Batch]
    others: QuerySet
    quote: Quote | None
    priced_for: date | None  # the departure the quote is for (the next taking sign-ups)
    signup_summary: signups.Summary | None
    distance_km: int | None
    today: date


def itinerary_page(*, user, pk: int) -> ItineraryPage:
    itinerary = bases_selectors.itineraries_visible_to(user).filter(pk=pk).first()
    if itinerary is None:
        raise Http404
    today = timezone.localdate()
    batches = list(bases_selectors.batches_of(itinerary, since=today - timedelta(days=180)))
    upcoming = [b for b in batches if b.end_date >= today]
    eligibility = applications.selectors.eligibility_of(user)
    pricing = pricing_for(user)
    others = itinerary.base.itineraries.filter(active=True).exclude(pk=itinerary.pk)
    # Priced as the cards price it: for the next departure taking sign-ups.
    bookable = [b for b in upcoming if b.start_date > today and b.accepting_signups(today)]
    priced_for = bookable[0].start_date if bookable else None
    distance_km = None
    if eligibility is not None:
        home = distance.home_of(eligibility.worker)
        distance_km = distance.distances_km(home, [itinerary.base_id]).get(itinerary.base_id)
    return ItineraryPage(
        itinerary=itinerary,
        upcoming=upcoming,
        past=[b for b in batches if b.end_date < today][::-1],
        others=others if pricing is None else pricing.annotate(others),
        quote=pricing.quote(itinerary, departing=priced_for) if pricing else None,
        priced_for=priced_for if pricing else None,
        signup_summary=signups.annotate_batches(eligibility, upcoming),
        distance_km=distance_km,
        today=today,
    )


# --- The comparison ------------------------------------------------------------------------------


@dataclass
class Column:
    """One itinerary of the comparison, with everything its rows show."""

    itinerary: Itinerary
    next_dates: list[date]
    quote: Quote | None  # for a logged-in worker: the calculator's, as on the itinerary page
    distance_km: int | None

    @property
    def union_price_per_day(self) -> int:
        return per_day(self.itinerary.union_price_fen, self.itinerary.days)

    @property
    def net_cost_per_day(self) -> int | None:
        return per_day(self.quote.net_cost, self.itinerary.days) if self.quote else None

    @property
    def signup(self) -> signups.Summary | None:
        return getattr(self.itinerary, "signup", None)


@dataclass
class Comparison:
    columns: list[Column]
    pricing: Pricing | None
    has_home: bool  # the worker's federation has a location (distances can be shown)
    missing: int  # picked itineraries no longer in the catalogue
    cheapest_id: int | None  # the column with the lowest net cost (or union price)


def next_dates_of(itineraries: Sequence[Itinerary], today: date) -> dict[int, list[date]]:
    """The first start dates still taking sign-ups of each itinerary: one query."""
    found: dict[int, list[date]] = {it.pk: [] for it in itineraries}
    rows = bases_selectors.upcoming_batches(today).filter(itinerary_id__in=list(found))
    for itinerary_id, start in rows.values_list("itinerary_id", "start_date"):
        if len(found[itinerary_id]) < NEXT_DATES:
            found[itinerary_id].append(start)
    return found


def comparison(*, user, ids: Sequence[int]) -> Comparison:
    """The picked itineraries side by side, in the order they were picked."""
    ids = list(ids)[: compare.MAX_ITEMS]
    today = timezone.localdate()
    found = {
        it.pk: it
        for it in bases_selectors.itineraries_visible_to(user)
        .filter(pk__in=ids)
        .select_related("base")
    }
    itineraries = [found[i] for i in ids if i in found]
    pricing = pricing_for(user)
    eligibility = applications.selectors.eligibility_of(user)
    signups.annotate_itineraries(eligibility, itineraries)
    home = distance.home_of(eligibility.worker) if eligibility is not None else None
    km = distance.distances_km(home, [it.base_id for it in itineraries])
    dates = next_dates_of(itineraries, today)
    columns = [
        Column(
            itinerary=it,
            next_dates=dates[it.pk],
            quote=pricing.quote(it, departing=dates[it.pk][0] if dates[it.pk] else None)
            if pricing
            else None,
            distance_km=km.get(it.base_id),
        )
        for it in itineraries
    ]
    cheapest = None
    if len(columns) > 1:
        cost = {
            c.itinerary.pk: c.quote.net_cost if c.quote else c.itinerary.union_price_fen
            for c in columns
        }
        low = min(cost.values())
        winners = [pk for pk, value in cost.items() if value == low]
        cheapest = winners[0] if len(winners) == 1 else None
    return Comparison(
        columns=columns,
        pricing=pricing,
        has_home=home is not None,
        missing=len(ids) - len(itineraries),
        cheapest_id=cheapest,
    )
