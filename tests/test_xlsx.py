"""recuperation.xlsx: typed columns a spreadsheet can add up, formula-safe text, streamed."""

from __future__ import annotations

import tempfile
import tracemalloc
from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from recuperation.xlsx import (
    DATE,
    DATETIME,
    INT,
    MONEY,
    RATE,
    Column,
    write_workbook,
    xlsx_response,
)
from tests.dates import THIS_YEAR
from tests.xlsx import (
    date_cells,
    header_is_frozen,
    money_cells,
    rate_cells,
    rows_of,
    sheet_of,
    yuan_total,
)

COLUMNS = [
    Column("No.", INT),
    Column("Day", DATE),
    Column("At", DATETIME),
    Column("Amount", MONEY),
    Column("Rate", RATE),
    "Memo",
]


def _response(rows, columns=COLUMNS):
    return xlsx_response(filename="t", title="Sheet", headers=columns, rows=rows)


def test_money_is_a_yuan_number_that_adds_up():
    response = _response(
        [
            [1, date(THIS_YEAR, 3, 1), None, 123456, Decimal("0.4123"), "a"],
            [2, date(THIS_YEAR, 3, 2), None, -230000, Decimal("1"), "b"],
            [3, date(THIS_YEAR, 3, 3), None, 1, Decimal("0"), "c"],
        ]
    )
    sheet = sheet_of(response)
    cells = money_cells(sheet, "Amount")
    assert [c.value for c in cells] == [1234.56, -2300, 0.01]
    # ¥1,234.56 − ¥2,300.00 + ¥0.01, by hand:
    assert yuan_total(cells) == Decimal("-1065.43")
    assert cells[1].number_format == "¥#,##0.00;-¥#,##0.00"  # shows -¥2,300.00


def test_rates_are_numbers_shown_as_percentages_and_dates_are_dates():
    local = ZoneInfo("Asia/Shanghai")
    at = datetime(THIS_YEAR, 3, 1, 1, 30, tzinfo=ZoneInfo("UTC"))  # 09:30 in Shanghai
    sheet = sheet_of(_response([[1, date(THIS_YEAR, 3, 1), at, 100, Decimal("0.4123"), ""]]))
    [rate] = rate_cells(sheet, "Rate")
    assert rate.value == pytest.approx(0.4123) and rate.number_format == "0.0%"
    [day] = date_cells(sheet, "Day")
    assert day.value.date() == date(THIS_YEAR, 3, 1) and day.number_format == "yyyy-mm-dd"
    [moment] = date_cells(sheet, "At")
    assert moment.value == at.astimezone(local).replace(tzinfo=None)
    assert moment.value.hour == 9


def test_header_is_bold_and_frozen_and_the_file_is_named_for_today():
    response = _response([])
    assert 'filename="t-' in response["Content-Disposition"]
    sheet = sheet_of(response)
    assert header_is_frozen(sheet)
    assert [c.value for c in sheet[1]] == ["No.", "Day", "At", "Amount", "Rate", "Memo"]
    assert all(c.font.b for c in sheet[1])


@pytest.mark.parametrize("text", ["=1+1", "+1", "-1", "@SUM(A1)", "\t=1", "\r=1"])
def test_text_that_looks_like_a_formula_is_kept_as_text(text):
    rows = rows_of(_response([[1, None, None, None, None, text]], columns=[*COLUMNS[:5], text]))
    # (a carriage return reads back as a line feed: XML normalises line ends)
    assert rows[0][-1] == "'" + text.replace("\r", "\n")  # the header too
    assert rows[1][-1] == "'" + text.replace("\r", "\n")
    sheet = sheet_of(_response([[1, None, None, None, None, text]]))
    assert sheet.cell(2, 6).data_type == "s"  # a string, never a formula


def test_an_untyped_column_keeps_numbers_and_dates_of_an_old_caller():
    rows = rows_of(
        xlsx_response(
            filename="t",
            title="T",
            headers=["a", "b", "c", "d"],
            rows=[[Decimal("12.30"), 7, date(THIS_YEAR, 1, 2), "x"]],
        )
    )
    assert rows[1][0] == pytest.approx(12.3) and rows[1][1] == 7
    assert rows[1][2].date() == date(THIS_YEAR, 1, 2) and rows[1][3] == "x"


def test_a_money_column_refuses_yuan_text_or_floats():
    for wrong in ("12.30", 12.3, Decimal("12.30")):
        with pytest.raises(TypeError):
            _response([[1, None, None, wrong, None, ""]])


def test_sheet_titles_obey_excels_rules():
    sheet = sheet_of(xlsx_response(filename="t", title="a/b:c" * 10, headers=["x"], rows=[]))
    assert sheet.title == "a b c" * 6 + "a" and len(sheet.title) == 31


def test_ten_thousand_rows_export():
    response = _response(
        [i, date(THIS_YEAR, 1, 1), None, i, Decimal("0.5"), f"row {i}"] for i in range(10_000)
    )
    sheet = sheet_of(response)
    assert sheet.max_row == 10_001
    cells = money_cells(sheet, "Amount")
    assert len(cells) == 10_000
    # 0 + 1 + … + 9,999 fen = 49,995,000 fen = ¥499,950.00
    assert yuan_total(cells) == Decimal("499950.00")


def _peak(n: int) -> int:
    rows = ([i, date(THIS_YEAR, 1, 1), None, i * 101, 0.5, f"text {i}"] for i in range(n))
    with tempfile.TemporaryFile() as handle:
        tracemalloc.start()
        try:
            write_workbook(handle, title="x", columns=COLUMNS, rows=rows)
            return tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()


def test_memory_does_not_grow_with_rows():
    """Rows are written one by one to a temporary file: ten times the rows, not ten times the
    memory (the peak stays within half again of a small export's)."""
    small, large = _peak(300), _peak(3_000)
    assert large < small * 1.5, (small, large)


def test_a_large_download_is_streamed_from_a_file():
    response = _response([i, None, None, i, None, ""] for i in range(3_000))
    assert response.streaming  # FileResponse: sent in chunks from the temporary file
    assert len(b"".join(response.streaming_content)) > 10_000
