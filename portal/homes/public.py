"""The public home: what anyone sees before logging in (and accounts without a role)."""

from __future__ import annotations

from django.http import HttpRequest


def anonymous(request: HttpRequest) -> tuple[str, dict]:
    return "portal/home/public.html", {}


def signed_in(request: HttpRequest) -> tuple[str, dict]:
    """A superuser or an account without a role: the public page and the menu's work."""
    return "portal/home/public.html", {"show_work": True}
