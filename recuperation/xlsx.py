"""Every ``.xlsx`` download of the portal: typed columns a spreadsheet can add up, streamed.

A column declares what its values are, so the sheet holds real numbers and dates::

    xlsx_response(
        filename="ledger",
        title=_("Ledger"),
        headers=[Column(_("Value date"), DATE), Column(_("Amount"), MONEY), _("Memo")],
        rows=((t.value_date, e.amount, t.memo) for ...),   # any iterable, read once
    )

- ``MONEY``: integer **fen** in, a yuan number out (``¥#,##0.00``), never text;
- ``RATE``: a 0–1 rate in, a number shown as a percentage (``0.0%``);
- ``DATE`` / ``DATETIME``: real dates (an aware datetime is written in local time);
- ``INT``: a count; ``TEXT`` (a plain string header is a text column): written as text, and text
  that a spreadsheet would read as a formula (``=``, ``+``, ``-``, ``@``, tab, carriage return
  first) is prefixed with an apostrophe, so opening an export never runs anything.

The header row is bold and frozen. The workbook is written in openpyxl's write-only mode to a
temporary file, one row at a time, and sent from that file: memory stays flat however many rows
an export has (``tests/test_xlsx.py`` measures it).
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from django.http import FileResponse
from django.utils import timezone
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

TEXT, INT, NUMBER, MONEY, RATE, DATE, DATETIME = (
    "text",
    "int",
    "number",
    "money",
    "rate",
    "date",
    "datetime",
)
FORMATS = {
    INT: "#,##0",
    NUMBER: "#,##0.##",
    MONEY: "¥#,##0.00;-¥#,##0.00",
    RATE: "0.0%",
    DATE: "yyyy-mm-dd",
    DATETIME: "yyyy-mm-dd hh:mm",
}
WIDTHS = {INT: 10, NUMBER: 12, MONEY: 16, RATE: 10, DATE: 12, DATETIME: 17, TEXT: 18}
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
SPOOL_BYTES = 2 * 1024 * 1024  # small workbooks stay in memory, larger ones go to disk


@dataclass(frozen=True)
class Column:
    """A column's header and the type of its values (see the module's docstring)."""

    header: str
    type: str = TEXT
    width: int | None = None  # in characters; a default by type otherwise
    number_format: str | None = None  # instead of the type's, e.g. "yyyy-mm" for months

    def __post_init__(self):
        if self.type not in WIDTHS:
            raise ValueError(f"unknown column type {self.type!r}")


def as_column(header: Column | str) -> Column:
    return header if isinstance(header, Column) else Column(str(header))


def xlsx_response(
    *, filename: str, title: str, headers: Sequence[Column | str], rows: Iterable[Sequence]
) -> FileResponse:
    """A download named ``<filename>-<today>.xlsx`` with one sheet ``title``."""
    columns = [as_column(h) for h in headers]
    # FileResponse closes (and so deletes) the file once it is sent.
    handle = tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES)  # noqa: SIM115
    try:
        write_workbook(handle, title=title, columns=columns, rows=rows)
    except BaseException:
        handle.close()
        raise
    handle.seek(0)
    stamp = timezone.localdate().isoformat()
    return FileResponse(
        handle, as_attachment=True, filename=f"{filename}-{stamp}.xlsx", content_type=XLSX_TYPE
    )


def write_workbook(
    handle, *, title: str, columns: Sequence[Column | str], rows: Iterable[Sequence]
) -> None:
    """Write the sheet to the binary file ``handle``, reading ``rows`` once, row by row."""
    columns = [as_column(c) for c in columns]
    book = Workbook(write_only=True)
    sheet = book.create_sheet(_sheet_title(title))
    for i, column in enumerate(columns, start=1):
        width = column.width or max(WIDTHS[column.type], min(_text_width(column.header) + 2, 40))
        sheet.column_dimensions[get_column_letter(i)].width = width
    sheet.freeze_panes = "A2"
    bold = Font(bold=True)
    header = []
    for column in columns:
        cell = WriteOnlyCell(sheet, value=_safe_text(str(column.header)))
        cell.font = bold
        header.append(cell)
    sheet.append(header)
    try:
        _write_rows(sheet, columns, rows)
    except BaseException:
        _discard(sheet)
        raise
    book.save(handle)


def _write_rows(sheet, columns: Sequence[Column], rows: Iterable[Sequence]) -> None:
    convert = [_CONVERTERS[column.type] for column in columns]
    formats = [column.number_format or FORMATS.get(column.type) for column in columns]
    for row in rows:
        cells = []
        for value, to_cell, number_format in zip(row, convert, formats, strict=False):
            value = to_cell(value)
            if number_format is None:
                number_format = _untyped_format(value)
            if number_format and value is not None and not isinstance(value, str):
                cell = WriteOnlyCell(sheet, value=value)
                cell.number_format = number_format
                cells.append(cell)
            else:
                cells.append(value)
        sheet.append(cells)


def _discard(sheet) -> None:
    """A failed export (a bad value, a database error in ``rows``): finish and remove the
    sheet's temporary file now rather than leave it half-written."""
    try:
        sheet.close()
        sheet._writer.cleanup()
    except Exception:  # noqa: S110 — the original error is what matters
        pass


def _sheet_title(title: str) -> str:
    """Excel's rules for a sheet name: at most 31 characters, none of ``[]:*?/\\``."""
    cleaned = "".join(" " if ch in "[]:*?/\\" else ch for ch in str(title)).strip()
    return cleaned[:31] or "Sheet"


def _text_width(text: str) -> int:
    """Wide (CJK) characters take two columns."""
    return sum(2 if ord(ch) > 0x2E7F else 1 for ch in text)


def _safe_text(value) -> str | None:
    if value is None:
        return None
    text = str(value)
    if text.startswith(FORMULA_STARTS):
        return "'" + text
    return text


def _untyped(value):
    """A text column that receives a number or a date keeps it as such (an old caller's column
    without a type); anything else is formula-safe text."""
    if value is None or isinstance(value, bool):
        return _safe_text(value)
    if isinstance(value, int | float | Decimal):
        return value
    if isinstance(value, datetime):
        return _local(value)
    if isinstance(value, date):
        return value
    return _safe_text(value)


def _untyped_format(value) -> str | None:
    if isinstance(value, datetime):
        return FORMATS[DATETIME]
    if isinstance(value, date):
        return FORMATS[DATE]
    return None


def _int(value):
    if value is None or value == "":
        return None
    return int(value)


def _number(value):
    if value is None or value == "":
        return None
    return value if isinstance(value, int | Decimal) else Decimal(str(value))


def _money(fen):
    """Integer fen → yuan as an exact Decimal (written as a number, never as text)."""
    if fen is None or fen == "":
        return None
    if not isinstance(fen, int) or isinstance(fen, bool):
        raise TypeError(f"a MONEY column takes integer fen, not {fen!r}")
    return (Decimal(fen) / 100).quantize(Decimal("0.01"))


def _rate(value):
    if value is None or value == "":
        return None
    return Decimal(str(value))


def _date(value):
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return _local(value).date()
    if isinstance(value, date):
        return value
    raise TypeError(f"a DATE column takes dates, not {value!r}")


def _datetime(value):
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return _local(value)
    raise TypeError(f"a DATETIME column takes datetimes, not {value!r}")


def _local(value: datetime) -> datetime:
    """Excel has no time zones: an aware datetime is written as local wall time."""
    if timezone.is_aware(value):
        value = timezone.localtime(value)
    return value.replace(tzinfo=None)


_CONVERTERS = {
    TEXT: _untyped,
    INT: _int,
    NUMBER: _number,
    MONEY: _money,
    RATE: _rate,
    DATE: _date,
    DATETIME: _datetime,
}
