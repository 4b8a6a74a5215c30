"""Reading tables out of the pages the way a person reads them: a row by its first cell."""

from __future__ import annotations

import re
from html import unescape

TAG = re.compile(r"<[^>]+>")


def text(fragment: str) -> str:
    return re.sub(r"\s+", " ", unescape(TAG.sub(" ", fragment))).strip()


def table_rows(page: str) -> dict[str, list[str]]:
    """``{first cell's text: [the other cells' texts]}`` for every body row of every table."""
    rows = {}
    for body in re.findall(r"<tbody>(.*?)</tbody>", page, flags=re.S):
        for row in re.findall(r"<tr[^>]*>(.*?)</tr>", body, flags=re.S):
            cells = [text(c) for c in re.findall(r"<td[^>]*>(.*?)</td>", row, flags=re.S)]
            if cells:
                rows[cells[0]] = cells[1:]
    return rows


def assert_disclosure_conserves(city) -> None:
    """Every row of every year's disclosure conserves money, the total is the city's
    utilization, and each row's rolled-in is the same row's rolled-out of the year before."""
    from funds.selectors import utilization
    from publicity import selectors

    years = selectors.disclosure_years(city)
    assert years
    previous = None
    for year in sorted(years):
        report = selectors.disclosure(city=city, year=year)
        for row in report.rows:
            u = row.usage
            assert u.received + u.rolled_in == u.spent + u.reserved + u.available + u.rolled_out, (
                year,
                row.name,
            )
            assert min(u.received, u.rolled_in, u.spent, u.reserved, u.available, u.rolled_out) >= 0
        assert report.total.as_dict() == utilization(org=city, year=year).as_dict()
        parts = report.rows[:-1]
        for field in ("received", "rolled_in", "spent", "reserved", "available", "rolled_out"):
            assert sum(getattr(r.usage, field) for r in parts) == getattr(report.total, field)
        if previous is not None and previous.year == year - 1:
            for before, now in zip(previous.rows, report.rows, strict=True):
                assert now.usage.rolled_in == before.usage.rolled_out, (year, now.name)
        previous = report
