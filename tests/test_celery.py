from __future__ import annotations

import uuid

import pytest
from django.conf import settings
from django.core.cache import cache

from portal.tasks import HEARTBEAT_KEY, heartbeat
from recuperation.celery import app


def test_celery_app_reads_django_settings_and_discovers_tasks():
    app.loader.import_default_modules()
    assert "portal.tasks.heartbeat" in app.tasks
    for entry in settings.CELERY_BEAT_SCHEDULE.values():
        assert entry["task"] in app.tasks


def test_tasks_run_eagerly_in_process_in_tests():
    result = heartbeat.delay()
    assert result.successful()
    assert cache.get(HEARTBEAT_KEY) == result.get()


@pytest.mark.redis
def test_a_task_runs_through_the_real_redis_broker():
    from celery.contrib.testing.worker import start_worker

    assert settings.CELERY_BROKER_URL.startswith("redis://")
    assert not app.conf.task_always_eager
    # A queue of its own, so no other worker on the same Redis can take the message.
    queue = f"test-{uuid.uuid4().hex}"
    with start_worker(
        app, perform_ping_check=False, pool="solo", loglevel="WARNING", queues=[queue]
    ):
        result = heartbeat.apply_async(queue=queue)
        stamp = result.get(timeout=20)
    assert result.successful()
    assert cache.get(HEARTBEAT_KEY) == stamp
