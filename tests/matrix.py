"""Shared vocabulary of the URL × method × role matrix (tests/test_permissions.py).

A row is keyed by ``(url name, method)`` — plus a label when one URL and method need more than
one case — and reads ``(target, anonymous status, statuses)``:

- ``target`` is a path, or a callable ``(tree) -> path | Write`` that creates the objects the URL
  needs from the ``tree`` fixture (tests/conftest.py); a write row returns a ``Write``: its path, a
  VALID body, and ``done()`` telling whether the write took effect;
- ``statuses`` is one status for every logged-in role or ``{role: status}`` for each of ``ROLES``
  (``roles(...)`` builds it from groups).

Every write row is checked both ways: a success (2xx on the API, a redirect on a page) must have
written, and every refusal must have left everything as it was. The objects of the rows belong to
county A and its operator (``tree.operator``); each role has a same-role outsider from county B
(``county_b_staff``, ``organizer_b1``, ``operator_b``, ``agency_b``, ``worker_b1``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

ROLES = [
    "anonymous",
    "admin",
    "city_staff",
    "county_a_staff",
    "county_b_staff",
    "auditor",
    "organizer_a1",
    "organizer_b1",
    "operator",
    "operator_b",
    "agency",
    "agency_b",
    "worker_a1",
    "worker_b1",
    "outsider",
]
LOGGED_IN = ROLES[1:]
LOGIN = 302  # sent to the login page

# Groups, relative to county A's objects.
STAFF = {"admin", "city_staff", "county_a_staff"}  # supervise county A's bases and move its money
CITY = {"admin", "city_staff"}  # city-wide settings, policies, the draw, year closing
EDITORS = STAFF | {"operator"}  # change county A's base, itineraries and batches
VIEWERS = EDITORS | {"auditor"}  # see county A's base in management
SUPERVISORS = STAFF | {"county_b_staff", "auditor"}  # federation staff and auditors: staff pages
MANAGEMENT = SUPERVISORS | {"operator", "operator_b"}  # have management pages at all
MOVERS = STAFF | {"county_b_staff"}  # record grants and allocations (of their own subtree)


@dataclass(frozen=True, kw_only=True)
class Write:
    """What a write row sends (``data``: a valid body) and how to tell whether it happened."""

    path: str
    done: Callable[[], bool]
    data: dict = field(default_factory=dict)


def roles(*pairs: tuple[set[str], int], default: int) -> dict[str, int]:
    """``(group of roles, status)`` pairs, with ``default`` for every other logged-in role."""
    result = dict.fromkeys(LOGGED_IN, default)
    for group, code in pairs:
        for role in group:
            result[role] = code
    return result


def only(allowed: set[str], status: int = 200, denied: int = 403) -> dict[str, int]:
    return roles((allowed, status), default=denied)
