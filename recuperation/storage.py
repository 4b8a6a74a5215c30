"""Storage for private uploads (invoices, rosters): outside the web root, no public URL."""

from __future__ import annotations

import os

from django.conf import settings
from django.core.files.storage import FileSystemStorage


class PrivateStorage(FileSystemStorage):
    """``PRIVATE_MEDIA_ROOT``, read at each use (tests point it at a temporary folder)."""

    @property
    def base_location(self):
        return str(settings.PRIVATE_MEDIA_ROOT)

    @property
    def location(self):
        return os.path.abspath(self.base_location)

    @property
    def base_url(self):
        return None

    def url(self, name):
        raise ValueError("private files have no URL: serve them through a view that checks scope")


def private_storage() -> PrivateStorage:
    """A callable, so migrations do not record the machine's path."""
    return PrivateStorage()
