"""``/api/v1/applications/``: apply, list and read, every status move, bulk approval (DESIGN §5).

Objects come only from ``applications.permissions`` getters (out of scope → 404, visible but
not allowed → 403); writes are ``applications.services`` calls, whose refusals answer 400 with
their messages (``recuperation.api.exception_handler``).
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Prefetch
from django.http import Http404
from django.utils.text import format_lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import exceptions, mixins, permissions, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.fields import empty
from rest_framework.filters import OrderingFilter
from rest_framework.response import Response

from applications import permissions as perms
from applications import selectors, services
from applications.api.common import IdField, ReasonSerializer, validated
from applications.filters import ApplicationFilter
from applications.models import Application, Status, StatusChange
from recuperation.money import YuanField, yuan_str
from recuperation.schema import ErrorSerializer

# --- Serializers ---------------------------------------------------------------------------


class StrictBooleanField(serializers.BooleanField):
    """A boolean that must be given: an empty form post is not ``false``."""

    default_empty_html = empty


def _change_by(self, change: StatusChange) -> str | None:
    return change.by.get_full_name() if change.by_id else None


# "from" is a Python keyword, so the history row's fields are declared by name.
StatusChangeSerializer = type(
    "StatusChangeSerializer",
    (serializers.Serializer,),
    {
        "from": serializers.CharField(
            source="from_status", help_text=gettext_lazy("Status before (empty when applying).")
        ),
        "to": serializers.CharField(source="to_status"),
        "at": serializers.DateTimeField(),
        "by": serializers.SerializerMethodField(
            help_text=gettext_lazy("Name of who made the move; null for the system.")
        ),
        "reason": serializers.CharField(),
        "get_by": _change_by,
    },
)


class ApplicationSerializer(serializers.ModelSerializer):
    """One application with its money in yuan (``subsidy``, ``net_cost`` …)."""

    itinerary = serializers.IntegerField(source="batch.itinerary_id", read_only=True)
    title = serializers.CharField(source="batch.itinerary.title", read_only=True)
    base_name = serializers.CharField(source="batch.itinerary.base.name", read_only=True)
    start_date = serializers.DateField(source="batch.start_date", read_only=True)
    end_date = serializers.DateField(source="batch.end_date", read_only=True)
    worker_name = serializers.CharField(source="worker.real_name", read_only=True)
    union = serializers.CharField(source="union.code", read_only=True)
    union_name = serializers.CharField(source="union.name", read_only=True)
    funding_org = serializers.CharField(source="funding_org.code", read_only=True)
    # Plain strings in the schema: enum components named "status" would collide across apps.
    status = serializers.CharField(
        read_only=True, help_text=format_lazy(gettext_lazy("One of: {}."), ", ".join(Status.values))
    )
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    price = YuanField(source="price_fen", read_only=True)
    subsidy = YuanField(source="subsidy_fen", read_only=True)
    unit_share = YuanField(source="unit_share_fen", read_only=True)
    net_cost = YuanField(source="net_cost_fen", read_only=True)
    paid = YuanField(source="paid_fen", read_only=True, allow_null=True)
    allowed_moves = serializers.ListField(
        child=serializers.CharField(),
        read_only=True,
        help_text=gettext_lazy("Statuses it may move to next."),
    )

    class Meta:
        model = Application
        fields = [
            "id",
            "batch",
            "itinerary",
            "title",
            "base_name",
            "start_date",
            "end_date",
            "worker",
            "worker_name",
            "union",
            "union_name",
            "funding_org",
            "group_trip",
            "status",
            "status_label",
            "year",
            "price",
            "subsidy",
            "unit_share",
            "net_cost",
            "paid",
            "priority_rank",
            "lottery_rank",
            "settlement",
            "allowed_moves",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class ApplicationDetailSerializer(ApplicationSerializer):
    """An application with its cost breakdown and every status change."""

    quote_lines = serializers.ListField(child=serializers.CharField(), read_only=True)
    history = StatusChangeSerializer(source="changes", many=True, read_only=True)

    class Meta(ApplicationSerializer.Meta):
        fields = [*ApplicationSerializer.Meta.fields, "quote_lines", "history"]
        read_only_fields = fields


class ApplySerializer(serializers.Serializer):
    batch = IdField(help_text=gettext_lazy("The batch (departure) to apply for."))


class AttendanceSerializer(serializers.Serializer):
    attended = StrictBooleanField(help_text=gettext_lazy("true: attended; false: did not come."))


class ReviewSerializer(serializers.Serializer):
    rating = serializers.IntegerField(min_value=1, max_value=5)
    text = serializers.CharField(required=False, allow_blank=True, default="", max_length=2000)


class ReviewResultSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    rating = serializers.IntegerField()
    text = serializers.CharField()


class BulkApproveSerializer(serializers.Serializer):
    ids = serializers.ListField(child=IdField(), allow_empty=False, max_length=200)


class RefusedSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    reason = serializers.CharField()


class BulkResultSerializer(serializers.Serializer):
    approved = serializers.ListField(child=serializers.IntegerField())
    refused = RefusedSerializer(many=True)


HISTORY = Prefetch(
    "changes", queryset=StatusChange.objects.select_related("by").order_by("at", "pk")
)


def application_detail(pk: int) -> Application:
    """The application as it is now, with its history (after a move the caller may have lost
    sight of it, e.g. an operator once it no longer holds a seat)."""
    return (
        Application.objects.select_related(*selectors.APPLICATION_RELATED)
        .prefetch_related(HISTORY)
        .get(pk=pk)
    )


_DATE = serializers.DateField()
_DATETIME = serializers.DateTimeField()


def _yuan(fen: int | None) -> str | None:
    return None if fen is None else yuan_str(fen)


def signup_answer(app: Application, change: StatusChange) -> dict:
    """``ApplicationDetailSerializer``'s representation of a just-created application whose only
    history is ``change``, from the objects at hand (``tests/applications/test_api.py`` holds
    it equal to what a GET of the application answers)."""
    batch = app.batch
    itinerary = batch.itinerary
    return {
        "id": app.pk,
        "batch": batch.pk,
        "itinerary": batch.itinerary_id,
        "title": itinerary.title,
        "base_name": itinerary.base.name,
        "start_date": _DATE.to_representation(batch.start_date),
        "end_date": _DATE.to_representation(batch.end_date),
        "worker": app.worker_id,
        "worker_name": app.worker.real_name,
        "union": app.union.code,
        "union_name": app.union.name,
        "funding_org": app.funding_org.code,
        "group_trip": app.group_trip_id,
        "status": app.status,
        "status_label": str(app.get_status_display()),
        "year": app.year,
        "price": _yuan(app.price_fen),
        "subsidy": _yuan(app.subsidy_fen),
        "unit_share": _yuan(app.unit_share_fen),
        "net_cost": _yuan(app.net_cost_fen),
        "paid": _yuan(app.paid_fen),
        "priority_rank": app.priority_rank,
        "lottery_rank": app.lottery_rank,
        "settlement": app.settlement_id,
        "allowed_moves": app.allowed_moves(),
        "created_at": _DATETIME.to_representation(app.created_at),
        "updated_at": _DATETIME.to_representation(app.updated_at),
        "quote_lines": list(app.quote_lines),
        "history": [
            {
                "from": change.from_status,
                "to": change.to_status,
                "at": _DATETIME.to_representation(change.at),
                "by": change.by.get_full_name() if change.by_id else None,
                "reason": change.reason,
            }
        ],
    }


# --- Views ---------------------------------------------------------------------------------


@extend_schema(tags=["applications"])
class ApplicationViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """Applications the caller may see: a worker their own, an organizer their union's (and the
    rosters of group trips it takes part in), staff and auditors their subtree, an operator the
    seat holders of its batches, an agency the rosters of trips entrusted to it."""

    serializer_class = ApplicationSerializer
    permission_classes = [permissions.IsAuthenticated]
    filter_backends = [DjangoFilterBackend, OrderingFilter]
    filterset_class = ApplicationFilter
    ordering_fields = ["created_at", "updated_at", "id"]
    ordering = ["-created_at", "-id"]

    def get_queryset(self):
        user = self.request.user
        if self.request.query_params.get("queue") in ("1", "true"):
            return selectors.approval_queue(user)
        return selectors.applications_visible_to(user)

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "queue",
                OpenApiTypes.BOOL,
                description="Staff: only endorsed applications waiting for your approval.",
            )
        ]
    )
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    def _answer(self, pk: int, code: int = status.HTTP_200_OK) -> Response:
        return Response(ApplicationDetailSerializer(application_detail(pk)).data, status=code)

    @extend_schema(responses={200: ApplicationDetailSerializer})
    def retrieve(self, request, pk=None):
        """One application with its cost breakdown and the history of its status."""
        application = perms.get_application(request.user, pk, action="view")
        return self._answer(application.pk)

    @extend_schema(
        request=ApplySerializer,
        responses={201: ApplicationDetailSerializer},
        description=(
            "A worker applies for a batch: `submitted` (holds a seat) or `waitlisted` (the batch "
            "is full or allocated by lottery), with `subsidy` and `net_cost` in yuan. An "
            "ineligible worker gets 400 with every reason."
        ),
    )
    def create(self, request):
        user = request.user
        if not perms.can_apply(user):
            raise exceptions.PermissionDenied(
                _("Only workers apply; organizers put members on a group trip's roster.")
            )
        batch = validated(ApplySerializer, request)["batch"]
        application = services.worker_apply(user=user, batch=batch)
        if application is None:
            raise exceptions.PermissionDenied(_("Your login is not linked to a member record."))
        # The new application already carries what the answer shows (its batch, itinerary,
        # base, worker, unions and its one status change, loaded or written by the service):
        # nothing is read back, and the answer is built without the serializer's machinery.
        return Response(
            signup_answer(application, application.submit_change), status=status.HTTP_201_CREATED
        )

    def _move(self, request, pk, *, action_name: str, service, params=None) -> Response:
        """Find the application for this action (404/403), check the body, make the move."""
        application = perms.get_application(request.user, pk, action=action_name)
        kwargs = validated(params, request) if params else {}
        service(application=application, by=request.user, **kwargs)
        return self._answer(application.pk)

    @extend_schema(request=ReasonSerializer, responses={200: ApplicationDetailSerializer})
    @action(detail=True, methods=["post"])
    def withdraw(self, request, pk=None):
        """The worker (or their union) withdraws before departure; the seat and any reserved
        subsidy are given back and the first on the waiting list moves up."""
        return self._move(
            request,
            pk,
            action_name="withdraw",
            service=services.application_withdraw,
            params=ReasonSerializer,
        )

    @extend_schema(request=None, responses={200: ApplicationDetailSerializer})
    @action(detail=True, methods=["post"])
    def endorse(self, request, pk=None):
        """The worker's grassroots union endorses the application (submitted → endorsed)."""
        return self._move(request, pk, action_name="endorse", service=services.application_endorse)

    @extend_schema(request=None, responses={200: ApplicationDetailSerializer})
    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        """Staff of the federation that pays approve: the subsidy is reserved from its money."""
        return self._move(request, pk, action_name="approve", service=services.application_approve)

    @extend_schema(request=ReasonSerializer, responses={200: ApplicationDetailSerializer})
    @action(detail=True, methods=["post"])
    def reject(self, request, pk=None):
        """Reject with a reason (required): the seat and any reservation are given back."""
        return self._move(
            request,
            pk,
            action_name="reject",
            service=services.application_reject,
            params=ReasonSerializer,
        )

    @extend_schema(request=AttendanceSerializer, responses={200: ApplicationDetailSerializer})
    @action(detail=True, methods=["post"])
    def attendance(self, request, pk=None):
        """After departure: attended (completed) or not (no-show: the reservation is released)."""
        return self._move(
            request,
            pk,
            action_name="attendance",
            service=services.application_attendance,
            params=AttendanceSerializer,
        )

    @extend_schema(request=ReviewSerializer, responses={201: ReviewResultSerializer})
    @action(detail=True, methods=["post"])
    def review(self, request, pk=None):
        """The participant rates the trip they attended (once)."""
        application = perms.get_application(request.user, pk, action="review")
        data = validated(ReviewSerializer, request)
        review = services.review_trip(application=application, by=request.user, **data)
        return Response(ReviewResultSerializer(review).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        request=BulkApproveSerializer,
        responses={
            200: BulkResultSerializer,
            404: OpenApiResponse(
                ErrorSerializer, description=gettext_lazy("None of the ids is in your scope.")
            ),
        },
    )
    @action(detail=False, methods=["post"], url_path="bulk-approve", url_name="bulk-approve")
    def bulk_approve(self, request):
        """Approve many at once: each that can be approved is; each refusal is reported with its
        reason (not found, not yours to approve, not endorsed, not enough money …). When none
        of the ids is an application in your scope, the answer is 404."""
        user = request.user
        if not perms.can_approve_any(user):
            raise exceptions.PermissionDenied(_("Only federation staff approve applications."))
        ids = list(dict.fromkeys(validated(BulkApproveSerializer, request)["ids"]))
        perms.require_some_visible(user, ids)
        approved: list[int] = []
        refused: list[dict] = []
        for pk in ids:
            try:
                application = perms.get_application(user, pk, action="approve")
                services.application_approve(application=application, by=user)
            except Http404:
                refused.append({"id": pk, "reason": _("No such application in your scope.")})
            except DjangoPermissionDenied:
                refused.append({"id": pk, "reason": _("You may not approve this application.")})
            except DjangoValidationError as error:
                refused.append({"id": pk, "reason": " ".join(error.messages)})
            else:
                approved.append(pk)
        return Response({"approved": approved, "refused": refused})
