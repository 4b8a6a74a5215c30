from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.conf import settings
from django.db import connection

from accounts.models import Organization, OrgKind, Role, User
from tests.factories import OrganizationFactory, UserFactory, WorkerFactory


def fake_now(day: date) -> datetime:
    """10:00 local time on ``day``: a test that takes a while does not cross midnight."""
    return datetime.combine(day, time(10), tzinfo=ZoneInfo(settings.TIME_ZONE))


def pytest_configure(config):
    """``FAKE_TODAY=YYYY-MM-DD`` runs the whole session on that day (the clock still ticks).

    CI runs the date-sensitive tests (marker ``dates``) this way on days that have broken them
    before, such as 2 January and 31 December: ``FAKE_TODAY=<next year>-01-02 pytest -m dates``.
    """
    fake = os.environ.get("FAKE_TODAY", "")
    if not fake:
        return
    try:
        day = date.fromisoformat(fake)
    except ValueError:
        raise pytest.UsageError(
            f"FAKE_TODAY must be a date written YYYY-MM-DD, not {fake!r}"
        ) from None
    config.fake_today = time_machine.travel(fake_now(day), tick=True)
    config.fake_today.start()


def pytest_unconfigure(config):
    if traveller := getattr(config, "fake_today", None):
        traveller.stop()


def pytest_report_header(config):
    if getattr(config, "fake_today", None):
        return f"faked today (FAKE_TODAY): {os.environ['FAKE_TODAY']}"
    return None


def pytest_collection_modifyitems(config, items):
    skip_pg = pytest.mark.skip(reason="needs PostgreSQL (set DATABASE_URL=postgres://...)")
    skip_redis = pytest.mark.skip(reason="needs a Redis broker (set CELERY_BROKER_URL=redis://...)")
    on_pg = settings.DATABASES["default"]["ENGINE"].endswith("postgresql")
    has_redis = os.environ.get("CELERY_BROKER_URL", "").startswith("redis")
    for item in items:
        if "postgres" in item.keywords and not on_pg:
            item.add_marker(skip_pg)
        if "redis" in item.keywords and not has_redis:
            item.add_marker(skip_redis)


@pytest.fixture(autouse=True, scope="session")
def _flush_the_ledger_as_a_replica():
    """Transactional tests (``django_db(transaction=True)``) empty the database after each test
    with TRUNCATE, which the ledger's triggers refuse on PostgreSQL (funds migration 0004).

    Ordinary triggers do not fire while ``session_replication_role`` is ``replica``, a setting
    only a superuser may change (the test role is one; the production role must not be): the
    flush runs with it, for its own transaction only (``SET LOCAL``).
    """
    from django.db.backends.base.operations import BaseDatabaseOperations

    flush = BaseDatabaseOperations.execute_sql_flush

    def execute_sql_flush(self, sql_list):
        if self.connection.vendor == "postgresql" and sql_list:
            sql_list = [
                "SET LOCAL session_replication_role = replica",
                *sql_list,
                "SET LOCAL session_replication_role = DEFAULT",
            ]
        flush(self, sql_list)

    patch = pytest.MonkeyPatch()
    patch.setattr(BaseDatabaseOperations, "execute_sql_flush", execute_sql_flush)
    yield
    patch.undo()


@pytest.fixture(autouse=True)
def _fast_hashing_and_clean_cache(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    from django.core.cache import cache

    cache.clear()


@pytest.fixture(scope="session")
def _private_media(tmp_path_factory):
    return tmp_path_factory.mktemp("private-media")


@pytest.fixture(autouse=True)
def _private_uploads_in_tmp(settings, _private_media):
    """Invoices and rosters uploaded by tests land in a temporary folder, not the checkout."""
    settings.PRIVATE_MEDIA_ROOT = _private_media


@pytest.fixture(autouse=True)
def _celery_eager_unless_testing_the_broker(request):
    """Tasks run in-process in tests, even when CELERY_BROKER_URL points at Redis (no worker
    would be there to run them). Tests marked ``redis`` talk to the real broker and a worker."""
    from recuperation.celery import app

    eager = "redis" not in request.keywords
    saved = app.conf.task_always_eager
    app.conf.task_always_eager = eager
    yield
    app.conf.task_always_eager = saved


@pytest.fixture(autouse=True)
def _english_outside_requests():
    """Code called directly speaks English in tests; HTTP requests still default to zh-hans."""
    from django.utils import translation

    with translation.override("en"):
        yield


@dataclass
class Tree:
    """A small union tree with one user of every role, plus an outsider.

    province P → city C → counties A and B; A has unions A1 and A2, B has B1; an operator under
    each county (OPA, OPB), an agency under C and another under B. Every role has a second user
    in county B (``county_b_staff``, ``organizer_b1``, ``operator_b``, ``agency_b``,
    ``worker_b1``): the same-role outsiders of county A's data.
    """

    province: Organization
    city: Organization
    county_a: Organization
    county_b: Organization
    union_a1: Organization
    union_a2: Organization
    union_b1: Organization
    operator: Organization
    agency: Organization
    operator_b: Organization
    agency_b: Organization
    users: dict[str, User]

    def user(self, name: str) -> User:
        return self.users[name]


@pytest.fixture
def tree(db) -> Tree:
    province = OrganizationFactory(code="P", name="省总", kind=OrgKind.PROVINCE)
    city = OrganizationFactory(code="C", name="市总", kind=OrgKind.CITY, parent=province)
    county_a = OrganizationFactory(code="CA", name="甲县总工会", kind=OrgKind.COUNTY, parent=city)
    county_b = OrganizationFactory(code="CB", name="乙县总工会", kind=OrgKind.COUNTY, parent=city)
    union_a1 = OrganizationFactory(code="A1", name="甲一工会", parent=county_a)
    union_a2 = OrganizationFactory(code="A2", name="甲二工会", parent=county_a)
    union_b1 = OrganizationFactory(code="B1", name="乙一工会", parent=county_b)
    operator = OrganizationFactory(
        code="OPA", name="甲县基地", kind=OrgKind.BASE_OPERATOR, parent=county_a
    )
    agency = OrganizationFactory(code="AG", name="旅行社", kind=OrgKind.AGENCY, parent=city)
    operator_b = OrganizationFactory(
        code="OPB", name="乙县基地运营", kind=OrgKind.BASE_OPERATOR, parent=county_b
    )
    agency_b = OrganizationFactory(
        code="AGB", name="乙县旅行社", kind=OrgKind.AGENCY, parent=county_b
    )

    users = {
        "admin": UserFactory(username="admin", is_superuser=True, is_staff=True),
        "city_staff": UserFactory(username="city", role=Role.FEDERATION_STAFF, org=city),
        "county_a_staff": UserFactory(
            username="county_a", role=Role.FEDERATION_STAFF, org=county_a
        ),
        "county_b_staff": UserFactory(
            username="county_b", role=Role.FEDERATION_STAFF, org=county_b
        ),
        "auditor": UserFactory(username="auditor", role=Role.AUDITOR, org=city),
        "organizer_a1": UserFactory(username="org_a1", role=Role.ORGANIZER, org=union_a1),
        "organizer_b1": UserFactory(username="org_b1", role=Role.ORGANIZER, org=union_b1),
        "operator": UserFactory(username="op", role=Role.BASE_OPERATOR, org=operator),
        "agency": UserFactory(username="agency", role=Role.AGENCY, org=agency),
        "operator_b": UserFactory(username="op_b", role=Role.BASE_OPERATOR, org=operator_b),
        "agency_b": UserFactory(username="agency_b", role=Role.AGENCY, org=agency_b),
        "outsider": UserFactory(username="outsider"),
    }
    users["worker_a1"] = WorkerFactory(union=union_a1, user__username="w_a1", real_name="张三").user
    users["worker_b1"] = WorkerFactory(union=union_b1, user__username="w_b1", real_name="李四").user
    return Tree(
        province,
        city,
        county_a,
        county_b,
        union_a1,
        union_a2,
        union_b1,
        operator,
        agency,
        operator_b,
        agency_b,
        users,
    )


@pytest.fixture
def on_postgres() -> bool:
    return connection.vendor == "postgresql"


@pytest.fixture
def token_client():
    """An API client that authenticates with a token, as outside callers do."""
    from rest_framework.authtoken.models import Token
    from rest_framework.test import APIClient

    def make(user: User) -> APIClient:
        api = APIClient()
        token, _created = Token.objects.get_or_create(user=user)
        api.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
        return api

    return make


def fire_deferred_checks() -> None:
    """Run the ledger's deferred commit-time checks now (PostgreSQL), at the level of the
    transaction that made the rows.

    A module-scoped fixture seeds inside a transaction it never commits, so the checks of every
    row it made stay queued. Each test's teardown then checks constraints inside the test's
    savepoint (Django's TestCase) and the savepoint's rollback queues them all again: on the
    demo, some 50 s per test. Fired once here, they are done for good; and the seeded data has
    passed them, as a commit would have required.
    """
    if connection.vendor == "postgresql":
        connection.check_constraints()
