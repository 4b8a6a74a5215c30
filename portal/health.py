"""Readiness checks behind GET /healthz."""

from __future__ import annotations

from django.conf import settings
from django.core.cache import cache
from django.db import connection

from portal.tasks import HEARTBEAT_KEY
from recuperation.celery import app as celery_app


def check_database() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return "ok"


def check_broker() -> str:
    if settings.CELERY_TASK_ALWAYS_EAGER:
        return "eager"
    with celery_app.connection_for_write() as conn:
        conn.ensure_connection(max_retries=1, timeout=2)
    return "ok"


def health() -> tuple[bool, dict[str, str]]:
    report: dict[str, str] = {}
    healthy = True
    for name, check in (("database", check_database), ("broker", check_broker)):
        try:
            report[name] = check()
        except Exception as exc:  # noqa: BLE001 - any failure is reported, not raised
            report[name] = f"error: {exc.__class__.__name__}"
            healthy = False
    report["database_engine"] = connection.vendor
    report["last_task_run"] = cache.get(HEARTBEAT_KEY) or ""
    return healthy, report
