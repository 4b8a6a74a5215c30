"""Staff pages over HTTP: the approval queue, settlements and invoices, lotteries and the public
batch and lottery pages — every page for the roles that use it and for same-role outsiders."""

from __future__ import annotations

import json
import re
from datetime import timedelta
from html import unescape
from io import BytesIO

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from openpyxl import load_workbook

from applications import lottery as rule
from applications.models import Application, Lottery, Settlement, Status, StatusChange
from bases.models import Base, BaseStatus, Batch
from funds import services as funds
from funds.selectors import utilization
from tests.applications import staff_pages as build

pytestmark = pytest.mark.django_db


def login(client, tree, role: str):
    client.force_login(tree.user(role))
    return client


def texts(response) -> list[str]:
    return [str(m) for m in response.context["messages"]] if response.context else []


def follow_messages(client, response) -> list[str]:
    assert response.status_code == 302, response.status_code
    return [str(m) for m in client.get(response["Location"]).context["messages"]]


def queue_ids(response) -> list[int]:
    return [app.pk for app in response.context["page"]]


# --- Approval queue --------------------------------------------------------------------------


def test_queue_lists_endorsed_items_of_the_users_federation_only(client, tree):
    trip = build.build_trip(tree)
    mine = build.endorsed(tree, trip.batch, real_name="王甲")
    waiting_for_union = build.submitted(tree, trip.batch, real_name="赵未审")
    theirs = build.endorsed(tree, trip.batch, union=tree.union_b1, real_name="钱乙")

    response = login(client, tree, "county_a_staff").get("/applications/queue/")
    assert response.status_code == 200
    assert queue_ids(response) == [mine.pk]
    html = response.content.decode()
    assert "王甲" in html and "钱乙" not in html and "赵未审" not in html
    assert waiting_for_union.pk not in queue_ids(response)

    response = login(client, tree, "county_b_staff").get("/applications/queue/")
    assert queue_ids(response) == [theirs.pk]
    assert "王甲" not in response.content.decode()

    response = login(client, tree, "city_staff").get("/applications/queue/")
    assert set(queue_ids(response)) == {mine.pk, theirs.pk}


def test_queue_shows_subsidy_funder_and_the_federations_available_money(client, tree):
    trip = build.build_trip(tree)
    build.endorsed(tree, trip.batch)
    build.endorsed(tree, trip.batch)
    response = login(client, tree, "county_a_staff").get("/applications/queue/")
    html = response.content.decode()
    assert "¥1,000.00" in html  # five days × ¥200
    assert "甲县总工会" in html
    [panel] = response.context["money"]
    assert panel["org"] == tree.county_a and panel["year"] == trip.year
    assert panel["count"] == 2 and panel["subsidy"] == 200_000
    assert panel["available"] == utilization(org=tree.county_a, year=trip.year).available
    assert "¥100,000.00" in html and not panel["short"]


def test_queue_warns_when_waiting_subsidies_exceed_the_available_money(client, tree):
    trip = build.build_trip(tree)
    build.endorsed(tree, trip.batch)
    drain(tree.county_a, trip.year)
    response = login(client, tree, "county_a_staff").get("/applications/queue/")
    assert response.context["money"][0]["short"]
    assert 'id="queue-money"' in response.content.decode()


def test_queue_filters_by_status_county_batch_itinerary_union_and_dates(client, tree):
    forest = build.build_trip(tree, title="森林康养五日")
    sea = build.build_trip(tree, title="滨海休养五日", days_ahead=60)
    a_forest = build.endorsed(tree, forest.batch)
    a_sea = build.endorsed(tree, sea.batch, union=tree.union_a2)
    b_forest = build.endorsed(tree, forest.batch, union=tree.union_b1)
    submitted = build.submitted(tree, forest.batch)
    login(client, tree, "city_staff")

    def ids(query: str) -> set[int]:
        response = client.get(f"/applications/queue/?{query}")
        assert response.status_code == 200
        assert not response.context["form"].errors, response.context["form"].errors
        return set(queue_ids(response))

    assert ids("") == {a_forest.pk, a_sea.pk, b_forest.pk}
    assert ids("status=submitted") == {submitted.pk}
    assert ids("status=all") == {a_forest.pk, a_sea.pk, b_forest.pk, submitted.pk}
    assert ids("county=CB") == {b_forest.pk}
    assert ids(f"batch={sea.batch.pk}") == {a_sea.pk}
    assert ids(f"itinerary={forest.itinerary.pk}") == {a_forest.pk, b_forest.pk}
    assert ids("union=A2") == {a_sea.pk}
    assert ids("union=乙一") == {b_forest.pk}
    later = sea.batch.start_date - timedelta(days=1)
    assert ids(f"departs_from={later.isoformat()}") == {a_sea.pk}
    assert ids(f"departs_to={later.isoformat()}") == {a_forest.pk, b_forest.pk}


def test_invalid_filters_are_reported_and_ignored(client, tree):
    trip = build.build_trip(tree)
    app = build.endorsed(tree, trip.batch)
    login(client, tree, "county_a_staff")
    query = "batch=abc&departs_from=not-a-date&county=ZZ&status=nope&page=999&itinerary=99999999999999999999"
    response = client.get(f"/applications/queue/?{query}")
    assert response.status_code == 200
    assert set(response.context["form"].errors) >= {"batch", "departs_from", "status"}
    assert queue_ids(response) == [app.pk]
    assert client.get("/applications/queue/?export=xlsx&departs_to=x").status_code == 200


def test_items_waiting_longer_than_the_reminder_threshold_are_highlighted(client, tree):
    trip = build.build_trip(tree)
    old = build.endorsed(tree, trip.batch, real_name="老周")
    new = build.endorsed(tree, trip.batch, real_name="小吴")
    Application.objects.filter(pk=old.pk).update(updated_at=timezone.now() - timedelta(days=5))
    html = login(client, tree, "county_a_staff").get("/applications/queue/").content.decode()
    old_row = re.search(rf'<tr class="([^"]*)" id="app-{old.pk}"', html)
    new_row = re.search(rf'<tr class="([^"]*)" id="app-{new.pk}"', html)
    assert "queue-overdue" in old_row.group(1)
    assert "queue-overdue" not in new_row.group(1)
    assert html.index(f'id="app-{old.pk}"') < html.index(f'id="app-{new.pk}"')  # oldest first


def drain(org, year: int) -> None:
    """Reserve all of an org's available money for something else."""
    available = utilization(org=org, year=year).available
    funds.reserve(org=org, year=year, amount=available, cause_id="test:drain", by=None)


def test_bulk_approve_approves_the_rest_and_reports_each_refusal_by_name(client, tree):
    trip = build.build_trip(tree)
    departed = build.build_trip(tree, title="红色教育五日", days_ahead=20)
    good = build.endorsed(tree, trip.batch, real_name="顺利")
    also_good = build.endorsed(tree, trip.batch, union=tree.union_a2, real_name="也顺利")
    unfunded = build.endorsed(tree, trip.batch, union=tree.union_b1, real_name="没钱")
    too_late = build.endorsed(tree, departed.batch, real_name="太晚")
    drain(tree.county_b, trip.year)
    build.depart(departed.batch)
    reserved_before = utilization(org=tree.county_a, year=trip.year).reserved
    login(client, tree, "city_staff")

    response = client.post(
        "/applications/queue/approve/",
        {
            "ids": [good.pk, unfunded.pk, too_late.pk, also_good.pk, 987654],
            "next": "/applications/queue/?status=",
        },
    )
    assert response["Location"] == "/applications/queue/?status="
    statuses = dict(Application.objects.values_list("pk", "status"))
    assert statuses[good.pk] == statuses[also_good.pk] == Status.APPROVED
    assert statuses[unfunded.pk] == statuses[too_late.pk] == Status.ENDORSED
    reserved = utilization(org=tree.county_a, year=trip.year).reserved
    assert reserved - reserved_before == good.subsidy_fen + also_good.subsidy_fen

    notes = follow_messages(client, response)
    assert any("顺利" in n and "也顺利" in n for n in notes)
    [money] = [n for n in notes if "没钱" in n]
    assert "乙县总工会" in money and "¥1,000.00" in money  # who lacks the money, how much
    [late] = [n for n in notes if "太晚" in n]
    assert departed.itinerary.title in late
    assert late.count(departed.batch.start_date.isoformat()) == 2  # the trip, and when it left
    assert any("987654" in n for n in notes)


def test_bulk_approve_without_ticks_says_so(client, tree):
    login(client, tree, "county_a_staff")
    response = client.post("/applications/queue/approve/", {"ids": ["x"]})
    assert follow_messages(client, response)


def test_single_approve_reserves_and_reject_needs_a_reason(client, tree):
    trip = build.build_trip(tree)
    first = build.endorsed(tree, trip.batch, real_name="甲")
    second = build.endorsed(tree, trip.batch, real_name="乙")
    login(client, tree, "county_a_staff")
    before = utilization(org=tree.county_a, year=trip.year).reserved

    response = client.post(f"/applications/queue/{first.pk}/approve/")
    assert response.status_code == 302
    first.refresh_from_db()
    assert first.status == Status.APPROVED
    assert utilization(org=tree.county_a, year=trip.year).reserved == before + first.subsidy_fen

    response = client.post(f"/applications/queue/{second.pk}/reject/", {"reason": "   "})
    second.refresh_from_db()
    assert second.status == Status.ENDORSED
    assert follow_messages(client, response)

    client.post(f"/applications/queue/{second.pk}/reject/", {"reason": "名额已满"})
    second.refresh_from_db()
    assert second.status == Status.REJECTED
    change = StatusChange.objects.get(application=second, to_status=Status.REJECTED)
    assert change.reason == "名额已满" and change.by == tree.user("county_a_staff")


def test_approving_twice_is_refused_with_a_message(client, tree):
    trip = build.build_trip(tree)
    app = build.endorsed(tree, trip.batch)
    login(client, tree, "county_a_staff")
    client.post(f"/applications/queue/{app.pk}/approve/")
    response = client.post(f"/applications/queue/{app.pk}/approve/")
    assert follow_messages(client, response)
    assert Application.objects.get(pk=app.pk).status == Status.APPROVED


def test_county_b_staff_cannot_see_or_decide_county_a_items(client, tree):
    trip = build.build_trip(tree)
    app = build.endorsed(tree, trip.batch, real_name="甲县人")
    login(client, tree, "county_b_staff")
    assert "甲县人" not in client.get("/applications/queue/").content.decode()
    assert client.get("/applications/queue/?status=all").context["page"].paginator.count == 0
    assert client.post(f"/applications/queue/{app.pk}/approve/").status_code == 404
    assert client.post(f"/applications/queue/{app.pk}/reject/", {"reason": "x"}).status_code == 404
    # Only county A's application named: not found, as it is on its own.
    assert client.post("/applications/queue/approve/", {"ids": [app.pk]}).status_code == 404
    assert Application.objects.get(pk=app.pk).status == Status.ENDORSED
    xlsx = client.get("/applications/queue/?export=xlsx&status=all")
    assert len(list(load_workbook(BytesIO(xlsx.getvalue())).active.iter_rows())) == 1  # header


def test_auditor_reads_the_queue_but_every_decision_is_403(client, tree):
    trip = build.build_trip(tree)
    app = build.endorsed(tree, trip.batch, real_name="审计看")
    login(client, tree, "auditor")
    response = client.get("/applications/queue/")
    html = response.content.decode()
    assert response.status_code == 200 and "审计看" in html
    assert 'name="ids"' not in html and "queue_approve" not in html
    assert f"/applications/queue/{app.pk}/approve/" not in html
    assert client.post("/applications/queue/approve/", {"ids": [app.pk]}).status_code == 403
    assert client.post(f"/applications/queue/{app.pk}/approve/").status_code == 403
    assert client.post(f"/applications/queue/{app.pk}/reject/", {"reason": "x"}).status_code == 403
    assert Application.objects.get(pk=app.pk).status == Status.ENDORSED


@pytest.mark.parametrize("role", ["organizer_a1", "operator", "agency", "worker_a1", "outsider"])
def test_other_roles_get_no_queue(client, tree, role):
    login(client, tree, role)
    assert client.get("/applications/queue/").status_code == 403
    assert client.get("/applications/queue/?export=xlsx").status_code == 403
    assert client.post("/applications/queue/approve/", {"ids": [1]}).status_code == 403


def test_queue_exports_the_filtered_queue_with_money_as_numbers(client, tree):
    forest = build.build_trip(tree)
    sea = build.build_trip(tree, title="滨海休养五日")
    build.endorsed(tree, forest.batch, real_name="导出甲")
    build.endorsed(tree, sea.batch, real_name="导出乙")
    login(client, tree, "county_a_staff")
    response = client.get(f"/applications/queue/?export=xlsx&batch={forest.batch.pk}")
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    rows = list(load_workbook(BytesIO(response.getvalue())).active.iter_rows(values_only=True))
    header, [row] = rows[0], rows[1:]
    assert len(header) == len(row) == 14
    assert row[1] == "导出甲" and row[5].date() == forest.batch.start_date  # a real date
    price, subsidy, net = row[8:11]  # yuan as numbers a spreadsheet adds up, not text
    assert all(isinstance(v, int | float) for v in (price, subsidy, net))
    assert (price, subsidy, net) == (2000, 1000, 1000)


# --- Settlements and invoices ----------------------------------------------------------------


def test_settlement_list_and_detail_show_what_will_be_paid_then_pay(client, tree):
    trip = build.build_trip(tree)
    settlement = build.settlement(tree, trip.batch, people=2, amount=150_000)
    login(client, tree, "county_a_staff")
    html = client.get("/applications/settlements/").content.decode()
    assert "甲一工会" in html and "¥1,500.00" in html

    response = client.get(f"/applications/settlements/{settlement.pk}/")
    preview = response.context["preview"]
    assert preview.share == 75_000 and preview.total == 150_000  # ¥750 each, below the ¥1,000
    html = response.content.decode()
    assert "¥750.00" in html and "¥1,000.00" in html
    assert re.search(r'id="will-pay">¥1,500.00<', html)
    assert f"/applications/settlements/{settlement.pk}/pay/" in html

    response = client.post(f"/applications/settlements/{settlement.pk}/pay/")
    assert response.status_code == 302
    settlement = build.refresh(settlement)
    assert settlement.state == Settlement.State.PAID and settlement.paid_fen == preview.total
    assert set(settlement.applications.values_list("status", flat=True)) == {Status.SETTLED}
    assert utilization(org=tree.county_a, year=trip.year).spent == 150_000
    html = client.get(f"/applications/settlements/{settlement.pk}/").content.decode()
    assert f"/applications/settlements/{settlement.pk}/pay/" not in html
    assert client.get("/applications/settlements/?state=paid").context["page"].paginator.count == 1


def test_settlement_return_needs_a_reason(client, tree):
    settlement = build.settlement(tree, build.build_trip(tree).batch)
    login(client, tree, "city_staff")
    response = client.post(f"/applications/settlements/{settlement.pk}/return/", {"reason": ""})
    assert build.refresh(settlement).state == Settlement.State.SUBMITTED
    assert follow_messages(client, response)
    client.post(f"/applications/settlements/{settlement.pk}/return/", {"reason": "发票抬头错误"})
    settlement = build.refresh(settlement)
    assert settlement.state == Settlement.State.RETURNED and "发票抬头错误" in settlement.note
    response = client.post(f"/applications/settlements/{settlement.pk}/pay/")
    assert follow_messages(client, response)  # already decided
    assert build.refresh(settlement).state == Settlement.State.RETURNED


def test_settlement_decisions_belong_to_the_paying_federation(client, tree):
    settlement = build.settlement(tree, build.build_trip(tree).batch)
    pay = f"/applications/settlements/{settlement.pk}/pay/"
    for role, see, decide in [
        ("county_b_staff", 404, 404),
        ("auditor", 200, 403),
        ("organizer_a1", 200, 403),
        ("operator", 404, 404),
        ("agency", 404, 404),
        ("worker_a1", 404, 404),
    ]:
        login(client, tree, role)
        assert client.get(f"/applications/settlements/{settlement.pk}/").status_code == see, role
        assert client.post(pay).status_code == decide, role
    assert build.refresh(settlement).state == Settlement.State.SUBMITTED
    login(client, tree, "county_b_staff")
    assert client.get("/applications/settlements/?state=all").context["page"].paginator.count == 0


def test_invoice_is_served_only_to_people_in_scope(client, tree):
    settlement = build.settlement(tree, build.build_trip(tree).batch)
    url = f"/applications/settlements/{settlement.pk}/invoice/"
    for role in ("county_a_staff", "city_staff", "auditor", "organizer_a1", "admin"):
        response = login(client, tree, role).get(url)
        assert response.status_code == 200, role
        assert response["Content-Type"] == "application/pdf"
        assert response["X-Content-Type-Options"] == "nosniff"
        assert response["Content-Disposition"].startswith("inline")
        assert b"".join(response.streaming_content) == build.PDF
    for role in ("county_b_staff", "operator", "agency", "worker_a1", "outsider", "organizer_b1"):
        assert login(client, tree, role).get(url).status_code == 404, role
    client.logout()
    assert "login" in client.get(url)["Location"]


def test_image_invoice_is_served_as_an_image_and_a_missing_file_is_404(client, tree):
    settlement = build.settlement(tree, build.build_trip(tree).batch, invoice=build.png())
    login(client, tree, "county_a_staff")
    response = client.get(f"/applications/settlements/{settlement.pk}/invoice/")
    assert response["Content-Type"] == "image/png"
    assert response["Content-Disposition"].startswith("inline")
    settlement.invoice.delete(save=False)
    assert client.get(f"/applications/settlements/{settlement.pk}/invoice/").status_code == 404
    assert client.get("/applications/settlements/99999999999999999999/invoice/").status_code == 404


# --- Lottery ---------------------------------------------------------------------------------


def close_signups(batch: Batch) -> None:
    Batch.objects.filter(pk=batch.pk).update(
        signup_deadline=timezone.localdate() - timedelta(days=1)
    )
    batch.refresh_from_db()


def test_staff_announce_draw_and_the_public_page_reproduces_the_draw(client, tree):
    trip = build.build_trip(tree, capacity=2)
    login(client, tree, "county_a_staff")
    response = client.post(f"/applications/batches/{trip.batch.pk}/lottery/announce/")
    assert response.status_code == 302
    lottery = Lottery.objects.get(batch=trip.batch)
    pool = [build.submitted(tree, trip.batch, real_name=f"抽签人{i}") for i in range(5)]
    assert {a.status for a in pool} == {Status.WAITLISTED}  # sign-ups join the pool
    html = client.get(f"/applications/lotteries/{lottery.pk}/").content.decode()
    assert "5" in html and "抽签人" not in html

    close_signups(trip.batch)
    response = client.post(
        f"/applications/batches/{trip.batch.pk}/lottery/draw/", {"seed": "20240601"}
    )
    assert response["Location"] == f"/applications/lotteries/{lottery.pk}/"
    lottery.refresh_from_db()
    assert lottery.seed == 20240601 and lottery.seats == 2

    client.logout()  # the record is public
    response = client.get(f"/applications/lotteries/{lottery.pk}/")
    assert response.status_code == 200
    html = response.content.decode()
    data = json.loads(
        unescape(re.search(r'id="lottery-data" type="application/json">(.*?)</script>', html)[1])
    )
    order = rule.draw(int(data["seed"]), data["candidates"])
    assert order == data["result"] == lottery.result
    assert sorted(data["candidates"]) == sorted([a.pk, a.priority_rank] for a in pool)
    winners = re.search(r'id="lottery-winners">(.*?)</p>', html, re.S)[1]
    assert re.findall(r">(\d+)</span>", winners) == [str(pk) for pk in order[:2]]
    assert "20240601" in html and "sha256" in html.lower()
    assert "抽签人" not in html  # application numbers only
    verify = unescape(re.search(r'<code id="verify-python">(.*?)</code>', html, re.S)[1])
    printed = {}
    exec(verify.replace("print(", "printed.setdefault("), {"printed": printed})  # noqa: S102
    assert printed == {"winners:": order[:2], "same as published:": True}
    held = Application.objects.filter(pk__in=order[:2]).values_list("status", flat=True)
    assert set(held) == {Status.SUBMITTED}


def test_draw_without_a_seed_chooses_and_publishes_one(client, tree):
    trip = build.build_trip(tree, capacity=1)
    login(client, tree, "city_staff")
    client.post(f"/applications/batches/{trip.batch.pk}/lottery/announce/")
    build.submitted(tree, trip.batch)
    build.submitted(tree, trip.batch)
    close_signups(trip.batch)
    client.post(f"/applications/batches/{trip.batch.pk}/lottery/draw/", {"seed": ""})
    lottery = Lottery.objects.get(batch=trip.batch)
    assert lottery.is_drawn and lottery.seed is not None
    assert rule.draw(lottery.seed, lottery.candidates) == lottery.result
    page = client.get(f"/applications/lotteries/{lottery.pk}/").content.decode()
    assert str(lottery.seed) in page


def test_lottery_draw_refusals_are_messages(client, tree):
    trip = build.build_trip(tree)
    login(client, tree, "county_a_staff")
    draw = f"/applications/batches/{trip.batch.pk}/lottery/draw/"
    assert follow_messages(client, client.post(draw, {"seed": "1"}))  # not announced
    client.post(f"/applications/batches/{trip.batch.pk}/lottery/announce/")
    assert follow_messages(client, client.post(draw, {"seed": "1"}))  # before the deadline
    close_signups(trip.batch)
    assert follow_messages(client, client.post(draw, {"seed": "-5"}))
    assert follow_messages(client, client.post(draw, {"seed": "abc"}))
    assert follow_messages(client, client.post(draw, {"seed": str(2**64)}))
    assert not Lottery.objects.get(batch=trip.batch).is_drawn
    again = client.post(f"/applications/batches/{trip.batch.pk}/lottery/announce/")
    assert follow_messages(client, again)  # already announced, and the deadline passed


def test_lottery_is_run_by_staff_over_the_bases_county_only(client, tree):
    trip = build.build_trip(tree)
    manage = f"/applications/batches/{trip.batch.pk}/lottery/"
    for role in ("county_b_staff", "auditor", "operator", "organizer_a1"):
        login(client, tree, role)
        assert client.get(manage).status_code == 403, role
        assert client.post(manage + "announce/").status_code == 403, role
    assert not Lottery.objects.exists()
    page = login(client, tree, "county_a_staff").get(manage)
    assert page.status_code == 200 and f"{manage}announce/" in page.content.decode()


def test_public_batch_page_shows_seats_waiting_list_and_the_lottery(client, tree):
    trip = build.build_trip(tree, capacity=1)
    build.submitted(tree, trip.batch)
    build.submitted(tree, trip.batch)
    build.submitted(tree, trip.batch)
    response = client.get(f"/applications/batches/{trip.batch.pk}/")
    assert response.status_code == 200
    html = response.content.decode()
    assert response.context["waiting"] == 2
    assert re.search(r'id="waiting-count">2<', html)
    assert trip.itinerary.title in html and "/applications/lotteries/" not in html

    other = build.build_trip(tree, title="温泉疗养五日")
    from applications import services

    lottery = services.lottery_announce(batch=other.batch, by=None)
    html = client.get(f"/applications/batches/{other.batch.pk}/").content.decode()
    assert f"/applications/lotteries/{lottery.pk}/" in html


def test_batches_and_lotteries_of_bases_not_public_are_404_to_the_public(client, tree):
    trip = build.build_trip(tree)
    from applications import services

    lottery = services.lottery_announce(batch=trip.batch, by=None)
    Base.objects.filter(pk=trip.itinerary.base_id).update(status=BaseStatus.SUSPENDED)
    assert client.get(f"/applications/batches/{trip.batch.pk}/").status_code == 404
    assert client.get(f"/applications/lotteries/{lottery.pk}/").status_code == 404
    assert client.get("/applications/lotteries/999999/").status_code == 404
    assert client.get("/applications/batches/99999999999999999999/").status_code == 404
    login(client, tree, "county_a_staff")  # staff still see their county's batch
    assert client.get(f"/applications/batches/{trip.batch.pk}/").status_code == 200


def test_menu_offers_the_queue_to_staff_and_auditors(client, tree):
    for role, shown in [("county_a_staff", True), ("auditor", True), ("worker_a1", False)]:
        html = login(client, tree, role).get("/").content.decode()
        assert ('href="/applications/queue/"' in html) is shown, role


@pytest.mark.parametrize(
    "url",
    ["/applications/queue/", "/applications/settlements/?state=all", "/applications/rosters/"],
)
def test_staff_lists_take_the_same_queries_for_few_or_many_rows(client, tree, url):
    trip = build.build_trip(tree)
    build.settlement(tree, trip.batch, people=1)
    build.endorsed(tree, trip.batch)
    login(client, tree, "city_staff")
    with CaptureQueriesContext(connection) as few:
        assert client.get(url).status_code == 200
    other = build.build_trip(tree, title="滨海休养五日")
    for _ in range(4):
        build.endorsed(tree, trip.batch, union=tree.union_b1)
        build.endorsed(tree, other.batch, union=tree.union_a2)
    build.settlement(tree, other.batch, people=2)
    with CaptureQueriesContext(connection) as many:
        assert client.get(url).status_code == 200
    assert len(many) == len(few), [q["sql"] for q in many]
