"""factory_boy factories of the publicity app."""

from __future__ import annotations

import io

import factory
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from accounts.models import OrgKind
from publicity.models import Article, Kind, Status
from tests.factories import OrganizationFactory


class ArticleFactory(factory.django.DjangoModelFactory):
    """A published news item of a county (``status=Status.DRAFT`` for a draft)."""

    class Meta:
        model = Article
        skip_postgeneration_save = True

    kind = Kind.NEWS
    org = factory.SubFactory(OrganizationFactory, kind=OrgKind.COUNTY)
    title = factory.Sequence(lambda n: f"文章{n}")
    summary = "摘要"
    body = "正文"
    status = Status.PUBLISHED
    published_at = factory.LazyAttribute(
        lambda o: timezone.now() if o.status == Status.PUBLISHED else None
    )

    @factory.post_generation
    def itineraries(obj, create, extracted, **kwargs):  # noqa: N805 - factory_boy hook
        if create and extracted:
            obj.itineraries.set(extracted)


def image_upload(name: str = "photo.png", *, fmt: str = "PNG", size=(40, 30)) -> SimpleUploadedFile:
    """A real (tiny) image made with Pillow."""
    buffer = io.BytesIO()
    Image.new("RGB", size, (200, 40, 30)).save(buffer, format=fmt)
    content_type = {"PNG": "image/png", "JPEG": "image/jpeg", "WEBP": "image/webp"}.get(fmt, "")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type=content_type)
