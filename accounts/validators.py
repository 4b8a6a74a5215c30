"""Validators for personal data: resident ID numbers (GB 11643-1999) and mobile numbers."""

from __future__ import annotations

import re
from datetime import date

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

_ID_RE = re.compile(r"^\d{17}[\dX]$")
_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"
_PHONE_RE = re.compile(r"^1[3-9]\d{9}$")


def id_number_check_digit(first17: str) -> str:
    total = sum(int(d) * w for d, w in zip(first17, _ID_WEIGHTS, strict=True))
    return _ID_CHECK[total % 11]


def id_number_birth_date(value: str) -> date | None:
    try:
        return date(int(value[6:10]), int(value[10:12]), int(value[12:14]))
    except ValueError:
        return None


OLDEST_AGE = 120  # years: a birth date longer ago than this in an ID number is a typing error


def validate_id_number(value: str) -> None:
    value = (value or "").upper()
    if not _ID_RE.match(value):
        raise ValidationError(
            _("An ID number has 17 digits followed by a digit or X."), code="id_format"
        )
    born = id_number_birth_date(value)
    today = timezone.localdate()
    if born is None or born > today or born.year < today.year - OLDEST_AGE:
        raise ValidationError(_("The ID number contains an impossible birth date."), code="id_date")
    if id_number_check_digit(value[:17]) != value[17]:
        raise ValidationError(_("The ID number's check digit is wrong."), code="id_checksum")


def validate_phone(value: str) -> None:
    if not _PHONE_RE.match(value or ""):
        raise ValidationError(
            _("Enter an 11-digit mainland mobile number starting with 1."), code="phone"
        )


def validate_not_future(value: date) -> None:
    if value and value > timezone.localdate():
        raise ValidationError(_("This date cannot be in the future."), code="future_date")


def mask_id_number(value: str) -> str:
    """``110101199003071234`` → ``1101**********1234``."""
    if not value:
        return ""
    return value[:4] + "*" * (len(value) - 8) + value[-4:]


def mask_phone(value: str) -> str:
    """``13812345678`` → ``138****5678``."""
    if not value:
        return ""
    return value[:3] + "*" * (len(value) - 7) + value[-4:]
