"""Storage for private uploads (invoices, rosters): outside the web root, no public URL."""

from __future__ import annotations

import os

from django.conf import settings
from django.core.files.storage import FileSystemStorage

# Filesystems allow 255 bytes a name, and a Chinese character is three: keep well below.
MAX_NAME_BYTES = 120


class PrivateStorage(FileSystemStorage):
    """``PRIVATE_MEDIA_ROOT``, read at each use (tests point it at a temporary folder)."""

    def get_valid_name(self, name):
        """Django's cleaning, then short enough in bytes (a long file name would otherwise fail
        with "File name too long" when saved, after every check had passed)."""
        name = super().get_valid_name(name)
        if len(name.encode()) <= MAX_NAME_BYTES:
            return name
        stem, ext = os.path.splitext(name)
        ext = ext[:10]
        stem = stem.encode()[: MAX_NAME_BYTES - len(ext.encode())].decode(errors="ignore")
        return (stem or "file") + ext

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
