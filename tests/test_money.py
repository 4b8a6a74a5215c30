from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from hypothesis import given
from hypothesis import strategies as st
from rest_framework import serializers

from recuperation.money import (
    YuanField,
    YuanFormField,
    fen_to_yuan,
    format_yuan,
    percent,
    yuan_str,
    yuan_to_fen,
)


@pytest.mark.parametrize(
    ("text", "fen"),
    [("12.30", 1230), ("0.01", 1), ("1200", 120000), (" 5.5 ", 550), ("-3.00", -300)],
)
def test_yuan_to_fen(text, fen):
    assert yuan_to_fen(text) == fen


@pytest.mark.parametrize("text", ["1.001", "abc", "", "NaN", "Infinity", "1e20"])
def test_bad_amounts_are_refused(text):
    with pytest.raises(ValidationError):
        yuan_to_fen(text)


@given(st.integers(min_value=-(10**13), max_value=10**13))
def test_fen_round_trips_through_yuan_exactly(fen):
    assert yuan_to_fen(yuan_str(fen)) == fen
    assert yuan_to_fen(fen_to_yuan(fen)) == fen


def test_formatting():
    assert yuan_str(123450) == "1234.50"
    assert format_yuan(123456789) == "¥1,234,567.89"
    assert format_yuan(None) == "¥0.00"
    assert percent(1, 3) == Decimal("0.3333")
    assert percent(5, 0) == Decimal("0")


def test_form_field_cleans_to_fen_and_refuses_zero_and_extra_decimals():
    field = YuanFormField()
    assert field.clean("99.90") == 9990
    with pytest.raises(ValidationError):
        field.clean("0")
    with pytest.raises(ValidationError):
        field.clean("1.234")


def test_api_field_reads_and_writes_decimal_strings():
    field = YuanField(positive=True)
    assert field.to_representation(120000) == "1200.00"
    assert field.to_internal_value("1200.00") == 120000
    for bad in ("0", "-1", "1.001", "x"):
        with pytest.raises(serializers.ValidationError):
            field.to_internal_value(bad)
