"""The staff dashboard (``/dashboard/``) and the figures the staff homes borrow from it.

Everything here is read through the apps' selectors (funds, applications, bases) and scoped to
the user's subtree: the user's own federation (``funds.permissions.funds_root``). The number of
queries is fixed, whatever the number of counties, unions or bases. ``docs/dashboard.md`` says
where each number comes from.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils.formats import date_format
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from accounts.models import Organization, OrgKind
from applications import selectors as applications
from bases import selectors as bases
from funds import selectors as funds
from funds.permissions import funds_root
from funds.years import in_window
from portal.charts import Bar, Series, bar_chart, line_chart
from recuperation.money import format_yuan
from recuperation.xlsx import DATE, INT, MONEY, Column, xlsx_response

TOP = 5  # bases in each "top" list
OVERDUE_SHOWN = 10


def dashboard_root(user) -> Organization:
    """The federation whose subtree the user's dashboard shows: federation staff's and auditors'
    own (a superuser's: the city). Anyone else: 403."""
    root = funds_root(user)
    if root is None:
        raise PermissionDenied
    return root


def year_from(value: str | None, today: date) -> int:
    """``?year=`` of a page: this year by default; junk or a far year is a 404."""
    try:
        year = int(value or today.year)
    except ValueError:
        raise Http404 from None
    if not in_window(year, today):
        raise Http404
    return year


def pct(rate) -> str:
    return f"{float(rate) * 100:.1f}%"


def yuan_tick(value: float) -> str:
    return f"¥{value:,.0f}"


def month_label(year: int, month: int, fiscal_year: int) -> str:
    day = date(year, month, 1)
    return date_format(day, "M" if year == fiscal_year else "YEAR_MONTH_FORMAT")


@dataclass
class Headline:
    """The figures every staff screen starts with."""

    org: Organization
    year: int
    breakdown: funds.Breakdown
    approvals: applications.ApprovalsWaiting
    overdue_count: int
    overdue: list = field(default_factory=list)

    @property
    def usage(self) -> funds.Utilization:
        return self.breakdown.total

    @property
    def pace(self) -> funds.PaceWarning | None:
        return self.breakdown.total_pace if self.breakdown.shows_pace else None

    @property
    def children_label(self) -> str:
        return _("By county") if self.org.kind != OrgKind.COUNTY else _("By grassroots union")


def headline(user, *, org: Organization, year: int, today: date) -> Headline:
    return Headline(
        org=org,
        year=year,
        breakdown=funds.breakdown(org=org, year=year, today=today),
        approvals=applications.approvals_waiting(user),
        overdue_count=bases.overdue_inspections(user, today=today).count(),
        overdue=list(bases.overdue_inspections(user, today=today)[:OVERDUE_SHOWN]),
    )


def utilization_chart(breakdown: funds.Breakdown, *, title: str) -> SafeString | None:
    """Utilization of each child with money, with the year's target as a dashed line."""
    if not breakdown.rows:
        return None
    bars = [
        Bar(
            label=row.org.name,
            value=row.usage.utilization_rate,
            text=pct(row.usage.utilization_rate),
            warn=breakdown.shows_pace and row.is_behind,
        )
        for row in breakdown.rows
    ]
    return bar_chart(
        title=title,
        bars=bars,
        axis_label=_("Utilization (spent ÷ received + rolled in)"),
        tick_format=lambda v: f"{v * 100:.0f}%",
        top=1,
        target=breakdown.target_rate,
        target_text=_("target %(rate)s") % {"rate": pct(breakdown.target_rate)},
    )


@dataclass
class MonthRow:
    label: str
    spent: int
    people: int


def monthly_charts(months: list[funds.MonthOfSpend], year: int) -> dict:
    rows = [MonthRow(month_label(m.year, m.month, year), m.spent, m.people) for m in months]
    labels = [r.label for r in rows]
    short = [date_format(date(m.year, m.month, 1), "M") for m in months]  # the axis: no years
    spend = line_chart(
        title=_("Money paid out each month, %(year)s") % {"year": year},
        labels=labels,
        series=[
            Series(
                _("Spent"),
                [r.spent / 100 for r in rows],
                [format_yuan(r.spent) for r in rows],
            )
        ],
        axis_label=_("Yuan paid out"),
        tick_format=yuan_tick,
        axis_labels=short,
    )
    people = line_chart(
        title=_("People served each month, %(year)s") % {"year": year},
        labels=labels,
        series=[
            Series(_("People served"), [r.people for r in rows], [str(r.people) for r in rows])
        ],
        axis_label=_("People"),
        tick_format=lambda v: f"{v:.0f}",
        min_step=1,
        axis_labels=short,
    )
    return {
        "rows": rows,
        "spend_chart": spend,
        "people_chart": people,
        "total_spent": sum(r.spent for r in rows),
        "total_people": sum(r.people for r in rows),
    }


def volume_chart(top_volume: list[dict], year: int) -> SafeString | None:
    if not top_volume:
        return None
    return bar_chart(
        title=_("Bases where most people took trips, %(year)s") % {"year": year},
        bars=[Bar(r["base_name"], r["people"], str(r["people"])) for r in top_volume],
        axis_label=_("People who took trips"),
        tick_format=lambda v: f"{v:.0f}",
    )


def dashboard(user, *, year: int, today: date) -> dict:
    """Everything ``/dashboard/`` shows, as template context."""
    org = dashboard_root(user)
    head = headline(user, org=org, year=year, today=today)
    top_volume = applications.top_bases_by_volume(user, year=year, limit=TOP)
    return {
        "org": org,
        "year": year,
        "years": funds.fiscal_years(today),
        "head": head,
        "b": head.breakdown,
        "utilization_chart": utilization_chart(
            head.breakdown,
            title=_("Utilization by organization, %(year)s") % {"year": year},
        ),
        "monthly": monthly_charts(funds.monthly_spend(org=org, year=year), year),
        "top_volume": top_volume,
        "volume_chart": volume_chart(top_volume, year),
        "top_score": bases.top_bases_by_score(user, limit=TOP),
    }


# --- Downloads of the dashboard's tables (the breakdown is the funds overview's download) ----


def export_months(user, *, year: int, today: date):
    org = dashboard_root(user)
    months = funds.monthly_spend(org=org, year=year)
    return xlsx_response(
        filename=f"monthly-{org.code}-{year}",
        title=str(year),
        headers=[
            Column(_("Month"), DATE, number_format="yyyy-mm"),
            Column(_("Spent"), MONEY),
            Column(_("People served"), INT),
        ],
        rows=([date(m.year, m.month, 1), m.spent, m.people] for m in months),
    )


def export_bases(user, *, year: int, today: date):
    dashboard_root(user)
    rows = applications.top_bases_by_volume(user, year=year, limit=BASES_EXPORTED)
    return xlsx_response(
        filename=f"bases-by-people-{year}",
        title=str(year),
        headers=[
            _("Base"),
            _("County"),
            Column(_("People who took trips"), INT),
            Column(_("Settled"), INT),
            Column(_("Subsidy paid"), MONEY),
        ],
        rows=(
            [r["base_name"], r["county_name"], r["people"], r["settled"], r["paid"]] for r in rows
        ),
    )


BASES_EXPORTED = 1000
EXPORTS = {"months": export_months, "bases": export_bases}
