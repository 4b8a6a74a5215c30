"""Homes of federation staff and auditors: what needs doing now, then the year's headline.

Staff: approvals waiting (how many, how much money), early warnings, inspections past their
deadline, and the dashboard's headline figures and charts (utilization, monthly spend) for this
year. Auditors:
the same figures, read only, with links to where they can look closer. Both read through
``portal.dashboard`` (the apps' selectors), scoped to the user's own federation.
"""

from __future__ import annotations

from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from funds import selectors as funds
from funds.permissions import funds_root
from portal import dashboard
from portal.homes import public


def _context(request: HttpRequest) -> dict | None:
    user = request.user
    org = funds_root(user)
    if org is None:  # no federation to look after (a misconfigured account)
        return None
    today = timezone.localdate()
    head = dashboard.headline(user, org=org, year=today.year, today=today)
    return {
        "org": org,
        "year": today.year,
        "head": head,
        "b": head.breakdown,
        "utilization_chart": dashboard.utilization_chart(
            head.breakdown, title=_("Utilization by organization, %(year)s") % {"year": today.year}
        ),
        "monthly": dashboard.monthly_charts(
            funds.monthly_spend(org=org, year=today.year), today.year
        ),
    }


def federation_staff(request: HttpRequest) -> tuple[str, dict]:
    context = _context(request)
    if context is None:
        return public.signed_in(request)
    return "portal/home/staff.html", context


def auditor(request: HttpRequest) -> tuple[str, dict]:
    context = _context(request)
    if context is None:
        return public.signed_in(request)
    return "portal/home/auditor.html", context
