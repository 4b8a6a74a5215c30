"""The production settings (``DJANGO_ENV=production`` from the environment, DEBUG off) with the
benchmark's floor views mounted beside the portal's URLs (``bench.urls``)."""

from recuperation.settings import *  # noqa: F403

ROOT_URLCONF = "bench.urls"
