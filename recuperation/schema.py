"""The OpenAPI schema at /api/v1/schema/: drf-spectacular, plus the errors the API really gives.

Its own module: the schema generator imports DRF's generic views, which import the pagination
class of ``recuperation.api`` (a cycle if both lived there).
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from drf_spectacular.openapi import AutoSchema as SpectacularAutoSchema
from drf_spectacular.plumbing import ResolvedComponent
from rest_framework import permissions, serializers


class ErrorSerializer(serializers.Serializer):
    detail = serializers.CharField(help_text=_("What went wrong, in the user's language."))


VALIDATION_ERROR = ResolvedComponent(
    name="ValidationError",
    type=ResolvedComponent.SCHEMA,
    object="ValidationError",
    schema={
        "type": "object",
        "description": (
            "What is wrong with the request: each field's messages under its name (a list of "
            "strings, or nested for lists and objects), `non_field_errors` for the whole, or "
            "`detail` for a request that could not be read at all."
        ),
        "additionalProperties": {},
    },
)


class AutoSchema(SpectacularAutoSchema):
    """The OpenAPI schema documents the error answers each operation really gives.

    Any request can be a 400 (unreadable input, a NUL character) or a 401 (a wrong token);
    writes and logged-in reads can be a 403; anything that names an object, and every paginated
    list (a page past the end), can be a 404; a body in an unreadable format is a 415; a
    throttled view can be a 429.
    """

    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        if direction != "response":
            return responses
        self.registry.register_on_missing(VALIDATION_ERROR)
        errors = {"400": (VALIDATION_ERROR.ref, _("The request is not valid."))}
        errors["401"] = (ErrorSerializer, _("The token or session is not valid."))
        safe = self.method in permissions.SAFE_METHODS
        if not (safe and self._is_public()):
            errors["403"] = (ErrorSerializer, _("Not allowed for this user."))
        if "{" in self.path or self._is_list_view():
            errors["404"] = (ErrorSerializer, _("Not found, or not visible to this user."))
        if self.method in ("POST", "PUT", "PATCH"):
            errors["415"] = (
                ErrorSerializer,
                _("The body is not in a format this operation reads."),
            )
        if getattr(self.view, "throttle_classes", None):
            errors["429"] = (ErrorSerializer, _("Too many requests: try again later."))
        for code, (body, description) in errors.items():
            if code not in responses:
                response = self._get_response_for_code(body, code, direction=direction)
                responses[code] = {**response, "description": str(description)}
        return responses

    def _is_public(self) -> bool:
        public = (permissions.AllowAny, permissions.IsAuthenticatedOrReadOnly)
        return all(isinstance(p, public) for p in self.view.get_permissions())
