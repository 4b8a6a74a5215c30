from __future__ import annotations

import calendar
from datetime import date
from io import BytesIO, StringIO

import pytest
from django.core.management import call_command
from openpyxl import load_workbook

from funds import services, tasks
from funds.models import FiscalYear, FundSource, SubsidyPolicy, Transaction, UtilizationSnapshot
from tests.conftest import fake_now
from tests.dates import LAST_YEAR, NEXT_YEAR, THIS_YEAR, leap_year_after

pytestmark = [pytest.mark.django_db, pytest.mark.dates]
PS = FundSource.PROVINCIAL_SPECIAL


@pytest.fixture
def money(tree):
    services.grant(org=tree.city, year=LAST_YEAR, source=PS, amount=1_000_000, by=None, key="g")
    services.allocate(
        from_org=tree.city,
        to_org=tree.county_a,
        year=LAST_YEAR,
        source=PS,
        amount=600_000,
        by=None,
        key="a",
    )
    return tree


def test_overview_shows_the_subtree_and_each_child(client, money):
    client.force_login(money.user("city_staff"))
    html = client.get(f"/funds/?year={LAST_YEAR}").content.decode()
    assert "¥10,000.00" in html  # received by the city's subtree
    assert "甲县总工会" in html and "¥6,000.00" in html
    html = client.get(f"/funds/?year={LAST_YEAR}&org=CA").content.decode()
    assert "甲县总工会" in html


def test_overview_of_an_org_outside_scope_is_404(client, money):
    client.force_login(money.user("county_b_staff"))
    assert client.get("/funds/?org=CA").status_code == 404
    assert client.get("/funds/?year=nope").status_code == 404


def test_overview_exports_xlsx(client, money):
    client.force_login(money.user("auditor"))
    response = client.get(f"/funds/?year={LAST_YEAR}&export=xlsx")
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(BytesIO(response.getvalue())).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] in ("所属组织", "Organization")
    assert any(row[0] == "甲县总工会" and float(row[1]) == 6000.0 for row in rows[1:])


def test_grant_form_records_once_even_when_submitted_twice(client, money):
    client.force_login(money.user("city_staff"))
    data = {
        "org": money.city.pk,
        "year": THIS_YEAR,
        "source": PS,
        "amount": "1234.56",
        "memo": "省总下达",
        "key": "abc",
    }
    assert client.post("/funds/grant/", data).status_code == 302
    assert client.post("/funds/grant/", data).status_code == 302
    grants = Transaction.objects.filter(kind="grant", year=THIS_YEAR)
    assert grants.count() == 1
    assert grants.get().entries.get(amount__gt=0).amount == 123456


@pytest.mark.parametrize(
    ("amount", "message"), [("0", "0.01"), ("-5", "0.01"), ("1.234", "2"), ("abc", "")]
)
def test_grant_form_refuses_bad_amounts(client, money, amount, message):
    client.force_login(money.user("city_staff"))
    before = Transaction.objects.count()
    data = {"org": money.city.pk, "year": THIS_YEAR, "source": PS, "amount": amount, "key": "k1"}
    response = client.post("/funds/grant/", data)
    assert response.status_code == 200
    assert "invalid-feedback" in response.content.decode()
    assert Transaction.objects.count() == before


def test_allocation_above_available_is_refused_with_a_message(client, money):
    client.force_login(money.user("city_staff"))
    before = Transaction.objects.count()
    data = {
        "from_org": money.city.pk,
        "to_org": money.county_b.pk,
        "year": LAST_YEAR,
        "source": PS,
        "amount": "4000.01",
        "key": "k2",
    }
    response = client.post("/funds/allocate/", data)
    assert response.status_code == 200
    assert "¥4,000.00" in response.content.decode()
    assert Transaction.objects.count() == before


def test_county_staff_cannot_allocate_outside_their_subtree(client, money):
    client.force_login(money.user("county_a_staff"))
    data = {
        "from_org": money.county_a.pk,
        "to_org": money.city.pk,
        "year": LAST_YEAR,
        "source": PS,
        "amount": "10",
        "key": "k3",
    }
    response = client.post("/funds/allocate/", data)
    assert response.status_code == 200  # the city is not offered: a field error
    assert Transaction.objects.filter(idempotency_key="web:k3").count() == 0


def test_auditor_sees_but_cannot_move_money(client, money):
    client.force_login(money.user("auditor"))
    assert client.get("/funds/ledger/").status_code == 200
    data = {"org": money.city.pk, "year": THIS_YEAR, "source": PS, "amount": "1", "key": "k4"}
    assert client.post("/funds/grant/", data).status_code == 403


def test_ledger_filters_and_export(client, money):
    client.force_login(money.user("city_staff"))
    allocation = Transaction.objects.get(kind="allocate")
    grant = Transaction.objects.get(kind="grant")
    page = client.get("/funds/ledger/?kind=allocate").context["page"]
    assert [t.pk for t in page] == [allocation.pk] and grant.pk != allocation.pk
    assert client.get("/funds/ledger/?kind=grant&org=CB").context["page"].paginator.count == 0
    assert client.get(f"/funds/ledger/?year={LAST_YEAR}").context["page"].paginator.count == 2
    response = client.get("/funds/ledger/?export=xlsx")
    rows = list(load_workbook(BytesIO(response.getvalue())).active.iter_rows(values_only=True))
    assert len(rows) == 1 + 4  # header + two entries for each of two transactions


def test_policy_editor_takes_yuan_and_checks_rates(client, tree):
    client.force_login(tree.user("city_staff"))
    data = {
        "year": NEXT_YEAR,
        "title": f"{NEXT_YEAR}年标准",
        "rate_model_worker": "400",
        "rate_senior_technician": "350",
        "rate_technician": "300",
        "rate_senior_worker": "250",
        "rate_member": "200",
        "cost_ceiling_per_day": "500",
        "yearly_cap_per_person": "3000",
        "max_days_in_province": 5,
        "max_days_out_of_province": 7,
        "trips_per_window": 1,
        "frequency_window_years": 1,
        "out_of_province_window_years": 3,
        "unit_share_percent": 20,
        "priority_groups": ["model_worker", "never_been"],
        "utilization_target_percent": 85,
    }
    assert client.post("/funds/policies/new/", data).status_code == 302
    policy = SubsidyPolicy.objects.get(year=NEXT_YEAR)
    assert (policy.rate_model_worker, policy.yearly_cap_per_person) == (40_000, 300_000)
    assert policy.priority_groups == ["model_worker", "never_been"]
    data["rate_member"] = "600"
    response = client.post(f"/funds/policies/{NEXT_YEAR}/", data)
    assert response.status_code == 200
    assert SubsidyPolicy.objects.get(year=NEXT_YEAR).rate_member == 20_000
    html = client.get("/funds/policies/").content.decode()
    assert f"{NEXT_YEAR}年标准" in html and "¥400.00" in html


def test_close_year_page_previews_then_closes(client, money):
    client.force_login(money.user("city_staff"))
    html = client.get(f"/funds/close-year/?year={LAST_YEAR}").content.decode()
    assert "¥4,000.00" in html and "¥6,000.00" in html and "¥10,000.00" in html
    response = client.post("/funds/close-year/", {"year": LAST_YEAR})
    assert response.status_code == 200  # not confirmed
    assert not FiscalYear.objects.filter(year=LAST_YEAR, closed_at__isnull=False).exists()
    response = client.post("/funds/close-year/", {"year": LAST_YEAR, "confirm": "on"})
    assert response.status_code == 302
    assert FiscalYear.objects.get(year=LAST_YEAR).is_closed


def test_rollover_command_prints_what_moved_and_is_idempotent(money):
    out = StringIO()
    call_command("rollover_funds", "--year", str(LAST_YEAR), stdout=out)
    assert "¥6,000.00" in out.getvalue() and str(THIS_YEAR) in out.getvalue()
    again = StringIO()
    call_command("rollover_funds", "--year", str(LAST_YEAR), stdout=again)
    assert "0 accounts" in again.getvalue()
    assert Transaction.objects.filter(kind="rollover").count() == 2


def test_tasks_call_the_services(money):
    assert tasks.rollover_year.delay(LAST_YEAR).get() == 2
    assert tasks.rollover_year.delay(LAST_YEAR).get() == 0
    # This year has the rolled-over money of the city and county A; county B has none to measure.
    assert tasks.snapshot_utilization.delay(f"{THIS_YEAR}-06-30").get() == 2
    assert tasks.snapshot_utilization.delay(f"{THIS_YEAR}-06-30").get() == 2
    assert UtilizationSnapshot.objects.filter(day=f"{THIS_YEAR}-06-30").count() == 2


def test_overview_queries_do_not_grow_with_the_number_of_children(client, money):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tests.factories import OrganizationFactory

    client.force_login(money.user("city_staff"))
    with CaptureQueriesContext(connection) as few:
        client.get(f"/funds/?year={LAST_YEAR}&org=CA")
    for n in range(12):
        union = OrganizationFactory(code=f"U{n}", parent=money.county_a)
        services.allocate(
            from_org=money.county_a,
            to_org=union,
            year=LAST_YEAR,
            source=PS,
            amount=1_000,
            by=None,
            key=f"u{n}",
        )
    with CaptureQueriesContext(connection) as many:
        html = client.get(f"/funds/?year={LAST_YEAR}&org=CA").content.decode()
    assert union.name in html  # the last of the twelve new children is listed
    assert len(many.captured_queries) == len(few.captured_queries)


def test_overview_warns_an_org_behind_its_own_pace(client, money, time_machine):
    from tests.funds.conftest import make_policy

    make_policy(LAST_YEAR, utilization_target_percent=80)
    time_machine.move_to(fake_now(date(LAST_YEAR, 11, 30)))
    services.reserve(org=money.county_a, year=LAST_YEAR, amount=60_000, cause_id="slow", by=None)
    client.force_login(money.user("county_a_staff"))
    html = client.get(f"/funds/?year={LAST_YEAR}").content.decode()
    # 334 of 365 days gone, ¥600 of ¥6,000 committed: projected 10.9 % against a target of 80 %.
    assert "alert-warning" in html and "10.9%" in html and "80.0%" in html
    # At that pace it will commit ¥55.68 more by year end: ¥5,400 − ¥55.68 could go elsewhere.
    # In a leap year 30 November is day 335 of 366: ¥55.52 more, so ¥5,344.48.
    assert ("¥5,344.48" if calendar.isleap(LAST_YEAR) else "¥5,344.32") in html


@pytest.mark.parametrize(
    "day, projected, could_release",
    [
        # The first day of the year: ¥600 committed already outpaces the year, no warning.
        (date(NEXT_YEAR, 1, 1), "100.0%", None),
        # 60 of 366 days gone (a leap year): ¥600 is 10 % of the money, 61 % at year end.
        (date(leap_year_after(THIS_YEAR), 2, 29), "61.0%", "¥2,340.00"),
        # The last day: the pace is what was committed; all the rest could go elsewhere.
        (date(NEXT_YEAR, 12, 31), "10.0%", "¥5,400.00"),
    ],
)
def test_overview_pace_on_the_edges_of_the_year(
    client, tree, time_machine, day, projected, could_release
):
    from tests.funds.conftest import make_policy

    time_machine.move_to(fake_now(day))
    year = day.year
    make_policy(year, utilization_target_percent=80)
    services.grant(org=tree.city, year=year, source=PS, amount=1_000_000, by=None, key="g")
    services.allocate(
        from_org=tree.city,
        to_org=tree.county_a,
        year=year,
        source=PS,
        amount=600_000,
        by=None,
        key="a",
    )
    services.reserve(org=tree.county_a, year=year, amount=60_000, cause_id="c", by=None)
    client.force_login(tree.user("county_a_staff"))
    response = client.get("/funds/")  # this year by default
    html = response.content.decode()
    assert response.context["year"] == year
    assert list(response.context["years"]) == [year + 1, year]
    assert projected in html
    if could_release:
        assert "alert-warning" in html and could_release in html
    else:
        assert "alert-warning" not in html


def test_policy_export_shows_yuan(client, tree, policy):
    client.force_login(tree.user("auditor"))
    response = client.get("/funds/policies/?export=xlsx")
    rows = list(load_workbook(BytesIO(response.getvalue())).active.iter_rows(values_only=True))
    header, values = rows[0], dict(zip(rows[0], rows[1], strict=True))
    money = [h for h in header if "(¥)" in h]
    assert money and not any("(fen)" in h or "（分）" in h for h in header)
    assert 400.0 in [float(values[h]) for h in money]  # the model worker's ¥400 a day
