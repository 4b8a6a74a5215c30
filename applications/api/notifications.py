"""``/api/v1/notifications/``: the caller's own in-portal messages, with the unread count."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, mixins, permissions, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from accounts.models import Notification
from accounts.notify import mark_read
from applications.api.common import path_id
from recuperation.api import Pagination


class NotificationSerializer(serializers.ModelSerializer):
    read = serializers.SerializerMethodField()

    class Meta:
        model = Notification
        fields = ["id", "subject", "body", "url", "created_at", "read_at", "read"]
        read_only_fields = fields

    def get_read(self, note: Notification) -> bool:
        return note.read_at is not None


class UnreadSerializer(serializers.Serializer):
    marked = serializers.IntegerField()
    unread = serializers.IntegerField()


class NotificationPagination(Pagination):
    """The project's page shape plus ``unread``: how many of all the caller's are unread."""

    unread = 0

    def get_paginated_response(self, data):
        response = super().get_paginated_response(data)
        response.data["unread"] = self.unread
        return response

    def get_paginated_response_schema(self, schema):
        schema = super().get_paginated_response_schema(schema)
        schema["properties"]["unread"] = {"type": "integer", "example": 3}
        schema["required"] = [*schema.get("required", []), "unread"]
        return schema


def _unread(user) -> int:
    return Notification.objects.filter(user=user, read_at__isnull=True).count()


@extend_schema(tags=["notifications"])
class NotificationViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """Your notifications, newest first, with ``unread`` (the count of unread ones)."""

    serializer_class = NotificationSerializer
    permission_classes = [permissions.IsAuthenticated]
    pagination_class = NotificationPagination
    filter_backends: list = []

    def get_queryset(self):
        user = self.request.user
        if not user.is_authenticated:  # the schema generator asks anonymously
            return Notification.objects.none()
        return Notification.objects.filter(user=user).order_by("-created_at", "-pk")

    def list(self, request, *args, **kwargs):
        self.paginator.unread = _unread(request.user)
        return super().list(request, *args, **kwargs)

    @extend_schema(request=None, responses={200: NotificationSerializer})
    @action(detail=True, methods=["post"])
    def read(self, request, pk=None):
        """Mark one of your notifications read."""
        note = self.get_queryset().filter(pk=path_id(pk)).first()
        if note is None:
            raise exceptions.NotFound()
        mark_read(user=request.user, ids=[note.pk])
        note.refresh_from_db()
        return Response(NotificationSerializer(note).data)

    @extend_schema(request=None, responses={200: UnreadSerializer})
    @action(detail=False, methods=["post"], url_path="read-all", url_name="read-all")
    def read_all(self, request):
        """Mark all your notifications read."""
        marked = mark_read(user=request.user)
        return Response({"marked": marked, "unread": _unread(request.user)})
