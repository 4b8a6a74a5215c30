"""This app's rows of the URL × role matrix in tests/test_permissions.py.

Format: ``"namespace:url-name": (method, path, anonymous status, status or {role: status})``
where ``path`` may be a callable ``(tree) -> str`` that creates the objects the URL needs from
the ``tree`` fixture (tests/conftest.py) and the roles are ``test_permissions.ROLES``.
"""

from __future__ import annotations

LOGIN = 302
ROLES = [
    "admin",
    "city_staff",
    "county_a_staff",
    "auditor",
    "organizer_a1",
    "operator",
    "agency",
    "worker_a1",
    "outsider",
]
FUNDS_READERS = {"admin", "city_staff", "county_a_staff", "auditor"}
MOVERS = {"admin", "city_staff", "county_a_staff"}
POLICY_SETTERS = {"admin", "city_staff"}


def only(allowed: set[str], denied: int = 403) -> dict[str, int]:
    return {role: 200 if role in allowed else denied for role in ROLES}


def with_policy(tree) -> str:
    from tests.funds.conftest import make_policy

    make_policy(2026)
    return "/funds/policies/2026/"


def api_policy(tree) -> str:
    from tests.funds.conftest import make_policy

    make_policy(2026)
    return "/api/v1/funds/policies/2026/"


MATRIX = {
    "funds:overview": ("get", "/funds/", LOGIN, only(FUNDS_READERS)),
    "funds:grant": ("get", "/funds/grant/", LOGIN, only(MOVERS)),
    "funds:allocate": ("get", "/funds/allocate/", LOGIN, only(MOVERS)),
    "funds:ledger": ("get", "/funds/ledger/", LOGIN, only(FUNDS_READERS)),
    "funds:policies": ("get", "/funds/policies/", LOGIN, only(FUNDS_READERS)),
    "funds:policy-new": ("get", "/funds/policies/new/", LOGIN, only(POLICY_SETTERS)),
    "funds:policy-edit": ("get", with_policy, LOGIN, only(POLICY_SETTERS)),
    "funds:close-year": ("get", "/funds/close-year/", LOGIN, only(POLICY_SETTERS)),
    # The city's money: its staff, the auditor over it and the superuser; others get 404.
    "funds-utilization": (
        "get",
        "/api/v1/funds/utilization/?org=C&year=2026",
        401,
        only({"admin", "city_staff", "auditor"}, denied=404),
    ),
    "funds-policy-list": ("get", "/api/v1/funds/policies/", 200, 200),
    "funds-policy-detail": ("get", api_policy, 200, 200),
}
