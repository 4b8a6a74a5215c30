"""Fuzz every operation of the OpenAPI schema with schemathesis, as every role (DESIGN §8).

In process against the WSGI app (no server), inside the test's database transaction, on a small
seeded tree. Every answer must be one the schema documents: no 5xx, a documented status code and
content type, and a body that matches the documented schema (errors included).

Two passes, bounded so that the file runs in well under a minute on SQLite:
- random requests (a few derandomized examples per operation), each sent once per role;
- schemathesis' deterministic edge cases of every parameter and body field (NUL characters, huge
  numbers, far dates, wrong types, missing fields), sent as the base operator: the role whose
  writes get past the permission checks to the services' own validation.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from django.utils import timezone
from hypothesis import HealthCheck, note, settings
from rest_framework.authtoken.models import Token
from schemathesis import checks

from recuperation.wsgi import application
from tests.bases.factories import BaseFactory, BatchFactory, ItineraryFactory
from tests.funds.conftest import make_policy
from tests.publicity.factories import ArticleFactory

# Anonymous, then one user of each role of the tree fixture (tests/conftest.py).
ROLES = [
    "anonymous",
    "worker_a1",
    "organizer_a1",
    "county_a_staff",
    "city_staff",
    "auditor",
    "operator",
    "agency",
]
CHECKS = [
    checks.not_a_server_error,
    checks.status_code_conformance,
    checks.content_type_conformance,
    checks.response_schema_conformance,
]

BOUNDS = settings(
    max_examples=6,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=list(HealthCheck),
)


def load_schema(*phases: str) -> schemathesis.BaseSchema:
    loaded = schemathesis.openapi.from_wsgi("/api/v1/schema/", application)
    # Requests carry exactly each role's credentials (below), never generated tokens or cookies.
    loaded.config.generation.update(with_security_parameters=False)
    loaded.config.phases.update(phases=list(phases))
    return loaded


random_requests = load_schema("examples", "fuzzing")
edge_cases = load_schema("coverage")
edge_cases.config.phases.coverage.unexpected_methods = set()  # 405s are DRF's, not ours


@pytest.fixture(autouse=True)
def _keep_the_test_connection():
    """The real WSGI handler closes "old" connections around each request, which would close
    the test's open transaction on PostgreSQL; Django's own test client unhooks it the same way."""
    for signal in (request_started, request_finished):
        signal.disconnect(close_old_connections)
    yield
    for signal in (request_started, request_finished):
        signal.connect(close_old_connections)


@pytest.fixture
def credentials(tree) -> dict[str, dict[str, str]]:
    """The tree plus a little catalogue (so small ids name real objects), and each role's
    ``Authorization`` header."""
    today = timezone.localdate()
    base = BaseFactory(county=tree.county_a, operator=tree.operator)
    itinerary = ItineraryFactory(base=base, days=3)
    BatchFactory(itinerary=itinerary, start_date=today + timedelta(days=20), seats_held=2)
    make_policy(today.year)
    ArticleFactory(org=tree.county_a, kind="route", theme="green", itineraries=[itinerary])
    ArticleFactory(org=tree.city, kind="event", event_date=today, event_place="礼堂")
    headers = {"anonymous": {}}
    for role in ROLES[1:]:
        token, _created = Token.objects.get_or_create(user=tree.user(role))
        headers[role] = {"Authorization": f"Token {token.key}"}
    return headers


@random_requests.parametrize()
@BOUNDS
def test_every_operation_answers_as_documented_to_every_role(case, credentials):
    for role, headers in credentials.items():
        note(f"as {role}")
        case.call_and_validate(headers=headers, checks=CHECKS)


@edge_cases.parametrize()
@BOUNDS
def test_edge_values_of_every_parameter_are_answered_as_documented(case, credentials):
    case.call_and_validate(headers=credentials["operator"], checks=CHECKS)
