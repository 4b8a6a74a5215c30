"""``/api/v1/group-trips/`` and ``/api/v1/roster-imports/``: blocks of seats, the public board,
joint groups, agencies, rosters by hand and by ``.xlsx``, for every role."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from applications import selectors, services
from applications.models import Application, GroupParticipant, GroupTrip, RosterImport
from tests.applications.api_support import (
    PDF,
    client_for,
    close_signups,
    each_role,
    private_media,  # noqa: F401 (a fixture)
    roles,
    snapshot,
    xlsx,
)
from tests.dates import years_ago
from tests.factories import UserFactory, valid_id_number

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("private_media")]

URL = "/api/v1/group-trips/"
STAFF_SEE = {"city_staff": 403, "county_a_staff": 403, "auditor": 403, "operator": 403}


def make_group(tree, trip, *, seats: int = 10, joint: bool = True, agency=None) -> GroupTrip:
    return services.group_trip_create(
        batch=trip.batch,
        organizer=tree.union_a1,
        seats=seats,
        by=tree.user("organizer_a1"),
        title="甲一工会森林团",
        joint=joint,
        agency=agency,
    )


@pytest.fixture
def group(tree, trip) -> GroupTrip:
    return make_group(tree, trip)


def path(group: GroupTrip, suffix: str = "") -> str:
    return f"{URL}{group.pk}/{suffix}"


# --- Creating --------------------------------------------------------------------------------------


def test_organizers_create_group_trips_holding_a_block(tree, trip):
    def call(api, _):
        response = api.post(URL, {"batch": trip.batch.pk, "seats": 5, "joint": True}, format="json")
        if response.status_code == 201:
            body = response.json()
            assert body["seats"] == 5 and body["members"] == 0 and body["open_seats"] == 5
            assert body["organizer"] in ("A1", "B1")
            assert body["participants"][0]["lead"] is True
        return response

    each_role(tree, roles(403, organizer_a1=201, organizer_b1=201), call)
    trip.batch.refresh_from_db()
    assert trip.batch.seats_held == 10 == selectors.seats_accounted(trip.batch)


def test_group_trip_with_an_agency(tree, trip):
    api = client_for(tree, "organizer_a1")
    body = {"batch": trip.batch.pk, "seats": 3, "title": "委托团", "agency": "AG"}
    response = api.post(URL, body, format="json")
    assert response.status_code == 201
    assert response.json()["agency"] == "AG"
    assert response.json()["title"] == "委托团"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "batch"),
        ({"batch": "x", "seats": 3}, "batch"),
        ({"batch": 10**30, "seats": 3}, "batch"),
        ({"seats": 3, "batch": -5}, "batch"),
        ({"seats": 0}, "seats"),
        ({"seats": 1001}, "seats"),
        ({"seats": "many"}, "seats"),
        ({"seats": 3, "agency": "CA"}, "agency"),  # a county, not an agency
        ({"seats": 3, "agency": "OPA"}, "agency"),  # a base operator
        ({"seats": 3, "agency": "NOPE"}, "agency"),
        ({"seats": 3, "title": "x" * 101}, "title"),
        ({"seats": 3, "joint": "perhaps"}, "joint"),
    ],
)
def test_bad_group_trip_bodies_are_400_and_change_nothing(tree, trip, body, field):
    body = {"batch": trip.batch.pk, **body} if "batch" not in body and body else body
    before = snapshot()
    response = client_for(tree, "organizer_a1").post(URL, body, format="json")
    assert response.status_code == 400, response.content
    assert field in response.json()
    assert snapshot() == before


def test_unknown_batch_or_too_many_seats_is_a_400(tree, trip):
    api = client_for(tree, "organizer_a1")
    before = snapshot()
    response = api.post(URL, {"batch": trip.batch.pk + 99, "seats": 3}, format="json")
    assert response.json() == {"batch": ["No batch has this id."]}
    response = api.post(URL, {"batch": trip.batch.pk, "seats": 31}, format="json")
    assert response.status_code == 400
    assert "Only 30 seats are left" in response.json()["detail"][0]
    assert snapshot() == before


# --- The open-seats board --------------------------------------------------------------------------


def test_board_is_public_lists_joint_groups_with_free_seats_and_no_personal_data(tree, trip):
    joint = make_group(tree, trip, seats=4)
    make_group(tree, trip, seats=3, joint=False)
    full = make_group(tree, trip, seats=1)
    services.roster_add(
        group_trip=joint, worker=tree.user("worker_a1").worker, union=tree.union_a1, by=None
    )
    worker = apply_to_group(tree, full)
    response = client_for(tree, "anonymous").get(f"{URL}?open_seats=1")
    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"count", "next", "previous", "results"}
    assert [r["id"] for r in body["results"]] == [joint.pk]
    row = body["results"][0]
    assert {"id", "batch", "organizer", "seats", "members", "open_seats"} <= set(row)
    assert (row["batch"], row["organizer"], row["seats"], row["members"], row["open_seats"]) == (
        trip.batch.pk,
        "A1",
        4,
        1,
        3,
    )
    text = response.content.decode()
    assert "张三" not in text and worker.real_name not in text  # no member names
    assert "roster" not in row and "note" not in row


def apply_to_group(tree, group):
    from tests.factories import WorkerFactory

    worker = WorkerFactory(union=tree.union_a1)
    services.roster_add(group_trip=group, worker=worker, union=tree.union_a1, by=None)
    return worker


def test_board_leaves_out_groups_whose_batch_stopped_signing_up(tree, trip, group):
    api = client_for(tree, "anonymous")
    assert api.get(f"{URL}?open_seats=1").json()["count"] == 1
    close_signups(trip.batch)
    assert api.get(f"{URL}?open_seats=1").json()["count"] == 0


def test_board_queries_are_constant(tree, trip, django_assert_max_num_queries):
    for _ in range(6):
        make_group(tree, trip, seats=2)
    with django_assert_max_num_queries(3):
        body = client_for(tree, "anonymous").get(f"{URL}?open_seats=1&page_size=50").json()
    assert body["count"] == 6


@pytest.mark.parametrize(
    "query", ["open_seats=maybe", "batch=abc", "batch=99999999999999999999999"]
)
def test_bad_board_queries_are_400(tree, trip, group, query):
    assert client_for(tree, "anonymous").get(f"{URL}?open_seats=1&{query}").status_code == 400


# --- Lists and detail ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "count"),
    [
        ("admin", 1),
        ("city_staff", 1),
        ("county_a_staff", 1),
        ("auditor", 1),
        ("organizer_a1", 1),
        ("operator", 1),
        ("county_b_staff", 0),
        ("organizer_b1", 0),
        ("agency", 0),
        ("worker_a1", 0),
        ("worker_b1", 0),
        ("outsider", 0),
    ],
)
def test_each_role_lists_the_group_trips_in_its_scope(tree, group, role, count):
    response = client_for(tree, role).get(URL)
    assert response.status_code == 200
    assert response.json()["count"] == count
    assert client_for(tree, role).get(f"{URL}?open_seats=0").json()["count"] == count


def test_anonymous_needs_a_login_for_the_list_without_the_board(tree, group):
    assert client_for(tree, "anonymous").get(URL).status_code == 401
    assert client_for(tree, "anonymous").get(path(group)).status_code == 401


def test_detail_for_every_role(tree, group):
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
        ),
        lambda api, _: api.get(path(group)),
    )


def test_detail_shows_each_caller_the_part_of_the_roster_in_its_scope(tree, trip, group):
    services.roster_add(
        group_trip=group, worker=tree.user("worker_a1").worker, union=tree.union_a1, by=None
    )
    participant = services.group_invite(group_trip=group, union=tree.union_b1, by=None)
    services.group_respond(participant=participant, accept=True, by=None)
    services.roster_add(
        group_trip=group, worker=tree.user("worker_b1").worker, union=tree.union_b1, by=None
    )

    def names(role: str) -> set[str]:
        return {r["worker_name"] for r in client_for(tree, role).get(path(group)).json()["roster"]}

    assert names("organizer_a1") == {"张三", "李四"}  # both unions of the joint group
    assert names("organizer_b1") == {"张三", "李四"}
    assert names("county_a_staff") == {"张三"}  # county B's member is not in its scope
    assert client_for(tree, "county_b_staff").get(path(group)).status_code == 404
    body = client_for(tree, "organizer_b1").get(path(group)).json()
    assert [(p["union"], p["status"], p["lead"]) for p in body["participants"]] == [
        ("A1", "joined", True),
        ("B1", "joined", False),
    ]
    assert body["actions"] == ["roster"]
    assert client_for(tree, "organizer_a1").get(path(group)).json()["actions"] == [
        "manage",
        "roster",
        "run",
    ]


@pytest.mark.parametrize("pk", ["abc", "0", "99999999999999999999999"])
def test_junk_group_ids_are_404(tree, group, pk):
    api = client_for(tree, "admin")
    assert api.get(f"{URL}{pk}/").status_code == 404
    assert api.patch(f"{URL}{pk}/", {"title": "x"}, format="json").status_code == 404
    assert api.post(f"{URL}{pk}/join/").status_code == 404


# --- Changing the group ----------------------------------------------------------------------------


def test_patch_for_every_role(tree, group):
    each_role(
        tree,
        roles(404, admin=200, organizer_a1=200, **STAFF_SEE),
        lambda api, _: api.patch(path(group), {"title": "新标题", "note": "备注"}, format="json"),
    )
    group.refresh_from_db()
    assert (group.title, group.note) == ("新标题", "备注")


def test_patch_resizes_the_block_within_the_batch_and_the_roster(tree, trip, group):
    api = client_for(tree, "organizer_a1")
    apply_to_group(tree, group)
    apply_to_group(tree, group)
    response = api.patch(path(group), {"seats": 15, "joint": False}, format="json")
    assert response.status_code == 200
    assert (response.json()["seats"], response.json()["joint"]) == (15, False)
    trip.batch.refresh_from_db()
    assert trip.batch.seats_held == 15 == selectors.seats_accounted(trip.batch)
    before = snapshot()
    response = api.patch(path(group), {"seats": 1, "title": "改名"}, format="json")
    assert response.status_code == 400
    assert "2 members are on the roster" in response.json()["detail"][0]
    assert api.patch(path(group), {"seats": 31}, format="json").status_code == 400
    for body in ({"title": ""}, {"seats": 0}, {"seats": "x"}, {"joint": "perhaps"}):
        assert api.patch(path(group), body, format="json").status_code == 400
    assert snapshot() == before
    assert api.put(path(group), {"title": "x"}, format="json").status_code == 405


def test_add_members_of_ones_own_union_only(tree, trip, group):
    from tests.factories import WorkerFactory

    def call(api, worker):
        return api.post(path(group, "members/"), {"worker": worker.pk}, format="json")

    each_role(
        tree,
        roles(404, organizer_a1=201, admin=403, **STAFF_SEE),
        call,
        make=lambda: WorkerFactory(union=tree.union_a1),
    )
    api = client_for(tree, "organizer_a1")
    before = snapshot()
    response = call(api, tree.user("worker_b1").worker)  # another union's member
    assert response.status_code == 400
    assert response.json() == {"worker": ["This is not a member of your union."]}
    for body in ({}, {"worker": "x"}, {"worker": 10**30}, {"worker": 999_999}):
        assert api.post(path(group, "members/"), body, format="json").status_code == 400
    assert snapshot() == before
    response = call(api, tree.user("worker_a1").worker)
    assert response.status_code == 201
    assert (response.json()["group_trip"], response.json()["status"]) == (group.pk, "submitted")
    trip.batch.refresh_from_db()
    assert trip.batch.seats_held == 10  # members sit inside the block


def test_a_full_block_refuses_another_member(tree, trip):
    group = make_group(tree, trip, seats=1)
    apply_to_group(tree, group)
    before = snapshot()
    response = client_for(tree, "organizer_a1").post(
        path(group, "members/"), {"worker": tree.user("worker_a1").worker.pk}, format="json"
    )
    assert response.status_code == 400
    assert "block of 1 seats is full" in response.json()["detail"][0]
    assert snapshot() == before


def test_group_endorse_endorses_the_callers_union_only(tree, trip, group):
    mine = apply_to_group(tree, group)
    participant = services.group_invite(group_trip=group, union=tree.union_b1, by=None)
    services.group_respond(participant=participant, accept=True, by=None)
    services.roster_add(
        group_trip=group, worker=tree.user("worker_b1").worker, union=tree.union_b1, by=None
    )
    each_role(
        tree,
        roles(404, organizer_a1=200, organizer_b1=200, admin=403, **STAFF_SEE),
        lambda api, _: api.post(path(group, "endorse/")),
    )
    statuses = dict(Application.objects.values_list("worker_id", "status"))
    assert statuses[mine.pk] == statuses[tree.user("worker_b1").worker.pk] == "endorsed"
    response = client_for(tree, "organizer_a1").post(path(group, "endorse/"))
    assert response.json() == {"endorsed": []}


# --- Joint groups ----------------------------------------------------------------------------------


def test_invite_respond_and_add_members_as_a_joint_group(tree, trip, group):
    each_role(
        tree,
        # Once invited (by the lead, first), B1's organizer sees the group but may not invite.
        roles(404, organizer_a1=200, admin=200, organizer_b1=403, **STAFF_SEE),
        lambda api, _: api.post(path(group, "invite/"), {"union": "B1"}, format="json"),
    )
    b1 = client_for(tree, "organizer_b1")
    body = b1.get(path(group)).json()  # an invited union sees the group
    assert ("B1", "invited") in [(p["union"], p["status"]) for p in body["participants"]]
    assert body["actions"] == ["respond"]
    # Before accepting, B1 may not put members on the roster.
    worker_b1 = tree.user("worker_b1").worker
    response = b1.post(path(group, "members/"), {"worker": worker_b1.pk}, format="json")
    assert response.status_code == 403
    for body in ({}, {"accept": "perhaps"}):
        assert b1.post(path(group, "respond/"), body, format="json").status_code == 400
    assert client_for(tree, "organizer_a1").post(path(group, "respond/")).status_code == 403
    response = b1.post(path(group, "respond/"), {"accept": True}, format="json")
    assert response.status_code == 200
    response = b1.post(path(group, "members/"), {"worker": worker_b1.pk}, format="json")
    assert response.status_code == 201
    worker_a1 = tree.user("worker_a1").worker
    before = snapshot()
    response = b1.post(path(group, "members/"), {"worker": worker_a1.pk}, format="json")
    assert response.status_code == 400  # B1's organizer adds B1's members only
    assert snapshot() == before


@pytest.mark.parametrize("code", ["NOPE", "AG", "CA", "", "A1"])
def test_inviting_anything_but_another_grassroots_union_is_a_400(tree, group, code):
    before = snapshot()
    response = client_for(tree, "organizer_a1").post(
        path(group, "invite/"), {"union": code}, format="json"
    )
    assert response.status_code == 400
    assert snapshot() == before


def test_declining_an_invitation(tree, group):
    services.group_invite(group_trip=group, union=tree.union_b1, by=None)
    response = client_for(tree, "organizer_b1").post(
        path(group, "respond/"), {"accept": False}, format="json"
    )
    assert response.status_code == 200
    assert GroupParticipant.objects.get(group_trip=group, union=tree.union_b1).status == "declined"


def test_join_from_the_board(tree, trip, group):
    private = make_group(tree, trip, seats=2, joint=False)
    each_role(
        tree,
        roles(403, organizer_b1=200, organizer_a1=403),  # the lead cannot join its own group
        lambda api, _: api.post(path(group, "join/")),
    )
    assert GroupParticipant.objects.get(group_trip=group, union=tree.union_b1).status == "joined"
    before = snapshot()
    response = client_for(tree, "organizer_b1").post(path(private, "join/"))
    assert response.status_code == 404  # not on the board
    assert snapshot() == before


def test_joining_twice_is_a_400(tree, group):
    api = client_for(tree, "organizer_b1")
    assert api.post(path(group, "join/")).status_code == 200
    before = snapshot()
    response = api.post(path(group, "join/"))
    assert response.status_code == 400
    assert "already takes part" in response.json()["detail"][0]
    assert snapshot() == before


# --- Agencies --------------------------------------------------------------------------------------


def test_entrusting_an_agency_gives_it_this_trip_and_nothing_else(tree, trip, group):
    other = make_group(tree, trip, seats=2)
    member = apply_to_group(tree, group)
    agency = client_for(tree, "agency")
    assert agency.get(path(group)).status_code == 404
    each_role(
        tree,
        # Once entrusted (by the lead, first), the agency sees the trip but may not re-entrust.
        roles(404, organizer_a1=200, admin=200, agency=403, **STAFF_SEE),
        lambda api, _: api.post(path(group, "entrust/"), {"agency": "AG"}, format="json"),
    )
    body = agency.get(path(group)).json()
    assert body["agency"] == "AG"
    assert [r["worker_name"] for r in body["roster"]] == [member.real_name]
    assert [g["id"] for g in agency.get(URL).json()["results"]] == [group.pk]
    assert agency.get(path(other)).status_code == 404
    apps = agency.get("/api/v1/applications/").json()["results"]
    assert [a["worker_name"] for a in apps] == [member.real_name]
    response = client_for(tree, "organizer_a1").post(
        path(group, "entrust/"), {"agency": None}, format="json"
    )
    assert response.status_code == 200
    assert response.json()["agency"] is None
    assert agency.get(path(group)).status_code == 404


@pytest.mark.parametrize("body", [{}, {"agency": "A2"}, {"agency": "NOPE"}, {"agency": ["AG"]}])
def test_entrusting_anything_but_an_agency_is_a_400(tree, group, body):
    before = snapshot()
    response = client_for(tree, "organizer_a1").post(path(group, "entrust/"), body, format="json")
    assert response.status_code == 400
    assert snapshot() == before


# --- Cancelling ------------------------------------------------------------------------------------


def test_cancel_for_every_role_withdraws_members_and_frees_the_block(tree, trip):
    groups = []

    def make():
        group = make_group(tree, trip, seats=2)
        apply_to_group(tree, group)
        groups.append(group)
        return group

    each_role(
        tree,
        roles(404, organizer_a1=200, admin=200, **STAFF_SEE),
        lambda api, group: api.post(path(group, "cancel/"), {"reason": "单位安排"}, format="json"),
        make=make,
    )
    cancelled = GroupTrip.objects.filter(cancelled_at__isnull=False)
    assert cancelled.count() == 2
    assert set(
        Application.objects.filter(group_trip__in=cancelled).values_list("status", flat=True)
    ) == {"withdrawn"}
    trip.batch.refresh_from_db()
    assert trip.batch.seats_held == selectors.seats_accounted(trip.batch) == 2 * (len(groups) - 2)


def test_cancel_needs_a_reason(tree, group):
    before = snapshot()
    api = client_for(tree, "organizer_a1")
    for body in ({}, {"reason": "  "}):
        response = api.post(path(group, "cancel/"), body, format="json")
        assert response.status_code == 400
        assert response.json()["detail"] == ["Please give a reason."]
    assert snapshot() == before


# --- Roster import ---------------------------------------------------------------------------------


def member_with_id(union, n: int):
    from tests.factories import WorkerFactory

    born = years_ago(46, month=1, day=1) + timedelta(days=n)
    return WorkerFactory(union=union, birth_date=born, id_number=valid_id_number(born, n % 900 + 1))


def upload(api, group, content, name="roster.xlsx"):
    file = SimpleUploadedFile(name, content if isinstance(content, bytes) else content.read())
    return api.post(path(group, "import/"), {"file": file}, format="multipart")


def test_import_a_good_file_then_poll_it(tree, group, django_capture_on_commit_callbacks):
    members = [member_with_id(tree.union_a1, n) for n in range(3)]
    rows = [[m.real_name, m.id_number, ""] for m in members]
    api = client_for(tree, "organizer_a1")
    with django_capture_on_commit_callbacks(execute=True):
        response = upload(api, group, xlsx(rows))
    assert response.status_code == 202
    body = response.json()
    assert {"id", "state", "progress", "errors"} <= set(body)
    assert body["state"] == "pending"
    polled = api.get(f"/api/v1/roster-imports/{body['id']}/").json()
    assert (polled["state"], polled["added"], polled["progress"], polled["errors"]) == (
        "done",
        3,
        100,
        [],
    )
    assert set(
        Application.objects.filter(group_trip=group).values_list("worker_id", flat=True)
    ) == {m.pk for m in members}


def test_import_with_a_member_of_another_union_adds_nobody(
    tree, group, django_capture_on_commit_callbacks
):
    good = member_with_id(tree.union_a1, 1)
    stranger = member_with_id(tree.union_b1, 2)
    rows = [[good.real_name, good.id_number], [stranger.real_name, stranger.id_number]]
    api = client_for(tree, "organizer_a1")
    with django_capture_on_commit_callbacks(execute=True):
        job = upload(api, group, xlsx(rows)).json()
    polled = api.get(f"/api/v1/roster-imports/{job['id']}/").json()
    assert polled["state"] == "failed"
    assert [e["row"] for e in polled["errors"]] == [3]
    assert "not a member" in polled["errors"][0]["message"]
    assert not Application.objects.filter(group_trip=group).exists()


def test_import_refuses_bad_files_with_a_400(tree, group, settings):
    api = client_for(tree, "organizer_a1")
    before = snapshot()
    for content, name in (
        (PDF, "roster.xlsx"),
        (b"name,id\n", "roster.csv"),
        (b"PK\x03\x04not really a zip", "roster.xlsx"),
        (b"", "empty.xlsx"),
    ):
        response = upload(api, group, content, name)
        assert response.status_code == 400, (name, response.content)
    big = b"PK\x03\x04" + b"0" * (2 * 1024 * 1024 + 1)
    response = upload(api, group, big)
    assert response.status_code == 400
    assert "limit" in str(response.json())
    assert api.post(path(group, "import/"), {}, format="multipart").status_code == 400
    assert api.post(path(group, "import/"), {"file": "abc"}, format="json").status_code == 400
    assert snapshot() == before


def test_import_and_its_report_for_every_role(tree, group, django_capture_on_commit_callbacks):
    member = member_with_id(tree.union_a1, 5)
    content = xlsx([[member.real_name, member.id_number]]).read()
    each_role(
        tree,
        roles(404, organizer_a1=202, admin=403, **STAFF_SEE),
        lambda api, _: upload(api, group, content),
    )
    job = RosterImport.objects.get()
    each_role(
        tree,
        roles(404, organizer_a1=200, admin=200),
        lambda api, _: api.get(f"/api/v1/roster-imports/{job.pk}/"),
    )
    for pk in ("abc", "0", "99999999999999999999999"):
        assert client_for(tree, "admin").get(f"/api/v1/roster-imports/{pk}/").status_code == 404


def test_template_download(tree):
    response = client_for(tree, "organizer_a1").get("/api/v1/roster-imports/template/")
    assert response.status_code == 200
    assert response.content[:4] == b"PK\x03\x04"
    assert "attachment" in response["Content-Disposition"]
    assert client_for(tree, "anonymous").get("/api/v1/roster-imports/template/").status_code == 401


# --- Misc ------------------------------------------------------------------------------------------


def test_a_user_without_a_role_sees_no_group_trips(tree, group):
    api = client_for(tree, "anonymous")
    api.force_authenticate(UserFactory())
    assert api.get(URL).json()["count"] == 0
    assert api.get(path(group)).status_code == 404


def test_very_long_file_names_are_refused_or_stored_whole(tree, group):
    api = client_for(tree, "organizer_a1")
    content = xlsx([["某人", "110101199003071234"]]).read()
    response = upload(api, group, content, name="名" * 145 + ".xlsx")
    assert response.status_code == 202
    assert RosterImport.objects.get().filename.endswith(".xlsx")
    before = snapshot()
    assert upload(api, group, content, name="x" * 200 + ".xlsx").status_code == 400
    assert snapshot() == before


def test_an_entrusted_agency_records_attendance(tree, trip, group):
    from tests.applications.api_support import depart

    member = apply_to_group(tree, group)
    app = Application.objects.get(worker=member)
    services.application_endorse(application=app, by=None)
    services.application_approve(application=app, by=None)
    depart(trip.batch)
    url = f"/api/v1/applications/{app.pk}/attendance/"
    agency = client_for(tree, "agency")
    assert agency.post(url, {"attended": True}, format="json").status_code == 404
    services.group_trip_entrust(group_trip=group, agency=tree.agency, by=None)
    response = agency.post(url, {"attended": True}, format="json")
    assert response.status_code == 200
    assert response.json()["status"] == "completed"
