"""The itinerary API with each worker's own net cost (DESIGN §5)."""

from __future__ import annotations

from django.db.models import F, QuerySet
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, extend_schema_view

from bases.api import ItinerarySerializer, ItineraryViewSet
from bases.models import Itinerary
from portal import pricing
from recuperation.money import YuanField


class WorkerItinerarySerializer(ItinerarySerializer):
    subsidy = YuanField(read_only=True, help_text=_("the union subsidy for you (workers only)"))
    net_cost = YuanField(read_only=True, help_text=_("what you pay after subsidy (workers only)"))

    class Meta(ItinerarySerializer.Meta):
        fields = [*ItinerarySerializer.Meta.fields, "subsidy", "net_cost"]
        read_only_fields = [*getattr(ItinerarySerializer.Meta, "read_only_fields", [])]


@extend_schema_view(
    list=extend_schema(
        description=(
            "The catalogue. For a logged-in worker each result also carries `subsidy` and "
            "`net_cost` (their own, by this year's policy), and `ordering=net_cost` sorts by it."
        )
    )
)
class PricedItineraryViewSet(ItineraryViewSet):
    ordering_fields = [*ItineraryViewSet.ordering_fields, "net_cost"]

    def _pricing(self) -> pricing.Pricing | None:
        if not hasattr(self, "_priced"):
            self._priced = pricing.pricing_for(self.request.user)
        return self._priced

    def annotate_for_user(self, queryset: QuerySet[Itinerary]) -> QuerySet[Itinerary]:
        priced = self._pricing()
        if priced is None:
            # Not a worker: nothing is subsidised; net cost ordering falls back to the price.
            return queryset.annotate(net_cost=F("union_price_fen"))
        return priced.annotate(queryset)

    def get_serializer_class(self):
        if self.action in ("list", "retrieve") and self._pricing() is not None:
            return WorkerItinerarySerializer
        return super().get_serializer_class()
