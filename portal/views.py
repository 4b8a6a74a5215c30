from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from portal import dashboard as board
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


@login_required
@require_GET
def dashboard(request: HttpRequest) -> HttpResponse:
    """Charts and figures of the user's subtree for one year (federation staff, auditors)."""
    board.dashboard_root(request.user)  # 403 before anything else
    today = timezone.localdate()
    year = board.year_from(request.GET.get("year"), today)
    export = request.GET.get("export")
    if export in board.EXPORTS:
        return board.EXPORTS[export](request.user, year=year, today=today)
    context = board.dashboard(request.user, year=year, today=today)
    return render(request, "portal/dashboard.html", context)
