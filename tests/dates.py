"""Years and days for tests, derived from today: no test names a calendar year.

Read at import, which is after ``FAKE_TODAY`` (tests/conftest.py) has moved the clock, so under a
faked day these follow it. A test that moves the clock itself (``time_machine``) builds its days
from these years, as the code under test would see them.
"""

from __future__ import annotations

import calendar
from datetime import date

from django.utils import timezone

THIS_YEAR = timezone.localdate().year
LAST_YEAR = THIS_YEAR - 1
NEXT_YEAR = THIS_YEAR + 1


def leap_year_after(year: int) -> int:
    """The first leap year after ``year`` (for a 29 February)."""
    year += 1
    while not calendar.isleap(year):
        year += 1
    return year


def years_ago(years: int, *, month: int = 6, day: int = 15) -> date:
    """A day ``years`` before this year, at ``month``/``day`` (a birth date of a given age)."""
    return date(THIS_YEAR - years, month, day)
