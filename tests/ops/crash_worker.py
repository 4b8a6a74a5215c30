"""A real Celery worker for the crash tests, which can be told to stop at a known point of a job.

Run as a program (``python tests/ops/crash_worker.py QUEUE``): the project's settings and Celery
app, the prefork pool as in production, consuming only ``QUEUE`` (and sending the tasks its jobs
queue, such as notification e-mails, to the same queue, so nothing is left for other workers).

``CRASH_PAUSE_AT`` makes the first run of a job stop half-way, after one of its steps:
- ``rollover``: after the first account has been rolled over (committed: a rollover moves its
  accounts in batches, each its own database transaction; here a batch of one), before the next;
- ``promotion``: after the first waiting application has been promoted, inside the promotion's
  one database transaction (uncommitted, the batch row locked).
There it writes its process id to ``CRASH_SIGNAL_FILE`` and sleeps, so that the test can look at
the database and SIGKILL the worker at exactly that point. A run that finds the signal file
already written (the redelivered job, in a new pool process) does not stop. Nothing here is used
outside the tests: production code has no test hooks.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "recuperation.settings")

import django  # noqa: E402

django.setup()

from recuperation.celery import app  # noqa: E402

PAUSE_SECONDS = 120  # far longer than a test waits: the kill always comes first


def _pause_once() -> None:
    signal_file = Path(os.environ["CRASH_SIGNAL_FILE"])
    if signal_file.exists():
        return
    signal_file.write_text(str(os.getpid()))
    time.sleep(PAUSE_SECONDS)


def _stop_mid_rollover() -> None:
    from funds import services

    # One account per batch (each batch is its own transaction), so "half-way" is after the
    # first account's batch committed and before the next one.
    services.ROLLOVER_BATCH_SIZE = 1
    roll_batch = services._roll_batch

    def roll_then_pause(account_ids, by):
        lines = roll_batch(account_ids, by)
        _pause_once()
        return lines

    services._roll_batch = roll_then_pause


def _stop_mid_promotion() -> None:
    from applications.services import core

    move = core._move

    def move_then_pause(application, to, **kwargs):
        moved = move(application, to, **kwargs)
        if kwargs.get("action") == "application.promote":
            _pause_once()
        return moved

    core._move = move_then_pause


PAUSES = {"rollover": _stop_mid_rollover, "promotion": _stop_mid_promotion}


def main(queue: str) -> None:
    if pause := os.environ.get("CRASH_PAUSE_AT"):
        PAUSES[pause]()
    app.conf.task_default_queue = queue
    app.worker_main(
        [
            "worker",
            "--queues",
            queue,
            "--pool",
            "prefork",
            "--concurrency",
            "1",
            "--loglevel",
            "INFO",
            "--hostname",
            f"{queue}@%h",
            "--without-gossip",
            "--without-mingle",
        ]
    )


if __name__ == "__main__":
    main(sys.argv[1])
