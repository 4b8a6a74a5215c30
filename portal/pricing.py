"""What a trip costs *this* worker: the catalogue's net cost, above bases and funds.

bases/ knows itineraries, funds/ knows policies and the calculator; only this layer combines
them (CONVENTIONS §1b). The same rules as ``funds.calculator.quote`` are written once more as a
database expression so that the catalogue can sort by net cost in SQL; a test holds the two
equal for every itinerary and category.

Trips are priced by this year's policy (or the latest published before it), with what the
worker has already used of this year's cap: the same numbers on every card, the itinerary page,
the comparison and the API. A worker before any policy is published pays the union price.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import BigIntegerField, Case, F, QuerySet, Value, When
from django.db.models.functions import Greatest, Least
from django.utils import timezone

import applications.selectors
from accounts.models import Worker
from funds.calculator import Quote, quote
from funds.models import SubsidyPolicy


def policy_for_catalogue(year: int | None = None) -> SubsidyPolicy | None:
    """This year's policy, or the latest published before it."""
    year = year or timezone.localdate().year
    return SubsidyPolicy.objects.filter(year__lte=year).order_by("-year").first()


def annotate_net_cost(
    queryset: QuerySet, *, worker: Worker, policy: SubsidyPolicy | None, used_this_year: int = 0
) -> QuerySet:
    """Annotate ``subsidy`` and ``net_cost`` (fen) on itineraries, as ``quote`` computes them."""
    money = BigIntegerField()
    if policy is None:  # nothing is subsidised yet: the worker pays the union price
        return queryset.annotate(
            subsidy=Value(0, output_field=money), net_cost=F("union_price_fen")
        )
    max_days = Case(
        When(in_province=True, then=Value(policy.max_days_in_province)),
        default=Value(policy.max_days_out_of_province),
        output_field=money,
    )
    days = Least(F("days"), max_days, output_field=money)
    cap_left = max(policy.yearly_cap_per_person - used_this_year, 0)
    subsidy = Greatest(
        Least(
            days * Value(policy.daily_rate(worker.category)),
            F("union_price_fen"),
            Value(cap_left),
            days * Value(policy.cost_ceiling_per_day),
            output_field=money,
        ),
        Value(0),
        output_field=money,
    )
    rest = F("union_price_fen") - F("subsidy")
    return queryset.annotate(subsidy=subsidy).annotate(
        net_cost=rest - rest * Value(policy.unit_share_percent) / Value(100)
    )


@dataclass(frozen=True)
class Pricing:
    """Everything needed to price trips for one worker: looked up once, used many times."""

    worker: Worker
    policy: SubsidyPolicy | None
    used_this_year: int

    def annotate(self, queryset: QuerySet) -> QuerySet:
        return annotate_net_cost(
            queryset, worker=self.worker, policy=self.policy, used_this_year=self.used_this_year
        )

    def quote(self, itinerary) -> Quote:
        return quote(
            policy=self.policy,
            category=self.worker.category,
            days=itinerary.days,
            in_province=itinerary.in_province,
            union_price=itinerary.union_price_fen,
            used_this_year=self.used_this_year,
        )


def pricing_for(user) -> Pricing | None:
    """A worker's pricing, or None for anyone else.

    Built from the worker's eligibility (their trips, the policies), which the applications
    app loads once per request (cached on the user) for the catalogue's cards and pricing alike.
    """
    eligibility = applications.selectors.eligibility_of(user)
    if eligibility is None:
        return None
    year = timezone.localdate().year
    policy = eligibility.policy(year)  # this year's, or the latest published before it
    return Pricing(eligibility.worker, policy, eligibility.used(year) if policy else 0)


def per_day(amount: int, days: int) -> int:
    """An amount (fen) per day of the trip, to the nearest fen (half a fen up)."""
    return (2 * amount + days) // (2 * days) if days else amount
