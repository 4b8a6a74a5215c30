"""Reading the portal's .xlsx downloads in tests (they are streamed: ``FileResponse``)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from io import BytesIO

from openpyxl import load_workbook

NUMBERS = (int, float, Decimal)


def workbook(response):
    assert response.status_code == 200, response.status_code
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert ".xlsx" in response["Content-Disposition"]
    return load_workbook(BytesIO(response.getvalue()))


def sheet_of(response):
    return workbook(response).active


def rows_of(response) -> list[tuple]:
    return list(sheet_of(response).iter_rows(values_only=True))


def column(sheet, header: str) -> list:
    """The cells (not values) under ``header``, below the header row."""
    headers = [c.value for c in sheet[1]]
    index = headers.index(header) + 1
    return [row[index - 1] for row in sheet.iter_rows(min_row=2)]


def money_cells(sheet, header: str) -> list:
    """Cells of a money column: numbers with a yuan format, never text."""
    cells = [c for c in column(sheet, header) if c.value is not None]
    for cell in cells:
        assert isinstance(cell.value, NUMBERS) and not isinstance(cell.value, bool), cell.value
        assert "¥" in cell.number_format and "0.00" in cell.number_format, cell.number_format
    return cells


def yuan_total(cells) -> Decimal:
    """The exact sum of money cells, in yuan (read back as floats of two decimals)."""
    return sum((Decimal(str(c.value)).quantize(Decimal("0.01")) for c in cells), Decimal(0))


def rate_cells(sheet, header: str) -> list:
    cells = [c for c in column(sheet, header) if c.value is not None]
    for cell in cells:
        assert isinstance(cell.value, NUMBERS), cell.value
        assert 0 <= cell.value <= 1 and "%" in cell.number_format, cell.number_format
    return cells


def date_cells(sheet, header: str) -> list:
    cells = [c for c in column(sheet, header) if c.value is not None]
    for cell in cells:
        assert isinstance(cell.value, datetime | date), cell.value
        assert cell.is_date, cell.number_format
    return cells


def header_is_frozen(sheet) -> bool:
    return sheet.freeze_panes == "A2"
