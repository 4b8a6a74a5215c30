from __future__ import annotations

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "recuperation.settings")

app = Celery("recuperation")
# All CELERY_* settings come from Django settings (and thus from the environment).
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
