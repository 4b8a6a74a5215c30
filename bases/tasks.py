from __future__ import annotations

from celery import shared_task


@shared_task
def update_watch_list() -> None:
    """Daily: put bases under the score threshold on the watch list (arrives with issue 3)."""


@shared_task
def draw_inspections() -> None:
    """Monthly: draw random inspections with a recorded seed (arrives with issue 3)."""
