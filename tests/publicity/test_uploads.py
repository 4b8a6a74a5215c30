"""Images uploaded with an article: checked by content, size-limited, stored under MEDIA_ROOT;
a bad file is a clear field error and changes nothing."""

from __future__ import annotations

import io
import struct
import zlib

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from publicity.models import Article, ArticleImage, Kind
from publicity.validators import IMAGE_MAX_BYTES
from tests.publicity.factories import ArticleFactory, image_upload

pytestmark = pytest.mark.django_db


def form(tree, **changes) -> dict:
    return {
        "kind": Kind.NEWS,
        "org": tree.county_a.pk,
        "title": "带图的新闻",
        "summary": "摘要",
        "body": "正文",
        **changes,
    }


def files_under(root) -> list:
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


def png_bomb(width: int = 30_000, height: int = 30_000) -> bytes:
    """A valid PNG header declaring 900 million pixels, a few hundred bytes on disk."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\0" * 64))
        + chunk(b"IEND", b"")
    )


@pytest.fixture
def staff_client(client, tree):
    client.force_login(tree.user("county_a_staff"))
    return client


@pytest.mark.parametrize("fmt", ["PNG", "JPEG", "WEBP"])
def test_an_image_is_stored_under_media_root_and_shown(staff_client, tree, settings, fmt):
    upload = image_upload(f"cover.{fmt.lower()}", fmt=fmt)
    response = staff_client.post(
        "/publicity/manage/new/", {**form(tree), "image": upload, "image_caption": "封面"}
    )
    assert response.status_code == 302
    image = ArticleImage.objects.get()
    assert image.caption == "封面"
    stored = settings.MEDIA_ROOT / image.image.name
    assert stored.is_file() and image.image.name.startswith("publicity/")
    page = staff_client.get(response["Location"]).content.decode()
    assert f'src="{image.image.url}"' in page


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("fake.png", b"<html><script>alert(1)</script></html>", "JPEG、PNG 或 WebP"),
        ("fake.jpg", b"GIF89a" + b"\0" * 64, "JPEG、PNG 或 WebP"),
        ("empty.png", b"", "空文件"),
    ],
)
def test_a_file_that_is_not_an_image_changes_nothing(
    staff_client, tree, settings, name, content, message
):
    response = staff_client.post(
        "/publicity/manage/new/", {**form(tree), "image": SimpleUploadedFile(name, content)}
    )
    assert response.status_code == 200
    errors = response.context["form"].errors["image"]
    assert any(message in str(e) for e in errors), errors
    assert not Article.objects.exists()
    assert files_under(settings.MEDIA_ROOT) == []


def test_a_gif_is_refused_by_its_content(staff_client, tree, settings):
    buffer = io.BytesIO()
    Image.new("RGB", (10, 10)).save(buffer, format="GIF")
    upload = SimpleUploadedFile("pretend.png", buffer.getvalue(), content_type="image/png")
    response = staff_client.post("/publicity/manage/new/", {**form(tree), "image": upload})
    assert response.status_code == 200
    assert "JPEG、PNG 或 WebP" in str(response.context["form"].errors["image"])
    assert not Article.objects.exists()


def test_a_too_large_file_is_refused_with_the_limit(staff_client, tree, settings):
    big = SimpleUploadedFile("big.png", image_upload().read() + b"\0" * (IMAGE_MAX_BYTES + 1))
    response = staff_client.post("/publicity/manage/new/", {**form(tree), "image": big})
    assert response.status_code == 200
    assert "3.0" in str(response.context["form"].errors["image"])  # "the limit is 3.0 MB"
    assert not Article.objects.exists()
    assert files_under(settings.MEDIA_ROOT) == []


def test_a_decompression_bomb_is_refused_not_decoded(staff_client, tree, settings):
    bomb = SimpleUploadedFile("bomb.png", png_bomb(), content_type="image/png")
    response = staff_client.post("/publicity/manage/new/", {**form(tree), "image": bomb})
    assert response.status_code == 200
    assert "image" in response.context["form"].errors
    assert not Article.objects.exists()


def test_a_bad_image_on_edit_keeps_the_article_as_it_was(staff_client, tree, settings):
    article = ArticleFactory(org=tree.county_a, title="原标题")
    response = staff_client.post(
        f"/publicity/manage/{article.pk}/edit/",
        {**form(tree, title="新标题"), "image": SimpleUploadedFile("x.png", b"not an image")},
    )
    assert response.status_code == 200
    article.refresh_from_db()
    assert article.title == "原标题"
    assert not article.images.exists()


def test_images_are_added_and_removed_on_edit(
    staff_client, tree, settings, django_capture_on_commit_callbacks
):
    article = ArticleFactory(org=tree.county_a)
    for caption in ("一", "二"):
        staff_client.post(
            f"/publicity/manage/{article.pk}/edit/",
            {**form(tree), "image": image_upload(), "image_caption": caption},
        )
    first, second = article.images.order_by("position")
    assert [first.caption, second.caption] == ["一", "二"]
    first_file = settings.MEDIA_ROOT / first.image.name
    assert first_file.is_file()
    with django_capture_on_commit_callbacks(execute=True):
        response = staff_client.post(
            f"/publicity/manage/{article.pk}/edit/",
            {**form(tree), "remove_images": [str(first.pk)]},
        )
    assert response.status_code == 302
    assert list(article.images.values_list("caption", flat=True)) == ["二"]
    assert not first_file.exists()  # the file goes once its row is gone for good
    assert (settings.MEDIA_ROOT / second.image.name).is_file()


def test_another_articles_image_cannot_be_removed(staff_client, tree):
    other = ArticleFactory(org=tree.county_a)
    staff_client.post(
        f"/publicity/manage/{other.pk}/edit/", {**form(tree), "image": image_upload()}
    )
    image = other.images.get()
    article = ArticleFactory(org=tree.county_a)
    response = staff_client.post(
        f"/publicity/manage/{article.pk}/edit/", {**form(tree), "remove_images": [str(image.pk)]}
    )
    assert response.status_code == 200  # not one of this article's images: a field error
    assert "remove_images" in response.context["form"].errors
    assert ArticleImage.objects.filter(pk=image.pk).exists()
