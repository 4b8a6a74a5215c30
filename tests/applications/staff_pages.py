"""Builders for the staff, operator and agency page tests and their URL-matrix rows.

Plain functions of the ``tree`` fixture (tests/conftest.py), so a matrix row can call them too:
a trip under county A run by ``tree.operator``, applications moved through the real services.
"""

from __future__ import annotations

from datetime import timedelta
from io import BytesIO

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from accounts.models import WorkerCategory
from applications import services
from applications.models import Application, Settlement
from bases.models import Batch
from tests.applications.conftest import Trip, fund
from tests.bases.factories import BaseFactory, BatchFactory, ItineraryFactory
from tests.factories import WorkerFactory
from tests.funds.conftest import make_policy

PDF = b"%PDF-1.4\n% a test invoice\n"


def png() -> bytes:
    from PIL import Image

    buffer = BytesIO()
    Image.new("RGB", (4, 4), "white").save(buffer, "PNG")
    return buffer.getvalue()


def build_trip(tree, *, title: str = "森林康养五日", days_ahead: int = 30, capacity: int = 30):
    """The ``trip`` fixture as a function: a county A base run by ``tree.operator``, a policy
    for the departure year and ¥100,000 granted to counties A and B."""
    today = timezone.localdate()
    base = BaseFactory(name=f"{title}基地", county=tree.county_a, operator=tree.operator)
    itinerary = ItineraryFactory(base=base, title=title, days=5, union_price_fen=200_000)
    batch = BatchFactory(
        itinerary=itinerary, start_date=today + timedelta(days=days_ahead), capacity=capacity
    )
    year = batch.start_date.year
    policy = make_policy(year)
    fund(tree.county_a, year)
    fund(tree.county_b, year)
    return Trip(itinerary, batch, policy, today)


def worker(tree, union=None, **kwargs):
    kwargs.setdefault("category", WorkerCategory.MEMBER)
    return WorkerFactory(union=union or tree.union_a1, **kwargs)


def submitted(tree, batch: Batch, union=None, **kwargs) -> Application:
    return services.application_submit(worker=worker(tree, union, **kwargs), batch=batch, by=None)


def endorsed(tree, batch: Batch, union=None, **kwargs) -> Application:
    app = submitted(tree, batch, union, **kwargs)
    return services.application_endorse(application=app, by=None)


def approved(tree, batch: Batch, union=None, **kwargs) -> Application:
    return services.application_approve(application=endorsed(tree, batch, union, **kwargs), by=None)


def depart(batch: Batch, *, days_ago: int = 1) -> None:
    """Move a batch's dates so that it left ``days_ago`` days ago (attendance may be recorded)."""
    start = timezone.localdate() - timedelta(days=days_ago)
    Batch.objects.filter(pk=batch.pk).update(
        start_date=start,
        end_date=start + timedelta(days=4),
        signup_deadline=start - timedelta(days=1),
    )
    batch.refresh_from_db()


def settlement(tree, batch: Batch, *, people: int = 2, invoice: bytes = PDF, amount: int = 150_000):
    """Approved, attended and claimed: a settlement of ``people`` members of union A1 (county A
    pays), ``amount`` fen on the invoice."""
    apps = [approved(tree, batch) for _ in range(people)]
    later = batch.start_date + timedelta(days=1)
    for app in apps:
        services.application_attendance(application=app, by=None, attended=True, today=later)
    name = "invoice.pdf" if invoice.startswith(b"%PDF") else "invoice.png"
    return services.settlement_submit(
        applications=apps,
        union=tree.union_a1,
        invoice=SimpleUploadedFile(name, invoice),
        invoice_amount=amount,
        by=tree.user("organizer_a1"),
    )


def settlement_id(tree) -> int:
    return settlement(tree, build_trip(tree).batch).pk


def refresh(settlement_: Settlement) -> Settlement:
    settlement_.refresh_from_db()
    return settlement_
