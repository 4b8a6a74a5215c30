"""Funds API: utilization of a subtree (DESIGN §5) and the published subsidy policies."""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import permissions, serializers, viewsets
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.models import WorkerCategory
from funds.models import SubsidyPolicy
from funds.permissions import get_funds_org_for_view
from funds.selectors import utilization
from funds.years import in_window
from recuperation.money import YuanField, yuan_str
from recuperation.schema import ErrorSerializer


class UtilizationSerializer(serializers.Serializer):
    org = serializers.CharField()
    year = serializers.IntegerField()
    received = YuanField()
    rolled_in = YuanField()
    rolled_out = YuanField()
    reserved = YuanField()
    spent = YuanField()
    available = YuanField()
    utilization_rate = serializers.FloatField(help_text=_("spent ÷ (received + rolled_in), 0–1"))
    committed_rate = serializers.FloatField(
        help_text=_("(reserved + spent) ÷ (received + rolled_in), 0–1")
    )
    people_served = serializers.IntegerField()


class UtilizationView(APIView):
    """Money of one organization's whole subtree for one fiscal year (amounts in yuan)."""

    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(
        parameters=[
            OpenApiParameter("org", str, required=True, description="organization code"),
            OpenApiParameter("year", int, description="fiscal year (default: this year)"),
        ],
        responses={
            200: UtilizationSerializer,
            404: OpenApiResponse(ErrorSerializer, description=_("No such organization for you.")),
        },
    )
    def get(self, request):
        code = request.query_params.get("org", "").strip()
        if not code:
            raise ValidationError({"org": [_("Give an organization code.")]})
        try:
            year = int(request.query_params.get("year") or timezone.localdate().year)
        except ValueError:
            raise ValidationError({"year": [_("The year must be a number.")]}) from None
        if not in_window(year):
            raise ValidationError({"year": [_("The year is out of range.")]})
        org = get_funds_org_for_view(request.user, code)  # 404 outside the caller's scope
        usage = utilization(org=org, year=year)
        data = usage.as_dict()
        data["utilization_rate"] = float(usage.utilization_rate)
        data["committed_rate"] = float(usage.committed_rate)
        return Response(UtilizationSerializer(data).data)


class PolicySerializer(serializers.ModelSerializer):
    daily_rates = serializers.SerializerMethodField()
    cost_ceiling_per_day = YuanField()
    yearly_cap_per_person = YuanField()

    class Meta:
        model = SubsidyPolicy
        fields = [
            "year",
            "title",
            "daily_rates",
            "max_days_in_province",
            "max_days_out_of_province",
            "cost_ceiling_per_day",
            "yearly_cap_per_person",
            "trips_per_window",
            "frequency_window_years",
            "out_of_province_window_years",
            "unit_share_percent",
            "priority_groups",
            "utilization_target_percent",
        ]

    def get_daily_rates(self, policy: SubsidyPolicy) -> dict[str, str]:
        return {c: yuan_str(policy.daily_rate(c)) for c in WorkerCategory.values}


class PolicyViewSet(viewsets.ReadOnlyModelViewSet):
    """Published subsidy standards, one per fiscal year (public)."""

    queryset = SubsidyPolicy.objects.all()
    serializer_class = PolicySerializer
    permission_classes = [permissions.AllowAny]
    lookup_field = "year"
    lookup_value_regex = r"[0-9]{4}"  # anything else is no such page (a JSON 404)
    filterset_fields = ["year"]
