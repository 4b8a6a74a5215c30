"""Jobs of the applications app: load by id, call one service, nothing else."""

from __future__ import annotations

from celery import shared_task

from applications import services

# Every job here is idempotent, so a message redelivered after a killed worker (acknowledged
# late, put back when the worker is lost) finishes the job once (tests/ops/test_worker_crash.py).


@shared_task(acks_late=True, reject_on_worker_lost=True)
def promote_waitlist(batch_id: int) -> int:
    """Fill a batch's free seats from its waiting list (idempotent: safe twice or at once)."""
    return len(services.waitlist_promote(batch_id=batch_id))


@shared_task(acks_late=True, reject_on_worker_lost=True)
def run_roster_import(import_id: int) -> int:
    """Check and apply one uploaded roster (a finished import is left as it is)."""
    return services.roster_import_run(import_id=import_id).added


@shared_task(acks_late=True, reject_on_worker_lost=True)
def expire_waitlists() -> int:
    """Daily: close the waiting lists of batches that have departed."""
    return services.waitlist_expire()


@shared_task(acks_late=True, reject_on_worker_lost=True)
def send_reminders() -> dict:
    """Daily: sign-up deadlines, departures and approvals waiting too long (each once)."""
    return services.send_reminders()
