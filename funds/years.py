"""Which fiscal years the portal answers for: a window counted from today, not fixed years.

A ``?year=`` in a URL, a year typed into a form or an API filter outside the window is junk (a 404
on a page, a 400 with a message in the API and forms) rather than a query for a year no money can
be in. Thirty years back keeps every year an audit may ask about (accounting records are kept
thirty years); ten ahead covers policies and money set up for years to come.
"""

from __future__ import annotations

from datetime import date

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

YEARS_BACK = 30
YEARS_AHEAD = 10


def year_window(today: date | None = None) -> tuple[int, int]:
    """The first and last fiscal year answered for, counted from ``today``."""
    this = (today or timezone.localdate()).year
    return this - YEARS_BACK, this + YEARS_AHEAD


def in_window(year: int, today: date | None = None) -> bool:
    first, last = year_window(today)
    return first <= year <= last


def validate_fiscal_year(value) -> None:
    """A form or filter field's validator: a whole year inside ``year_window``."""
    first, last = year_window()
    if value != int(value) or not first <= int(value) <= last:
        raise ValidationError(
            _("Give a fiscal year from %(first)s to %(last)s."),
            code="year_out_of_window",
            params={"first": first, "last": last},
        )
