"""Organizers' pages over HTTP: the union's applications and members, group trips (wizard,
roster, joint-group invitations, agency), roster import, the open-seats board, attendance and
settlement — each with the same-role outsider (organizer B1) refused.

Pages are read in English (the language cookie) so the assertions do not depend on the
translation catalogue.
"""

from __future__ import annotations

from datetime import timedelta
from io import BytesIO

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook, load_workbook

from applications import services
from applications.models import (
    Application,
    GroupParticipant,
    GroupTrip,
    ParticipantStatus,
    RosterImport,
    Settlement,
    Status,
)
from bases.models import Batch
from tests.applications.conftest import fund
from tests.bases.factories import BatchFactory
from tests.factories import valid_id_number
from tests.funds.conftest import make_policy

pytestmark = pytest.mark.django_db


@pytest.fixture
def en(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


@pytest.fixture
def private(settings, tmp_path):
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"
    return settings.PRIVATE_MEDIA_ROOT


def as_user(client, tree, role: str):
    client.force_login(tree.user(role))
    return client


def html(response) -> str:
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def submit(worker, batch, **kwargs) -> Application:
    return services.application_submit(worker=worker, batch=batch, by=None, **kwargs)


def group_of(tree, trip, *, seats: int = 5, joint: bool = True, union=None) -> GroupTrip:
    return services.group_trip_create(
        batch=trip.batch, organizer=union or tree.union_a1, seats=seats, by=None, joint=joint
    )


def status_of(application: Application) -> str:
    application.refresh_from_db()
    return application.status


# --- The union's applications ---------------------------------------------------------------------


def test_union_page_lists_the_unions_own_applications_with_filters(
    en, tree, trip, worker_a1, make_worker
):
    mine = submit(worker_a1, trip.batch)
    other = submit(make_worker(real_name="王五"), trip.batch)
    services.application_endorse(application=other, by=None)
    submit(tree.user("worker_b1").worker, trip.batch)
    client = as_user(en, tree, "organizer_a1")
    page = html(client.get("/applications/union/"))
    assert "张三" in page and "王五" in page and "李四" not in page
    assert "1 application waits for your endorsement." in page
    assert f'name="ids" value="{mine.pk}"' in page
    assert f'name="ids" value="{other.pk}"' not in page  # endorsed already
    page = html(client.get("/applications/union/", {"status": "endorsed"}))
    assert "王五" in page and "张三" not in page
    page = html(client.get("/applications/union/", {"batch": trip.batch.pk + 999}))
    assert "No application matches." in page
    page = html(client.get("/applications/union/", {"status": "bogus", "batch": "x"}))
    assert "张三" in page  # an invalid filter is ignored, not an error


def test_organizer_endorses_one_application_and_many_at_once(
    en, tree, trip, worker_a1, make_worker
):
    one = submit(worker_a1, trip.batch)
    two, three = (submit(make_worker(), trip.batch) for _ in range(2))
    foreign = submit(tree.user("worker_b1").worker, trip.batch)
    client = as_user(en, tree, "organizer_a1")
    response = client.post(f"/applications/{one.pk}/endorse/", {"next": "/applications/union/"})
    assert response["Location"] == "/applications/union/"
    assert status_of(one) == Status.ENDORSED
    response = client.post(
        "/applications/union/endorse/",
        {"ids": [one.pk, two.pk, three.pk, foreign.pk, "abc"], "next": "/applications/union/"},
        follow=True,
    )
    page = html(response)
    assert "2 applications endorsed." in page
    assert f"Application {foreign.pk} is not one of your union" in page
    assert "cannot become" in page  # the one endorsed already: the workflow says why
    assert [status_of(a) for a in (two, three, foreign)] == ["endorsed", "endorsed", "submitted"]


def test_organizer_rejects_with_a_reason_and_not_without(en, tree, trip, worker_a1):
    app = submit(worker_a1, trip.batch)
    client = as_user(en, tree, "organizer_a1")
    page = html(client.post(f"/applications/{app.pk}/reject/", {"reason": " "}, follow=True))
    assert "Reason" in page and status_of(app) == Status.SUBMITTED
    client.post(f"/applications/{app.pk}/reject/", {"reason": "会员资格待核实"})
    assert status_of(app) == Status.REJECTED
    trip.batch.refresh_from_db()
    assert trip.batch.seats_held == 0
    page = html(as_user(en, tree, "worker_a1").get(f"/applications/{app.pk}/"))
    assert "Rejected" in page and "会员资格待核实" in page


def test_the_application_page_offers_the_organizer_endorse_and_reject(en, tree, trip, worker_a1):
    app = submit(worker_a1, trip.batch)
    page = html(as_user(en, tree, "organizer_a1").get(f"/applications/{app.pk}/"))
    assert f"/applications/{app.pk}/endorse/" in page
    assert f"/applications/{app.pk}/reject/" in page
    assert "Withdraw this application" in page


def test_another_unions_organizer_cannot_see_or_act_on_an_application(
    client, tree, trip, worker_a1
):
    app = submit(worker_a1, trip.batch)
    client = as_user(client, tree, "organizer_b1")
    for path in ("", "endorse/", "reject/", "withdraw/", "attendance/"):
        method = client.get if not path else client.post
        assert method(f"/applications/{app.pk}/{path}", {"reason": "x"}).status_code == 404
    assert status_of(app) == Status.SUBMITTED
    assert "张三" not in html(client.get("/applications/union/"))


def test_union_pages_are_for_organizers(client, tree):
    for role in ("worker_a1", "county_a_staff", "agency", "admin"):
        as_user(client, tree, role)
        for path in ("/applications/union/", "/applications/members/"):
            assert client.get(path).status_code == 403, (role, path)
        assert client.post("/applications/union/endorse/").status_code == 403


@pytest.mark.dates  # crossed New Year once
def test_members_page_shows_eligibility_this_year_and_the_last_trip(
    en, tree, trip, worker_a1, make_worker
):
    this_year = trip.today.year
    make_policy(this_year)
    fund(tree.county_a, this_year)
    start = trip.today - timedelta(days=3)
    if start.year != this_year:  # early January: this year's trip is still ahead
        start = trip.today + timedelta(days=3)
    past = BatchFactory(itinerary=trip.itinerary, start_date=start, capacity=5)
    went = submit(worker_a1, past, today=trip.today - timedelta(days=30))
    services.application_endorse(application=went, by=None, today=trip.today - timedelta(days=20))
    services.application_approve(application=went, by=None, today=trip.today - timedelta(days=20))
    make_worker(real_name="欠费会员", in_good_standing=False)
    make_worker(real_name="新会员")
    make_worker(union=tree.union_b1, real_name="乙单位会员")
    page = html(as_user(en, tree, "organizer_a1").get("/applications/members/"))
    assert "乙单位会员" not in page
    row = page[page.index("张三") :].split("</tr>")[0]
    assert "Subsidised trip used" in row and past.start_date.isoformat() in row
    assert "The policy allows 1 subsidised trip a year" in row
    row = page[page.index("欠费会员") :].split("</tr>")[0]
    assert "Membership not in good standing." in row and "Never been" in row
    row = page[page.index("新会员") :].split("</tr>")[0]
    assert "Yes" in row and "No trip yet" in row
    assert "新会员" in html(as_user(en, tree, "organizer_a1").get("/applications/members/?q=新"))


# --- Group trips: the wizard ---------------------------------------------------------------------


def test_the_wizard_finds_a_batch_and_holds_a_block_of_seats(en, tree, trip):
    client = as_user(en, tree, "organizer_a1")
    page = html(client.get("/applications/groups/new/", {"q": "森林"}))
    assert "森林康养五日" in page and f'href="?batch={trip.batch.pk}"' in page
    assert "森林康养五日" not in html(client.get("/applications/groups/new/", {"county": "CB"}))
    page = html(client.get("/applications/groups/new/", {"batch": trip.batch.pk}))
    assert 'name="seats"' in page and "甲县森林基地" in page and tree.agency.name in page
    response = client.post(
        "/applications/groups/new/",
        {
            "batch": trip.batch.pk,
            "seats": "6",
            "title": "甲一工会森林团",
            "joint": "on",
            "agency": tree.agency.pk,
        },
    )
    group = GroupTrip.objects.get()
    assert response["Location"] == f"/applications/groups/{group.pk}/"
    assert (group.title, group.seats, group.joint, group.organizer, group.agency) == (
        "甲一工会森林团",
        6,
        True,
        tree.union_a1,
        tree.agency,
    )
    trip.batch.refresh_from_db()
    assert trip.batch.seats_held == 6
    page = html(client.get(response["Location"]))
    assert "Group trip created" in page and "0 / 6" in page


def test_the_wizard_refuses_a_block_larger_than_the_seats_left(en, tree, trip):
    client = as_user(en, tree, "organizer_a1")
    page = html(client.post("/applications/groups/new/", {"batch": trip.batch.pk, "seats": "31"}))
    assert "Only 30 seats are left on this batch." in page
    page = html(client.post("/applications/groups/new/", {"batch": trip.batch.pk, "seats": "0"}))
    assert "is-invalid" in page
    assert not GroupTrip.objects.exists()
    assert client.get("/applications/groups/new/", {"batch": "x"}).status_code == 404
    assert as_user(client, tree, "worker_a1").get("/applications/groups/new/").status_code == 403


# --- Group trips: the roster ------------------------------------------------------------------


def test_the_organizer_builds_endorses_and_trims_the_roster(en, tree, trip, worker_a1, make_worker):
    group = group_of(tree, trip, joint=False)
    other = make_worker(real_name="王五")
    client = as_user(en, tree, "organizer_a1")
    url = f"/applications/groups/{group.pk}/"
    page = html(client.get(url, {"member_q": "王"}))
    assert "王五" in page and "张三" not in page.split("Add members of my union")[1]
    for worker in (worker_a1, other):
        client.post(f"{url}members/add/", {"worker": worker.pk})
    # A worker of another union is no choice: nothing is added.
    page = html(
        client.post(f"{url}members/add/", {"worker": tree.user("worker_b1").worker.pk}, follow=True)
    )
    assert "Choose a member of your union who is not on the roster." in page
    roster = {a.worker.real_name: a for a in Application.objects.filter(group_trip=group)}
    assert set(roster) == {"张三", "王五"}
    assert all(a.status == Status.SUBMITTED for a in roster.values())
    page = html(client.get(url))
    assert "2 / 5" in page and "Endorse my union" in page
    page = html(client.post(f"{url}endorse/", follow=True))
    assert "2 members endorsed." in page
    assert status_of(roster["王五"]) == Status.ENDORSED
    client.post(f"{url}members/{roster['王五'].pk}/remove/")
    assert status_of(roster["王五"]) == Status.WITHDRAWN
    trip.batch.refresh_from_db()
    assert trip.batch.seats_held == 5  # the seat stays in the group's block


def test_resize_and_cancel_a_group_trip(en, tree, trip, worker_a1):
    group = group_of(tree, trip)
    services.roster_add(group_trip=group, worker=worker_a1, union=tree.union_a1, by=None)
    client = as_user(en, tree, "organizer_a1")
    url = f"/applications/groups/{group.pk}/"
    page = html(client.post(f"{url}resize/", {"seats": "0"}, follow=True))
    assert "Seats in the block" in page  # the field's error as a message
    client.post(f"{url}resize/", {"seats": "8"})
    group.refresh_from_db()
    trip.batch.refresh_from_db()
    assert group.seats == 8 and trip.batch.seats_held == 8
    page = html(client.post(f"{url}cancel/", {"reason": ""}, follow=True))
    assert group.cancelled_at is None
    client.post(f"{url}cancel/", {"reason": "行程调整"})
    group.refresh_from_db()
    trip.batch.refresh_from_db()
    assert group.cancelled_at is not None and trip.batch.seats_held == 0
    assert Application.objects.get(group_trip=group).status == Status.WITHDRAWN
    assert "Cancelled" in html(client.get(url))


def test_a_joint_group_invites_a_union_which_adds_its_own_members(en, tree, trip, worker_a1):
    group = group_of(tree, trip)
    lead = as_user(en, tree, "organizer_a1")
    url = f"/applications/groups/{group.pk}/"
    page = html(lead.get(url, {"union_q": "B1"}))
    assert "乙一工会" in page
    assert "No other grassroots union matches." in html(lead.get(url, {"union_q": "CA"}))
    lead.post(f"{url}invite/", {"union": "B1"})
    lead.post(f"{url}invite/", {"union": "CA"})  # a county is no union to invite
    assert [p.union.code for p in GroupParticipant.objects.filter(lead=False)] == ["B1"]

    from django.test import Client

    guest = Client()
    guest.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    guest.force_login(tree.user("organizer_b1"))
    page = html(guest.get("/applications/groups/"))
    assert "Invitations to joint groups" in page and group.title in page
    assert "invites your union to this joint group" in html(guest.get(url))
    assert guest.post(f"{url}members/add/", {"worker": 1}).status_code == 403  # not joined yet
    guest.post(f"{url}respond/", {"accept": "1"})
    participant = GroupParticipant.objects.get(union=tree.union_b1)
    assert participant.status == ParticipantStatus.JOINED
    # The invited union adds its own member, and only its own.
    worker_b1 = tree.user("worker_b1").worker
    guest.post(f"{url}members/add/", {"worker": worker_b1.pk})
    guest.post(f"{url}members/add/", {"worker": worker_a1.pk})
    assert [a.worker for a in Application.objects.filter(group_trip=group)] == [worker_b1]
    lead.post(f"{url}members/add/", {"worker": worker_a1.pk})
    page = html(lead.get(url))
    assert "张三" in page and "李四" in page and "乙一工会" in page
    # The guest union manages nothing of the group and cannot take the lead's member off.
    lead_member = Application.objects.get(group_trip=group, worker=worker_a1)
    assert guest.post(f"{url}resize/", {"seats": "9"}).status_code == 403
    assert guest.post(f"{url}invite/", {"union": "A2"}).status_code == 403
    assert guest.post(f"{url}members/{lead_member.pk}/remove/").status_code == 403
    page = html(guest.get(url))
    assert "Endorse my union" in page
    guest.post(f"{url}endorse/")
    assert status_of(lead_member) == Status.SUBMITTED
    assert Application.objects.get(worker=worker_b1).status == Status.ENDORSED


def test_a_declined_invitation_leaves_the_union_out(en, tree, trip):
    group = group_of(tree, trip)
    services.group_invite(group_trip=group, union=tree.union_b1, by=None)
    client = as_user(en, tree, "organizer_b1")
    response = client.post(f"/applications/groups/{group.pk}/respond/", {"accept": "0"})
    assert response["Location"] == "/applications/groups/"
    assert GroupParticipant.objects.get(union=tree.union_b1).status == ParticipantStatus.DECLINED
    assert (
        client.post(f"/applications/groups/{group.pk}/respond/", {"accept": "1"}).status_code == 403
    )


def test_another_unions_organizer_does_not_see_a_group_it_is_not_part_of(client, tree, trip):
    group = group_of(tree, trip, joint=False)
    client = as_user(client, tree, "organizer_b1")
    base = f"/applications/groups/{group.pk}/"
    for path in ("", "import/", "import/template/", "settlement/"):
        assert client.get(base + path).status_code == 404, path
    for path in (
        "members/add/",
        "endorse/",
        "resize/",
        "invite/",
        "entrust/",
        "cancel/",
        "respond/",
        "join/",
    ):
        assert client.post(base + path, {"seats": "9", "reason": "x"}).status_code == 404, path
    group.refresh_from_db()
    assert group.seats == 5 and group.cancelled_at is None
    assert group.title not in html(client.get("/applications/groups/"))


def test_entrusting_an_agency_gives_it_the_roster_and_settlement_and_revoking_takes_them(
    en, tree, trip, worker_a1
):
    group = group_of(tree, trip)
    lead = as_user(en, tree, "organizer_a1")
    url = f"/applications/groups/{group.pk}/"
    from django.test import Client

    agency = Client()
    agency.force_login(tree.user("agency"))
    assert agency.get(url).status_code == 404
    lead.post(f"{url}entrust/", {"agency": tree.agency.pk})
    group.refresh_from_db()
    assert group.agency == tree.agency
    assert agency.get(url).status_code == 200
    assert agency.get(f"{url}settlement/").status_code == 200
    assert agency.post(f"{url}resize/", {"seats": "9"}).status_code == 403
    assert agency.get(f"{url}import/").status_code == 403
    lead.post(f"{url}entrust/", {"agency": tree.union_b1.pk})  # not an agency: no choice
    group.refresh_from_db()
    assert group.agency == tree.agency
    lead.post(f"{url}entrust/", {"agency": ""})
    group.refresh_from_db()
    assert group.agency is None
    assert agency.get(url).status_code == 404


# --- Roster import ------------------------------------------------------------------------------


def xlsx(rows: list[tuple]) -> SimpleUploadedFile:
    book = Workbook()
    sheet = book.active
    sheet.append(["姓名", "身份证号", "手机号"])
    for row in rows:
        sheet.append(list(row))
    out = BytesIO()
    book.save(out)
    return SimpleUploadedFile(
        "名单.xlsx",
        out.getvalue(),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )


@pytest.fixture
def members(tree, make_worker, trip):
    born = trip.today.replace(year=trip.today.year - 40, day=1)
    return [
        make_worker(real_name=name, id_number=valid_id_number(born, seq))
        for seq, name in enumerate(["赵一", "钱二"], start=1)
    ]


def upload(client, group, file, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        return client.post(f"/applications/groups/{group.pk}/import/", {"file": file})


def test_the_roster_template_downloads_as_an_xlsx(en, tree, trip):
    group = group_of(tree, trip)
    response = as_user(en, tree, "organizer_a1").get(
        f"/applications/groups/{group.pk}/import/template/"
    )
    assert response.status_code == 200
    assert response["Content-Type"].startswith(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    assert response["Content-Disposition"].startswith("attachment;")
    assert ".xlsx" in response["Content-Disposition"]
    sheet = load_workbook(BytesIO(response.content)).active
    assert sheet["B1"].value == "ID card number"


def test_a_good_file_puts_every_member_on_the_roster(
    en, tree, trip, members, private, django_capture_on_commit_callbacks
):
    group = group_of(tree, trip)
    client = as_user(en, tree, "organizer_a1")
    file = xlsx([(m.real_name, m.id_number, "") for m in members])
    response = upload(client, group, file, django_capture_on_commit_callbacks)
    job = RosterImport.objects.get()
    assert response["Location"] == f"/applications/groups/{group.pk}/import/{job.pk}/"
    page = html(client.get(response["Location"]))
    assert "2 members were added to the roster." in page
    assert {a.worker for a in Application.objects.filter(group_trip=group)} == set(members)
    status = client.get(f"/applications/groups/{group.pk}/import/{job.pk}/status/").json()
    assert status == {
        "state": "done",
        "label": "Imported",
        "done_rows": 2,
        "total_rows": 2,
        "percent": 100,
        "added": 2,
        "errors": 0,
        "finished": True,
    }
    assert job.filename in html(client.get(f"/applications/groups/{group.pk}/import/"))


def test_bad_rows_add_nobody_and_are_reported_row_by_row(
    en, tree, trip, members, private, django_capture_on_commit_callbacks
):
    group = group_of(tree, trip)
    worker_b1 = tree.user("worker_b1").worker
    worker_b1.id_number = valid_id_number(worker_b1.birth_date, 77)
    worker_b1.save()
    rows = [
        (members[0].real_name, members[0].id_number, ""),  # row 2: fine
        ("无此人", valid_id_number(worker_b1.birth_date, 99), ""),  # row 3: unknown
        (worker_b1.real_name, worker_b1.id_number, ""),  # row 4: another union's member
        ("错名", members[1].id_number, ""),  # row 5: name does not match
    ]
    client = as_user(en, tree, "organizer_a1")
    response = upload(client, group, xlsx(rows), django_capture_on_commit_callbacks)
    page = html(client.get(response["Location"]))
    assert "Nothing was imported." in page
    report = page[page.index("<tbody>") :]
    assert "No member with this ID card number is registered." in report
    assert "李四 is not a member of 甲一工会." in report
    assert "The name does not match" in report
    assert [f'data-label="Row" class="text-nowrap">{n}<' in report for n in (3, 4, 5)] == [True] * 3
    assert 'class="text-nowrap">2<' not in report
    assert not Application.objects.exists()
    assert RosterImport.objects.get().state == RosterImport.State.FAILED


def test_a_file_that_is_not_xlsx_is_refused_with_a_message(en, tree, trip, private):
    group = group_of(tree, trip)
    client = as_user(en, tree, "organizer_a1")
    fake = SimpleUploadedFile("名单.xlsx", b"name,id\n", content_type="text/csv")
    page = html(client.post(f"/applications/groups/{group.pk}/import/", {"file": fake}))
    assert "This is not an Excel .xlsx file" in page
    assert not RosterImport.objects.exists()
    page = html(client.post(f"/applications/groups/{group.pk}/import/", {}))
    assert "is-invalid" in page


def test_an_import_in_progress_shows_its_progress_and_polls_its_status(en, tree, trip):
    group = group_of(tree, trip)
    job = RosterImport.objects.create(
        group_trip=group,
        union=tree.union_a1,
        file="rosters/x.xlsx",
        filename="x.xlsx",
        state=RosterImport.State.RUNNING,
        total_rows=200,
        done_rows=50,
    )
    client = as_user(en, tree, "organizer_a1")
    url = f"/applications/groups/{group.pk}/import/{job.pk}/"
    page = html(client.get(url))
    assert "50 / 200" in page and 'style="width: 25%"' in page
    assert f'"{url}status/"' in page and "fetch(" in page and 'http-equiv="refresh"' in page
    assert client.get(f"{url}status/").json()["percent"] == 25
    # Another union taking part in the group does not see this union's upload.
    services.group_invite(group_trip=group, union=tree.union_b1, by=None)
    services.group_respond(
        participant=GroupParticipant.objects.get(union=tree.union_b1), accept=True, by=None
    )
    other = as_user(en, tree, "organizer_b1")
    assert other.get(url).status_code == 404
    assert other.get(f"{url}status/").status_code == 404


# --- The open-seats board --------------------------------------------------------------------------


def test_the_board_lists_joint_groups_with_open_seats_and_an_organizer_joins(en, tree, trip):
    joint = group_of(tree, trip, joint=True)
    group_of(tree, trip, joint=False, union=tree.union_a2)
    page = html(en.get("/applications/groups/board/"))  # anyone may read it
    assert joint.title in page and "5 open seats" in page
    assert page.count('class="card h-100"') == 1  # the non-joint group is not listed
    assert "/join/" not in page
    page = html(as_user(en, tree, "organizer_a1").get("/applications/groups/board/"))
    assert f"/applications/groups/{joint.pk}/join/" not in page  # its own group
    client = as_user(en, tree, "organizer_b1")
    page = html(client.get("/applications/groups/board/"))
    assert f"/applications/groups/{joint.pk}/join/" in page
    response = client.post(f"/applications/groups/{joint.pk}/join/")
    assert response["Location"] == f"/applications/groups/{joint.pk}/"
    assert GroupParticipant.objects.get(union=tree.union_b1).status == ParticipantStatus.JOINED
    page = html(client.get("/applications/groups/board/"))
    assert f"/applications/groups/{joint.pk}/join/" not in page
    page = html(client.post(f"/applications/groups/{joint.pk}/join/", follow=True))
    assert "already takes part" in page
    assert (
        as_user(en, tree, "worker_a1").post(f"/applications/groups/{joint.pk}/join/").status_code
        == 403
    )


def test_a_full_or_closed_joint_group_is_not_on_the_board(en, tree, trip, make_worker):
    joint = group_of(tree, trip, seats=1)
    services.roster_add(group_trip=joint, worker=make_worker(), union=tree.union_a1, by=None)
    assert joint.title not in html(en.get("/applications/groups/board/"))
    client = as_user(en, tree, "organizer_b1")
    assert client.post(f"/applications/groups/{joint.pk}/join/").status_code == 404
    assert not GroupParticipant.objects.filter(union=tree.union_b1).exists()


# --- After the trip: attendance and settlement -------------------------------------------------


@pytest.fixture
def departed(tree, trip, worker_a1, make_worker):
    """A joint group whose trip started yesterday, with two approved members of union A1."""
    batch = BatchFactory(itinerary=trip.itinerary, start_date=trip.today - timedelta(days=1))
    make_policy(batch.start_date.year)
    fund(tree.county_a, batch.start_date.year)
    before = trip.today - timedelta(days=20)
    group = services.group_trip_create(
        batch=batch, organizer=tree.union_a1, seats=4, by=None, joint=True, today=before
    )
    for worker in (worker_a1, make_worker(real_name="王五")):
        app = services.roster_add(
            group_trip=group, worker=worker, union=tree.union_a1, by=None, today=before
        )
        services.application_endorse(application=app, by=None, today=before)
        services.application_approve(application=app, by=None, today=before)
    return group


def test_attendance_then_settlement_with_the_invoice(en, tree, departed, private):
    client = as_user(en, tree, "organizer_a1")
    url = f"/applications/groups/{departed.pk}/settlement/"
    apps = {a.worker.real_name: a for a in Application.objects.filter(group_trip=departed)}
    page = html(client.get(url))
    assert page.count("attendance/") >= 2 and "Record attendance first" in page
    attend = f"/applications/groups/{departed.pk}/attendance/"
    client.post(attend, {"application": apps["张三"].pk, "attended": "1"})
    client.post(attend, {"application": apps["王五"].pk, "attended": "0"})
    assert status_of(apps["张三"]) == Status.COMPLETED
    assert status_of(apps["王五"]) == Status.NO_SHOW
    page = html(client.get(url))
    assert (
        f'value="{apps["张三"].pk}"' in page
        and f'value="{apps["王五"].pk}"' not in page.split("Submit the settlement")[1]
    )
    bad = SimpleUploadedFile("invoice.txt", b"not an invoice", content_type="text/plain")
    page = html(
        client.post(
            url, {"applications": [apps["张三"].pk], "invoice": bad, "invoice_amount": "2000"}
        )
    )
    assert "The invoice must be a PDF file" in page and not Settlement.objects.exists()
    pdf = SimpleUploadedFile("invoice.pdf", b"%PDF-1.4\n%test\n", content_type="application/pdf")
    response = client.post(
        url, {"applications": [apps["张三"].pk], "invoice": pdf, "invoice_amount": "2000.00"}
    )
    assert response.status_code == 302
    settlement = Settlement.objects.get()
    assert settlement.invoice_amount_fen == 200_000 and settlement.group_trip == departed
    assert list(settlement.applications.all()) == [apps["张三"]]
    page = html(client.get(url))
    assert "Settlement submitted for 1 participant" in page and "¥2,000.00" in page


def test_attendance_is_refused_before_departure_and_for_another_groups_member(
    en, tree, trip, worker_a1, departed, make_worker
):
    upcoming = group_of(tree, trip)
    member = services.roster_add(
        group_trip=upcoming, worker=make_worker(), union=tree.union_a1, by=None
    )
    client = as_user(en, tree, "organizer_a1")
    page = html(client.get(f"/applications/groups/{upcoming.pk}/settlement/"))
    assert "Attendance is recorded once the trip has started" in page
    attend = f"/applications/groups/{departed.pk}/attendance/"
    assert client.post(attend, {"application": member.pk, "attended": "1"}).status_code == 404
    page = html(
        client.post(
            f"/applications/groups/{upcoming.pk}/attendance/",
            {"application": member.pk, "attended": "1"},
            follow=True,
        )
    )
    assert "cannot become" in page
    assert status_of(member) == Status.SUBMITTED


def test_the_agency_records_attendance_and_settles_an_entrusted_trip(en, tree, departed, private):
    services.group_trip_entrust(group_trip=departed, agency=tree.agency, by=None)
    client = as_user(en, tree, "agency")
    app = Application.objects.filter(group_trip=departed).first()
    client.post(
        f"/applications/groups/{departed.pk}/attendance/",
        {"application": app.pk, "attended": "1"},
    )
    assert status_of(app) == Status.COMPLETED
    assert (
        as_user(en, tree, "organizer_b1")
        .get(f"/applications/groups/{departed.pk}/settlement/")
        .status_code
        == 404
    )


def test_the_lead_of_a_joint_group_records_a_guest_unions_members(en, tree, trip, departed):
    services.group_invite(group_trip=departed, union=tree.union_b1, by=None)
    services.group_respond(
        participant=GroupParticipant.objects.get(union=tree.union_b1), accept=True, by=None
    )
    before = trip.today - timedelta(days=20)
    Batch.objects.filter(pk=departed.batch_id).update(signup_deadline=before)
    guest = services.roster_add(
        group_trip=departed,
        worker=tree.user("worker_b1").worker,
        union=tree.union_b1,
        by=None,
        today=before - timedelta(days=1),
    )
    services.application_endorse(application=guest, by=None, today=before)
    fund(tree.county_b, departed.batch.start_date.year)
    services.application_approve(application=guest, by=None, today=before)
    as_user(en, tree, "organizer_a1").post(
        f"/applications/groups/{departed.pk}/attendance/",
        {"application": guest.pk, "attended": "1"},
    )
    assert status_of(guest) == Status.COMPLETED


GARBAGE = ["", "abc", "-1", "0", "1e9", str(2**70), "<script>", "１２"]


def test_bad_input_is_a_message_never_a_server_error(
    en, tree, trip, departed, private, make_worker
):
    group = group_of(tree, trip)
    member = services.roster_add(
        group_trip=group, worker=make_worker(), union=tree.union_a1, by=None
    )
    client = as_user(en, tree, "organizer_a1")
    posts = {
        f"/applications/{member.pk}/withdraw/": ["reason"],
        f"/applications/{member.pk}/reject/": ["reason"],
        f"/applications/{member.pk}/attendance/": ["attended"],
        "/applications/union/endorse/": ["ids", "next"],
        f"/applications/groups/{group.pk}/members/add/": ["worker"],
        f"/applications/groups/{group.pk}/resize/": ["seats"],
        f"/applications/groups/{group.pk}/invite/": ["union"],
        f"/applications/groups/{group.pk}/entrust/": ["agency"],
        f"/applications/groups/{group.pk}/respond/": ["accept"],
        f"/applications/groups/{departed.pk}/attendance/": ["application", "attended"],
        f"/applications/groups/{departed.pk}/settlement/": ["applications", "invoice_amount"],
        "/applications/groups/new/": ["batch", "seats"],
    }
    for path, fields in posts.items():
        for value in GARBAGE:
            response = client.post(path, dict.fromkeys(fields, value))
            assert response.status_code < 500, (path, value)
    for value in GARBAGE:
        for path in ("/applications/union/", "/applications/groups/new/"):
            for key in ("status", "batch", "county", "start_after", "page", "q"):
                assert client.get(path, {key: value}).status_code < 500, (path, key, value)
        assert client.get("/applications/members/", {"q": value, "page": value}).status_code == 200
        assert (
            client.get(
                f"/applications/groups/{group.pk}/", {"member_q": value, "union_q": value}
            ).status_code
            == 200
        )
