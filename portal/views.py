from __future__ import annotations

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

import applications.selectors
from portal.health import health


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    context = {}
    eligibility = applications.selectors.eligibility_of(request.user)
    if eligibility is not None:
        # A worker's first screen: this year's subsidy left and their trips.
        today = timezone.localdate()
        context["subsidy"] = applications.selectors.subsidy_left(eligibility, today.year)
        context["trips"] = list(
            applications.selectors.upcoming_trips(eligibility.worker, today=today)[:5]
        )
    return render(request, "portal/home.html", context)


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    healthy, report = health()
    return JsonResponse(
        {"status": "ok" if healthy else "error", **report}, status=200 if healthy else 503
    )
