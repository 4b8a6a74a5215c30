"""``/api/v1/applications/``: the DESIGN §5 contract, every move for every role (same-role
outsiders included), refusals that change nothing, and bad input that never gives a 5xx."""

from __future__ import annotations

import pytest

from applications import selectors, services
from applications.models import Application, Status, StatusChange
from bases.services import batch_close
from funds import services as funds
from funds.selectors import utilization
from tests.applications.api_support import (
    apply,
    client_for,
    depart,
    each_role,
    live_application,
    roles,
    snapshot,
)

pytestmark = pytest.mark.django_db

URL = "/api/v1/applications/"


def detail(app) -> str:
    return f"{URL}{app.pk}/"


# --- Applying (the contract) ---------------------------------------------------------------------


def test_worker_applies_and_gets_id_status_subsidy_and_net_cost_in_yuan(tree, trip):
    response = client_for(tree, "worker_a1").post(URL, {"batch": trip.batch.pk}, format="json")
    assert response.status_code == 201
    body = response.json()
    assert body["status"] == "submitted"
    assert body["subsidy"] == "1000.00"  # five days × ¥200
    assert body["net_cost"] == "1000.00"
    assert body["price"] == "2000.00"
    app = Application.objects.get(pk=body["id"])
    assert app.worker.user == tree.user("worker_a1")
    assert body["quote_lines"] == app.quote_lines and body["quote_lines"]
    assert [(h["from"], h["to"]) for h in body["history"]] == [("", "submitted")]
    trip.batch.refresh_from_db()
    assert trip.batch.seats_held == 1 == selectors.seats_accounted(trip.batch)


def test_full_batch_puts_the_applicant_on_the_waiting_list(tree, trip, make_worker):
    trip.batch.capacity = 1
    trip.batch.save()
    apply(make_worker(), trip.batch)
    response = client_for(tree, "worker_a1").post(URL, {"batch": trip.batch.pk}, format="json")
    assert response.status_code == 201
    assert response.json()["status"] == "waitlisted"
    assert response.json()["subsidy"] == "1000.00"


@pytest.mark.parametrize("full", [False, True])
def test_the_sign_up_answer_is_what_reading_the_application_answers(tree, trip, full, make_worker):
    """The 201 answer is built by hand (``signup_answer``), not by the detail serializer: it
    must say the same, seat held or waiting."""
    if full:
        trip.batch.capacity = 1
        trip.batch.save()
        apply(make_worker(), trip.batch)
    api = client_for(tree, "worker_a1")
    created = api.post(URL, {"batch": trip.batch.pk}, format="json")
    assert created.status_code == 201
    body = created.json()
    assert body["status"] == ("waitlisted" if full else "submitted")
    assert body == api.get(f"{URL}{body['id']}/").json()


def test_a_sign_up_over_the_api_takes_a_fixed_small_number_of_queries(
    tree, trip, make_worker, django_assert_num_queries
):
    """DESIGN §8: 500 sign-ups a burst. With the bench's token: the token and its user, then
    in one transaction the worker (locked), the batch, the worker's trips, the policies, the
    batch's lock (and, with a seat left, the pending-lottery check and the seat), and the four
    rows written: the application, its history, its notification, its audit row — one
    statement on PostgreSQL, four on SQLite. Nothing is read back for the answer. (16 queries
    before DESIGN §8's issue 10.)"""
    from django.db import connection
    from rest_framework.authtoken.models import Token
    from rest_framework.test import APIClient

    inserts = 1 if connection.vendor == "postgresql" else 4
    for _ in range(3):  # other applicants change nothing in the count
        apply(make_worker(), trip.batch)
    user = tree.user("worker_a1")
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=user).key}")
    with django_assert_num_queries(10 + inserts):  # with the test's SAVEPOINT and RELEASE
        answer = api.post(URL, {"batch": trip.batch.pk}, format="json")
    assert answer.status_code == 201 and answer.json()["status"] == "submitted"
    trip.batch.capacity = trip.batch.seats_held = 4
    trip.batch.save()
    other = make_worker()
    api.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=other.user).key}")
    with django_assert_num_queries(8 + inserts):  # full: no lottery check, no seat taken
        answer = api.post(URL, {"batch": trip.batch.pk}, format="json")
    assert answer.status_code == 201 and answer.json()["status"] == "waitlisted"


def test_ineligible_worker_gets_400_with_each_reason_and_nothing_is_written(tree, trip):
    worker = tree.user("worker_a1").worker
    worker.in_good_standing = False
    worker.save()
    trip.itinerary.min_age = 70
    trip.itinerary.save()
    before = snapshot()
    response = client_for(tree, "worker_a1").post(URL, {"batch": trip.batch.pk}, format="json")
    assert response.status_code == 400
    messages = response.json()["detail"]
    assert len(messages) == 2
    assert any("good standing" in m for m in messages)
    assert any("ages" in m for m in messages)
    assert snapshot() == before


def test_second_application_for_the_same_batch_is_a_400(tree, trip):
    api = client_for(tree, "worker_a1")
    assert api.post(URL, {"batch": trip.batch.pk}, format="json").status_code == 201
    before = snapshot()
    response = api.post(URL, {"batch": trip.batch.pk}, format="json")
    assert response.status_code == 400
    assert "already applied" in str(response.json())
    assert snapshot() == before


def test_closed_or_unknown_batch_is_a_400_with_a_clear_message(tree, trip):
    api = client_for(tree, "worker_a1")
    response = api.post(URL, {"batch": trip.batch.pk + 1000}, format="json")
    assert response.status_code == 400
    assert response.json() == {"batch": ["This batch does not exist."]}
    batch_close(batch=trip.batch, by=None, reason="基地检修")
    before = snapshot()
    response = api.post(URL, {"batch": trip.batch.pk}, format="json")
    assert response.status_code == 400
    assert response.json()["detail"] == ["This batch is not taking sign-ups."]
    assert snapshot() == before


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"batch": None},
        {"batch": "abc"},
        {"batch": 1.5},
        {"batch": True},
        {"batch": -1},
        {"batch": 0},
        {"batch": 10**30},
        {"batch": [1]},
        {"batch": {"id": 1}},
        [],
        "batch",
    ],
)
def test_junk_apply_bodies_are_400(tree, trip, body):
    before = snapshot()
    response = client_for(tree, "worker_a1").post(URL, body, format="json")
    assert response.status_code == 400, response.content
    assert response.json()
    assert snapshot() == before


def test_only_workers_apply(tree, trip):
    each_role(
        tree,
        roles(403, worker_a1=201, worker_b1=201),
        lambda api, _: api.post(URL, {"batch": trip.batch.pk}, format="json"),
    )


def test_a_worker_role_without_a_member_record_is_refused(tree, trip):
    from tests.factories import UserFactory

    user = UserFactory(role="worker", org=tree.union_a1)
    api = client_for(tree, "anonymous")
    api.force_authenticate(user)
    assert api.post(URL, {"batch": trip.batch.pk}, format="json").status_code == 403


# --- Lists and detail ------------------------------------------------------------------------------


@pytest.fixture
def three(tree, trip, make_worker):
    """Applications of worker_a1 (union A1), worker_b1 (B1) and a member of A2."""
    return {
        "a1": apply(tree.user("worker_a1").worker, trip.batch),
        "b1": apply(tree.user("worker_b1").worker, trip.batch),
        "a2": apply(make_worker(union=tree.union_a2), trip.batch),
    }


@pytest.mark.parametrize(
    ("role", "visible"),
    [
        ("admin", {"a1", "b1", "a2"}),
        ("city_staff", {"a1", "b1", "a2"}),
        ("auditor", {"a1", "b1", "a2"}),
        ("county_a_staff", {"a1", "a2"}),
        ("county_b_staff", {"b1"}),
        ("organizer_a1", {"a1"}),
        ("organizer_b1", {"b1"}),
        ("operator", {"a1", "b1", "a2"}),  # seat holders of its base's batches
        ("agency", set()),
        ("worker_a1", {"a1"}),
        ("worker_b1", {"b1"}),
        ("outsider", set()),
    ],
)
def test_each_role_lists_exactly_its_scope(tree, three, role, visible):
    body = client_for(tree, role).get(URL).json()
    assert set(body) == {"count", "next", "previous", "results"}
    assert {r["id"] for r in body["results"]} == {three[k].pk for k in visible}
    assert body["count"] == len(visible)


def test_anonymous_list_is_401(tree, three):
    assert client_for(tree, "anonymous").get(URL).status_code == 401


def test_list_filters(tree, trip, three, make_worker):
    api = client_for(tree, "admin")

    def ids(query: str) -> set[int]:
        response = api.get(f"{URL}?{query}")
        assert response.status_code == 200, response.content
        return {r["id"] for r in response.json()["results"]}

    services.application_withdraw(application=three["b1"], by=None)
    everyone = {a.pk for a in three.values()}
    assert ids("status=withdrawn") == {three["b1"].pk}
    assert ids("status=submitted") == {three["a1"].pk, three["a2"].pk}
    assert ids(f"batch={trip.batch.pk}") == everyone
    assert ids(f"batch={trip.batch.pk + 999}") == set()
    assert ids(f"year={trip.year}") == everyone
    assert ids(f"year={trip.year - 1}") == set()
    assert ids("union=A2") == {three["a2"].pk}
    assert ids("union=NOPE") == set()
    assert ids("group_trip=1") == set()
    assert ids(f"union=A1&year={trip.year}&status=submitted") == {three["a1"].pk}


@pytest.mark.parametrize(
    "query",
    [
        "status=planet",
        "batch=abc",
        "batch=1.5",
        "batch=99999999999999999999999",
        "year=abc",
        "year=99999",
        "group_trip=-3",
        "union=" + "x" * 100,
    ],
)
def test_bad_filters_are_400(tree, three, query):
    response = client_for(tree, "admin").get(f"{URL}?{query}")
    assert response.status_code == 400, response.content


def test_list_pages_have_a_constant_number_of_queries(
    tree, trip, make_worker, django_assert_max_num_queries
):
    for _ in range(12):
        apply(make_worker(), trip.batch)
    api = client_for(tree, "county_a_staff")
    with django_assert_max_num_queries(4):
        body = api.get(f"{URL}?page_size=50").json()
    assert body["count"] == 12


def test_detail_shows_history_with_names_and_reasons_and_the_quote(tree, trip):
    app = apply(tree.user("worker_a1").worker, trip.batch)
    services.application_endorse(application=app, by=tree.user("organizer_a1"))
    services.application_reject(application=app, by=tree.user("county_a_staff"), reason="名额已满")
    body = client_for(tree, "worker_a1").get(detail(app)).json()
    assert body["status"] == "rejected"
    history = [(h["from"], h["to"], h["by"], h["reason"]) for h in body["history"]]
    worker_name = tree.user("worker_a1").get_full_name()
    county_name = tree.user("county_a_staff").get_full_name()
    organizer_name = tree.user("organizer_a1").get_full_name()
    assert history == [
        ("", "submitted", worker_name, ""),
        ("submitted", "endorsed", organizer_name, ""),
        ("endorsed", "rejected", county_name, "名额已满"),
    ]
    assert all(h["at"] for h in body["history"])
    assert body["quote_lines"] == app.quote_lines


def test_detail_for_every_role(tree, trip):
    app = apply(tree.user("worker_a1").worker, trip.batch)
    each_role(
        tree,
        roles(
            404,
            admin=200,
            city_staff=200,
            county_a_staff=200,
            auditor=200,
            organizer_a1=200,
            operator=200,
            worker_a1=200,
        ),
        lambda api, _: api.get(detail(app)),
    )


@pytest.mark.parametrize("pk", ["abc", "0", "-1", "99999999999999999999999", "1.5"])
def test_junk_ids_in_the_path_are_404(tree, trip, pk):
    api = client_for(tree, "admin")
    assert api.get(f"{URL}{pk}/").status_code == 404
    assert api.post(f"{URL}{pk}/withdraw/", {}, format="json").status_code == 404


# --- Moves for every role --------------------------------------------------------------------------


def test_withdraw_for_every_role(tree, trip):
    worker = tree.user("worker_a1").worker
    each_role(
        tree,
        roles(
            404,
            admin=200,
            organizer_a1=200,
            worker_a1=200,
            city_staff=403,
            county_a_staff=403,
            auditor=403,
            operator=403,
        ),
        lambda api, app: api.post(detail(app) + "withdraw/", {"reason": "家中有事"}, format="json"),
        make=lambda: live_application(worker, trip.batch),
    )


def test_endorse_for_every_role(tree, trip):
    worker = tree.user("worker_a1").worker

    def make():
        return live_application(worker, trip.batch)

    def call(api, app):
        response = api.post(detail(app) + "endorse/")
        if response.status_code == 200:
            assert response.json()["status"] == "endorsed"
            services.application_withdraw(application=app, by=None)
        return response

    each_role(
        tree,
        roles(
            404,
            admin=200,
            organizer_a1=200,
            worker_a1=403,
            city_staff=403,
            county_a_staff=403,
            auditor=403,
            operator=403,
        ),
        call,
        make=make,
    )


def test_approve_for_every_role(tree, trip):
    worker = tree.user("worker_a1").worker

    def call(api, app):
        response = api.post(detail(app) + "approve/")
        if response.status_code == 200:
            assert response.json()["status"] == "approved"
            services.application_withdraw(application=app, by=None)
        return response

    each_role(
        tree,
        roles(
            404,
            admin=200,
            city_staff=200,
            county_a_staff=200,
            auditor=403,
            organizer_a1=403,
            operator=403,
            worker_a1=403,
        ),
        call,
        make=lambda: live_application(worker, trip.batch, status="endorsed"),
    )


def test_reject_for_every_role_before_and_after_endorsement(tree, trip):
    worker = tree.user("worker_a1").worker
    staff = {"admin": 200, "city_staff": 200, "county_a_staff": 200}
    seen = {"auditor": 403, "operator": 403, "worker_a1": 403}

    def call(api, app):
        return api.post(detail(app) + "reject/", {"reason": "材料不全"}, format="json")

    each_role(
        tree,
        roles(404, **staff, **seen, organizer_a1=200),  # the union may reject before endorsing
        call,
        make=lambda: live_application(worker, trip.batch),
    )
    each_role(
        tree,
        roles(404, **staff, **seen, organizer_a1=403),
        call,
        make=lambda: live_application(worker, trip.batch, status="endorsed"),
    )


def test_reject_needs_a_reason(tree, trip):
    app = apply(tree.user("worker_a1").worker, trip.batch, endorse=True)
    api = client_for(tree, "county_a_staff")
    before = snapshot()
    for body in ({}, {"reason": ""}, {"reason": "   "}):
        response = api.post(detail(app) + "reject/", body, format="json")
        assert response.status_code == 400
        assert response.json()["detail"] == ["Please give a reason."]
    assert api.post(detail(app) + "reject/", {"reason": ["x"]}, format="json").status_code == 400
    assert snapshot() == before


def test_a_move_that_is_not_allowed_is_a_400_with_a_message(tree, trip):
    app = apply(tree.user("worker_a1").worker, trip.batch)
    api = client_for(tree, "county_a_staff")
    before = snapshot()
    response = api.post(detail(app) + "approve/")  # not endorsed yet
    assert response.status_code == 400
    assert "cannot become" in response.json()["detail"][0]
    assert snapshot() == before
    services.application_withdraw(application=app, by=None)
    response = client_for(tree, "worker_a1").post(detail(app) + "withdraw/")
    assert response.status_code == 400


def test_withdrawal_after_departure_is_refused(tree, trip):
    app = apply(tree.user("worker_a1").worker, trip.batch, approve=True)
    depart(trip.batch)
    before = snapshot()
    response = client_for(tree, "worker_a1").post(detail(app) + "withdraw/")
    assert response.status_code == 400
    assert "started" in response.json()["detail"][0]
    assert snapshot() == before


def test_attendance_for_every_role(tree, trip, make_worker):
    pool = [apply(make_worker(), trip.batch, approve=True) for _ in range(6)]
    depart(trip.batch)

    def make():
        return next(a for a in pool if Application.objects.get(pk=a.pk).status == "approved")

    def call(api, app):
        return api.post(detail(app) + "attendance/", {"attended": True}, format="json")

    each_role(
        tree,
        roles(
            404,
            admin=200,
            city_staff=200,
            county_a_staff=200,
            organizer_a1=200,
            operator=200,
            auditor=403,
        ),
        call,
        make=make,
    )


def test_attendance_no_show_releases_the_reservation_and_junk_is_400(tree, trip):
    app = apply(tree.user("worker_a1").worker, trip.batch, approve=True)
    reserved = utilization(org=tree.county_a, year=trip.year).reserved
    depart(trip.batch)
    api = client_for(tree, "organizer_a1")
    before = snapshot()
    for body in ({}, {"attended": "maybe"}, {"attended": None}):
        assert api.post(detail(app) + "attendance/", body, format="json").status_code == 400
    assert api.post(detail(app) + "attendance/").status_code == 400  # an empty form post
    assert snapshot() == before
    response = api.post(detail(app) + "attendance/", {"attended": False}, format="json")
    assert response.json()["status"] == "no_show"
    assert utilization(org=tree.county_a, year=trip.year).reserved == reserved - app.subsidy_fen


def test_attendance_before_departure_is_a_400(tree, trip):
    app = apply(tree.user("worker_a1").worker, trip.batch, approve=True)
    response = client_for(tree, "organizer_a1").post(
        detail(app) + "attendance/", {"attended": True}, format="json"
    )
    assert response.status_code == 400
    assert "once the trip has started" in response.json()["detail"][0]


def test_the_participant_reviews_a_trip_once(tree, trip):
    app = apply(tree.user("worker_a1").worker, trip.batch, approve=True)
    depart(trip.batch)
    services.application_attendance(application=app, by=None, attended=True)
    each_role(
        tree,
        roles(
            404,
            admin=403,
            city_staff=403,
            county_a_staff=403,
            auditor=403,
            organizer_a1=403,
            operator=403,
            worker_a1=201,
        ),
        lambda api, _: api.post(
            detail(app) + "review/", {"rating": 5, "text": "很好"}, format="json"
        ),
    )
    api = client_for(tree, "worker_a1")
    response = api.post(detail(app) + "review/", {"rating": 4}, format="json")
    assert response.status_code == 400
    assert "already reviewed" in str(response.json())
    assert api.post(detail(app) + "review/", {"rating": 9}, format="json").status_code == 400


# --- Money through the utilization API -----------------------------------------------------------


def test_approval_reserves_exactly_the_subsidy_and_withdrawal_gives_it_back(tree, trip):
    staff = client_for(tree, "county_a_staff")
    usage_url = f"/api/v1/funds/utilization/?org=CA&year={trip.year}"

    def reserved() -> str:
        return staff.get(usage_url).json()["reserved"]

    worker_api = client_for(tree, "worker_a1")
    app = worker_api.post(URL, {"batch": trip.batch.pk}, format="json").json()
    assert app["subsidy"] == "1000.00"
    before = reserved()
    client_for(tree, "organizer_a1").post(f"{URL}{app['id']}/endorse/")
    response = staff.post(f"{URL}{app['id']}/approve/")
    assert response.status_code == 200
    assert response.json()["status"] == "approved"
    from decimal import Decimal

    assert Decimal(reserved()) - Decimal(before) == Decimal(app["subsidy"])
    response = worker_api.post(f"{URL}{app['id']}/withdraw/", {"reason": "生病"}, format="json")
    assert response.json()["status"] == "withdrawn"
    assert reserved() == before


def test_approval_without_the_money_is_a_400_and_reserves_nothing(tree, trip):
    app = apply(tree.user("worker_a1").worker, trip.batch, endorse=True)
    available = utilization(org=tree.county_a, year=trip.year).available
    funds.reserve(org=tree.county_a, year=trip.year, amount=available, cause_id="x:1", by=None)
    before = snapshot()
    response = client_for(tree, "county_a_staff").post(detail(app) + "approve/")
    assert response.status_code == 400
    assert "available" in response.json()["detail"][0]
    assert snapshot() == before


# --- Bulk approval ---------------------------------------------------------------------------------


def test_bulk_approve_approves_what_it_can_and_reports_each_refusal(tree, trip, make_worker):
    ok = [apply(make_worker(), trip.batch, endorse=True) for _ in range(2)]
    other_county = apply(make_worker(union=tree.union_b1), trip.batch, endorse=True)
    not_endorsed = apply(make_worker(), trip.batch)
    ids = [ok[0].pk, other_county.pk, not_endorsed.pk, 999_999, ok[1].pk, ok[0].pk]
    response = client_for(tree, "county_a_staff").post(
        f"{URL}bulk-approve/", {"ids": ids}, format="json"
    )
    assert response.status_code == 200
    body = response.json()
    assert body["approved"] == [ok[0].pk, ok[1].pk]
    refused = {r["id"]: r["reason"] for r in body["refused"]}
    assert set(refused) == {other_county.pk, not_endorsed.pk, 999_999}
    assert "scope" in refused[other_county.pk]  # county B's: not visible to county A
    assert "cannot become" in refused[not_endorsed.pk]
    statuses = dict(Application.objects.values_list("pk", "status"))
    assert statuses[ok[0].pk] == statuses[ok[1].pk] == "approved"
    assert statuses[other_county.pk] == "endorsed"
    assert statuses[not_endorsed.pk] == "submitted"


def test_bulk_approve_reports_missing_money_per_item(tree, trip, make_worker):
    apps = [apply(make_worker(), trip.batch, endorse=True) for _ in range(3)]
    available = utilization(org=tree.county_a, year=trip.year).available
    # Leave money for exactly two subsidies.
    funds.reserve(
        org=tree.county_a,
        year=trip.year,
        amount=available - 2 * apps[0].subsidy_fen,
        cause_id="x:2",
        by=None,
    )
    body = (
        client_for(tree, "county_a_staff")
        .post(f"{URL}bulk-approve/", {"ids": [a.pk for a in apps]}, format="json")
        .json()
    )
    assert body["approved"] == [apps[0].pk, apps[1].pk]
    assert body["refused"][0]["id"] == apps[2].pk
    assert "available" in body["refused"][0]["reason"]


def test_bulk_approve_is_for_staff_only(tree, trip, make_worker):
    def call(api, app):
        response = api.post(f"{URL}bulk-approve/", {"ids": [app.pk]}, format="json")
        if response.status_code == 200:
            assert response.json() == {"approved": [app.pk], "refused": []}
        return response

    # County B's staff name only an application outside their scope: not found, as one is.
    each_role(
        tree,
        roles(403, admin=200, city_staff=200, county_a_staff=200, county_b_staff=404),
        call,
        make=lambda: apply(make_worker(), trip.batch, endorse=True),
    )


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"ids": []},
        {"ids": "1,2"},
        {"ids": ["a"]},
        {"ids": [10**30]},
        {"ids": list(range(1, 300))},
    ],
)
def test_bulk_approve_junk_is_400(tree, trip, body):
    before = snapshot()
    response = client_for(tree, "county_a_staff").post(f"{URL}bulk-approve/", body, format="json")
    assert response.status_code == 400
    assert snapshot() == before


def test_queue_lists_what_waits_for_my_approval(tree, trip, make_worker):
    waiting = apply(make_worker(), trip.batch, endorse=True)
    apply(make_worker(), trip.batch)
    apply(make_worker(union=tree.union_b1), trip.batch, endorse=True)
    body = client_for(tree, "county_a_staff").get(f"{URL}?queue=1").json()
    assert [r["id"] for r in body["results"]] == [waiting.pk]


def test_history_rows_are_written_for_api_moves(tree, trip):
    app = apply(tree.user("worker_a1").worker, trip.batch)
    client_for(tree, "organizer_a1").post(detail(app) + "endorse/")
    change = StatusChange.objects.filter(application=app).last()
    assert (change.from_status, change.to_status, change.by) == (
        Status.SUBMITTED,
        Status.ENDORSED,
        tree.user("organizer_a1"),
    )


# --- Schema ----------------------------------------------------------------------------------------


def test_every_applications_route_is_in_the_openapi_schema_with_its_tag(client):
    schema = client.get("/api/v1/schema/", {"format": "json"}).json()
    paths = schema["paths"]
    expected = {
        "/api/v1/applications/": "applications",
        "/api/v1/applications/{id}/": "applications",
        "/api/v1/applications/{id}/withdraw/": "applications",
        "/api/v1/applications/{id}/endorse/": "applications",
        "/api/v1/applications/{id}/approve/": "applications",
        "/api/v1/applications/{id}/reject/": "applications",
        "/api/v1/applications/{id}/attendance/": "applications",
        "/api/v1/applications/{id}/review/": "applications",
        "/api/v1/applications/bulk-approve/": "applications",
        "/api/v1/group-trips/": "group-trips",
        "/api/v1/group-trips/{id}/": "group-trips",
        "/api/v1/group-trips/{id}/members/": "group-trips",
        "/api/v1/group-trips/{id}/endorse/": "group-trips",
        "/api/v1/group-trips/{id}/invite/": "group-trips",
        "/api/v1/group-trips/{id}/respond/": "group-trips",
        "/api/v1/group-trips/{id}/join/": "group-trips",
        "/api/v1/group-trips/{id}/entrust/": "group-trips",
        "/api/v1/group-trips/{id}/cancel/": "group-trips",
        "/api/v1/group-trips/{id}/import/": "group-trips",
        "/api/v1/group-trips/{id}/settlement/": "group-trips",
        "/api/v1/roster-imports/{id}/": "group-trips",
        "/api/v1/roster-imports/template/": "group-trips",
        "/api/v1/settlements/": "settlements",
        "/api/v1/settlements/{id}/": "settlements",
        "/api/v1/settlements/{id}/pay/": "settlements",
        "/api/v1/settlements/{id}/return/": "settlements",
        "/api/v1/settlements/{id}/invoice/": "settlements",
        "/api/v1/batches/{id}/lottery/": "lotteries",
        "/api/v1/batches/{id}/lottery/draw/": "lotteries",
        "/api/v1/lotteries/": "lotteries",
        "/api/v1/lotteries/{id}/": "lotteries",
        "/api/v1/notifications/": "notifications",
        "/api/v1/notifications/{id}/read/": "notifications",
        "/api/v1/notifications/read-all/": "notifications",
    }
    for path, tag in expected.items():
        assert path in paths, path
        for operation in paths[path].values():
            assert operation["tags"] == [tag], path
    components = schema["components"]["schemas"]
    assert components["ApplyRequest"]["required"] == ["batch"]
    detail = components["ApplicationDetail"]["properties"]
    assert {"id", "status", "subsidy", "net_cost", "history", "quote_lines"} <= set(detail)
    assert components["ApplicationDetail"]["properties"]["subsidy"]["type"] == "string"
    history = components["StatusChange"]["properties"]
    assert {"from", "to", "at", "by", "reason"} <= set(history)
    board = components["GroupTrip"]["properties"]
    assert {"id", "batch", "organizer", "seats", "members", "open_seats"} <= set(board)
    params = {p["name"] for p in paths["/api/v1/applications/"]["get"]["parameters"]}
    assert {"status", "batch", "year", "union", "group_trip", "page", "page_size"} <= params
    params = {p["name"] for p in paths["/api/v1/group-trips/"]["get"]["parameters"]}
    assert "open_seats" in params
    unread = components["PaginatedNotificationList"]["properties"]
    assert "unread" in unread
    upload = paths["/api/v1/group-trips/{id}/import/"]["post"]["requestBody"]["content"]
    assert "multipart/form-data" in upload
