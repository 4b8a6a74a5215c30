"""Public uploads are served by the app with DEBUG off (recuperation.media); nothing else is."""

from __future__ import annotations

import os
import subprocess
import sys
from io import BytesIO
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils.http import http_date
from PIL import Image

from bases.models import BasePhoto
from tests.bases.factories import BaseFactory

ROOT = Path(__file__).resolve().parent.parent


def png() -> bytes:
    out = BytesIO()
    Image.new("RGB", (3, 2), "green").save(out, format="PNG")
    return out.getvalue()


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"
    (tmp_path / "media/bases").mkdir(parents=True)
    (tmp_path / "private").mkdir()
    assert settings.DEBUG is False
    return tmp_path


@pytest.mark.django_db
def test_an_uploaded_base_photo_is_served_at_its_url_with_caching_headers(client, media):
    photo = BasePhoto.objects.create(
        base=BaseFactory(), image=SimpleUploadedFile("湖边.png", png(), content_type="image/png")
    )
    assert photo.image.url.startswith("/media/bases/")
    response = client.get(photo.image.url)
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert response["Cache-Control"] == "public, max-age=3600"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert b"".join(response.streaming_content) == png()
    assert client.head(photo.image.url).status_code == 200

    since = http_date((media / "media" / photo.image.name).stat().st_mtime)
    again = client.get(photo.image.url, HTTP_IF_MODIFIED_SINCE=since)
    assert again.status_code == 304
    assert again["Cache-Control"] == "public, max-age=3600"


@pytest.mark.parametrize(
    "path",
    [
        "/media/bases/missing.png",
        "/media/bases/",  # no directory listings
        "/media/bases",
        "/media/../private/invoice.png",  # PRIVATE_MEDIA_ROOT is out of reach
        "/media/%2e%2e/private/invoice.png",
        "/media/bases/..%2f..%2fprivate/invoice.png",
        "/media/bases\\..\\..\\private\\invoice.png",
        "/media/bases/page.html",  # only pictures, and no kind a browser runs
        "/media/bases/drawing.svg",
        "/media/bases/notes.txt",
    ],
)
def test_only_public_pictures_inside_media_root_are_served(client, media, path):
    (media / "private/invoice.png").write_bytes(png())
    for name in ("page.html", "drawing.svg", "notes.txt"):
        (media / "media/bases" / name).write_text("<script>alert(1)</script>")
    assert client.get(path).status_code == 404


def test_writes_are_refused(client, media):
    (media / "media/bases/a.png").write_bytes(png())
    for method in ("post", "put", "patch", "delete"):
        assert getattr(client, method)("/media/bases/a.png").status_code == 405
    assert (media / "media/bases/a.png").exists()


def test_private_uploads_may_not_live_inside_the_public_folder(tmp_path):
    env = os.environ | {
        "MEDIA_ROOT": str(tmp_path),
        "PRIVATE_MEDIA_ROOT": str(tmp_path / "invoices"),
    }
    result = subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
        cwd=ROOT,
        env=env | {"DJANGO_SETTINGS_MODULE": "recuperation.settings"},
        capture_output=True,
        text=True,
    )
    assert result.returncode != 0
    assert "PRIVATE_MEDIA_ROOT must not lie inside MEDIA_ROOT" in result.stderr
