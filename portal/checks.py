"""Every data invariant of the demo and the city-scale data set, in one call (the layer above
funds and applications, which each check their own)."""

from __future__ import annotations

from accounts.models import Organization, OrgKind
from applications.checks import money_problems, seat_problems
from funds.checks import ledger_problems


def data_problems() -> list[str]:
    """The ledger's rules (``funds.checks``), for the city and every county's subtree, then the
    applications' money and seats (``applications.checks``). Empty when all hold."""
    feds = list(Organization.objects.filter(kind__in=[OrgKind.CITY, OrgKind.COUNTY]))
    return ledger_problems(orgs=feds) + money_problems() + seat_problems()
