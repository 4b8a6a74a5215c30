from __future__ import annotations

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from portal import homes
from portal.health import health


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    """The first screen: a home for each role (portal.homes)."""
    template, context = homes.home(request)
    return render(request, template, context)


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    healthy, report = health()
    return JsonResponse(
        {"status": "ok" if healthy else "error", **report}, status=200 if healthy else 503
    )
