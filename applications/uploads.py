"""Uploaded files are checked by content and size before anything is written (DESIGN §8)."""

from __future__ import annotations

import zipfile

from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

INVOICE_MAX_BYTES = 5 * 1024 * 1024
INVOICE_IMAGE_FORMATS = {"JPEG", "PNG", "WEBP"}
ROSTER_MAX_BYTES = 2 * 1024 * 1024
ROSTER_MAX_ROWS = 1000


def _too_large(upload, limit: int) -> ValidationError:
    # Not "the file is 2.0 MB; the limit is 2.0 MB": sizes just above the limit round to it.
    return ValidationError(
        _("The file is larger than the limit of %(limit)s.") % {"limit": filesizeformat(limit)}
    )


def _head(upload, n: int = 8) -> bytes:
    position = upload.tell() if hasattr(upload, "tell") else 0
    upload.seek(0)
    head = upload.read(n)
    upload.seek(position)
    return head


def check_invoice(upload) -> str:
    """A PDF or a JPEG/PNG/WebP image of at most 5 MB; returns ``"pdf"`` or the image format."""
    if upload is None:
        raise ValidationError(_("Attach the invoice (PDF or image)."))
    if upload.size > INVOICE_MAX_BYTES:
        raise _too_large(upload, INVOICE_MAX_BYTES)
    if _head(upload, 5) == b"%PDF-":
        return "pdf"
    from PIL import Image, UnidentifiedImageError

    position = upload.tell()
    try:
        upload.seek(0)
        with Image.open(upload) as image:
            kind = image.format
            image.verify()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        kind = None
    finally:
        upload.seek(position)
    if kind not in INVOICE_IMAGE_FORMATS:
        raise ValidationError(_("The invoice must be a PDF file or a JPEG, PNG or WebP image."))
    return kind.lower()


def check_roster_file(upload) -> None:
    """An Excel workbook (.xlsx, checked by content) of at most 2 MB."""
    if upload is None:
        raise ValidationError(_("Choose an .xlsx file."))
    if upload.size > ROSTER_MAX_BYTES:
        raise _too_large(upload, ROSTER_MAX_BYTES)
    if _head(upload, 4) != b"PK\x03\x04":
        raise ValidationError(_("This is not an Excel .xlsx file: use the template."))
    position = upload.tell()
    try:
        upload.seek(0)
        with zipfile.ZipFile(upload) as archive:
            names = set(archive.namelist())
    except zipfile.BadZipFile:
        names = set()
    finally:
        upload.seek(position)
    if "[Content_Types].xml" not in names or not any(n.startswith("xl/") for n in names):
        raise ValidationError(_("This is not an Excel .xlsx file: use the template."))
