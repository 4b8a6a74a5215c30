"""The homes of workers, organizers, operators and agencies: "what should I do now", in a fixed
number of queries whatever the number of rows."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from applications import services
from applications.models import Application, Status
from bases.models import InspectionStatus
from tests.applications.conftest import fund
from tests.bases.factories import BatchFactory, InspectionFactory, ItineraryFactory
from tests.factories import WorkerFactory

pytestmark = pytest.mark.django_db


def home(client) -> str:
    response = client.get("/")
    assert response.status_code == 200
    return response.content.decode()


def queries(client) -> int:
    with CaptureQueriesContext(connection) as ctx:
        home(client)
    return len(ctx)


def attended(worker, batch, union, funding_org) -> Application:
    """A trip the worker went on, as the workflow leaves it (the batch is in the past)."""
    return Application.objects.create(
        worker=worker,
        batch=batch,
        union=union,
        funding_org=funding_org,
        year=batch.start_date.year,
        status=Status.COMPLETED,
        price_fen=100_000,
        subsidy_fen=60_000,
        net_cost_fen=40_000,
    )


@pytest.fixture
def funded(tree, shop):
    for batch in shop.batches.values():
        fund(tree.county_a, batch.start_date.year)
        fund(tree.county_b, batch.start_date.year)
    return shop


# --- Workers ---------------------------------------------------------------------------------


@pytest.mark.dates  # crosses New Year when run late in December
def test_a_workers_home_shows_subsidy_trips_reviews_due_and_recommendations(en, tree, funded):
    shop = funded
    worker = tree.user("worker_a1").worker
    app = services.application_submit(worker=worker, batch=shop.batches["three"], by=worker.user)
    past = BatchFactory(
        itinerary=ItineraryFactory(base=shop.forest, title="上次的线路", days=3),
        start_date=shop.today - timedelta(days=40),
    )
    went = attended(worker, past, tree.union_a1, tree.county_a)
    start = shop.batches["five"].start_date
    BatchFactory(itinerary=shop.five, start_date=start.replace(year=start.year + 1, day=1))
    en.force_login(worker.user)
    html = home(en)
    assert "Hello, 张三" in html
    assert f"Subsidy left for {shop.today.year}" in html and "¥3,000.00" in html
    trips = html[html.index("My trips") : html.index("Recommended for you")]
    assert "森林三日" in trips and "Submitted" in trips and f"/applications/{app.pk}/" in trips
    assert "上次的线路" in trips and f"/applications/{went.pk}/#review" in trips
    assert "Review your trip" in trips
    # One trip a year: with 森林三日 applied for, only next year's 森林五日 is open to them.
    recommended = html[html.index("Recommended for you") : html.index("Your work here")]
    assert "森林五日" in recommended and "森林三日" not in recommended
    assert "滨海五日" not in recommended


def test_a_worker_with_nothing_open_is_told_where_to_look(en, tree, funded):
    worker = tree.user("worker_a1").worker
    worker.in_good_standing = False
    worker.save()
    en.force_login(worker.user)
    html = home(en)
    assert "No trip is open to you right now" in html and "Recommended for you" not in html


def test_a_workers_home_costs_the_same_queries_with_more_trips(client, tree, funded):
    shop = funded
    worker = tree.user("worker_a1").worker
    client.force_login(worker.user)
    services.application_submit(worker=worker, batch=shop.batches["three"], by=worker.user)
    first = BatchFactory(itinerary=shop.three, start_date=shop.today - timedelta(days=20))
    attended(worker, first, tree.union_a1, tree.county_a)
    home(client)
    few = queries(client)
    for n in range(6):
        past = BatchFactory(
            itinerary=ItineraryFactory(base=shop.forest, title=f"往年{n}", days=3),
            start_date=shop.today - timedelta(days=30 + 7 * n),
        )
        attended(worker, past, tree.union_a1, tree.county_a)
        BatchFactory(itinerary=ItineraryFactory(base=shop.forest, title=f"新线路{n}"))
    assert queries(client) == few


# --- Organizers --------------------------------------------------------------------------------


def organizer_scene(tree, shop, *, members: int = 2) -> dict:
    """Union A1's day: an application to endorse, a group trip of its own, an invitation from
    union A2's joint group, union B1's joint group on the board, members yet to go."""
    for n in range(members):
        WorkerFactory(union=tree.union_a1, real_name=f"会员{n}", user=None)
    worker = tree.user("worker_a1").worker
    app = services.application_submit(worker=worker, batch=shop.batches["three"], by=worker.user)
    own = services.group_trip_create(
        batch=shop.batches["five"], organizer=tree.union_a1, seats=4, by=None, title="甲一团"
    )
    other = services.group_trip_create(
        batch=shop.batches["elders"],
        organizer=tree.union_a2,
        seats=6,
        by=None,
        title="甲二联合团",
        joint=True,
    )
    services.group_invite(group_trip=other, union=tree.union_a1, by=None)
    board = services.group_trip_create(
        batch=shop.batches["sea"],
        organizer=tree.union_b1,
        seats=8,
        by=None,
        title="乙一联合团",
        joint=True,
    )
    return {"app": app, "own": own, "other": other, "board": board}


def test_an_organizers_home_says_what_waits(en, tree, funded):
    scene = organizer_scene(tree, funded)
    en.force_login(tree.user("organizer_a1"))
    html = home(en)
    waiting = html[html.index("Waiting for your endorsement") : html.index("My group trips")]
    assert "张三" in waiting and f"/applications/{scene['app'].pk}/" in waiting
    groups = html[html.index("My group trips") : html.index("Members who may still go")]
    assert "甲一团" in groups and "0 of 4 seats filled" in groups
    members = html[html.index("Members who may still go") : html.index("Invitations to")]
    # 张三's trip may depart this year or next; the two new members have none.
    assert "会员0" in members and "会员1" in members
    invitations = html[html.index("Invitations to") : html.index("Open seats on the board")]
    assert "甲二联合团" in invitations and "/respond/" in invitations
    board = html[html.index("Open seats on the board") :]
    assert "乙一联合团" in board and "8 seats open" in board
    assert "甲二联合团" not in board  # invited already: it is among the invitations


def test_another_organizer_sees_only_their_own(en, tree, funded):
    organizer_scene(tree, funded)
    en.force_login(tree.user("organizer_b1"))
    html = home(en)
    assert "张三" not in html and "甲一团" not in html
    assert 'Invitations to joint groups <span class="badge text-bg-light border">0' in html
    assert "乙一联合团" in html  # their own group trip


def test_an_organizers_home_costs_the_same_queries_with_more_rows(client, tree, funded):
    organizer_scene(tree, funded, members=2)
    client.force_login(tree.user("organizer_a1"))
    home(client)
    few = queries(client)
    for n in range(8):
        WorkerFactory(union=tree.union_a1, real_name=f"新会员{n}", user=None)
        batch = BatchFactory(
            itinerary=funded.five, start_date=funded.today + timedelta(days=50 + n)
        )
        fund(tree.county_a, batch.start_date.year)
        services.group_trip_create(batch=batch, organizer=tree.union_a1, seats=2, by=None)
    assert queries(client) == few


# --- Operators and agencies ----------------------------------------------------------------------


def test_an_operators_home_lists_batches_with_rosters_and_inspections_to_answer(en, tree, funded):
    worker = tree.user("worker_a1").worker
    services.application_submit(worker=worker, batch=funded.batches["three"], by=worker.user)
    inspection = InspectionFactory(
        base=funded.forest,
        status=InspectionStatus.RECTIFYING,
        findings="消防通道堆放杂物",
        rectification_deadline=funded.today - timedelta(days=2),
    )
    en.force_login(tree.user("operator"))
    html = home(en)
    batches = html[html.index("Upcoming batches") : html.index("Inspections to answer")]
    assert "森林三日" in batches and "1 of 30 on the roster" in batches
    assert "滨海五日" not in batches  # another operator's base
    answer = html[html.index("Inspections to answer") :]
    assert "消防通道堆放杂物" in answer and f"/bases/manage/inspections/{inspection.pk}/" in answer
    assert "text-danger" in answer  # past its deadline
    en.force_login(tree.user("operator_b"))
    html = home(en)
    assert "消防通道堆放杂物" not in html and "滨海五日" in html


def test_an_operators_home_costs_the_same_queries_with_more_rows(client, tree, funded):
    client.force_login(tree.user("operator"))
    home(client)
    few = queries(client)
    for n in range(8):
        BatchFactory(itinerary=funded.three, start_date=funded.today + timedelta(days=60 + n))
        InspectionFactory(base=funded.forest, status=InspectionStatus.RECTIFYING)
    assert queries(client) == few


def test_an_agencys_home_lists_its_entrusted_trips(en, tree, funded):
    services.group_trip_create(
        batch=funded.batches["five"],
        organizer=tree.union_a1,
        seats=5,
        by=None,
        title="委托团",
        agency=tree.agency,
    )
    en.force_login(tree.user("agency"))
    html = home(en)
    upcoming = html[html.index("Entrusted trips coming up") : html.index("Just back")]
    assert "委托团" in upcoming and "0 of 5 seats filled" in upcoming
    en.force_login(tree.user("agency_b"))
    assert "委托团" not in home(en)


def test_an_agencys_home_costs_the_same_queries_with_more_rows(client, tree, funded):
    client.force_login(tree.user("agency"))
    home(client)
    few = queries(client)
    for n in range(6):
        batch = BatchFactory(
            itinerary=funded.five, start_date=funded.today + timedelta(days=50 + n)
        )
        fund(tree.county_a, batch.start_date.year)
        services.group_trip_create(
            batch=batch, organizer=tree.union_a1, seats=2, by=None, agency=tree.agency
        )
    assert queries(client) == few
