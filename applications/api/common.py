"""Plumbing shared by the applications API modules: ids, organization codes, body parsing."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions, serializers

from accounts.models import Organization, OrgKind

MAX_ID = 2**63 - 1


class IdField(serializers.IntegerField):
    """An object id in a request body: a whole number in the database's range."""

    def __init__(self, **kwargs):
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", MAX_ID)
        super().__init__(**kwargs)


def path_id(value) -> int:
    """An id from the URL; anything that cannot be one finds nothing (404)."""
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise exceptions.NotFound() from None
    if not 0 < number <= MAX_ID:
        raise exceptions.NotFound()
    return number


def validated(serializer_class, request) -> dict:
    """The request body checked by ``serializer_class`` (a 400 with field messages if not)."""
    params = serializer_class(data=request.data)
    params.is_valid(raise_exception=True)
    return dict(params.validated_data)


ORG_NOT_FOUND = {
    OrgKind.AGENCY: _("No travel agency has this code."),
    OrgKind.GRASSROOTS: _("No grassroots union has this code."),
}


def org_by_code(code: str, *, kind: str, field: str) -> Organization:
    """An active organization of ``kind`` named by its code, or a 400 on ``field``."""
    org = Organization.objects.filter(code=code.strip(), kind=kind, is_active=True).first()
    if org is None:
        raise serializers.ValidationError({field: [ORG_NOT_FOUND[kind]]})
    return org


class ReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(required=False, allow_blank=True, default="", max_length=2000)
