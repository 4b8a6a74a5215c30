from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command
from django.db import transaction
from django.db.models import Count

from accounts.models import AuditEvent, Organization, OrgKind, Role, User, Worker

pytestmark = pytest.mark.django_db


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
    }


@pytest.fixture(scope="module")
def seeded(django_db_setup, django_db_blocker):
    """Seed twice, once for the whole module, inside a transaction rolled back at the end."""
    with django_db_blocker.unblock(), transaction.atomic():
        first_output = seed()
        first = snapshot()
        second_output = seed()
        second = snapshot()
        yield first_output, first, second_output, second
        transaction.set_rollback(True)


def test_seed_demo_is_idempotent(seeded):
    first_output, first, second_output, second = seeded
    assert "users: 0 created" not in first_output
    assert "users: 0 created" in second_output
    assert "workers: 0 created" in second_output
    assert first == second


def test_demo_city_shape(seeded):
    assert Organization.objects.get(code="SFS").name == "示范市总工会"
    assert Organization.objects.filter(kind=OrgKind.COUNTY).count() >= 5
    unions = Organization.objects.filter(kind=OrgKind.GRASSROOTS).annotate(n=Count("workers"))
    assert unions.count() >= 40
    tiny = [u.n for u in unions if 3 <= u.n <= 8]
    assert len(tiny) >= 5, "small units that need joint groups"
    assert Worker.objects.count() >= 200
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


def test_demo_money_tells_the_source_story_and_matches_a_hand_computation(seeded):
    from accounts.models import Organization
    from funds.models import FiscalYear
    from funds.selectors import utilization

    city = Organization.objects.get(code="SFS")
    usage = {year: utilization(org=city, year=year) for year in (2023, 2024, 2025, 2026)}
    for year, u in usage.items():
        hand = _hand_utilization(year)
        assert {k: getattr(u, k) for k in hand} == hand, year
        assert u.received + u.rolled_in == u.spent + u.reserved + u.available + u.rolled_out
    # 2023: the provincial fund arrives (¥500,000), only about 40 % is used, the rest rolls over.
    assert usage[2023].received == 500_000 * 100
    assert 0.35 <= usage[2023].utilization_rate <= 0.45
    assert usage[2023].rolled_out == usage[2024].rolled_in > 0
    # Use rises year by year; the current year is open, in progress, with reservations.
    assert (
        usage[2023].utilization_rate < usage[2024].utilization_rate < usage[2025].utilization_rate
    )
    assert usage[2026].reserved > 0 and usage[2026].available > 0
    assert [fy.year for fy in FiscalYear.objects.filter(closed_at__isnull=False)] == [
        2025,
        2024,
        2023,
    ]
