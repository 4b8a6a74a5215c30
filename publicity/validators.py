"""Uploaded images: checked by content with Pillow, never by name; size and pixels limited."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _

from bases.validators import image_format

IMAGE_MAX_BYTES = 3 * 1024 * 1024
IMAGE_MAX_PIXELS = 40_000_000  # e.g. 8000 × 5000: far above any photo, far below a bomb
IMAGE_FORMATS = {"JPEG", "PNG", "WEBP"}
NOT_AN_IMAGE = _("Upload an image: a JPEG, PNG or WebP file.")


def validate_image(upload) -> None:
    """A JPEG, PNG or WebP image of at most 3 MB and 40 megapixels.

    A decompression bomb (a small file that unpacks into billions of pixels) is refused by its
    declared size before any pixel is decoded.
    """
    size = getattr(upload, "size", None) or 0
    if size > IMAGE_MAX_BYTES:
        raise ValidationError(
            _("The image is %(size)s; the limit is %(limit)s."),
            code="too_large",
            params={"size": filesizeformat(size), "limit": filesizeformat(IMAGE_MAX_BYTES)},
        )
    kind = image_format(upload, not_an_image=NOT_AN_IMAGE, max_pixels=IMAGE_MAX_PIXELS)
    if kind not in IMAGE_FORMATS:
        raise ValidationError(NOT_AN_IMAGE, code="bad_format")
