"""``/api/v1/group-trips/`` and ``/api/v1/roster-imports/``: blocks of seats, joint groups,
agencies, rosters (by hand or ``.xlsx``) and a group's settlement.

``GET /api/v1/group-trips/?open_seats=1`` is the public open-seats board (no personal data);
everything else needs a login and goes through ``applications.permissions.get_group_trip`` with
the action about to be taken. Every organization a write names (an agency, an invited union, a
worker put on the roster) is checked here before the service runs.
"""

from __future__ import annotations

from django.db import transaction
from django.db.models import QuerySet
from django.http import HttpResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_field,
)
from rest_framework import exceptions, mixins, permissions, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from accounts.models import OrgKind, Worker
from applications import permissions as perms
from applications import selectors, services
from applications.api.applications import (
    ApplicationDetailSerializer,
    ApplicationSerializer,
    StrictBooleanField,
    application_detail,
)
from applications.api.common import (
    IdField,
    ReasonSerializer,
    org_by_code,
    validated,
)
from applications.api.settlements import SettlementSerializer, SettlementUploadSerializer
from applications.filters import GroupTripFilter
from applications.models import Application, GroupParticipant, GroupTrip, RosterImport
from bases import selectors as bases_selectors
from recuperation.api import Pagination

BOARD_FLAG = {"1": True, "true": True, "yes": True, "0": False, "false": False, "no": False}

# --- Serializers ---------------------------------------------------------------------------


class GroupTripSerializer(serializers.ModelSerializer):
    """A group trip as the board and lists show it: no personal data."""

    itinerary = serializers.IntegerField(source="batch.itinerary_id", read_only=True)
    itinerary_title = serializers.CharField(source="batch.itinerary.title", read_only=True)
    base_name = serializers.CharField(source="batch.itinerary.base.name", read_only=True)
    county = serializers.CharField(source="batch.itinerary.base.county.code", read_only=True)
    start_date = serializers.DateField(source="batch.start_date", read_only=True)
    end_date = serializers.DateField(source="batch.end_date", read_only=True)
    signup_deadline = serializers.DateField(source="batch.signup_deadline", read_only=True)
    organizer = serializers.CharField(source="organizer.code", read_only=True)
    organizer_name = serializers.CharField(source="organizer.name", read_only=True)
    members = serializers.IntegerField(
        source="members_count",
        read_only=True,
        help_text=gettext_lazy("Members holding a place in the block."),
    )
    open_seats = serializers.IntegerField(read_only=True)
    agency = serializers.CharField(source="agency.code", read_only=True, allow_null=True)
    cancelled = serializers.SerializerMethodField()

    class Meta:
        model = GroupTrip
        fields = [
            "id",
            "title",
            "batch",
            "itinerary",
            "itinerary_title",
            "base_name",
            "county",
            "start_date",
            "end_date",
            "signup_deadline",
            "organizer",
            "organizer_name",
            "seats",
            "members",
            "open_seats",
            "joint",
            "agency",
            "cancelled",
        ]
        read_only_fields = fields

    def get_cancelled(self, group: GroupTrip) -> bool:
        return group.cancelled_at is not None


class ParticipantSerializer(serializers.ModelSerializer):
    union = serializers.CharField(source="union.code", read_only=True)
    union_name = serializers.CharField(source="union.name", read_only=True)
    status = serializers.CharField(
        read_only=True, help_text=gettext_lazy("invited, joined or declined")
    )

    class Meta:
        model = GroupParticipant
        fields = ["union", "union_name", "status", "lead", "created_at", "responded_at"]
        read_only_fields = fields


class RosterEntrySerializer(serializers.ModelSerializer):
    worker_name = serializers.CharField(source="worker.real_name", read_only=True)
    union = serializers.CharField(source="union.code", read_only=True)
    status = serializers.CharField(read_only=True)

    class Meta:
        model = Application
        fields = ["id", "worker", "worker_name", "union", "status"]
        read_only_fields = fields


class GroupTripDetailSerializer(GroupTripSerializer):
    """A group trip with its unions, the part of its roster the caller may see, and what the
    caller may do with it (``manage``, ``roster``, ``respond``, ``run``)."""

    note = serializers.CharField(read_only=True)
    participants = ParticipantSerializer(many=True, read_only=True)
    roster = serializers.SerializerMethodField()
    actions = serializers.SerializerMethodField()

    class Meta(GroupTripSerializer.Meta):
        fields = [*GroupTripSerializer.Meta.fields, "note", "participants", "roster", "actions"]
        read_only_fields = fields

    @extend_schema_field(RosterEntrySerializer(many=True))
    def get_roster(self, group: GroupTrip) -> list[dict]:
        user = self.context["request"].user
        rows = (
            selectors.applications_visible_to(user)
            .filter(group_trip=group)
            .order_by("union__code", "worker__real_name", "pk")
        )
        return RosterEntrySerializer(rows, many=True).data

    def get_actions(self, group: GroupTrip) -> list[str]:
        user = self.context["request"].user
        return [name for name in ("manage", "roster", "respond", "run") if _may(user, name, group)]


def _may(user, name: str, group: GroupTrip) -> bool:
    return perms.GROUP_ACTIONS[name](user, group)


class GroupTripCreateSerializer(serializers.Serializer):
    batch = IdField()
    seats = serializers.IntegerField(min_value=1, max_value=1000)
    title = serializers.CharField(required=False, allow_blank=True, default="", max_length=100)
    joint = serializers.BooleanField(required=False, default=False)
    agency = serializers.CharField(
        required=False,
        allow_null=True,
        allow_blank=True,
        default=None,
        max_length=32,
        help_text=gettext_lazy("Code of the travel agency the trip is entrusted to."),
    )
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=2000)


class GroupTripUpdateSerializer(serializers.Serializer):
    title = serializers.CharField(required=False, max_length=100)
    joint = serializers.BooleanField(required=False)
    note = serializers.CharField(required=False, allow_blank=True, max_length=2000)
    seats = serializers.IntegerField(
        required=False,
        min_value=1,
        max_value=1000,
        help_text=gettext_lazy("Grow or shrink the block (never below the roster)."),
    )


class MemberSerializer(serializers.Serializer):
    worker = IdField(help_text=gettext_lazy("A member of your own union (worker id)."))


class InviteSerializer(serializers.Serializer):
    union = serializers.CharField(max_length=32, help_text=gettext_lazy("Grassroots union code."))


class RespondSerializer(serializers.Serializer):
    accept = StrictBooleanField()


class EntrustSerializer(serializers.Serializer):
    agency = serializers.CharField(
        allow_null=True,
        allow_blank=True,
        max_length=32,
        help_text=gettext_lazy("Travel agency code; null takes the trip back."),
    )


class EndorsedSerializer(serializers.Serializer):
    endorsed = serializers.ListField(child=serializers.IntegerField())


class RosterFileSerializer(serializers.Serializer):
    file = serializers.FileField(max_length=150, help_text=gettext_lazy("The filled-in template."))


class RosterImportSerializer(serializers.ModelSerializer):
    """An ``.xlsx`` roster upload: poll it until ``state`` is ``done`` or ``failed``."""

    group_trip = serializers.IntegerField(source="group_trip_id", read_only=True)
    union = serializers.CharField(source="union.code", read_only=True)
    state = serializers.CharField(
        read_only=True, help_text=gettext_lazy("pending, running, done or failed")
    )
    progress = serializers.IntegerField(source="progress_percent", read_only=True)
    errors = serializers.ListField(
        child=serializers.DictField(),
        read_only=True,
        help_text=gettext_lazy('[{"row": 3, "message": "…"}]; row 0 is about the whole file.'),
    )

    class Meta:
        model = RosterImport
        fields = [
            "id",
            "group_trip",
            "union",
            "filename",
            "state",
            "progress",
            "total_rows",
            "done_rows",
            "added",
            "errors",
            "created_at",
            "finished_at",
        ]
        read_only_fields = fields


# --- Views ---------------------------------------------------------------------------------


def _board_requested(request) -> bool:
    raw = (request.query_params.get("open_seats") or "0").strip().lower()
    if raw not in BOARD_FLAG:
        raise exceptions.ValidationError({"open_seats": [_("Use 1 or 0.")]})
    return BOARD_FLAG[raw]


class BoardOrAuthenticated(permissions.BasePermission):
    """The open-seats board is public; everything else about group trips needs a login."""

    def has_permission(self, request, view) -> bool:
        board = request.method in permissions.SAFE_METHODS and view.action == "list"
        if board and _board_requested(request):
            return True
        return bool(request.user and request.user.is_authenticated)


def _body_batch(user, batch_id: int):
    batch = (
        bases_selectors.batches_visible_to(user)
        .select_related("itinerary__base")
        .filter(pk=batch_id)
        .first()
    )
    if batch is None:
        raise serializers.ValidationError({"batch": [_("No batch has this id.")]})
    return batch


def _agency(code: str | None, field: str = "agency"):
    if not code or not code.strip():
        return None
    return org_by_code(code, kind=OrgKind.AGENCY, field=field)


@extend_schema(tags=["group-trips"])
class GroupTripViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """Group trips (团队): a block of seats on a batch held by a grassroots union, possibly
    jointly with others (联合组团) and entrusted to a travel agency (委托旅行社)."""

    serializer_class = GroupTripSerializer
    permission_classes = [BoardOrAuthenticated]
    filter_backends = [DjangoFilterBackend]
    filterset_class = GroupTripFilter
    pagination_class = Pagination
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self) -> QuerySet[GroupTrip]:
        if self.action == "list" and _board_requested(self.request):
            return selectors.open_seat_board().select_related("agency")
        return (
            selectors.group_trips_visible_to(self.request.user)
            .select_related("batch__itinerary__base__county")
            .order_by("-created_at", "-pk")
        )

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "open_seats",
                OpenApiTypes.BOOL,
                description=(
                    "1: the public open-seats board (joint groups small units may still join). "
                    "Otherwise the group trips you may see (login needed)."
                ),
            )
        ]
    )
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    def _answer(self, request, pk: int, code: int = status.HTTP_200_OK) -> Response:
        group = (
            selectors.with_roster_counts(
                GroupTrip.objects.select_related(
                    "batch__itinerary__base__county", "organizer", "agency"
                )
            )
            .prefetch_related("participants__union")
            .get(pk=pk)
        )
        data = GroupTripDetailSerializer(group, context={"request": request}).data
        return Response(data, status=code)

    @extend_schema(responses={200: GroupTripDetailSerializer})
    def retrieve(self, request, pk=None):
        """A group trip with its unions and the part of its roster in your scope."""
        group = perms.get_group_trip(request.user, pk, action="view")
        return self._answer(request, group.pk)

    @extend_schema(request=GroupTripCreateSerializer, responses={201: GroupTripDetailSerializer})
    def create(self, request):
        """An organizer holds a block of seats on a batch for their union."""
        user = request.user
        if not perms.can_create_group_trip(user):
            raise exceptions.PermissionDenied(_("Group trips are organised by union organizers."))
        data = validated(GroupTripCreateSerializer, request)
        batch = _body_batch(user, data.pop("batch"))
        agency = _agency(data.pop("agency"))
        group = services.group_trip_create(
            batch=batch, organizer=user.org, by=user, agency=agency, **data
        )
        return self._answer(request, group.pk, status.HTTP_201_CREATED)

    @extend_schema(request=GroupTripUpdateSerializer, responses={200: GroupTripDetailSerializer})
    def partial_update(self, request, pk=None):
        """The lead union changes the title, note, joint flag or the size of the block."""
        group = perms.get_group_trip(request.user, pk, action="manage")
        data = validated(GroupTripUpdateSerializer, request)
        seats = data.pop("seats", None)
        with transaction.atomic():  # both changes or neither
            if seats is not None:
                services.group_trip_resize(group_trip=group, seats=seats, by=request.user)
            if data:
                services.group_trip_update(group_trip=group, by=request.user, **data)
        return self._answer(request, group.pk)

    @extend_schema(request=MemberSerializer, responses={201: ApplicationSerializer})
    @action(detail=True, methods=["post"])
    def members(self, request, pk=None):
        """Put one of your own union's members on the roster (their eligibility applies)."""
        user = request.user
        group = perms.get_group_trip(user, pk, action="roster")
        worker_id = validated(MemberSerializer, request)["worker"]
        worker = (
            Worker.objects.select_related("union", "user")
            .filter(pk=worker_id, union_id=user.org_id)
            .first()
        )
        if worker is None:
            raise serializers.ValidationError(
                {"worker": [_("This is not a member of your union.")]}
            )
        application = services.roster_add(group_trip=group, worker=worker, union=user.org, by=user)
        data = ApplicationDetailSerializer(application_detail(application.pk)).data
        return Response(data, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses={200: EndorsedSerializer})
    @action(detail=True, methods=["post"])
    def endorse(self, request, pk=None):
        """Endorse every submitted member your union has on the roster."""
        user = request.user
        group = perms.get_group_trip(user, pk, action="roster")
        endorsed = services.group_endorse(group_trip=group, union=user.org, by=user)
        return Response({"endorsed": [a.pk for a in endorsed]})

    @extend_schema(request=InviteSerializer, responses={200: GroupTripDetailSerializer})
    @action(detail=True, methods=["post"])
    def invite(self, request, pk=None):
        """The lead union invites another grassroots union into the joint group."""
        group = perms.get_group_trip(request.user, pk, action="manage")
        code = validated(InviteSerializer, request)["union"]
        union = org_by_code(code, kind=OrgKind.GRASSROOTS, field="union")
        services.group_invite(group_trip=group, union=union, by=request.user)
        return self._answer(request, group.pk)

    @extend_schema(request=RespondSerializer, responses={200: GroupTripDetailSerializer})
    @action(detail=True, methods=["post"])
    def respond(self, request, pk=None):
        """An invited union accepts or declines."""
        user = request.user
        group = perms.get_group_trip(user, pk, action="respond")
        accept = validated(RespondSerializer, request)["accept"]
        participant = GroupParticipant.objects.get(group_trip=group, union_id=user.org_id)
        services.group_respond(participant=participant, accept=accept, by=user)
        return self._answer(request, group.pk)

    @extend_schema(request=None, responses={200: GroupTripDetailSerializer})
    @action(detail=True, methods=["post"])
    def join(self, request, pk=None):
        """A small unit joins a joint group from the open-seats board."""
        user = request.user
        group = perms.get_board_group_trip(user, pk)
        services.group_join(group_trip=group, union=user.org, by=user)
        return self._answer(request, group.pk)

    @extend_schema(request=EntrustSerializer, responses={200: GroupTripDetailSerializer})
    @action(detail=True, methods=["post"])
    def entrust(self, request, pk=None):
        """Entrust the trip to a travel agency (it then sees this roster and settlement only),
        or take it back with ``null``."""
        group = perms.get_group_trip(request.user, pk, action="manage")
        agency = _agency(validated(EntrustSerializer, request)["agency"])
        services.group_trip_entrust(group_trip=group, agency=agency, by=request.user)
        return self._answer(request, group.pk)

    @extend_schema(request=ReasonSerializer, responses={200: GroupTripDetailSerializer})
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        """Cancel before departure (reason required): every member is withdrawn and the block
        goes back to the batch."""
        group = perms.get_group_trip(request.user, pk, action="manage")
        reason = validated(ReasonSerializer, request)["reason"]
        services.group_trip_cancel(group_trip=group, by=request.user, reason=reason)
        return self._answer(request, group.pk)

    @extend_schema(
        request={"multipart/form-data": RosterFileSerializer},
        responses={202: RosterImportSerializer},
    )
    @action(
        detail=True,
        methods=["post"],
        url_path="import",
        url_name="import",
    )
    def import_roster(self, request, pk=None):
        """Upload an ``.xlsx`` roster (the template's format, at most 2 MB): it is checked row by
        row and applied all at once or not at all. Poll ``/api/v1/roster-imports/{id}/``."""
        user = request.user
        group = perms.get_group_trip(user, pk, action="roster")
        upload = validated(RosterFileSerializer, request)["file"]
        job = services.roster_import_start(group_trip=group, union=user.org, upload=upload, by=user)
        job = RosterImport.objects.select_related("union").get(pk=job.pk)
        return Response(RosterImportSerializer(job).data, status=status.HTTP_202_ACCEPTED)

    @extend_schema(
        request={"multipart/form-data": SettlementUploadSerializer},
        responses={201: SettlementSerializer},
    )
    @action(detail=True, methods=["post"])
    def settlement(self, request, pk=None):
        """After the trip, the lead union or the entrusted agency claims the subsidy of attended
        members with the base's invoice (PDF or image, at most 5 MB)."""
        from applications.api.settlements import submit_settlement

        group = perms.get_group_trip(request.user, pk, action="run")
        data = validated(SettlementUploadSerializer, request)
        ids = list(dict.fromkeys(data.pop("applications")))
        found = list(Application.objects.filter(pk__in=ids, group_trip=group))
        return submit_settlement(
            request, ids=ids, found=found, union=group.organizer, group_trip=group, **data
        )


@extend_schema(tags=["group-trips"])
class RosterImportViewSet(viewsets.GenericViewSet):
    """Roster uploads: progress and the row-by-row report; the template to fill in."""

    permission_classes = [permissions.IsAuthenticated]
    serializer_class = RosterImportSerializer
    queryset = RosterImport.objects.none()

    @extend_schema(responses={200: RosterImportSerializer})
    def retrieve(self, request, pk=None):
        job = perms.get_roster_import(request.user, pk)
        return Response(RosterImportSerializer(job).data)

    @extend_schema(
        responses={
            (200, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"): (
                OpenApiResponse(OpenApiTypes.BINARY, description="the .xlsx template")
            )
        }
    )
    @action(detail=False, methods=["get"])
    def template(self, request):
        """The roster template (.xlsx): one member per row, name and ID card number."""
        response = HttpResponse(
            services.roster_template(),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
        response["Content-Disposition"] = 'attachment; filename="roster-template.xlsx"'
        return response
