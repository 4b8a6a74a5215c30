"""Base operators' rosters (with attendance and export) and agencies' entrusted trips over HTTP,
for the roles that use them and for same-role outsiders (another operator, another agency)."""

from __future__ import annotations

import re
from io import BytesIO

import pytest
from openpyxl import load_workbook

from accounts.models import OrgKind, Role
from applications import services
from applications.models import Application, Status
from funds.selectors import utilization
from tests.applications import staff_pages as build
from tests.bases.factories import BaseFactory, BatchFactory, ItineraryFactory
from tests.dates import years_ago
from tests.factories import OrganizationFactory, UserFactory, valid_id_number

pytestmark = pytest.mark.django_db

PHONE = "13812345678"


def login(client, user):
    client.force_login(user)
    return client


def other_operator(tree):
    """A second base operator (same role, another base, also in county A)."""
    org = OrganizationFactory(
        code="OPA2", name="另一基地公司", kind=OrgKind.BASE_OPERATOR, parent=tree.county_a
    )
    base = BaseFactory(name="另一基地", county=tree.county_a, operator=org)
    batch = BatchFactory(itinerary=ItineraryFactory(base=base, title="另一线路"))
    return UserFactory(username="op2", role=Role.BASE_OPERATOR, org=org), batch


def messages_after(client, response) -> list[str]:
    assert response.status_code == 302
    return [str(m) for m in client.get(response["Location"]).context["messages"]]


# --- Rosters ---------------------------------------------------------------------------------


def test_operator_lists_upcoming_batches_of_its_bases_with_counts(client, tree):
    trip = build.build_trip(tree, capacity=2)
    for _ in range(3):
        build.submitted(tree, trip.batch)
    _user, foreign = other_operator(tree)
    response = login(client, tree.user("operator")).get("/applications/rosters/")
    assert response.status_code == 200
    [batch] = list(response.context["page"])
    assert batch.pk == trip.batch.pk and batch.holders == 2 and batch.waiting == 1
    html = response.content.decode()
    assert trip.itinerary.title in html and "另一线路" not in html
    assert f"/applications/rosters/{trip.batch.pk}/" in html
    assert f"/applications/rosters/{foreign.pk}/" not in html


def test_roster_shows_seat_holders_with_masked_phone_and_id(client, tree):
    trip = build.build_trip(tree)
    born = years_ago(41)
    id_number = valid_id_number(born, 7)
    holder = build.submitted(
        tree, trip.batch, real_name="名单人", phone=PHONE, birth_date=born, id_number=id_number
    )
    waiting_elsewhere = build.submitted(tree, build.build_trip(tree, title="别的").batch)
    withdrawn = build.submitted(tree, trip.batch, real_name="已退出")
    services.application_withdraw(application=withdrawn, by=None)
    response = login(client, tree.user("operator")).get(f"/applications/rosters/{trip.batch.pk}/")
    assert response.status_code == 200
    assert [a.pk for a in response.context["rows"]] == [holder.pk]
    assert waiting_elsewhere.pk not in [a.pk for a in response.context["rows"]]
    html = response.content.decode()
    assert "名单人" in html and "甲一工会" in html and "已退出" not in html
    assert PHONE not in html and id_number not in html
    assert holder.worker.masked_phone in html and holder.worker.masked_id_number in html
    assert "roster_attendance" not in html and "/attendance/" not in html  # not departed yet


def test_roster_exports_xlsx_with_masked_numbers(client, tree):
    trip = build.build_trip(tree)
    build.submitted(tree, trip.batch, real_name="导出人", phone=PHONE)
    login(client, tree.user("operator"))
    response = client.get(f"/applications/rosters/{trip.batch.pk}/?export=xlsx")
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    rows = list(load_workbook(BytesIO(response.getvalue())).active.iter_rows(values_only=True))
    assert len(rows) == 2 and rows[1][0] == "导出人"
    assert PHONE not in [str(v) for v in rows[1]] and rows[1][2].startswith("138")


def test_operator_of_another_base_sees_no_roster_and_records_nothing(client, tree):
    trip = build.build_trip(tree)
    app = build.approved(tree, trip.batch)
    build.depart(trip.batch)
    operator2, _batch = other_operator(tree)
    login(client, operator2)
    html = client.get("/applications/rosters/").content.decode()
    assert trip.itinerary.title not in html
    assert client.get(f"/applications/rosters/{trip.batch.pk}/").status_code == 403
    assert client.get(f"/applications/rosters/{trip.batch.pk}/?export=xlsx").status_code == 403
    url = f"/applications/rosters/attendance/{app.pk}/"
    assert client.post(url, {"attended": "1"}).status_code == 404
    assert Application.objects.get(pk=app.pk).status == Status.APPROVED


@pytest.mark.dates  # crossed New Year once
def test_attendance_after_departure_records_attended_and_absent(client, tree):
    trip = build.build_trip(tree)
    came = build.approved(tree, trip.batch, real_name="来了")
    absent = build.approved(tree, trip.batch, real_name="没来")
    not_approved = build.endorsed(tree, trip.batch, real_name="未批")
    build.depart(trip.batch)
    login(client, tree.user("operator"))
    html = client.get(f"/applications/rosters/{trip.batch.pk}/").content.decode()
    assert f"/applications/rosters/attendance/{came.pk}/" in html
    assert f"/applications/rosters/attendance/{absent.pk}/" in html
    assert f"/applications/rosters/attendance/{not_approved.pk}/" not in html
    reserved = utilization(org=tree.county_a, year=trip.year).reserved

    response = client.post(f"/applications/rosters/attendance/{came.pk}/", {"attended": "1"})
    assert response["Location"] == f"/applications/rosters/{trip.batch.pk}/"
    assert any("来了" in m for m in messages_after(client, response))
    client.post(f"/applications/rosters/attendance/{absent.pk}/", {"attended": "0"})
    statuses = dict(Application.objects.values_list("pk", "status"))
    assert statuses[came.pk] == Status.COMPLETED and statuses[absent.pk] == Status.NO_SHOW
    after = utilization(org=tree.county_a, year=trip.year).reserved
    assert reserved - after == absent.subsidy_fen  # the absent worker's subsidy is released

    again = client.post(f"/applications/rosters/attendance/{came.pk}/", {"attended": "0"})
    assert messages_after(client, again)  # attended cannot become absent
    assert Application.objects.get(pk=came.pk).status == Status.COMPLETED
    bad = client.post(f"/applications/rosters/attendance/{came.pk}/", {"attended": "maybe"})
    assert messages_after(client, bad)


def test_attendance_before_departure_is_refused_with_a_message(client, tree):
    trip = build.build_trip(tree)
    app = build.approved(tree, trip.batch)
    login(client, tree.user("operator"))
    response = client.post(f"/applications/rosters/attendance/{app.pk}/", {"attended": "1"})
    assert messages_after(client, response)
    assert Application.objects.get(pk=app.pk).status == Status.APPROVED


def test_staff_and_auditors_in_scope_see_rosters_others_do_not(client, tree):
    trip = build.build_trip(tree)
    app = build.approved(tree, trip.batch, real_name="看名单")
    build.depart(trip.batch)
    roster = f"/applications/rosters/{trip.batch.pk}/"
    for role in ("county_a_staff", "city_staff", "auditor", "admin"):
        response = login(client, tree.user(role)).get(roster)
        assert response.status_code == 200 and "看名单" in response.content.decode(), role
        listed = client.get("/applications/rosters/").context["page"]
        assert trip.batch.pk in [b.pk for b in listed], role
    html = login(client, tree.user("auditor")).get(roster).content.decode()
    assert "/attendance/" not in html  # read-only
    url = f"/applications/rosters/attendance/{app.pk}/"
    assert client.post(url, {"attended": "1"}).status_code == 403
    for role in ("county_b_staff", "organizer_a1", "agency", "worker_a1", "outsider"):
        assert login(client, tree.user(role)).get(roster).status_code == 403, role
    login(client, tree.user("county_b_staff"))
    assert client.get("/applications/rosters/").context["page"].paginator.count == 0
    assert client.post(url, {"attended": "1"}).status_code == 404
    assert Application.objects.get(pk=app.pk).status == Status.APPROVED


def test_rosters_list_is_refused_to_roles_without_rosters(client, tree):
    for role in ("organizer_a1", "agency", "worker_a1", "outsider"):
        assert login(client, tree.user(role)).get("/applications/rosters/").status_code == 403


# --- Agencies --------------------------------------------------------------------------------


def group(tree, batch, title: str, agency=None):
    trip = services.group_trip_create(
        batch=batch, organizer=tree.union_a1, seats=5, by=None, title=title
    )
    if agency is not None:
        trip = services.group_trip_entrust(group_trip=trip, agency=agency, by=None)
    return trip


def test_agency_sees_only_trips_entrusted_to_it(client, tree):
    batch = build.build_trip(tree).batch
    agency2 = OrganizationFactory(
        code="AG2", name="第二旅行社", kind=OrgKind.AGENCY, parent=tree.city
    )
    agent2 = UserFactory(username="agency2", role=Role.AGENCY, org=agency2)
    ours = group(tree, batch, "委托给一社", agency=tree.agency)
    theirs = group(tree, batch, "委托给二社", agency=agency2)
    group(tree, batch, "自己组织")
    services.roster_add(group_trip=ours, worker=build.worker(tree), union=tree.union_a1, by=None)

    response = login(client, tree.user("agency")).get("/applications/entrusted/")
    assert response.status_code == 200
    assert [g.pk for g in response.context["page"]] == [ours.pk]
    html = response.content.decode()
    assert "委托给一社" in html and "委托给二社" not in html and "自己组织" not in html
    assert response.context["page"][0].members_count == 1
    assert re.search(r"1\D+5", html)  # 1 of 5 seats filled

    response = login(client, agent2).get("/applications/entrusted/")
    assert [g.pk for g in response.context["page"]] == [theirs.pk]
    assert "委托给一社" not in response.content.decode()


def test_entrusted_trips_link_to_the_group_page_when_it_exists(client, tree):
    from django.urls import NoReverseMatch, reverse

    batch = build.build_trip(tree).batch
    entrusted = group(tree, batch, "有链接", agency=tree.agency)
    html = login(client, tree.user("agency")).get("/applications/entrusted/").content.decode()
    try:
        url = reverse("applications:group_detail", args=[entrusted.pk])
    except NoReverseMatch:  # the group page comes with the organizer's pages
        assert "有链接" in html
    else:
        assert f'href="{url}"' in html


@pytest.mark.parametrize(
    "role", ["city_staff", "county_a_staff", "auditor", "organizer_a1", "operator", "worker_a1"]
)
def test_entrusted_page_is_for_agencies(client, tree, role):
    assert login(client, tree.user(role)).get("/applications/entrusted/").status_code == 403
