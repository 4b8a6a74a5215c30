"""FilterSets shared by the catalogue pages and the API (same names, same meaning)."""

from __future__ import annotations

from django import forms
from django.db.models import Q, QuerySet, Subquery
from django.utils.translation import gettext_lazy as _
from django_filters import rest_framework as filters

from accounts.models import Organization
from bases.fields import code_pattern
from bases.models import Addon, Base, Batch, Itinerary, Product, Theme
from bases.selectors import has_upcoming_batch_q, upcoming_batches
from recuperation.money import yuan_to_fen

MAX_ID = 2**63 - 1  # BIGINT: a larger id matches nothing, and SQLite cannot even take it


class IdFilter(filters.NumberFilter):
    """An object id: a whole number from 1 to the largest BIGINT, else a 400 with a message."""

    field_class = forms.IntegerField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", MAX_ID)
        super().__init__(*args, **kwargs)


def _county_q(prefix: str, code: str) -> Q:
    # A county code, or any org code above counties (a city takes in all its counties).
    path = Subquery(Organization.objects.filter(code=code).values("path")[:1])
    return Q(**{f"{prefix}county__path__startswith": path})


class _CatalogueFilter(filters.FilterSet):
    base_prefix = ""

    theme = filters.ChoiceFilter(label=_("Theme"), choices=Theme.choices, method="filter_theme")
    product = filters.ChoiceFilter(
        label=_("Product"), choices=Product.choices, method="filter_product"
    )
    county = filters.CharFilter(
        label=_("County (organization code)"), method="filter_county", max_length=32
    )
    min_stars = filters.NumberFilter(
        label=_("At least this many stars"),
        method="filter_min_stars",
        min_value=0,
        max_value=5,
        decimal_places=0,
    )
    q = filters.CharFilter(label=_("Name contains"), method="filter_q", max_length=50)

    def filter_theme(self, qs: QuerySet, name: str, value: str) -> QuerySet:
        return qs.filter(**{f"{self.base_prefix}themes__contains": code_pattern(value)})

    def filter_product(self, qs: QuerySet, name: str, value: str) -> QuerySet:
        return qs.filter(**{f"{self.base_prefix}products__contains": code_pattern(value)})

    def filter_county(self, qs: QuerySet, name: str, value: str) -> QuerySet:
        return qs.filter(_county_q(self.base_prefix, value.strip()))

    def filter_min_stars(self, qs: QuerySet, name: str, value) -> QuerySet:
        return qs.filter(**{f"{self.base_prefix}stars__gte": int(value)})


class BaseFilter(_CatalogueFilter):
    """``GET /api/v1/bases/`` and the bases page: theme, product, county, min_stars, q."""

    class Meta:
        model = Base
        fields = ["theme", "product", "county", "min_stars", "q"]

    def filter_q(self, qs: QuerySet, name: str, value: str) -> QuerySet:
        return qs.filter(Q(name__contains=value) | Q(address__contains=value))


class ItineraryFilter(_CatalogueFilter):
    """``GET /api/v1/itineraries/`` and the catalogue page.

    ``start_after`` / ``start_before`` keep itineraries with at least one batch starting within
    that window (both ends included; both apply to the same batch).
    """

    base_prefix = "base__"

    base = IdFilter(label=_("Base (id)"), field_name="base_id")
    min_days = filters.NumberFilter(
        label=_("At least this many days"),
        field_name="days",
        lookup_expr="gte",
        min_value=1,
        max_value=366,
        decimal_places=0,
    )
    max_days = filters.NumberFilter(
        label=_("At most this many days"),
        field_name="days",
        lookup_expr="lte",
        min_value=1,
        max_value=366,
        decimal_places=0,
    )
    max_price = filters.NumberFilter(
        label=_("Union price at most (yuan)"),
        method="filter_max_price",
        min_value=0,
        max_digits=12,
        decimal_places=2,
    )
    start_after = filters.DateFilter(label=_("A batch starts on or after"), method="noop")
    start_before = filters.DateFilter(label=_("A batch starts on or before"), method="noop")
    available = filters.BooleanFilter(
        label=_("Has a batch taking sign-ups"), method="filter_available"
    )
    age = filters.NumberFilter(
        label=_("Suits this age"), method="filter_age", min_value=0, max_value=120
    )
    addon = filters.ChoiceFilter(label=_("Add-on"), choices=Addon.choices, method="filter_addon")
    in_province = filters.BooleanFilter(label=_("In the province"), field_name="in_province")

    class Meta:
        model = Itinerary
        fields = [
            "theme",
            "product",
            "county",
            "base",
            "min_stars",
            "min_days",
            "max_days",
            "max_price",
            "start_after",
            "start_before",
            "available",
            "age",
            "addon",
            "in_province",
            "q",
        ]

    def noop(self, qs: QuerySet, name: str, value) -> QuerySet:
        return qs  # applied together in filter_queryset

    def filter_queryset(self, queryset: QuerySet) -> QuerySet:
        queryset = super().filter_queryset(queryset)
        after = self.form.cleaned_data.get("start_after")
        before = self.form.cleaned_data.get("start_before")
        if after or before:
            queryset = queryset.filter(has_upcoming_batch_q(after, before))
        return queryset

    def filter_max_price(self, qs: QuerySet, name: str, value) -> QuerySet:
        return qs.filter(union_price_fen__lte=yuan_to_fen(value))

    def filter_available(self, qs: QuerySet, name: str, value: bool) -> QuerySet:
        has = Q(pk__in=upcoming_batches().values("itinerary_id"))
        return qs.filter(has if value else ~has)

    def filter_age(self, qs: QuerySet, name: str, value) -> QuerySet:
        age = int(value)
        return qs.filter(
            (Q(min_age__isnull=True) | Q(min_age__lte=age))
            & (Q(max_age__isnull=True) | Q(max_age__gte=age))
        )

    def filter_addon(self, qs: QuerySet, name: str, value: str) -> QuerySet:
        return qs.filter(addons__contains=code_pattern(value))

    def filter_q(self, qs: QuerySet, name: str, value: str) -> QuerySet:
        return qs.filter(Q(title__contains=value) | Q(base__name__contains=value))


class BatchFilter(filters.FilterSet):
    """``GET /api/v1/batches/?itinerary=<id>``, optionally a start window or only bookable ones."""

    itinerary = IdFilter(label=_("Itinerary (id)"), field_name="itinerary_id")
    start_after = filters.DateFilter(
        label=_("Starts on or after"), field_name="start_date", lookup_expr="gte"
    )
    start_before = filters.DateFilter(
        label=_("Starts on or before"), field_name="start_date", lookup_expr="lte"
    )
    available = filters.BooleanFilter(label=_("Taking sign-ups now"), method="filter_available")

    class Meta:
        model = Batch
        fields = ["itinerary", "start_after", "start_before", "available"]

    def filter_available(self, qs: QuerySet, name: str, value: bool) -> QuerySet:
        bookable = Q(pk__in=upcoming_batches().values("pk"))
        return qs.filter(bookable if value else ~bookable)


def labelled_errors(filterset: filters.FilterSet) -> list[tuple[str, list[str]]]:
    """A filter form's errors under each field's label (in the user's language), not its code:
    what the catalogue pages show."""
    rows = []
    for name, messages in filterset.errors.items():
        field = filterset.form.fields.get(name)
        rows.append((str(field.label) if field is not None and field.label else "", messages))
    return rows
