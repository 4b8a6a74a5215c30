"""A Celery worker killed in the middle of a money or seat job, and restarted, finishes the job
exactly once: the same money and seats as a clean run of the same job.

These start real worker processes (``tests/ops/crash_worker.py``: the project's Celery app with
the prefork pool) on the real Redis broker, against the PostgreSQL test database with committed
data (``transaction=True``), make the job stop at a known point between two of its steps, and
SIGKILL the worker there:

- the whole worker (its process group, as when a container or machine dies): the message stays
  unacknowledged in Redis (acks late) and the restarted worker gets it back once the broker's
  visibility timeout has passed (2 s here, ``CELERY_VISIBILITY_TIMEOUT``);
- only the pool process running the job (as the kernel's OOM killer does): the worker puts the
  message back at once (``reject_on_worker_lost``) and a new pool process runs it.

A rollover moves its accounts in batches, each in its own database transaction (the worker
makes it one account a batch), so the kill leaves some accounts moved and the rerun must move only the others (its ``Rollover`` rows); a waiting-list promotion
is one database transaction, so the kill leaves nothing and the rerun must promote everyone once.
Each scenario is built twice: once for a clean run of the job, once for the killed one; the
database is emptied in between, and the two results are compared (ledger balances, every
ledger transaction and its entries, the utilization API, seats and application statuses), as
well as against the hand computation in each scenario.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from urllib.parse import quote

import pytest
from django.core.management import call_command
from django.db import DatabaseError, connection, transaction
from django.db.models import Sum
from django.test import Client
from django.utils import timezone

from accounts.models import Notification, OrgKind, Role, User
from applications import services as app_services
from applications.models import Application, StatusChange
from applications.tasks import promote_waitlist
from bases.models import Batch
from funds import services as funds
from funds.models import Account, Bucket, Entry, FiscalYear, FundSource, Rollover, Transaction
from funds.tasks import rollover_year
from recuperation.celery import app
from tests.bases.factories import BaseFactory, BatchFactory, ItineraryFactory
from tests.factories import OrganizationFactory, UserFactory, WorkerFactory
from tests.funds.conftest import make_policy

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.redis,
    pytest.mark.django_db(transaction=True),
]

ROOT = Path(__file__).resolve().parents[2]
CRASH_WORKER = Path(__file__).with_name("crash_worker.py")
VISIBILITY_TIMEOUT = 2  # seconds; production's default is 900 (recuperation/settings.py)
PS, CM = FundSource.PROVINCIAL_SPECIAL, FundSource.COUNTY_MATCHING


# --- the worker processes ------------------------------------------------------------------


def _database_url() -> str:
    """The test database pytest-django created, for the worker processes."""
    s = connection.settings_dict
    auth = quote(s["USER"] or "postgres")
    if s["PASSWORD"]:
        auth += ":" + quote(s["PASSWORD"])
    return f"postgres://{auth}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"


class Worker:
    """One ``celery worker`` process group, its output in a log file."""

    def __init__(self, queue: str, log: Path, *, pause_at: str = "", signal_file: Path):
        env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST", "FAKE_TODAY"))}
        env.update(
            DATABASE_URL=_database_url(),
            CELERY_VISIBILITY_TIMEOUT=str(VISIBILITY_TIMEOUT),
            CRASH_SIGNAL_FILE=str(signal_file),
            CRASH_PAUSE_AT=pause_at,
        )
        self.log = log
        with log.open("a") as out:
            self.process = subprocess.Popen(
                [sys.executable, str(CRASH_WORKER), queue],
                cwd=ROOT,
                env=env,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # its own process group: the pool dies with it
            )

    def output(self) -> str:
        return self.log.read_text()

    def kill(self) -> None:
        """SIGKILL the whole worker, pool processes included: nothing gets to clean up."""
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(10)

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(15)
            except subprocess.TimeoutExpired:
                self.kill()


@dataclass
class Crash:
    """Starts workers for one test and always stops them."""

    queue: str
    tmp_path: Path
    workers: list[Worker] = field(default_factory=list)
    sent: list = field(default_factory=list)

    def send(self, task, **options):
        """Queue ``task`` for this test's workers only."""
        result = task.apply_async(queue=self.queue, **options)
        self.sent.append(result)
        return result

    @property
    def signal_file(self) -> Path:
        return self.tmp_path / "paused"

    def worker(self, *, pause_at: str = "") -> Worker:
        worker = Worker(
            self.queue,
            self.tmp_path / "worker.log",
            pause_at=pause_at,
            signal_file=self.signal_file,
        )
        self.workers.append(worker)
        return worker

    def wait_for_pause(self, worker: Worker, timeout: float = 40) -> int:
        """Wait until the job stopped at its pause point; the pid of the pool process there."""
        deadline = time.monotonic() + timeout
        while not self.signal_file.exists():
            if worker.process.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"the job never reached its pause point:\n{worker.output()}")
            time.sleep(0.05)
        time.sleep(0.1)  # the pid is written; let the write land
        return int(self.signal_file.read_text())


@pytest.fixture
def crash(tmp_path):
    assert not app.conf.task_always_eager, "these tests need the real broker"
    queue = f"crash-test-{uuid.uuid4().hex[:12]}"
    crash = Crash(queue, tmp_path)
    yield crash
    for worker in crash.workers:
        worker.stop()
    # Leave the broker as found: the queue, its bindings, the results of this test's tasks.
    client = app.backend.client
    for key in client.scan_iter(f"*{queue}*"):
        client.delete(key)
    for result in crash.sent:
        result.forget()


def eager(flag: bool):
    """Build the scenario in-process (its notification e-mails run here, not on the broker)."""

    class _Eager:
        def __enter__(self):
            self.saved = app.conf.task_always_eager
            app.conf.task_always_eager = flag

        def __exit__(self, *exc):
            app.conf.task_always_eager = self.saved

    return _Eager()


def empty_the_database() -> None:
    """Between the clean run and the killed one (the ledger's triggers refuse TRUNCATE: the
    flush runs as a replica, see tests/conftest.py)."""
    call_command("flush", interactive=False, verbosity=0)


# --- what must come out the same ------------------------------------------------------------


def ledger_figures(years: list[int]) -> dict:
    accounts = {
        (a.org.code, a.year, a.source, a.bucket): a.balance
        for a in Account.objects.select_related("org")
    }
    transactions = sorted(
        (
            t.kind,
            t.cause_type,
            t.cause_id,
            t.year,
            t.value_date.isoformat(),
            tuple(
                sorted(
                    (
                        e.account.org.code,
                        e.account.year,
                        e.account.source,
                        e.account.bucket,
                        e.amount,
                    )
                    for e in t.entries.select_related("account__org")
                )
            ),
        )
        for t in Transaction.objects.all()
    )
    rollovers = sorted(
        (r.account.org.code, r.account.source, r.amount, r.transaction_id is not None)
        for r in Rollover.objects.select_related("account__org")
    )
    staff = User.objects.get(username="crash-city")
    client = Client()
    client.force_login(staff)
    api = {}
    for org in ("CC", "CCA", "CCB"):
        for year in years:
            response = client.get(f"/api/v1/funds/utilization/?org={org}&year={year}")
            assert response.status_code == 200, response.content
            api[(org, year)] = response.json()
    years_state = sorted(
        (y.year, y.closed_at is not None, y.rollover_finished_at is not None)
        for y in FiscalYear.objects.all()
    )
    return {
        "accounts": accounts,
        "transactions": transactions,
        "rollovers": rollovers,
        "api": api,
        "years": years_state,
    }


def assert_ledger_consistent() -> None:
    for account in Account.objects.all():
        total = Entry.objects.filter(account=account).aggregate(s=Sum("amount"))["s"] or 0
        assert account.balance == total, account
    for txn in Transaction.objects.all():
        legs = list(txn.entries.values_list("amount", flat=True))
        assert len(legs) >= 2 and sum(legs) == 0, txn


# --- scenarios ------------------------------------------------------------------------------


# Available accounts of year Y: C, A and B's provincial fund, B's county matching, and the
# empty city and county matching accounts that A's reservation opened (it looks at every source).
ACCOUNTS_TO_ROLL = 6


@dataclass
class Money:
    year: int


def build_money() -> Money:
    """Year Y (last year) with money in four available accounts, one reservation still open:

    city C: ¥10,000 provincial fund granted; ¥6,000 to county A, ¥2,500 to county B → ¥1,500
    county A: ¥1,000 reserved for app-1, ¥800 paid, ¥200 back; ¥500 reserved for app-2 → ¥4,700
    county B: ¥2,500 provincial + ¥700 county matching granted
    """
    year = timezone.localdate().year - 1
    province = OrganizationFactory(code="CP", name="省总", kind=OrgKind.PROVINCE)
    city = OrganizationFactory(code="CC", name="市总", kind=OrgKind.CITY, parent=province)
    county_a = OrganizationFactory(code="CCA", name="甲县", kind=OrgKind.COUNTY, parent=city)
    county_b = OrganizationFactory(code="CCB", name="乙县", kind=OrgKind.COUNTY, parent=city)
    UserFactory(username="crash-city", role=Role.FEDERATION_STAFF, org=city)
    funds.grant(org=city, year=year, source=PS, amount=1_000_000, by=None, key="crash-g1")
    funds.allocate(
        from_org=city, to_org=county_a, year=year, source=PS, amount=600_000, by=None, key="a1"
    )
    funds.allocate(
        from_org=city, to_org=county_b, year=year, source=PS, amount=250_000, by=None, key="a2"
    )
    funds.grant(org=county_b, year=year, source=CM, amount=70_000, by=None, key="crash-g2")
    funds.reserve(org=county_a, year=year, amount=100_000, cause_id="app-1", by=None)
    funds.pay(cause_id="app-1", amount=80_000, by=None)
    funds.reserve(org=county_a, year=year, amount=50_000, cause_id="app-2", by=None)
    return Money(year)


def assert_money_by_hand(figures: dict, year: int) -> None:
    accounts = figures["accounts"]
    nxt = year + 1
    assert {k: v for k, v in accounts.items() if k[1] == nxt and v} == {
        ("CC", nxt, PS, Bucket.AVAILABLE): 150_000,
        ("CCA", nxt, PS, Bucket.AVAILABLE): 470_000,
        ("CCB", nxt, PS, Bucket.AVAILABLE): 250_000,
        ("CCB", nxt, CM, Bucket.AVAILABLE): 70_000,
    }
    assert all(v == 0 for k, v in accounts.items() if k[1] == year and k[3] == Bucket.AVAILABLE)
    assert accounts[("CCA", year, PS, Bucket.RESERVED)] == 50_000
    assert [t for t in figures["transactions"] if t[0] == "rollover"] == sorted(
        ("rollover", "rollover", str(year), year, f"{year}-12-31", legs)
        for legs in (
            (("CC", year, PS, "available", -150_000), ("CC", nxt, PS, "available", 150_000)),
            (("CCA", year, PS, "available", -470_000), ("CCA", nxt, PS, "available", 470_000)),
            (("CCB", year, CM, "available", -70_000), ("CCB", nxt, CM, "available", 70_000)),
            (("CCB", year, PS, "available", -250_000), ("CCB", nxt, PS, "available", 250_000)),
        )
    )
    assert len(figures["rollovers"]) == ACCOUNTS_TO_ROLL
    assert [r for r in figures["rollovers"] if r[3]] == [
        ("CC", PS, 150_000, True),
        ("CCA", PS, 470_000, True),
        ("CCB", CM, 70_000, True),
        ("CCB", PS, 250_000, True),
    ]
    city_y, city_next = figures["api"][("CC", year)], figures["api"][("CC", nxt)]
    assert (city_y["received"], city_y["spent"], city_y["reserved"]) == (
        "10700.00",
        "800.00",
        "500.00",
    )
    assert (city_y["available"], city_y["rolled_out"]) == ("0.00", "9400.00")
    assert (city_next["rolled_in"], city_next["available"]) == ("9400.00", "9400.00")
    assert figures["years"] == [(year, True, True)]


@dataclass
class Seats:
    batch_id: int


def build_waiting_list() -> Seats:
    """A batch of 2 seats, both held, 4 waiting; then the base raises it to 5 seats (written as
    a row, so that the promotion job is ours to run): the job must promote the first three."""
    county = OrganizationFactory(code="CCA", name="甲县", kind=OrgKind.COUNTY)
    union = OrganizationFactory(code="CA1", name="甲一工会", parent=county)
    base = BaseFactory(county=county)
    batch = BatchFactory(
        itinerary=ItineraryFactory(base=base, title="森林康养五日", days=5),
        start_date=timezone.localdate() + timedelta(days=30),
        capacity=2,
    )
    make_policy(batch.start_date.year)
    for n in range(6):
        worker = WorkerFactory(union=union, user__username=f"crash-w{n}")
        app_services.application_submit(worker=worker, batch=batch, by=worker.user)
    Batch.objects.filter(pk=batch.pk).update(capacity=5)
    return Seats(batch.pk)


def seat_figures(batch_id: int) -> dict:
    batch = Batch.objects.get(pk=batch_id)
    apps = Application.objects.filter(batch=batch).select_related("worker__user").order_by("pk")
    return {
        "seats_held": batch.seats_held,
        "statuses": [(a.worker.user.username, a.status) for a in apps],
        "history": sorted(
            (c.application.worker.user.username, c.from_status, c.to_status)
            for c in StatusChange.objects.filter(application__batch=batch).select_related(
                "application__worker__user"
            )
        ),
        "notifications": sorted(
            Notification.objects.filter(user__username__startswith="crash-w").values_list(
                "user__username", "subject"
            )
        ),
    }


def assert_seats_by_hand(figures: dict) -> None:
    assert figures["seats_held"] == 5
    assert figures["statuses"] == [
        *[(f"crash-w{n}", "submitted") for n in range(5)],
        ("crash-w5", "waitlisted"),
    ]
    promotions = [h for h in figures["history"] if h[1:] == ("waitlisted", "submitted")]
    assert promotions == [(f"crash-w{n}", "waitlisted", "submitted") for n in (2, 3, 4)]


def promoted_now() -> int:
    return StatusChange.objects.filter(from_status="waitlisted", to_status="submitted").count()


# --- the tests ------------------------------------------------------------------------------


def test_the_money_and_seat_jobs_ack_late_and_come_back_when_their_worker_dies():
    for task in (rollover_year, promote_waitlist):
        assert task.acks_late and task.reject_on_worker_lost
    expected = int(os.environ.get("CELERY_VISIBILITY_TIMEOUT", 900))
    assert app.conf.broker_transport_options["visibility_timeout"] == expected
    assert app.conf.worker_prefetch_multiplier == 1


def _clean_rollover() -> dict:
    with eager(True):
        money = build_money()
        assert rollover_year.apply(kwargs={"year": money.year}).get() == ACCOUNTS_TO_ROLL
    figures = ledger_figures([money.year, money.year + 1])
    assert_money_by_hand(figures, money.year)
    assert_ledger_consistent()
    empty_the_database()
    return figures


def test_a_worker_killed_mid_rollover_and_restarted_moves_the_money_once(crash):
    clean = _clean_rollover()
    with eager(True):
        money = build_money()
    worker = crash.worker(pause_at="rollover")
    result = crash.send(rollover_year, kwargs={"year": money.year})
    crash.wait_for_pause(worker)

    # Half-way: the year is closed, one account of six has moved, the job is not done.
    assert Rollover.objects.count() == 1
    assert FiscalYear.objects.get(year=money.year).rollover_finished_at is None
    worker.kill()
    assert not result.ready()
    time.sleep(VISIBILITY_TIMEOUT + 0.5)  # the message is now visible again to a new worker

    restarted = crash.worker()
    assert result.get(timeout=40) == ACCOUNTS_TO_ROLL - 1, restarted.output()  # the rest
    figures = ledger_figures([money.year, money.year + 1])
    assert figures == clean
    assert_money_by_hand(figures, money.year)
    assert_ledger_consistent()


def test_a_pool_process_killed_mid_rollover_is_replaced_and_the_job_rerun_once(crash):
    clean = _clean_rollover()
    with eager(True):
        money = build_money()
    worker = crash.worker(pause_at="rollover")
    result = crash.send(rollover_year, kwargs={"year": money.year})
    pool_process = crash.wait_for_pause(worker)
    assert pool_process != worker.process.pid
    assert Rollover.objects.count() == 1

    os.kill(pool_process, signal.SIGKILL)  # the worker itself lives on
    assert result.get(timeout=40) == ACCOUNTS_TO_ROLL - 1, worker.output()
    assert "WorkerLostError" in worker.output() or "exited" in worker.output()
    figures = ledger_figures([money.year, money.year + 1])
    assert figures == clean
    assert_ledger_consistent()


def test_a_worker_killed_mid_promotion_and_restarted_promotes_each_waiter_once(crash):
    with eager(True):
        seats = build_waiting_list()
        assert promote_waitlist.apply(args=[seats.batch_id]).get() == 3
    clean = seat_figures(seats.batch_id)
    assert_seats_by_hand(clean)
    empty_the_database()

    with eager(True):
        seats = build_waiting_list()
    before = seat_figures(seats.batch_id)
    worker = crash.worker(pause_at="promotion")
    result = crash.send(promote_waitlist, args=[seats.batch_id])
    crash.wait_for_pause(worker)

    # Half-way: one waiter promoted inside the job's open transaction, which holds the batch.
    with pytest.raises(DatabaseError, match="lock"), transaction.atomic():
        Batch.objects.select_for_update(nowait=True).get(pk=seats.batch_id)
    assert seat_figures(seats.batch_id) == before  # nothing committed yet
    worker.kill()  # PostgreSQL rolls the open transaction back and frees the batch
    assert seat_figures(seats.batch_id) == before
    time.sleep(VISIBILITY_TIMEOUT + 0.5)

    restarted = crash.worker()
    assert result.get(timeout=40) == 3, restarted.output()
    figures = seat_figures(seats.batch_id)
    assert_seats_by_hand(figures)
    assert figures["history"] == clean["history"]
    assert figures["statuses"] == clean["statuses"]
    assert figures["seats_held"] == clean["seats_held"] == 5
    assert figures["notifications"] == clean["notifications"]  # one notice per promotion
    assert promoted_now() == 3
