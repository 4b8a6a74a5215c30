"""Helpers of the applications API tests: a client per role, a snapshot of everything an API
write could change, and a loop that checks every role's answer (and that refusals change
nothing)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from io import BytesIO

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.models import AuditEvent, Notification
from applications import services
from applications.models import (
    LIVE,
    Application,
    GroupParticipant,
    GroupTrip,
    Lottery,
    RosterImport,
    Settlement,
    StatusChange,
)
from bases.models import Batch
from funds.models import Entry
from tests.applications.conftest import Trip, fund
from tests.bases.factories import BaseFactory, BatchFactory, ItineraryFactory
from tests.factories import WorkerFactory
from tests.funds.conftest import make_policy

# Every role of the tree fixture, with the same-role outsiders (county B, union B1).
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
    "agency",
    "worker_a1",
    "worker_b1",
    "outsider",
]
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def roles(default: int, **codes: int) -> dict[str, int]:
    """Expected status per role: ``default`` for the roles not named; anonymous 401 unless
    named."""
    expected = dict.fromkeys(ROLES, default)
    expected["anonymous"] = 401
    expected.update(codes)
    return expected


def client_for(tree, role: str) -> APIClient:
    """An API client logged in as ``role``, asking for English (messages are checked by text)."""
    api = APIClient(HTTP_ACCEPT_LANGUAGE="en")
    if role != "anonymous":
        api.force_authenticate(tree.user(role))
    return api


def snapshot() -> dict:
    """What any API write of this app could change."""
    return {
        "applications": sorted(
            Application.objects.values_list("pk", "status", "group_trip_id", "settlement_id")
        ),
        "changes": StatusChange.objects.count(),
        "entries": Entry.objects.count(),
        "seats": sorted(Batch.objects.values_list("pk", "seats_held", "capacity")),
        "groups": sorted(
            GroupTrip.objects.values_list("pk", "seats", "title", "joint", "agency_id", "note")
        ),
        "cancelled": GroupTrip.objects.filter(cancelled_at__isnull=False).count(),
        "participants": sorted(GroupParticipant.objects.values_list("pk", "union_id", "status")),
        "settlements": sorted(Settlement.objects.values_list("pk", "state")),
        "lotteries": sorted(Lottery.objects.values_list("pk", "seed")),
        "imports": RosterImport.objects.count(),
        "audit": AuditEvent.objects.count(),
        "unread": Notification.objects.filter(read_at__isnull=True).count(),
    }


def each_role(
    tree,
    expected: dict[str, int],
    call: Callable[[APIClient, object], object],
    make: Callable[[], object] = lambda: None,
) -> None:
    """For every role: make the object, call the API, check the status; a refusal must leave
    everything as it was."""
    for role, code in expected.items():
        obj = make()
        before = snapshot()
        response = call(client_for(tree, role), obj)
        body = b"(a file)" if response.streaming else response.content[:300]
        assert response.status_code == code, (role, response.status_code, body)
        if code >= 400:
            assert snapshot() == before, role


def make_trip(tree, *, capacity: int = 30, days_ahead: int = 30) -> Trip:
    """The ``trip`` fixture's world, for code that only has the tree (the URL matrix)."""
    today = timezone.localdate()
    base = BaseFactory(county=tree.county_a, operator=tree.operator)
    itinerary = ItineraryFactory(base=base, days=5, union_price_fen=200_000)
    batch = BatchFactory(
        itinerary=itinerary, start_date=today + timedelta(days=days_ahead), capacity=capacity
    )
    year = batch.start_date.year
    policy = make_policy(year)
    fund(tree.county_a, year)
    fund(tree.county_b, year)
    return Trip(itinerary, batch, policy, today)


def depart(batch: Batch, *, days_ago: int = 1) -> None:
    """Move a batch into the past (the trip has started), keeping its dates consistent."""
    start = timezone.localdate() - timedelta(days=days_ago)
    Batch.objects.filter(pk=batch.pk).update(
        start_date=start,
        end_date=start + timedelta(days=4),
        signup_deadline=start - timedelta(days=7),
    )
    batch.refresh_from_db()


def close_signups(batch: Batch) -> None:
    """The sign-up deadline passed yesterday; the trip is still ahead."""
    Batch.objects.filter(pk=batch.pk).update(
        signup_deadline=timezone.localdate() - timedelta(days=1)
    )
    batch.refresh_from_db()


def apply(worker, batch: Batch, *, endorse: bool = False, approve: bool = False) -> Application:
    app = services.application_submit(worker=worker, batch=batch, by=worker.user)
    if endorse or approve:
        services.application_endorse(application=app, by=None)
    if approve:
        services.application_approve(application=app, by=None)
    app.refresh_from_db()
    return app


def new_worker(union, **kwargs):
    return WorkerFactory(union=union, **kwargs)


def live_application(worker, batch: Batch, *, status: str = "submitted") -> Application:
    """The worker's live application for the batch in ``status`` (made when missing)."""
    app = (
        Application.objects.filter(worker=worker, batch=batch, status=status)
        .order_by("-pk")
        .first()
    )
    if app is None:
        for other in Application.objects.filter(worker=worker, batch=batch, status__in=LIVE):
            services.application_withdraw(application=other, by=None)
        app = apply(worker, batch, endorse=status != "submitted", approve=status == "approved")
    assert app.status == status
    return app


def xlsx(rows: list[list[str]], header: bool = True) -> BytesIO:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    if header:
        sheet.append(["姓名", "身份证号", "手机"])
    for row in rows:
        sheet.append(row)
    out = BytesIO()
    book.save(out)
    out.seek(0)
    out.name = "roster.xlsx"
    return out


def today() -> date:
    return timezone.localdate()


@pytest.fixture
def private_media(settings, tmp_path):
    """Uploaded invoices and rosters go to a temporary folder."""
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"
    return settings.PRIVATE_MEDIA_ROOT
