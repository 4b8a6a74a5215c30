"""Seats under real concurrency on PostgreSQL (issue 8, "Done when").

1. Over HTTP: 500 workers each ``POST /api/v1/applications/`` once, from 40 client threads,
   against Django's threaded live server, for a 50-seat batch → exactly 50 ``submitted``, 450
   ``waitlisted``, no error answers; then 5 seat holders withdraw (over HTTP, at once) and
   exactly the first 5 waiting (priority, then time) are promoted, in that order.
2. Two ``waitlist_promote`` runs at once, after seats were freed by raising the capacity:
   the right number promoted once, in order.

Database connections: one per live-server request thread (closed after each request), so at
most ~40 at a time plus the test's own — under PostgreSQL's 100.
"""

from __future__ import annotations

import json
import random
import threading
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone
from rest_framework.authtoken.models import Token

from accounts.models import OrgKind, Role, User, Worker, WorkerCategory
from applications import selectors, services
from applications.models import Application, Status, StatusChange
from bases.models import Batch
from tests.applications.conftest import fund
from tests.bases.factories import BaseFactory, BatchFactory, ItineraryFactory
from tests.dates import years_ago
from tests.factories import OrganizationFactory
from tests.funds.conftest import make_policy

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

CLIENT_THREADS = 40


def world(*, capacity: int):
    """A county with one union, a base and a batch of ``capacity`` seats departing in 30 days,
    under a policy that serves model workers first."""
    city = OrganizationFactory(code="CC", kind=OrgKind.CITY)
    county = OrganizationFactory(code="CC-A", kind=OrgKind.COUNTY, parent=city)
    union = OrganizationFactory(code="CC-A1", kind=OrgKind.GRASSROOTS, parent=county)
    base = BaseFactory(county=county)
    itinerary = ItineraryFactory(base=base, days=5, union_price_fen=200_000)
    batch = BatchFactory(
        itinerary=itinerary,
        start_date=timezone.localdate() + timedelta(days=30),
        capacity=capacity,
    )
    make_policy(batch.start_date.year, priority_groups=["model_worker"])
    fund(county, batch.start_date.year)
    return union, batch


def many_workers(union, n: int, *, model_workers: set[int]) -> list[Worker]:
    """``n`` workers with logins, quickly (bulk inserts); those numbered in ``model_workers``
    are model workers (the policy's first priority group)."""
    users = User.objects.bulk_create(
        User(username=f"load{i}", password="!", role=Role.WORKER, org=union) for i in range(n)
    )
    return Worker.objects.bulk_create(
        Worker(
            user=user,
            union=union,
            real_name=f"职工{i}",
            gender="M",
            birth_date=years_ago(41),
            category=WorkerCategory.MODEL_WORKER if i in model_workers else WorkerCategory.MEMBER,
        )
        for i, user in enumerate(users)
    )


def post(url: str, token: str, body: dict) -> tuple[int, dict]:
    request = urllib.request.Request(  # noqa: S310 (the test's own live server)
        url,
        data=json.dumps(body).encode(),
        headers={"Authorization": f"Token {token}", "Content-Type": "application/json"},
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=60) as response:  # noqa: S310
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, {"error": error.read()[:300].decode(errors="replace")}
    except (urllib.error.URLError, OSError) as error:
        return 0, {"error": repr(error)}


def waiting_order(batch: Batch) -> list[int]:
    """The waiting list by the rule, computed here independently: priority, then time, then id."""
    waiting = Application.objects.filter(batch=batch, status=Status.WAITLISTED).values_list(
        "pk", "priority_rank", "created_at"
    )
    return [pk for pk, _rank, _at in sorted(waiting, key=lambda w: (w[1], w[2], w[0]))]


def test_500_simultaneous_sign_ups_over_http_for_50_seats(live_server):
    union, batch = world(capacity=50)
    rng = random.Random(8)  # noqa: S311
    model_workers = set(rng.sample(range(500), 25))
    workers = many_workers(union, 500, model_workers=model_workers)
    tokens = Token.objects.bulk_create(
        Token(key=Token.generate_key(), user_id=w.user_id) for w in workers
    )
    token_of = {t.user_id: t.key for t in tokens}
    order = [w.user_id for w in workers]
    rng.shuffle(order)
    url = f"{live_server.url}/api/v1/applications/"

    started = time.monotonic()
    with ThreadPoolExecutor(max_workers=CLIENT_THREADS) as pool:
        answers = list(pool.map(lambda uid: post(url, token_of[uid], {"batch": batch.pk}), order))
    elapsed = time.monotonic() - started

    codes = [code for code, _body in answers]
    errors = [a for a in answers if a[0] != 201]
    assert errors == [], errors[:3]
    statuses = [body["status"] for _code, body in answers]
    assert statuses.count("submitted") == 50
    assert statuses.count("waitlisted") == 450
    assert all(body["subsidy"] and body["net_cost"] for _code, body in answers)
    batch.refresh_from_db()
    assert batch.seats_held == 50 == selectors.seats_accounted(batch)
    assert Application.objects.filter(batch=batch, status=Status.SUBMITTED).count() == 50
    assert Application.objects.filter(batch=batch).count() == 500 == len(codes)
    print(f"500 sign-ups over HTTP: {elapsed:.1f}s")
    assert elapsed < 120, f"500 sign-ups took {elapsed:.1f}s"

    # Five seat holders withdraw at once: the first five waiting move up, in order.
    expected = waiting_order(batch)[:5]
    ranks = dict(Application.objects.filter(batch=batch).values_list("pk", "priority_rank"))
    assert [ranks[pk] for pk in expected] == [0] * 5  # model workers waiting go first
    holders = list(
        Application.objects.filter(batch=batch, status=Status.SUBMITTED)
        .select_related("worker")
        .order_by("?")[:5]
    )
    with ThreadPoolExecutor(max_workers=5) as pool:
        answers = list(
            pool.map(
                lambda app: post(
                    f"{url}{app.pk}/withdraw/", token_of[app.worker.user_id], {"reason": "有事"}
                ),
                holders,
            )
        )
    assert [code for code, _body in answers] == [200] * 5, answers
    promoted = list(
        StatusChange.objects.filter(
            application__batch=batch, from_status=Status.WAITLISTED, to_status=Status.SUBMITTED
        )
        .order_by("pk")
        .values_list("application_id", flat=True)
    )
    assert promoted == expected
    batch.refresh_from_db()
    assert batch.seats_held == 50 == selectors.seats_accounted(batch)
    assert Application.objects.filter(batch=batch, status=Status.WAITLISTED).count() == 445
    assert connection.vendor == "postgresql"


def test_two_promotion_runs_at_once_promote_once_in_order():
    union, batch = world(capacity=10)
    workers = many_workers(union, 30, model_workers={3, 17, 22, 29})
    for worker in workers:
        services.application_submit(worker=worker, batch=batch, by=None)
    expected = waiting_order(batch)[:7]
    # Seven seats free whose promotion task has not run yet (queued on a busy broker).
    Batch.objects.filter(pk=batch.pk).update(capacity=17)
    assert Application.objects.filter(batch=batch, status=Status.SUBMITTED).count() == 10

    barrier = threading.Barrier(2)

    def run() -> list[int]:
        try:
            barrier.wait(timeout=10)
            return [a.pk for a in services.waitlist_promote(batch_id=batch.pk)]
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=2) as pool:
        runs = list(pool.map(lambda _: run(), range(2)))
    assert sorted(len(r) for r in runs) == [0, 7]  # one run promotes, the other finds no seat
    assert [pk for r in runs for pk in r] == expected
    batch.refresh_from_db()
    assert batch.seats_held == 17 == selectors.seats_accounted(batch)
    assert Application.objects.filter(batch=batch, status=Status.WAITLISTED).count() == 13
