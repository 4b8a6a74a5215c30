"""Display helpers of the applications pages (status badges)."""

from __future__ import annotations

from django import template

register = template.Library()

STATUS_CSS = {
    "waitlisted": "text-bg-warning",
    "submitted": "text-bg-info",
    "endorsed": "text-bg-primary",
    "approved": "text-bg-success",
    "completed": "text-bg-success",
    "settled": "text-bg-dark",
    "rejected": "text-bg-danger",
    "withdrawn": "text-bg-light border",
    "no_show": "text-bg-secondary",
    # group participants, roster imports and settlements
    "invited": "text-bg-warning",
    "joined": "text-bg-success",
    "declined": "text-bg-light border",
    "pending": "text-bg-light border",
    "running": "text-bg-info",
    "done": "text-bg-success",
    "failed": "text-bg-danger",
    "paid": "text-bg-success",
    "returned": "text-bg-warning",
}


@register.filter
def app_status_css(status: str) -> str:
    """``{{ application.status|app_status_css }}`` → the badge classes of that status."""
    return STATUS_CSS.get(str(status), "text-bg-light border")
