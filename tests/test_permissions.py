"""Every URL × every role: who gets the page, who is sent to log in, who is refused.

When a new URL is added, ``test_every_url_is_in_the_matrix`` fails until it is listed here.
"""

from __future__ import annotations

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

from tests.applications.url_matrix import MATRIX as APPLICATIONS_MATRIX
from tests.bases.url_matrix import MATRIX as BASES_MATRIX
from tests.funds.url_matrix import MATRIX as FUNDS_MATRIX

pytestmark = pytest.mark.django_db

ROLES = [
    "anonymous",
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
LOGIN = 302  # sent to the login page
MEMBER_VIEWERS = {"admin", "city_staff", "county_a_staff", "auditor", "organizer_a1"}

# url name → (method, path or callable(tree) -> path, status for the anonymous visitor,
#             status for every logged-in role or {role: status})
MATRIX: dict[str, tuple[str, str, int, dict[str, int] | int]] = {
    "portal:home": ("get", "/", 200, 200),
    "healthz": ("get", "/healthz", 200, 200),
    "login": ("get", "/login/", 200, 302),
    "logout": ("post", "/logout/", 302, 302),
    "password_change": ("get", "/account/password/", LOGIN, 200),
    "accounts:account": ("get", "/account/", LOGIN, 200),
    "accounts:members": (
        "get",
        "/account/members/",
        LOGIN,
        {role: 200 if role in MEMBER_VIEWERS else 403 for role in ROLES},
    ),
    "set_language": ("post", "/i18n/setlang/", 302, 302),
    "admin:index": (
        "get",
        "/admin/",
        LOGIN,
        {role: 200 if role == "admin" else 302 for role in ROLES},
    ),
    "api-root": ("get", "/api/v1/", 200, 200),
    "api-token": ("post", "/api/v1/auth/token/", 400, 400),
    "api-me": ("get", "/api/v1/me/", 401, 200),
    "api-schema": ("get", "/api/v1/schema/", 200, 200),
    "api-docs": ("get", "/api/v1/docs/", 200, 200),
    "org-list": ("get", "/api/v1/orgs/", 200, 200),
    "org-detail": ("get", "/api/v1/orgs/A1/", 200, 200),
    **BASES_MATRIX,
    **FUNDS_MATRIX,
    **APPLICATIONS_MATRIX,
}


def expected_status(name: str, role: str) -> int:
    _method, _path, anonymous, others = MATRIX[name]
    if role == "anonymous":
        return anonymous
    return others[role] if isinstance(others, dict) else others


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("name", sorted(MATRIX))
def test_url_answers_each_role_as_expected(client, tree, name, role):
    if role != "anonymous":
        client.force_login(tree.user(role))
    method, path, *_ = MATRIX[name]
    if callable(path):  # a row may build the object its URL needs from the tree fixture
        path = path(tree)
    response = getattr(client, method)(path)
    assert response.status_code == expected_status(name, role), (name, role)
    if response.status_code == LOGIN and method == "get" and role == "anonymous":
        assert "login" in response["Location"]


def _named_patterns(resolver: URLResolver, namespace: str = "") -> set[str]:
    names = set()
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            names |= _named_patterns(pattern, inner)
        elif isinstance(pattern, URLPattern) and pattern.name:
            names.add(namespace + pattern.name)
    return names


def test_every_url_is_in_the_matrix():
    names = {n for n in _named_patterns(get_resolver()) if not n.startswith("admin:")}
    names.add("admin:index")
    assert names - set(MATRIX) == set(), "add the new URLs to MATRIX"
