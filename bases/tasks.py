"""Periodic jobs of the bases app: each loads what it needs and calls one service."""

from __future__ import annotations

from celery import shared_task

from bases import services
from bases.models import Inspection


@shared_task(acks_late=True)
def update_watch_list() -> dict:
    """Daily: refresh service scores, watch-list bases under the threshold, propose suspensions.

    Idempotent: running it twice on a day changes nothing the second time.
    """
    return services.watch_list_update().as_dict()


@shared_task(acks_late=True)
def draw_inspections() -> int:
    """Monthly: draw this month's random inspections with a recorded seed (once per month)."""
    return services.inspections_draw().pk


@shared_task(acks_late=True)
def notify_inspection(inspection_id: int) -> int:
    """Tell a base's operator that it was drawn for inspection."""
    inspection = Inspection.objects.select_related("base").filter(pk=inspection_id).first()
    if inspection is None:
        return 0
    return services.inspection_notify(inspection=inspection)
