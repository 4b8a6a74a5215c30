"""Periodic money jobs. Thin: each loads what it needs and calls one idempotent service."""

from __future__ import annotations

from datetime import date

from celery import shared_task
from django.utils import timezone

from funds import services


# Money jobs: the message is acknowledged only when the job has finished, and put back when the
# worker dies under it; the services' idempotency makes the rerun finish the job exactly once
# (tests/ops/test_worker_crash.py kills a real worker half-way through a rollover).
@shared_task(
    bind=True, acks_late=True, reject_on_worker_lost=True, max_retries=3, default_retry_delay=60
)
def rollover_year(self, year: int | None = None) -> int:
    """1 January: close the year just ended. Safe to run twice or after a killed worker."""
    year = year or timezone.localdate().year - 1
    return len(services.rollover(year=year))


@shared_task(acks_late=True, reject_on_worker_lost=True)
def snapshot_utilization(day: str | None = None) -> int:
    """Daily: store each federation's utilization and its early-warning flag for today."""
    return services.snapshot_utilization(day=date.fromisoformat(day) if day else None)
