"""Rules on single values, shared by the models, the pages and the API."""

from __future__ import annotations

from datetime import date, timedelta

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.deconstruct import deconstructible
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

# Sane limits on what operators type in: far beyond any real trip, well inside every column type,
# so nonsense is refused with one message (the same on SQLite and PostgreSQL) instead of stored.
MAX_PRICE_FEN = 10_000_000  # ¥100,000.00 per person
MAX_CAPACITY = 1000  # seats on one batch
# Batch dates: from a year back (late records) to three years ahead, counted from today.
BATCH_DAYS_BACK = 366
BATCH_DAYS_AHEAD = 3 * 366

PRICE_TOO_HIGH = format_lazy(_("A price per person is at most ¥{}."), "100,000.00")
CAPACITY_TOO_HIGH = format_lazy(_("A batch has at most {} seats."), MAX_CAPACITY)


@deconstructible
class MaxPriceValidator(MaxValueValidator):
    message = PRICE_TOO_HIGH

    def __init__(self) -> None:
        super().__init__(MAX_PRICE_FEN)


@deconstructible
class MaxCapacityValidator(MaxValueValidator):
    message = CAPACITY_TOO_HIGH

    def __init__(self) -> None:
        super().__init__(MAX_CAPACITY)


def batch_date_window(today: date | None = None) -> tuple[date, date]:
    """The first and last day a batch may start, end or close sign-ups, counted from today."""
    today = today or timezone.localdate()
    return today - timedelta(days=BATCH_DAYS_BACK), today + timedelta(days=BATCH_DAYS_AHEAD)


def check_batch_dates(*, today: date | None = None, **dates: date | None) -> None:
    """Refuse batch dates outside ``batch_date_window`` (e.g. 0001-01-01 or 9999-12-31), by field.

    The batch services call it on the dates a write sets or changes, before any date arithmetic,
    so an absurd date is a message and never an overflow. Dates a batch already has are left
    alone: an old batch keeps its history and can still be edited.
    """
    earliest, latest = batch_date_window(today)
    message = _("Batch dates must lie between %(earliest)s and %(latest)s.") % {
        "earliest": earliest.isoformat(),
        "latest": latest.isoformat(),
    }
    errors = {
        name: ValidationError(message, code="out_of_window")
        for name, value in dates.items()
        if value is not None and not earliest <= value <= latest
    }
    if errors:
        raise ValidationError(errors)


PHOTO_MAX_BYTES = 5 * 1024 * 1024
PHOTO_FORMATS = {"JPEG", "PNG", "WEBP"}


IMAGE_MAX_PIXELS = 40_000_000  # 8000 × 5000: above any photo, far below a decompression bomb
NOT_A_PHOTO = _("Upload a photo: a JPEG, PNG or WebP image.")


def image_format(upload, *, not_an_image, max_pixels: int = IMAGE_MAX_PIXELS) -> str:
    """The format Pillow reads in ``upload`` (its content, not its name), or a ValidationError.

    A decompression bomb (a small file that unpacks into billions of pixels) is refused by its
    declared size before any pixel is decoded. The upload is left where it was read from.
    """
    from PIL import Image, UnidentifiedImageError

    position = upload.tell() if hasattr(upload, "tell") else 0
    try:
        upload.seek(0)
        with Image.open(upload) as image:
            kind = image.format
            width, height = image.size
            if width * height > max_pixels:
                raise ValidationError(
                    _("The image is %(width)s × %(height)s pixels; that is too large."),
                    code="too_many_pixels",
                    params={"width": width, "height": height},
                )
            image.verify()
    except ValidationError:
        raise
    except (UnidentifiedImageError, Image.DecompressionBombError, OSError, SyntaxError, ValueError):
        raise ValidationError(not_an_image, code="not_an_image") from None
    finally:
        upload.seek(position)
    return kind


def validate_photo(upload) -> None:
    """A photo is a JPEG, PNG or WebP image of at most 5 MB (checked by content, not by name)."""
    if upload.size > PHOTO_MAX_BYTES:
        raise ValidationError(
            _("The photo is %(size)s; the limit is %(limit)s."),
            code="too_large",
            params={"size": filesizeformat(upload.size), "limit": filesizeformat(PHOTO_MAX_BYTES)},
        )
    if image_format(upload, not_an_image=NOT_A_PHOTO) not in PHOTO_FORMATS:
        raise ValidationError(NOT_A_PHOTO, code="bad_format")
