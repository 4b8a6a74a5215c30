"""Small display helpers for the bases pages."""

from __future__ import annotations

from datetime import date

from django import template
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from bases.models import Addon, Batch, Product, Theme

register = template.Library()

THEMES = dict(Theme.choices)
PRODUCTS = dict(Product.choices)
ADDONS = dict(Addon.choices)

BATCH_STATES = {
    "open": (_("Open"), "text-bg-success"),
    "few_left": (_("Few seats left"), "text-bg-warning"),
    "full": (_("Full"), "text-bg-secondary"),
    "deadline_passed": (_("Sign-up closed"), "text-bg-light border"),
    "closed": (_("Closed"), "text-bg-dark"),
    "finished": (_("Finished"), "text-bg-light border text-muted"),
}
STATUS_CSS = {
    "active": "text-bg-success",
    "watch": "text-bg-warning",
    "suspended": "text-bg-danger",
    "exited": "text-bg-dark",
    "rejected": "text-bg-secondary",
    "notice": "text-bg-info",
}
INSPECTION_CSS = {
    "scheduled": "text-bg-info",
    "passed": "text-bg-success",
    "rectifying": "text-bg-warning",
    "answered": "text-bg-primary",
    "closed": "text-bg-secondary",
}


@register.filter
def stars(count: int | None) -> str:
    """``3`` → ``★★★☆☆``; no stars → an em dash."""
    count = int(count or 0)
    return "★" * count + "☆" * (5 - count) if count else "—"


@register.filter
def theme_items(codes: list[str]) -> list[tuple[str, str]]:
    return [(code, THEMES.get(code, code)) for code in codes or []]


@register.filter
def product_labels(codes: list[str]) -> list[str]:
    return [PRODUCTS.get(code, code) for code in codes or []]


@register.filter
def addon_labels(codes: list[str]) -> list[str]:
    return [ADDONS.get(code, code) for code in codes or []]


@register.filter
def batch_state(batch: Batch, today: date | None = None) -> dict:
    code = batch.state(today or timezone.localdate())
    label, css = BATCH_STATES[code]
    return {"code": code, "label": label, "css": css}


@register.filter
def status_css(status: str) -> str:
    return STATUS_CSS.get(status, "text-bg-light border")


@register.filter
def inspection_css(status: str) -> str:
    return INSPECTION_CSS.get(status, "text-bg-light border")


@register.simple_tag(takes_context=True)
def query_with(context, **changes) -> str:
    """The current query string with some parameters replaced (``page`` for pagination links)."""
    params = context["request"].GET.copy()
    for key, value in changes.items():
        if value in (None, ""):
            params.pop(key, None)
        else:
            params[key] = value
    return params.urlencode()


@register.filter
def is_overdue_on(inspection, today: date) -> bool:
    return inspection.is_overdue(today)


@register.filter
def get_item(mapping: dict, key):
    return mapping.get(key)
