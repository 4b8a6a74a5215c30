"""What a trip costs *this* worker: the catalogue's net cost, above bases and funds.

bases/ knows itineraries, funds/ knows policies and the calculator; only this layer combines
them (CONVENTIONS §1b). The same rules as ``funds.calculator.quote`` are written once more as a
database expression so that the catalogue can sort by net cost in SQL; a test holds the two
equal for every itinerary, category and year.

A trip is priced as applying for its next departure would price it: by the policy of the year
that departure starts in (or the latest published before it) and what the worker has already
used of that year's cap. An itinerary with no departure taking sign-ups is priced for this
year. So in December a trip leaving in January already shows next year's subsidy. A worker
before any policy is published pays the union price.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db.models import (
    BigIntegerField,
    Case,
    Expression,
    ExpressionWrapper,
    F,
    IntegerField,
    OuterRef,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce, ExtractYear, Greatest, Least
from django.utils import timezone

import applications.selectors
from accounts.models import Worker
from bases.selectors import upcoming_batches
from funds.calculator import Quote, quote
from funds.models import SubsidyPolicy

YEARS_AHEAD = 3  # batches start at most about three years ahead (bases.validators)


def policy_for_catalogue(year: int | None = None) -> SubsidyPolicy | None:
    """This year's policy, or the latest published before it."""
    year = year or timezone.localdate().year
    return SubsidyPolicy.objects.filter(year__lte=year).order_by("-year").first()


def subsidy_expression(policy: SubsidyPolicy | None, worker: Worker, used: int):
    """The subsidy (fen) of an itinerary row under ``policy``, as ``quote`` computes it."""
    money = BigIntegerField()
    if policy is None:  # nothing is subsidised yet: the worker pays the union price
        return Value(0, output_field=money)
    max_days = Case(
        When(in_province=True, then=Value(policy.max_days_in_province)),
        default=Value(policy.max_days_out_of_province),
        output_field=money,
    )
    days = Least(F("days"), max_days, output_field=money)
    cap_left = max(policy.yearly_cap_per_person - used, 0)
    return Greatest(
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


def annotate_net_cost(
    queryset: QuerySet, *, worker: Worker, policy: SubsidyPolicy | None, used_this_year: int = 0
) -> QuerySet:
    """Annotate ``subsidy``, ``unit_share`` and ``net_cost`` (fen) on itineraries under one
    policy."""
    rest = F("union_price_fen") - F("subsidy")
    return (
        queryset.annotate(subsidy=subsidy_expression(policy, worker, used_this_year))
        .annotate(unit_share=rest * Value(_share(policy)) / Value(100))
        .annotate(net_cost=rest - F("unit_share"))
    )


@dataclass(frozen=True)
class Terms:
    """One year's subsidy terms for one worker: the policy and what they used of its cap."""

    policy: SubsidyPolicy | None
    used: int


@dataclass(frozen=True)
class Pricing:
    """Everything needed to price trips for one worker: looked up once, used many times."""

    worker: Worker
    this_year: int
    terms: dict[int, Terms]  # this year and the next YEARS_AHEAD

    def terms_for(self, year: int) -> Terms:
        year = min(max(year, self.this_year), self.this_year + YEARS_AHEAD)
        return self.terms[year]

    @property
    def policy(self) -> SubsidyPolicy | None:
        return self.terms[self.this_year].policy

    @property
    def used_this_year(self) -> int:
        return self.terms[self.this_year].used

    def annotate(self, queryset: QuerySet) -> QuerySet:
        """``price_year``, ``subsidy``, ``unit_share`` and ``net_cost`` (fen) on itineraries: each
        priced for the year of its next departure taking sign-ups (this year when there is none)."""
        return self.with_price_year(queryset).annotate(
            subsidy=self._by_year(lambda terms: self._subsidy(terms)),
            unit_share=self._by_year(lambda terms: self._unit_share(terms)),
            net_cost=self.net_cost_expression(),
        )

    def with_price_year(self, queryset: QuerySet) -> QuerySet:
        """``price_year``: the year of the next departure taking sign-ups, else this year."""
        next_start = upcoming_batches().filter(itinerary=OuterRef("pk")).values("start_date")[:1]
        return queryset.annotate(
            price_year=Coalesce(
                ExtractYear(Subquery(next_start)),
                Value(self.this_year),
                output_field=IntegerField(),
            )
        )

    def net_cost_expression(self):
        """The net cost (fen) of a row annotated with ``price_year``, e.g. to sort by it."""

        def net_cost(terms: Terms):
            rest = self._rest(terms)
            return rest - self._unit_share(terms)

        return self._by_year(net_cost)

    def _subsidy(self, terms: Terms):
        return subsidy_expression(terms.policy, self.worker, terms.used)

    def _rest(self, terms: Terms):
        return ExpressionWrapper(
            F("union_price_fen") - self._subsidy(terms), output_field=BigIntegerField()
        )

    def _unit_share(self, terms: Terms):
        return ExpressionWrapper(
            self._rest(terms) * Value(_share(terms.policy)) / Value(100),
            output_field=BigIntegerField(),
        )

    def _by_year(self, build):
        """``build(terms)`` for each row's ``price_year``: one ``CASE price_year WHEN …`` (the
        year's subquery is evaluated once, not once per year), the years whose terms are this
        year's folded into its ``ELSE``."""
        default = self.terms[self.this_year]
        branches = [
            (year, build(terms))
            for year, terms in self.terms.items()
            if year != self.this_year and terms != default
        ]
        if not branches:
            return build(default)
        return SwitchCase(F("price_year"), branches, build(default), output_field=BigIntegerField())

    def quote_row(self, *, days: int, in_province: bool, union_price: int, year: int) -> Quote:
        """The calculator's quote for a trip priced for ``year`` (``price_year`` of a row)."""
        terms = self.terms_for(year)
        return quote(
            policy=terms.policy,
            category=self.worker.category,
            days=days,
            in_province=in_province,
            union_price=union_price,
            used_this_year=terms.used,
        )

    def quote(self, itinerary, *, departing: date | None = None) -> Quote:
        """The calculator's quote for ``itinerary``: for a departure on ``departing``, else for
        the year the catalogue priced it for (``price_year``), else this year."""
        if departing is not None:
            year = departing.year
        else:
            year = getattr(itinerary, "price_year", None) or self.this_year
        return self.quote_row(
            days=itinerary.days,
            in_province=itinerary.in_province,
            union_price=itinerary.union_price_fen,
            year=year,
        )


class SwitchCase(Expression):
    """``CASE <operand> WHEN <value> THEN <result> … ELSE <default> END``: the operand is
    written (and evaluated) once, where ``Case(When(operand=value, …))`` repeats it."""

    def __init__(self, operand, cases, default, output_field=None):
        super().__init__(output_field=output_field)
        self.operand = operand
        self.values = [value for value, _result in cases]
        self.results = [result for _value, result in cases]
        self.default = default

    def get_source_expressions(self):
        return [self.operand, *self.results, self.default]

    def set_source_expressions(self, exprs):
        self.operand, *self.results, self.default = exprs

    def as_sql(self, compiler, connection):
        sql, params = compiler.compile(self.operand)
        parts, params = [f"CASE {sql}"], list(params)
        for value, result in zip(self.values, self.results, strict=True):
            result_sql, result_params = compiler.compile(result)
            parts.append(f"WHEN %s THEN {result_sql}")
            params += [value, *result_params]
        default_sql, default_params = compiler.compile(self.default)
        parts.append(f"ELSE {default_sql} END")
        return " ".join(parts), [*params, *default_params]


def _share(policy: SubsidyPolicy | None) -> int:
    return policy.unit_share_percent if policy else 0


def pricing_for(user) -> Pricing | None:
    """A worker's pricing, or None for anyone else.

    Built from the worker's eligibility (their trips, the policies), which the applications
    app loads once per request (cached on the user) for the catalogue's cards and pricing alike.
    """
    eligibility = applications.selectors.eligibility_of(user)
    if eligibility is None:
        return None
    this_year = timezone.localdate().year
    terms = {}
    # The furthest year first: the policies up to it load in one query.
    for year in range(this_year + YEARS_AHEAD, this_year - 1, -1):
        policy = eligibility.policy(year)  # the year's, or the latest published before it
        terms[year] = Terms(policy, eligibility.used(year) if policy else 0)
    return Pricing(eligibility.worker, this_year, dict(sorted(terms.items())))


def per_day(amount: int, days: int) -> int:
    """An amount (fen) per day of the trip, to the nearest fen (half a fen up)."""
    return (2 * amount + days) // (2 * days) if days else amount
