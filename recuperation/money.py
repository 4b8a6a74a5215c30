"""Money is integer fen (分) everywhere in the database and the services; yuan only at the edges.

Why fen: exact on SQLite and PostgreSQL alike (SQLite has no exact decimal type), cheap to sum,
and a database CHECK constraint can guard it. Forms, the API and templates convert with these
helpers; nothing else does arithmetic on yuan.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

CENT = Decimal("0.01")
MAX_FEN = 10**14  # a trillion yuan: far above any budget, well inside BIGINT
MAX_YUAN_DIGITS = 12  # digits before the point of the largest amount below MAX_FEN


def yuan_to_fen(value: Decimal | str | int) -> int:
    """``"12.30"`` → ``1230``. Refuses more decimals than fen, non-numbers and absurd sizes."""
    try:
        amount = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        raise ValidationError(_("Enter an amount in yuan, e.g. 1200.00."), code="invalid") from None
    if not amount.is_finite():
        raise ValidationError(_("Enter an amount in yuan, e.g. 1200.00."), code="invalid")
    # Before any arithmetic: "1e30" is a valid Decimal whose quantize() would overflow.
    if amount and amount.adjusted() >= MAX_YUAN_DIGITS:
        raise ValidationError(_("This amount is too large."), code="too_large")
    if amount != amount.quantize(CENT):
        raise ValidationError(_("Amounts have at most two decimals (fen)."), code="too_precise")
    fen = int(amount * 100)
    if abs(fen) >= MAX_FEN:
        raise ValidationError(_("This amount is too large."), code="too_large")
    return fen


def fen_to_yuan(fen: int | None) -> Decimal:
    return (Decimal(fen or 0) / 100).quantize(CENT)


def yuan_str(fen: int | None) -> str:
    """``1230`` → ``"12.30"`` (the API's money format)."""
    return str(fen_to_yuan(fen))


def format_yuan(fen: int | None) -> str:
    """``123456789`` → ``"¥1,234,567.89"`` for pages; ``-230000`` → ``"-¥2,300.00"``."""
    amount = fen_to_yuan(fen)
    return f"{'-' if amount < 0 else ''}¥{abs(amount):,.2f}"


def percent(part: int, whole: int) -> Decimal:
    """A rate 0–1 with four decimals; 0 when the whole is 0."""
    if not whole:
        return Decimal("0.0000")
    return (Decimal(part) / Decimal(whole)).quantize(Decimal("0.0001"), rounding=ROUND_HALF_UP)


class YuanFormField(forms.DecimalField):
    """A form field that takes yuan and cleans to integer fen."""

    def __init__(self, *, positive: bool = True, **kwargs):
        kwargs.setdefault("decimal_places", 2)
        kwargs.setdefault("max_digits", 14)
        kwargs.setdefault("min_value", Decimal("0.01") if positive else Decimal("0"))
        super().__init__(**kwargs)

    def prepare_value(self, value):
        if isinstance(value, int):
            return fen_to_yuan(value)
        return value

    def clean(self, value):
        amount = super().clean(value)
        return None if amount is None else yuan_to_fen(amount)


@extend_schema_field({"type": "string", "format": "decimal", "example": "1200.00"})
class YuanField(serializers.Field):
    """API money: integer fen inside, a decimal string in yuan outside (``"1200.00"``)."""

    def __init__(self, *, positive: bool = False, **kwargs):
        self.positive = positive
        super().__init__(**kwargs)

    def to_representation(self, value: int) -> str:
        return yuan_str(value)

    def to_internal_value(self, data) -> int:
        try:
            fen = yuan_to_fen(data)
        except ValidationError as error:
            raise serializers.ValidationError(error.messages) from None
        if fen < 0 or (self.positive and fen == 0):
            raise serializers.ValidationError(_("The amount must be greater than zero."))
        return fen
