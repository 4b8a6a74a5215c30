"""FilterSets shared by the applications pages and the API (same names, same meaning)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from django_filters import rest_framework as filters

from applications.models import Application, GroupTrip, Lottery, Status
from funds.years import validate_fiscal_year

MAX_ID = 2**63 - 1


def id_filter(label, field_name: str) -> filters.NumberFilter:
    """A whole-number id: anything else (text, decimals, out of range) is a 400, never a 5xx."""
    return filters.NumberFilter(
        label=label, field_name=field_name, min_value=1, max_value=MAX_ID, decimal_places=0
    )


class ApplicationFilter(filters.FilterSet):
    """``GET /api/v1/applications/``: status, batch, year, union (code), group_trip."""

    status = filters.ChoiceFilter(label=_("Status"), choices=Status.choices)
    batch = id_filter(_("Batch (id)"), "batch_id")
    year = filters.NumberFilter(
        label=_("Fiscal year"),
        field_name="year",
        decimal_places=0,
        validators=[validate_fiscal_year],
    )
    union = filters.CharFilter(
        label=_("Grassroots union (organization code)"), field_name="union__code", max_length=32
    )
    group_trip = id_filter(_("Group trip (id)"), "group_trip_id")

    class Meta:
        model = Application
        fields = ["status", "batch", "year", "union", "group_trip"]


class GroupTripFilter(filters.FilterSet):
    """``GET /api/v1/group-trips/``: batch (``open_seats`` is read by the view)."""

    batch = id_filter(_("Batch (id)"), "batch_id")

    class Meta:
        model = GroupTrip
        fields = ["batch"]


class LotteryFilter(filters.FilterSet):
    batch = id_filter(_("Batch (id)"), "batch_id")

    class Meta:
        model = Lottery
        fields = ["batch"]
