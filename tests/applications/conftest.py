"""Fixtures of the applications tests: a trip under county A with money and a policy."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from io import BytesIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from accounts.models import User, Worker, WorkerCategory
from applications import services
from applications.models import Application, Settlement, Status
from bases.models import Batch, Itinerary
from funds import services as funds
from funds.models import FundSource, SubsidyPolicy
from tests.bases.factories import BaseFactory, BatchFactory, ItineraryFactory
from tests.factories import WorkerFactory
from tests.funds.conftest import make_policy

YUAN = 100


@dataclass
class Trip:
    itinerary: Itinerary
    batch: Batch
    policy: SubsidyPolicy
    today: date

    @property
    def year(self) -> int:
        """The trip's fiscal year, where its policy and money are: the year it departs as set
        up (a test that moves the batch into the past, across New Year, keeps this year)."""
        return self.policy.year


def fund(org, year: int, yuan: int = 100_000) -> None:
    funds.grant(
        org=org,
        year=year,
        source=FundSource.PROVINCIAL_SPECIAL,
        amount=yuan * YUAN,
        by=None,
        key=f"test-grant:{org.code}:{year}:{yuan}",
    )


@pytest.fixture
def trip(tree) -> Trip:
    """A five-day, ¥2,000 trip at a county A base, departing in 30 days (30 seats), with the
    departure year's policy (member: ¥200 a day) and ¥100,000 granted to counties A and B."""
    today = timezone.localdate()
    base = BaseFactory(name="甲县森林基地", county=tree.county_a, operator=tree.operator)
    itinerary = ItineraryFactory(base=base, title="森林康养五日", days=5, union_price_fen=200_000)
    batch = BatchFactory(itinerary=itinerary, start_date=today + timedelta(days=30), capacity=30)
    year = batch.start_date.year
    policy = make_policy(year)
    fund(tree.county_a, year)
    fund(tree.county_b, year)
    return Trip(itinerary, batch, policy, today)


@pytest.fixture
def worker_a1(tree) -> Worker:
    return tree.user("worker_a1").worker


@pytest.fixture
def make_worker(tree):
    def make(union=None, **kwargs) -> Worker:
        kwargs.setdefault("category", WorkerCategory.MEMBER)
        return WorkerFactory(union=union or tree.union_a1, **kwargs)

    return make


def after_departure(batch: Batch, days: int = 1) -> date:
    """A day once ``batch`` has started (attendance and settlement happen then)."""
    return batch.start_date + timedelta(days=days)


def pdf_upload(name: str = "invoice.pdf", size: int = 0) -> SimpleUploadedFile:
    """A small PDF (or one padded to ``size`` bytes) as an upload."""
    body = b"%PDF-1.4\n% test invoice\n"
    body += b"0" * max(size - len(body), 0)
    return SimpleUploadedFile(name, body, content_type="application/pdf")


def png_upload(name: str = "invoice.png") -> SimpleUploadedFile:
    from PIL import Image

    out = BytesIO()
    Image.new("RGB", (4, 4), "white").save(out, format="PNG")
    return SimpleUploadedFile(name, out.getvalue(), content_type="image/png")


@pytest.fixture
def make_batch(tree, trip):
    """Another batch: of the trip's itinerary by default, ``days_ahead`` days from today; its
    year's money granted to counties A and B like the trip's (its policy: the latest one)."""

    def make(
        *, days_ahead: int = 60, itinerary: Itinerary | None = None, capacity: int = 30, **kwargs
    ) -> Batch:
        kwargs.setdefault("start_date", trip.today + timedelta(days=days_ahead))
        batch = BatchFactory(itinerary=itinerary or trip.itinerary, capacity=capacity, **kwargs)
        fund(tree.county_a, batch.start_date.year)
        fund(tree.county_b, batch.start_date.year)
        return batch

    return make


@dataclass
class Flow:
    """Moves applications along the workflow with the real services, as the right people."""

    tree: object

    @property
    def organizer(self) -> User:
        return self.tree.user("organizer_a1")

    @property
    def staff(self) -> User:
        return self.tree.user("county_a_staff")

    def submit(self, worker: Worker, batch: Batch, **kwargs) -> Application:
        return services.application_submit(worker=worker, batch=batch, by=worker.user, **kwargs)

    def to(self, app: Application, status: str) -> Application:
        """Bring a ``submitted`` application to ``status`` along the shortest path."""
        app.refresh_from_db()
        after = after_departure(app.batch)
        if status == app.status:
            return app
        if status == Status.REJECTED:
            return services.application_reject(application=app, by=self.staff, reason="名额调整")
        if status == Status.WITHDRAWN:
            return services.application_withdraw(application=app, by=app.worker.user)
        if app.status == Status.SUBMITTED:
            app = services.application_endorse(application=app, by=self.organizer)
        if status == Status.ENDORSED:
            return app
        if app.status == Status.ENDORSED:
            app = services.application_approve(application=app, by=self.staff)
        if status == Status.APPROVED:
            return app
        if status == Status.NO_SHOW:
            return services.application_attendance(
                application=app, by=self.organizer, attended=False, today=after
            )
        if app.status == Status.APPROVED:
            app = services.application_attendance(
                application=app, by=self.organizer, attended=True, today=after
            )
        if status == Status.COMPLETED:
            return app
        if status == Status.SETTLED:
            self.settle([app], invoice_amount=app.price_fen)
            app.refresh_from_db()
            return app
        raise AssertionError(f"no path from {app.status} to {status}")

    def settle(self, apps: list[Application], *, invoice_amount: int) -> Settlement:
        settlement = services.settlement_submit(
            applications=apps,
            union=apps[0].union,
            invoice=pdf_upload(),
            invoice_amount=invoice_amount,
            by=self.organizer,
        )
        return services.settlement_pay(
            settlement=settlement, by=self.staff, today=after_departure(apps[0].batch)
        )


@pytest.fixture
def flow(tree) -> Flow:
    return Flow(tree)


@pytest.fixture
def record_trip(tree):
    """A trip a worker already has, written as a row: the services cannot apply for batches in
    the past, and the eligibility rules look back years. Its own base and itinerary."""

    def make(
        worker: Worker,
        *,
        start: date,
        in_province: bool = True,
        status: str = Status.SETTLED,
        subsidy: int = 100_000,
    ) -> Application:
        itinerary = ItineraryFactory(
            base=BaseFactory(county=tree.county_a), days=5, in_province=in_province
        )
        batch = BatchFactory(itinerary=itinerary, start_date=start)
        return Application.objects.create(
            batch=batch,
            worker=worker,
            union=worker.union,
            funding_org=tree.county_a,
            status=status,
            year=start.year,
            price_fen=itinerary.union_price_fen,
            subsidy_fen=subsidy,
            net_cost_fen=itinerary.union_price_fen - subsidy,
            paid_fen=subsidy if status == Status.SETTLED else None,
        )

    return make


def xlsx_upload(rows: list[list], *, name: str = "roster.xlsx", header: bool = True):
    """An .xlsx roster upload: a header row (as in the template) and then ``rows``."""
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    if header:
        sheet.append(["姓名", "身份证号", "手机号"])
    for row in rows:
        sheet.append(row)
    out = BytesIO()
    book.save(out)
    return SimpleUploadedFile(
        name,
        out.getvalue(),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
