"""Shared API plumbing: pagination, error translation, and the API's 404 for unknown paths and
400 for requests Django refuses before any view."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext as _
from django.views.defaults import bad_request as django_bad_request
from django.views.defaults import page_not_found
from rest_framework import exceptions
from rest_framework.pagination import PageNumberPagination
from rest_framework.views import exception_handler as drf_exception_handler


class Pagination(PageNumberPagination):
    """``{"count", "next", "previous", "results"}`` pages of 20, up to 100 with ``page_size``."""

    page_size = 20
    page_size_query_param = "page_size"
    max_page_size = 100


def exception_handler(exc, context):
    """Let services raise Django's ValidationError/PermissionDenied; answer 400/403 with text."""
    if isinstance(exc, DjangoValidationError):
        if hasattr(exc, "message_dict"):
            exc = exceptions.ValidationError(exc.message_dict)
        else:
            exc = exceptions.ValidationError({"detail": exc.messages})
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied(str(exc) or None)
    return drf_exception_handler(exc, context)


def not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    """``handler404``: an unknown path under ``/api/`` answers JSON like the API; others a page."""
    if request.path.startswith("/api/"):
        return JsonResponse(
            {"detail": _("Not found.")}, status=404, json_dumps_params={"ensure_ascii": False}
        )
    return page_not_found(request, exception)


def bad_request(request: HttpRequest, exception: Exception) -> HttpResponse:
    """``handler400``: a request Django refuses before any view (too many form fields, a bad
    host header…) answers JSON under ``/api/``; others the 400 page."""
    if request.path.startswith("/api/"):
        return JsonResponse(
            {"detail": _("The request could not be understood.")},
            status=400,
            json_dumps_params={"ensure_ascii": False},
        )
    return django_bad_request(request, exception)
