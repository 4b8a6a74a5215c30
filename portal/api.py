"""The priced catalogue over the API (DESIGN §5): the itinerary list with each worker's own net
cost, and "recommended for you".

``/api/v1/itineraries/`` is bases' unpriced catalogue (``bases.api.ItineraryViewSet``: every
filter, field and write) plus, for a logged-in worker, ``subsidy`` and ``net_cost`` on each
result and ``ordering=net_cost``. Anyone else asking for ``ordering=net_cost`` gets a 400 that
says why, as does an ordering the list does not offer.
"""

from __future__ import annotations

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import exceptions, generics, permissions, serializers

import applications.selectors
from bases import cache as page_cache
from bases.api import (
    CATALOGUE_VALUES,
    CatalogueFilterBackend,
    ItinerarySerializer,
    ItineraryViewSet,
    StableOrderingFilter,
    catalogue_rows,
)
from bases.models import Itinerary
from funds.calculator import Quote
from portal import pricing
from portal.catalogue.recommendations import Recommended, recommendations_for
from recuperation.api import Pagination
from recuperation.money import YuanField, yuan_str

NET_COST_FOR_WORKERS = _(
    "Ordering by net_cost is for logged-in workers: the net cost is each worker's own, after "
    "their subsidy. Use ordering=price for the union price."
)
RECOMMENDATIONS_LIMIT = 50


class WorkerItinerarySerializer(ItinerarySerializer):
    subsidy = YuanField(read_only=True, help_text=_("the union subsidy for you (workers only)"))
    net_cost = YuanField(read_only=True, help_text=_("what you pay after subsidy (workers only)"))

    class Meta(ItinerarySerializer.Meta):
        fields = [*ItinerarySerializer.Meta.fields, "subsidy", "net_cost"]
        read_only_fields = [*getattr(ItinerarySerializer.Meta, "read_only_fields", [])]


class PricedOrderingFilter(StableOrderingFilter):
    """``ordering=net_cost`` only for a worker (the view prices the list for them)."""

    def remove_invalid_fields(self, queryset, fields, view, request):
        if view.pricing() is None and any(t.strip().lstrip("-") == "net_cost" for t in fields):
            raise exceptions.ValidationError({self.ordering_param: [NET_COST_FOR_WORKERS]})
        return super().remove_invalid_fields(queryset, fields, view, request)


@extend_schema_view(
    list=extend_schema(
        description=(
            "The catalogue. For a logged-in worker each result also carries `subsidy` and "
            "`net_cost` (their own, by this year's policy), and `ordering=net_cost` sorts by it; "
            "from anyone else `ordering=net_cost` is a 400, as is an ordering not offered "
            "(`price`, `days`, `stars`, `id`, each optionally with `-`)."
        )
    )
)
class PricedItineraryViewSet(ItineraryViewSet):
    ordering_fields = [*ItineraryViewSet.ordering_fields, "net_cost"]
    filter_backends = [CatalogueFilterBackend, PricedOrderingFilter]

    def pricing(self) -> pricing.Pricing | None:
        if not hasattr(self, "_priced"):
            self._priced = pricing.pricing_for(self.request.user)
        return self._priced

    def annotate_for_user(self, queryset: QuerySet[Itinerary]) -> QuerySet[Itinerary]:
        priced = self.pricing()
        if priced is None:
            return queryset
        if self.action == "list":
            # ``build_list`` reads the page with ``.values()`` and prices it with the
            # calculator: SQL needs only each row's price year, and the net cost to sort by it.
            return priced.with_price_year(queryset).alias(net_cost=priced.net_cost_expression())
        return priced.annotate(queryset)

    def get_serializer_class(self):
        if self.action in ("list", "retrieve") and self.pricing() is not None:
            return WorkerItinerarySerializer
        return super().get_serializer_class()

    def shares_unpriced_rows(self, request) -> bool:
        """Sorted by anything but the net cost, a page holds the same rows for every worker
        (only their prices differ): those rows are cached and priced per request."""
        ordering = request.query_params.get(PricedOrderingFilter.ordering_param, "")
        return "net_cost" not in ordering and self.only_known_params(request)

    def build_list(self, request, *args, **kwargs):
        """A worker's list: the rows from ``.values()`` (kept in ``bases.cache`` under the
        catalogue and seat versions: the price year follows the next departure with a seat),
        priced by the calculator (``priced_rows``)."""
        priced = self.pricing()
        if priced is None:
            return super().build_list(request, *args, **kwargs)
        key = None
        if self.shares_unpriced_rows(request):
            key = page_cache.page_key(
                "PricedItineraryRows", request, depends_on=(page_cache.CATALOGUE, page_cache.SEATS)
            )
            if (hit := page_cache.get(key)) is not None:
                number, total, rows = hit
                self.paginator.restore(request, rows, number=number, total=total)
                return self.get_paginated_response(priced_rows(rows, priced))
        queryset = self.filter_queryset(self.get_queryset())
        rows = self.paginate_queryset(queryset.values(*PRICED_VALUES))
        if key is not None:
            page = self.paginator.page
            page_cache.put(key, (page.number, page.paginator.count, rows))
        return self.get_paginated_response(priced_rows(rows, priced))


PRICED_VALUES = (*CATALOGUE_VALUES, "price_year")


def priced_rows(rows: list[dict], priced: pricing.Pricing) -> list[dict]:
    """``WorkerItinerarySerializer``'s representation of ``PRICED_VALUES`` rows: the subsidy and
    net cost are the calculator's (``funds.calculator.quote``) for the year each row is priced
    for, one quote per distinct trip (a test holds this equal to the serializer)."""
    results = catalogue_rows(rows)
    quotes: dict[tuple, Quote] = {}
    for result, row in zip(results, rows, strict=True):
        trip = (row["days"], row["in_province"], row["union_price_fen"], row["price_year"])
        found = quotes.get(trip)
        if found is None:
            days, in_province, union_price, year = trip
            found = quotes[trip] = priced.quote_row(
                days=days, in_province=in_province, union_price=union_price, year=year
            )
        result["subsidy"] = yuan_str(found.subsidy)
        result["net_cost"] = yuan_str(found.net_cost)
    return results


# --- Recommended for you -------------------------------------------------------------------------


class RecommendationSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="itinerary.pk")
    title = serializers.CharField(source="itinerary.title")
    base = serializers.IntegerField(source="itinerary.base_id")
    base_name = serializers.CharField(source="itinerary.base.name")
    days = serializers.IntegerField(source="itinerary.days")
    themes = serializers.ListField(source="itinerary.base.themes", child=serializers.CharField())
    union_price = YuanField(source="itinerary.union_price_fen")
    subsidy = YuanField(source="itinerary.subsidy", help_text=_("your union subsidy"))
    net_cost = YuanField(
        source="itinerary.net_cost", help_text=_("what you pay after your subsidy")
    )
    service_score = serializers.DecimalField(
        source="itinerary.base.service_score",
        max_digits=4,
        decimal_places=1,
        allow_null=True,
        help_text=_("the base's service score, 0–100 (null until there is enough evidence)"),
    )
    next_start = serializers.DateField(
        help_text=_("the first batch you may apply for departs on this day")
    )
    score = serializers.DecimalField(
        source="recommendation.score",
        max_digits=5,
        decimal_places=1,
        help_text=_("the ranking's points (docs/choosing.md)"),
    )
    reason = serializers.CharField(help_text=_("why it is recommended, in your language"))


class FreeDatesSerializer(serializers.Serializer):
    start_after = serializers.DateField(required=False)
    start_before = serializers.DateField(required=False)

    def validate(self, attrs):
        after, before = attrs.get("start_after"), attrs.get("start_before")
        if after and before and after > before:
            raise serializers.ValidationError(
                {"start_before": [_("The end of your free dates is before their start.")]}
            )
        return attrs


NOT_A_WORKER = _(
    "Recommendations are for workers: they rank trips by each worker's own cost and whether "
    "they may apply."
)


@extend_schema(
    tags=["itineraries"],
    parameters=[
        OpenApiParameter(
            "start_after",
            OpenApiTypes.DATE,
            description="You are free from this day: trips departing then rank higher.",
        ),
        OpenApiParameter(
            "start_before",
            OpenApiTypes.DATE,
            description="You are free until this day.",
        ),
    ],
)
class RecommendationList(generics.ListAPIView):
    """Recommended for you (workers): the itineraries you may apply for, best first, each with
    your net cost and the reason in one line. The ranking is ``portal.recommend``: low net cost,
    a high service score and fit (themes you chose before, your free dates, your age group)."""

    serializer_class = RecommendationSerializer
    permission_classes = [permissions.IsAuthenticated]
    pagination_class = Pagination
    filter_backends: list = []

    def get_queryset(self) -> list[Recommended]:
        # Checked here, not as a permission class, so that another method is a 405 first.
        if applications.selectors.eligibility_of(self.request.user) is None:
            raise exceptions.PermissionDenied(NOT_A_WORKER)
        params = FreeDatesSerializer(data=self.request.query_params)
        params.is_valid(raise_exception=True)
        return (
            recommendations_for(
                self.request.user,
                free_from=params.validated_data.get("start_after"),
                free_until=params.validated_data.get("start_before"),
                limit=RECOMMENDATIONS_LIMIT,
            )
            or []
        )
