"""Homes of federation staff and auditors."""

from __future__ import annotations

from django.http import HttpRequest


def federation_staff(request: HttpRequest) -> tuple[str, dict]:
    return "portal/home/public.html", {"show_work": True}


def auditor(request: HttpRequest) -> tuple[str, dict]:
    return "portal/home/public.html", {"show_work": True}
