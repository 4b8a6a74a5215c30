"""Every URL × every method it accepts × every role: who is served, who is sent to log in, who is
refused, and — for writes — whether the write really happened (tests/matrix.py explains a row).

The roles include a same-role outsider for each role (county B's staff, organizer, operator,
agency and worker), so a check that stops at "has the role" without the scope fails here. When a
URL is added, or a view starts accepting another method, ``test_every_url_is_in_the_matrix`` or
``test_every_method_a_url_accepts_has_a_row`` fails until its rows are written.
"""

from __future__ import annotations

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

from accounts.models import Worker
from tests.applications.url_matrix import MATRIX as APPLICATIONS_MATRIX
from tests.bases.url_matrix import MATRIX as BASES_MATRIX
from tests.funds.url_matrix import MATRIX as FUNDS_MATRIX
from tests.matrix import LOGIN, ROLES, SUPERVISORS, Write, only, roles
from tests.portal.url_matrix import MATRIX as PORTAL_MATRIX
from tests.portal.url_matrix import SESSION_WRITES as PORTAL_SESSION_WRITES
from tests.publicity.url_matrix import MATRIX as PUBLICITY_MATRIX

pytestmark = pytest.mark.django_db

MEMBER_VIEWERS = SUPERVISORS | {"organizer_a1", "organizer_b1"}
WORKERS = {"worker_a1", "worker_b1"}


def contact_page(tree) -> Write:
    """A worker's own contact data: the page has no object id, each worker writes only their own."""
    return Write(
        path="/account/",
        data={"phone": "13912345678", "id_number": ""},
        done=lambda: Worker.objects.filter(phone="13912345678").exists(),
    )


def public_upload(tree) -> str:
    """A public upload (what a base photo is): served to everyone (tests/test_media.py)."""
    from django.conf import settings

    folder = settings.MEDIA_ROOT / "bases"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "matrix.png").write_bytes(b"\x89PNG\r\n\x1a\n")
    return "/media/bases/matrix.png"


# (url name, method[, case]) → (path or builder, status for the anonymous visitor, status for
# every logged-in role or {role: status})
MATRIX: dict[tuple[str, ...], tuple] = {
    ("portal:home", "get"): ("/", 200, 200),
    ("healthz", "get"): ("/healthz", 200, 200),
    ("media", "get"): (public_upload, 200, 200),
    ("login", "get"): ("/login/", 200, 302),
    ("login", "post"): ("/login/", 200, 302),  # no credentials: the form again; logged in: away
    ("login", "put"): ("/login/", 200, 302),  # Django's form views take PUT like POST
    ("logout", "post"): ("/logout/", 302, 302),
    ("password_change", "get"): ("/account/password/", LOGIN, 200),
    ("password_change", "post"): ("/account/password/", LOGIN, 200),  # empty form: errors
    ("password_change", "put"): ("/account/password/", LOGIN, 200),
    ("accounts:account", "get"): ("/account/", LOGIN, 200),
    ("accounts:account", "post"): (contact_page, LOGIN, roles((WORKERS, 302), default=200)),
    ("accounts:members", "get"): ("/account/members/", LOGIN, only(MEMBER_VIEWERS)),
    ("set_language", "post"): ("/i18n/setlang/", 302, 302),
    ("admin:index", "get"): ("/admin/", LOGIN, roles(({"admin"}, 200), default=302)),
    ("api-root", "get"): ("/api/v1/", 200, 200),
    ("api-token", "post"): ("/api/v1/auth/token/", 400, 400),
    ("api-me", "get"): ("/api/v1/me/", 401, 200),
    ("api-schema", "get"): ("/api/v1/schema/", 200, 200),
    ("api-docs", "get"): ("/api/v1/docs/", 200, 200),
    ("org-list", "get"): ("/api/v1/orgs/", 200, 200),
    ("org-detail", "get"): ("/api/v1/orgs/A1/", 200, 200),
    **BASES_MATRIX,
    **FUNDS_MATRIX,
    **APPLICATIONS_MATRIX,
    **PORTAL_MATRIX,
    **PUBLICITY_MATRIX,
}
# Writes to the caller's own session or password, not to an object: no Write to check.
SESSION_WRITES = {
    "login",
    "logout",
    "password_change",
    "set_language",
    "api-token",
    *PORTAL_SESSION_WRITES,
}
# Django's own views answer every method; the matrix lists the ones this project relies on.
NOT_PROBED = {"admin:index", "set_language"}
PROBED_METHODS = ("get", "post", "put", "patch", "delete")


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path  # photo uploads of the matrix land in a temporary folder


def expected_status(key: tuple[str, ...], role: str) -> int:
    _target, anonymous, others = MATRIX[key]
    if role == "anonymous":
        return anonymous
    return others[role] if isinstance(others, dict) else others


def _build(target, tree) -> Write | str:
    return target(tree) if callable(target) else target


def _uploads(data: dict) -> bool:
    return any(hasattr(value, "read") for value in data.values())


def _send(client, method: str, target: Write | str):
    if not isinstance(target, Write):
        return getattr(client, method)(target)
    if target.path.startswith("/api/") and not _uploads(target.data):
        return getattr(client, method)(target.path, target.data, content_type="application/json")
    assert method == "post", "pages and uploads take their writes as form posts"
    return client.post(target.path, target.data)


def _succeeded(role: str, target: Write, status: int) -> bool:
    """A write succeeded: 2xx on the API (202: accepted, to finish in the background), a
    redirect on a page (a refused form is a 200)."""
    if role == "anonymous":
        return False
    return status in (200, 201, 202, 204) if target.path.startswith("/api/") else status == 302


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("key", sorted(MATRIX), ids="|".join)
def test_url_answers_each_role_as_expected(client, tree, key, role):
    name, method = key[:2]
    if role != "anonymous":
        client.force_login(tree.user(role))
    target = _build(MATRIX[key][0], tree)
    response = _send(client, method, target)
    status = response.status_code
    assert status == expected_status(key, role), (key, role, status)
    if status == LOGIN and method == "get" and role == "anonymous":
        assert "login" in response["Location"]
    if method != "get":
        if isinstance(target, Write):
            # A success wrote; every refusal (401, 403, 404, 400, a form shown again) did not.
            assert target.done() == _succeeded(role, target, status), (key, role, status)
        else:
            assert name in SESSION_WRITES, f"give the write row {name} a Write with a check"


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
    assert names - {key[0] for key in MATRIX} == set(), "add the new URLs to MATRIX"


@pytest.mark.parametrize("name", sorted({key[0] for key in MATRIX} - NOT_PROBED))
def test_every_method_a_url_accepts_has_a_row(client, tree, name):
    """Ask the view itself: a method that neither the anonymous visitor nor the superuser gets a
    405 for is accepted (function views, Django's class views and DRF viewsets alike), and needs
    its row; a row for a method the view refuses is stale."""
    first = min(key for key in MATRIX if key[0] == name)
    target = _build(MATRIX[first][0], tree)
    path = target.path if isinstance(target, Write) else target
    accepted = set()
    for method in PROBED_METHODS:
        answers = []
        for role in ("anonymous", "admin"):
            client.logout()
            if role == "admin":
                client.force_login(tree.user("admin"))
            answers.append(getattr(client, method)(path).status_code)
        if 405 not in answers:
            accepted.add(method)
    assert accepted == {key[1] for key in MATRIX if key[0] == name}, name
