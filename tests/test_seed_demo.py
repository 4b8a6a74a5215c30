from __future__ import annotations

from datetime import date, datetime, time
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import transaction
from django.db.models import Count
from django.test import override_settings
from django.utils import timezone

from accounts.models import AuditEvent, Organization, OrgKind, Role, User, Worker
from applications.models import Application
from tests.conftest import fire_deferred_checks

pytestmark = [pytest.mark.django_db, pytest.mark.dates]


def seed() -> str:
    out = StringIO()
    call_command("seed_demo", stdout=out)
    return out.getvalue()


def snapshot() -> dict:
    return {
        "orgs": list(Organization.objects.order_by("pk").values_list("pk", "code", "path")),
        "users": list(
            User.objects.order_by("pk").values_list("pk", "username", "password", "role")
        ),
        "workers": list(Worker.objects.order_by("pk").values()),
        "audit": AuditEvent.objects.count(),
        "applications": list(
            Application.objects.order_by("pk").values_list("pk", "status", "updated_at")
        ),
    }


@pytest.fixture(scope="module")
def seeded(django_db_setup, django_db_blocker, tmp_path_factory):
    """Seed twice, once for the whole module, inside a transaction rolled back at the end (the
    demo's invoices in a temporary folder)."""
    media = override_settings(PRIVATE_MEDIA_ROOT=tmp_path_factory.mktemp("demo-invoices"))
    with django_db_blocker.unblock(), media, transaction.atomic():
        first_output = seed()
        first = snapshot()
        second_output = seed()
        second = snapshot()
        fire_deferred_checks()
        yield first_output, first, second_output, second
        transaction.set_rollback(True)


def test_seed_demo_is_idempotent(seeded):
    first_output, first, second_output, second = seeded
    assert "users: 0 created" not in first_output
    assert "users: 0 created" in second_output
    assert "workers: 0 created" in second_output
    assert "applications: 0 created" in second_output
    assert first == second


def test_demo_city_shape(seeded):
    assert Organization.objects.get(code="SFS").name == "示范市总工会"
    assert Organization.objects.filter(kind=OrgKind.COUNTY).count() >= 5
    unions = Organization.objects.filter(kind=OrgKind.GRASSROOTS).annotate(n=Count("workers"))
    assert unions.count() >= 40
    tiny = [u.n for u in unions if 3 <= u.n <= 8]
    assert len(tiny) >= 5, "small units that need joint groups"
    assert Worker.objects.count() >= 200
    direct = Worker.objects.filter(union__parent__code="SFS").count()
    assert direct >= 100, "the unions directly under the city (市直单位) spend the city's money"
    categories = set(Worker.objects.values_list("category", flat=True))
    assert categories == {
        "model_worker",
        "senior_technician",
        "technician",
        "senior_worker",
        "member",
    }
    ages = [w.age for w in Worker.objects.all()]
    assert min(ages) < 30 and max(ages) > 55


def test_every_demo_account_exists_with_the_demo_password(seeded, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.PBKDF2PasswordHasher"]
    expected = {
        "admin": None,
        "city": Role.FEDERATION_STAFF,
        "auditor": Role.AUDITOR,
        "county1": Role.FEDERATION_STAFF,
        "union1": Role.ORGANIZER,
        "base1": Role.BASE_OPERATOR,
        "agency1": Role.AGENCY,
        "worker1": Role.WORKER,
        "worker200": Role.WORKER,
    }
    for username, role in expected.items():
        user = User.objects.get(username=username)
        assert (user.role or None) == role
        assert user.check_password("demo1234"), username
    assert User.objects.get(username="admin").is_superuser
    assert User.objects.filter(username__startswith="worker", role=Role.WORKER).count() >= 200
    assert User.objects.get(username="city").org.code == "SFS"
    worker = User.objects.get(username="worker1").worker
    assert worker.union == User.objects.get(username="worker1").org
    assert len(worker.real_name) in (2, 3, 4)
    for user in User.objects.exclude(role=""):
        user.clean()  # every role sits on an organization of a fitting kind


def _hand_utilization(year: int) -> dict[str, int]:
    """The demo city's numbers computed from the raw entries in Python, not by the selector."""
    from funds.models import Entry

    totals = dict.fromkeys(
        ("received", "rolled_in", "rolled_out", "reserved", "spent", "available"), 0
    )
    paid = set()
    rows = Entry.objects.filter(account__year=year, account__org__path__startswith="/P33/SFS/")
    for kind, bucket, amount, cause in rows.values_list(
        "kind", "account__bucket", "amount", "transaction__cause_id"
    ):
        if bucket == "issued":
            continue
        if bucket in ("available", "reserved", "spent"):
            totals[bucket] += amount
        if kind in ("grant", "allocate") and bucket == "available":
            totals["received"] += amount
        if kind == "rollover":
            totals["rolled_in" if amount > 0 else "rolled_out"] += abs(amount)
        if kind == "pay" and bucket == "spent":
            paid.add(cause)
    totals["people_served"] = len(paid)
    return totals


def assert_demo_story(today: date) -> None:
    """The demo told as of ``today`` (DESIGN §5), checked against the raw data.

    Y-3 is the source document's year (about 40 % used, the rest rolled over), use rises in Y-2
    and Y-1, Y is in progress at a pace proportional to how much of it has gone, Y+1 has its
    policy and batches, and nothing is dated after ``today``. The money moved is exactly that
    of the demo's applications, which are in every state (``tests/applications/test_demo.py``).
    """
    from bases.models import AccreditationStep, Batch, Inspection, Review, StarRating
    from bases.selectors import upcoming_batches
    from funds.models import FiscalYear, SubsidyPolicy, Transaction, UtilizationSnapshot
    from funds.selectors import early_warnings, utilization, year_elapsed
    from tests.applications.test_demo import assert_every_state, assert_trips_are_the_money

    y = today.year
    city = Organization.objects.get(code="SFS")
    usage = {year: utilization(org=city, year=year) for year in range(y - 3, y + 1)}
    for year, u in usage.items():
        hand = _hand_utilization(year)
        assert {k: getattr(u, k) for k in hand} == hand, year
        assert u.received + u.rolled_in == u.spent + u.reserved + u.available + u.rolled_out
    # Y-3: the provincial fund arrives (¥500,000), only about 40 % is used, the rest rolls over.
    assert usage[y - 3].received == 500_000 * 100
    assert 0.35 <= usage[y - 3].utilization_rate <= 0.45
    for year in range(y - 3, y):
        assert usage[year].rolled_out == usage[year + 1].rolled_in > 0
        assert usage[year].available == 0  # closed: everything left was carried forward
    # Use rises year by year.
    rates = [usage[year].utilization_rate for year in range(y - 3, y)]
    assert rates == sorted(rates) and len(set(rates)) == 3
    assert [fy.year for fy in FiscalYear.objects.filter(closed_at__isnull=False)] == [
        y - 1,
        y - 2,
        y - 3,
    ]
    # The current year is open and in progress: committed in proportion to the year gone by.
    current, elapsed = usage[y], float(year_elapsed(y, today))
    assert current.available > 0
    assert current.committed_rate <= elapsed
    counties = Organization.objects.filter(kind=OrgKind.COUNTY)
    behind = [w.is_behind for w in early_warnings(orgs=counties, year=y, today=today)]
    assert len(behind) == 6 and any(behind)  # early warnings show
    if elapsed >= 0.25:
        assert current.committed_rate >= elapsed / 2
        assert current.reserved > 0 and current.spent > 0
        assert not all(behind)
    if today <= date(y, 1, 3):
        assert current.reserved == current.spent == 0  # the year has barely started
    assert UtilizationSnapshot.objects.filter(day=today, warning=True).exists()
    # Policies and batches from Y-3 to next year; open batches to apply to.
    assert set(SubsidyPolicy.objects.values_list("year", flat=True)) == set(range(y - 3, y + 2))
    batch_years = {d.year for d in Batch.objects.values_list("start_date", flat=True)}
    assert batch_years == set(range(y - 3, y + 2))
    assert upcoming_batches(today).count() >= 20
    # Nothing happens after today.
    end_of_today = datetime.combine(today, time.max, tzinfo=timezone.get_current_timezone())
    assert not Transaction.objects.filter(value_date__gt=today).exists()
    assert not Review.objects.filter(created_at__gt=end_of_today).exists()
    assert not AccreditationStep.objects.filter(at__gt=end_of_today).exists()
    assert not StarRating.objects.filter(rated_on__gt=today).exists()
    assert not Inspection.objects.filter(inspected_on__gt=today).exists()
    assert not Inspection.objects.filter(answered_at__gt=end_of_today).exists()
    assert not Worker.objects.filter(joined_union_on__gt=today).exists()
    ages = [w.age_on(today) for w in Worker.objects.all()]
    assert 23 <= min(ages) < 30 and 55 < max(ages) <= 60
    assert_trips_are_the_money(today)
    assert_every_state(today)


def test_demo_tells_the_source_story_as_of_today(seeded):
    from accounts.demo import demo_today

    assert demo_today() == timezone.localdate()
    assert_demo_story(demo_today())


def test_demo_places_its_federations_and_bases_for_the_comparison(seeded):
    from bases.models import Base
    from portal.distance import distances_km, home_of
    from portal.models import BaseLocation, OrgLocation

    counties = set(Organization.objects.filter(kind=OrgKind.COUNTY).values_list("code", flat=True))
    assert set(OrgLocation.objects.values_list("org__code", flat=True)) == counties | {"SFS"}
    assert BaseLocation.objects.count() == Base.objects.count()
    worker = Worker.objects.get(user__username="worker39")
    home = home_of(worker)
    assert home is not None and home.org.kind == OrgKind.COUNTY
    km = distances_km(home, Base.objects.values_list("pk", flat=True))
    assert len(km) == Base.objects.count() and all(0 <= d < 200 for d in km.values())


def test_the_demo_passes_every_ledger_money_and_seat_check(seeded):
    """The checks the city-scale data set must pass too (``manage.py check_ledger``)."""
    from portal.checks import data_problems

    assert data_problems() == []
    out = StringIO()
    call_command("check_ledger", stdout=out)
    assert "Every ledger, money and seat check passes" in out.getvalue()


def test_the_demos_fund_use_disclosure_conserves_money_in_every_row(seeded, client):
    from tests.publicity.helpers import assert_disclosure_conserves, table_rows

    city = Organization.objects.get(code="SFS")
    assert_disclosure_conserves(city)
    source_year = timezone.localdate().year - 3  # the source's year: low use, rolled over
    page = client.get(f"/disclosure/?year={source_year}").content.decode()
    assert "决算" in page
    assert (
        len(table_rows(page))
        == Organization.objects.filter(parent=city, kind=OrgKind.COUNTY).count() + 2
    )
