"""``/api/v1/settlements/``: claims after the trip (invoice and attendees), paid or returned by
the staff of the federation that pays (结算)."""

from __future__ import annotations

from pathlib import PurePath

from django.db.models import Prefetch
from django.http import FileResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_filters import rest_framework as filters
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import exceptions, mixins, permissions, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.reverse import reverse

from applications import permissions as perms
from applications import selectors, services
from applications.api.common import IdField, ReasonSerializer, validated
from applications.models import Application, Settlement
from recuperation.money import YuanField

# The invoice's type by its first bytes (uploads are checked by content: PDF or an image).
INVOICE_MAGIC = {
    "pdf": lambda head: head.startswith(b"%PDF-"),
    "jpeg": lambda head: head.startswith(b"\xff\xd8\xff"),
    "png": lambda head: head.startswith(b"\x89PNG\r\n\x1a\n"),
    "webp": lambda head: head[:4] == b"RIFF" and head[8:12] == b"WEBP",
}
INVOICE_TYPES = {
    "pdf": "application/pdf",
    "jpeg": "image/jpeg",
    "png": "image/png",
    "webp": "image/webp",
    "other": "application/octet-stream",
}


class SettlementSerializer(serializers.ModelSerializer):
    union = serializers.CharField(source="union.code", read_only=True)
    union_name = serializers.CharField(source="union.name", read_only=True)
    group_trip = serializers.IntegerField(source="group_trip_id", read_only=True, allow_null=True)
    state = serializers.CharField(
        read_only=True, help_text=gettext_lazy("submitted, paid or returned")
    )
    invoice_amount = YuanField(source="invoice_amount_fen", read_only=True)
    paid = YuanField(source="paid_fen", read_only=True)
    submitted_by = serializers.SerializerMethodField()
    applications = serializers.SerializerMethodField()
    invoice_url = serializers.SerializerMethodField()

    class Meta:
        model = Settlement
        fields = [
            "id",
            "union",
            "union_name",
            "group_trip",
            "state",
            "invoice_amount",
            "paid",
            "note",
            "applications",
            "invoice_url",
            "submitted_by",
            "submitted_at",
            "decided_at",
        ]
        read_only_fields = fields

    def get_submitted_by(self, settlement: Settlement) -> str | None:
        return settlement.submitted_by.get_full_name() if settlement.submitted_by_id else None

    def get_applications(self, settlement: Settlement) -> list[int]:
        return sorted(a.pk for a in settlement.applications.all())

    def get_invoice_url(self, settlement: Settlement) -> str:
        return reverse(
            "settlement-invoice", kwargs={"pk": settlement.pk}, request=self.context.get("request")
        )


class SettlementUploadSerializer(serializers.Serializer):
    invoice = serializers.FileField(
        max_length=150, help_text=gettext_lazy("The base's invoice: PDF or image, at most 5 MB.")
    )
    invoice_amount = YuanField(positive=True, help_text=gettext_lazy("Invoice total in yuan."))
    applications = serializers.ListField(
        child=IdField(),
        allow_empty=False,
        max_length=500,  # below Django's limit of 1,000 form fields a request
        help_text=gettext_lazy("Ids of the attended applications claimed (repeat the field)."),
    )
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=2000)


def settlements_with_applications(qs):
    return qs.select_related("union", "submitted_by").prefetch_related(
        Prefetch("applications", queryset=Application.objects.only("pk", "settlement_id"))
    )


def submit_settlement(
    request, *, ids: list[int], found: list[Application], union, group_trip=None, **data
) -> Response:
    """Settle ``found`` (the requested ``ids`` the caller may claim): a requested id that is not
    among them is named in a 400, without saying whether it exists."""
    missing = sorted(set(ids) - {a.pk for a in found})
    if missing:
        raise serializers.ValidationError(
            {
                "applications": [
                    _("You cannot claim these applications: %(ids)s.")
                    % {"ids": ", ".join(map(str, missing))}
                ]
            }
        )
    settlement = services.settlement_submit(
        applications=found,
        union=union,
        invoice=data["invoice"],
        invoice_amount=data["invoice_amount"],
        note=data.get("note", ""),
        by=request.user,
        group_trip=group_trip,
    )
    settlement = settlements_with_applications(Settlement.objects.filter(pk=settlement.pk)).get()
    return Response(
        SettlementSerializer(settlement, context={"request": request}).data,
        status=status.HTTP_201_CREATED,
    )


class SettlementFilter(filters.FilterSet):
    state = filters.ChoiceFilter(choices=Settlement.State.choices)

    class Meta:
        model = Settlement
        fields = ["state"]


@extend_schema(tags=["settlements"])
class SettlementViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """Settlements in the caller's scope; staff of the paying federation pay or return them."""

    serializer_class = SettlementSerializer
    permission_classes = [permissions.IsAuthenticated]
    filterset_class = SettlementFilter

    def get_queryset(self):
        return settlements_with_applications(perms.settlements_visible_to(self.request.user))

    def _answer(self, request, pk: int) -> Response:
        settlement = settlements_with_applications(Settlement.objects.filter(pk=pk)).get()
        return Response(SettlementSerializer(settlement, context={"request": request}).data)

    @extend_schema(responses={200: SettlementSerializer})
    def retrieve(self, request, pk=None):
        settlement = perms.get_settlement(request.user, pk, action="view")
        return self._answer(request, settlement.pk)

    @extend_schema(
        request={"multipart/form-data": SettlementUploadSerializer},
        responses={201: SettlementSerializer},
    )
    def create(self, request):
        """An organizer claims the subsidy of their union's attended members who travelled on
        their own (a group trip settles through ``/group-trips/{id}/settlement/``)."""
        user = request.user
        if not perms.can_settle_for_union(user):
            raise exceptions.PermissionDenied(_("Settlements are submitted by union organizers."))
        data = validated(SettlementUploadSerializer, request)
        ids = list(dict.fromkeys(data.pop("applications")))
        found = list(
            selectors.applications_visible_to(user).filter(
                pk__in=ids, union_id=user.org_id, group_trip__isnull=True
            )
        )
        return submit_settlement(request, ids=ids, found=found, union=user.org, **data)

    @extend_schema(request=None, responses={200: SettlementSerializer})
    @action(detail=True, methods=["post"])
    def pay(self, request, pk=None):
        """Pay every participant's subsidy (never more than their share of the invoice); what is
        left of each reservation is released."""
        settlement = perms.get_settlement(request.user, pk, action="decide")
        services.settlement_pay(settlement=settlement, by=request.user)
        return self._answer(request, settlement.pk)

    @extend_schema(request=ReasonSerializer, responses={200: SettlementSerializer})
    @action(detail=True, methods=["post"], url_path="return", url_name="return")
    def send_back(self, request, pk=None):
        """Return for correction with a reason: the participants may be claimed again."""
        settlement = perms.get_settlement(request.user, pk, action="decide")
        reason = validated(ReasonSerializer, request)["reason"]
        services.settlement_return(settlement=settlement, by=request.user, reason=reason)
        return self._answer(request, settlement.pk)

    @extend_schema(
        responses={
            (200, media): OpenApiResponse(OpenApiTypes.BINARY, description="the invoice file")
            for media in INVOICE_TYPES.values()
        }
    )
    @action(detail=True, methods=["get"])
    def invoice(self, request, pk=None):
        """The invoice file (PDF or image), served only to those who may see the settlement."""
        settlement = perms.get_settlement(request.user, pk, action="view")
        name = PurePath(settlement.invoice.name).name
        try:
            handle = settlement.invoice.open("rb")
        except OSError:
            raise exceptions.NotFound(_("The invoice file is missing.")) from None
        head = handle.read(16)
        handle.seek(0)
        kind = next((k for k, magic in INVOICE_MAGIC.items() if magic(head)), "other")
        return FileResponse(
            handle, as_attachment=True, filename=name, content_type=INVOICE_TYPES[kind]
        )
