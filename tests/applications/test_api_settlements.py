"""``/api/v1/settlements/`` and ``/api/v1/group-trips/{id}/settlement/``: claims with an
invoice after the trip, paid or returned by the staff of the paying federation."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from applications import services
from applications.models import Application, Settlement
from tests.applications.api_support import (
    PDF,
    apply,
    client_for,
    depart,
    each_role,
    private_media,  # noqa: F401 (a fixture)
    roles,
    snapshot,
)
from tests.factories import WorkerFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("private_media")]

URL = "/api/v1/settlements/"


@pytest.fixture
def attended(tree, trip):
    """A group trip of union A1 with six members who attended, and worker_a1 who travelled
    alone and attended too (the trip has started)."""
    group = services.group_trip_create(
        batch=trip.batch, organizer=tree.union_a1, seats=8, by=None, title="结算团"
    )
    members = []
    for _ in range(6):
        worker = WorkerFactory(union=tree.union_a1)
        app = services.roster_add(group_trip=group, worker=worker, union=tree.union_a1, by=None)
        services.application_endorse(application=app, by=None)
        services.application_approve(application=app, by=None)
        members.append(app)
    alone = apply(tree.user("worker_a1").worker, trip.batch, approve=True)
    depart(trip.batch)
    for app in [*members, alone]:
        services.application_attendance(application=app, by=None, attended=True)
    return {"group": group, "members": members, "alone": alone}


def invoice(content: bytes = PDF, name: str = "invoice.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def claim(api, url: str, ids: list[int], amount: str = "800.00", **extra):
    data = {"invoice": invoice(), "invoice_amount": amount, "applications": ids, **extra}
    return api.post(url, data, format="multipart")


def group_url(group) -> str:
    return f"/api/v1/group-trips/{group.pk}/settlement/"


def settle(tree, apps) -> Settlement:
    return services.settlement_submit(
        applications=apps, union=tree.union_a1, invoice=invoice(), invoice_amount=80_000, by=None
    )


# --- Submitting ------------------------------------------------------------------------------------


def test_the_lead_union_settles_a_group_trip(tree, attended):
    group, members = attended["group"], attended["members"]

    def unclaimed():
        return next(m for m in members if not Settlement.objects.filter(applications=m).exists())

    each_role(
        tree,
        roles(
            404,
            organizer_a1=201,
            admin=201,
            city_staff=403,
            county_a_staff=403,
            auditor=403,
            operator=403,
        ),
        lambda api, member: claim(api, group_url(group), [member.pk]),
        make=unclaimed,
    )
    settlement = Settlement.objects.order_by("pk").first()
    assert settlement.group_trip == group
    assert settlement.union == tree.union_a1
    assert settlement.invoice_amount_fen == 80_000


def test_group_settlement_body_and_fields(tree, attended):
    group, members = attended["group"], attended["members"]
    response = claim(
        client_for(tree, "organizer_a1"),
        group_url(group),
        [members[0].pk, members[1].pk],
        amount="1600.00",
        note="发票一张",
    )
    assert response.status_code == 201
    body = response.json()
    assert body["state"] == "submitted"
    assert body["invoice_amount"] == "1600.00"
    assert body["applications"] == sorted([members[0].pk, members[1].pk])
    assert body["group_trip"] == group.pk
    assert body["union"] == "A1"
    assert body["invoice_url"].endswith(f"/api/v1/settlements/{body['id']}/invoice/")


def test_an_entrusted_agency_settles_its_trip(tree, attended):
    group = attended["group"]
    services.group_trip_entrust(group_trip=group, agency=tree.agency, by=None)
    response = claim(client_for(tree, "agency"), group_url(group), [attended["members"][0].pk])
    assert response.status_code == 201
    assert client_for(tree, "agency").get(URL).json()["count"] == 1


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"invoice": "not a file"}, "invoice"),
        ({"invoice_amount": "abc"}, "invoice_amount"),
        ({"invoice_amount": "0"}, "invoice_amount"),
        ({"invoice_amount": "-5"}, "invoice_amount"),
        ({"invoice_amount": "1.234"}, "invoice_amount"),
        ({"invoice_amount": "1e400"}, "invoice_amount"),
        ({"applications": "x"}, "applications"),
        ({"applications": 10**30}, "applications"),
    ],
)
def test_bad_settlement_fields_are_400(tree, attended, change, field):
    data = {
        "invoice": invoice(),
        "invoice_amount": "800.00",
        "applications": [attended["members"][0].pk],
        **change,
    }
    before = snapshot()
    response = client_for(tree, "organizer_a1").post(
        group_url(attended["group"]), data, format="multipart"
    )
    assert response.status_code == 400, response.content
    assert field in response.json()
    assert snapshot() == before


def test_bad_claims_are_400_with_a_message(tree, trip, attended):
    api = client_for(tree, "organizer_a1")
    url = group_url(attended["group"])
    members = attended["members"]
    before = snapshot()
    response = claim(api, url, [attended["alone"].pk])  # not on this group trip
    assert response.status_code == 400
    assert str(attended["alone"].pk) in response.json()["applications"][0]
    response = claim(api, url, [999_999])
    assert response.status_code == 400
    bad_invoice = {
        "invoice": invoice(b"<html>not an invoice</html>", "x.pdf"),
        "invoice_amount": "800.00",
        "applications": [members[0].pk],
    }
    response = api.post(url, bad_invoice, format="multipart")
    assert response.status_code == 400
    assert "PDF" in str(response.json())
    big = {
        "invoice": invoice(PDF + b"0" * (5 * 1024 * 1024)),
        "invoice_amount": "800.00",
        "applications": [members[0].pk],
    }
    assert api.post(url, big, format="multipart").status_code == 400
    missing = {"invoice_amount": "800.00", "applications": [members[0].pk]}
    assert api.post(url, missing, format="multipart").status_code == 400
    assert snapshot() == before
    settle(tree, [members[0]])
    before = snapshot()
    response = claim(api, url, [members[0].pk])
    assert response.status_code == 400
    assert "already in a settlement" in response.json()["detail"][0]
    assert snapshot() == before


def test_an_organizer_settles_members_who_travelled_alone(tree, attended):
    alone = attended["alone"]
    each_role(
        tree,
        # Another union's organizer cannot claim A1's member: 400, nothing changed.
        roles(403, organizer_a1=201, organizer_b1=400),
        lambda api, _: claim(api, URL, [alone.pk]),
    )
    settlement = Settlement.objects.get()
    assert settlement.group_trip is None
    assert list(settlement.applications.all()) == [alone]
    before = snapshot()
    response = claim(client_for(tree, "organizer_a1"), URL, [attended["members"][0].pk])
    assert response.status_code == 400  # a group member settles through the group trip
    assert snapshot() == before


# --- Reading ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "count"),
    [
        ("admin", 1),
        ("city_staff", 1),
        ("county_a_staff", 1),
        ("auditor", 1),
        ("organizer_a1", 1),
        ("worker_a1", 1),  # their own trip
        ("county_b_staff", 0),
        ("organizer_b1", 0),
        ("operator", 0),
        ("agency", 0),
        ("worker_b1", 0),
        ("outsider", 0),
    ],
)
def test_each_role_lists_the_settlements_in_its_scope(tree, attended, role, count):
    settle(tree, [attended["alone"]])
    body = client_for(tree, role).get(URL).json()
    assert body["count"] == count


def test_detail_and_invoice_for_every_role(tree, attended):
    settlement = settle(tree, [attended["alone"]])
    readers = {
        "admin": 200,
        "city_staff": 200,
        "county_a_staff": 200,
        "auditor": 200,
        "organizer_a1": 200,
        "worker_a1": 200,
    }
    each_role(tree, roles(404, **readers), lambda api, _: api.get(f"{URL}{settlement.pk}/"))
    each_role(tree, roles(404, **readers), lambda api, _: api.get(f"{URL}{settlement.pk}/invoice/"))
    response = client_for(tree, "county_a_staff").get(f"{URL}{settlement.pk}/invoice/")
    assert b"".join(response.streaming_content) == PDF
    assert "attachment" in response["Content-Disposition"]
    for pk in ("abc", "0", "99999999999999999999999"):
        assert client_for(tree, "admin").get(f"{URL}{pk}/").status_code == 404


# --- Paying and returning --------------------------------------------------------------------------


@pytest.mark.dates  # crossed New Year once
def test_pay_for_every_role_and_the_money_moves(tree, trip, attended):
    pool = [settle(tree, [m]) for m in attended["members"][:4]]
    staff = client_for(tree, "county_a_staff")
    usage = f"/api/v1/funds/utilization/?org=CA&year={trip.year}"
    spent_before = Decimal(staff.get(usage).json()["spent"])

    def make():
        return next(s for s in pool if Settlement.objects.get(pk=s.pk).state == "submitted")

    each_role(
        tree,
        roles(
            404,
            admin=200,
            city_staff=200,
            county_a_staff=200,
            auditor=403,
            organizer_a1=403,
        ),
        lambda api, settlement: api.post(f"{URL}{settlement.pk}/pay/"),
        make=make,
    )
    paid = Settlement.objects.filter(state="paid")
    assert paid.count() == 3
    # ¥800 invoice per person, below the ¥1,000 subsidy: ¥800 paid each.
    assert {s.paid_fen for s in paid} == {80_000}
    spent_after = Decimal(staff.get(usage).json()["spent"])
    assert spent_after - spent_before == Decimal("2400.00")
    assert set(
        Application.objects.filter(settlement__in=paid).values_list("status", flat=True)
    ) == {"settled"}
    body = staff.get(f"{URL}{paid.first().pk}/").json()
    assert (body["state"], body["paid"]) == ("paid", "800.00")
    before = snapshot()
    response = staff.post(f"{URL}{paid.first().pk}/pay/")
    assert response.status_code == 400
    assert "already decided" in response.json()["detail"][0]
    assert snapshot() == before


def test_return_for_correction_needs_a_reason_and_frees_the_claim(tree, attended):
    member = attended["members"][0]
    settlement = settle(tree, [member])
    staff = client_for(tree, "county_a_staff")
    before = snapshot()
    for body in ({}, {"reason": " "}):
        assert staff.post(f"{URL}{settlement.pk}/return/", body, format="json").status_code == 400
    response = client_for(tree, "organizer_a1").post(
        f"{URL}{settlement.pk}/return/", {"reason": "发票有误"}, format="json"
    )
    assert response.status_code == 403
    assert snapshot() == before
    response = staff.post(f"{URL}{settlement.pk}/return/", {"reason": "发票有误"}, format="json")
    assert response.status_code == 200
    assert response.json()["state"] == "returned"
    # The member may be claimed again.
    response = claim(client_for(tree, "organizer_a1"), group_url(attended["group"]), [member.pk])
    assert response.status_code == 201


def test_an_invoice_with_a_very_long_chinese_name_is_stored(tree, attended):
    data = {
        "invoice": invoice(name="增值税普通发票" * 20 + ".pdf"),
        "invoice_amount": "800.00",
        "applications": [attended["members"][0].pk],
    }
    api = client_for(tree, "organizer_a1")
    response = api.post(group_url(attended["group"]), data, format="multipart")
    assert response.status_code == 201
    settlement = Settlement.objects.get()
    assert settlement.invoice.name.endswith(".pdf")
    assert len(settlement.invoice.name.rsplit("/", 1)[-1].encode()) <= 120
    download = api.get(f"{URL}{settlement.pk}/invoice/")
    assert b"".join(download.streaming_content) == PDF
