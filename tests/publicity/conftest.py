from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    """Uploaded article images land in a temporary folder, not the checkout."""
    settings.MEDIA_ROOT = tmp_path / "media"
