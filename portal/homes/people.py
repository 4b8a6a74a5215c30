"""Homes of the people who take and run trips: workers, organizers, operators and agencies."""

from __future__ import annotations

from django.http import HttpRequest
from django.utils import timezone

import applications.selectors


def worker(request: HttpRequest) -> tuple[str, dict]:
    """This year's subsidy left and the worker's trips."""
    context: dict = {"show_work": True}
    eligibility = applications.selectors.eligibility_of(request.user)
    if eligibility is not None:
        today = timezone.localdate()
        context["subsidy"] = applications.selectors.subsidy_left(eligibility, today.year)
        context["trips"] = list(
            applications.selectors.upcoming_trips(eligibility.worker, today=today)[:5]
        )
    return "portal/home/worker.html", context


def organizer(request: HttpRequest) -> tuple[str, dict]:
    return "portal/home/public.html", {"show_work": True}


def operator(request: HttpRequest) -> tuple[str, dict]:
    return "portal/home/public.html", {"show_work": True}


def agency(request: HttpRequest) -> tuple[str, dict]:
    return "portal/home/public.html", {"show_work": True}
