"""The staff dashboard (/dashboard/) and the staff homes: every figure against a hand computation
from the rows created here.

The story, all in one fiscal year Y (this year, or last year when this one is a leap year: the
pace below counts 365 days), seen on 2 July of Y (183 of 365 days gone):

- the city gets ¥10,000 and gives county A ¥6,000 and county B ¥3,000 (keeps ¥1,000);
  county A gives its union A1 ¥2,000 (keeps ¥4,000); union B1 has no accounts of its own;
- trips (each an application and its money): app1 county A reserves ¥1,500 on 10 March, pays
  ¥1,200 on 20 April (¥300 back); app2 A1 reserves and pays ¥1,000 (May); app3 county A
  reserves ¥500 (approved, not travelled yet); app4 county B reserves and pays ¥900 (paid 15
  June); app5 the city reserves and pays ¥200 (paid 20 June); app6 attended base X, not settled;
- waiting for approval: ¥800 (county A), ¥600 (county B), ¥300 (the city).
"""

from __future__ import annotations

import calendar
from datetime import date
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from applications.models import Application, Status
from bases.models import BaseStatus, InspectionStatus
from funds import services
from funds.models import FundSource
from funds.years import YEARS_BACK
from tests.bases.factories import BaseFactory, BatchFactory, InspectionFactory, ItineraryFactory
from tests.conftest import fake_now
from tests.dates import LAST_YEAR, THIS_YEAR
from tests.factories import OrganizationFactory, WorkerFactory
from tests.funds.conftest import make_policy
from tests.xlsx import date_cells, money_cells, sheet_of, yuan_total

pytestmark = [pytest.mark.django_db, pytest.mark.dates]
PS = FundSource.PROVINCIAL_SPECIAL
Y = LAST_YEAR if calendar.isleap(THIS_YEAR) else THIS_YEAR  # a year of 365 days
TODAY = date(Y, 7, 2)


def _app(tree, batch, union, funder, status, *, subsidy=0, paid=None) -> Application:
    return Application.objects.create(
        batch=batch,
        worker=WorkerFactory(union=union),
        union=union,
        funding_org=funder,
        status=status,
        year=Y,
        price_fen=200_000,
        subsidy_fen=subsidy,
        net_cost_fen=200_000 - subsidy,
        paid_fen=paid,
    )


def _trip(app: Application, org, reserve: int, reserved_on: date, pay=None, paid_on=None):
    cause = app.cause_id
    services.reserve(
        org=org, year=Y, amount=reserve, cause_id=cause, by=None, value_date=reserved_on
    )
    if pay is not None:
        services.pay(cause_id=cause, amount=pay, by=None, value_date=paid_on)


@pytest.fixture
def story(tree, time_machine):
    time_machine.move_to(fake_now(TODAY))
    make_policy(Y, utilization_target_percent=80)
    city, ca, cb, a1, b1 = tree.city, tree.county_a, tree.county_b, tree.union_a1, tree.union_b1
    services.grant(org=city, year=Y, source=PS, amount=1_000_000, by=None, key="g")
    for to, amount in ((ca, 600_000), (cb, 300_000)):
        services.allocate(
            from_org=city, to_org=to, year=Y, source=PS, amount=amount, by=None, key=to.code
        )
    services.allocate(from_org=ca, to_org=a1, year=Y, source=PS, amount=200_000, by=None, key="a1")

    base_x = BaseFactory(
        name="甲县森林基地", county=ca, operator=tree.operator, service_score=Decimal("92.5")
    )
    base_y = BaseFactory(
        name="乙县海滨基地", county=cb, operator=tree.operator_b, service_score=Decimal("88.0")
    )
    BaseFactory(name="甲县未评分基地", county=ca, operator=tree.operator)  # no score yet
    BaseFactory(
        name="甲县停业基地",
        county=ca,
        operator=tree.operator,
        service_score=Decimal("99.0"),
        status=BaseStatus.SUSPENDED,
    )
    x = BatchFactory(itinerary=ItineraryFactory(base=base_x), start_date=date(Y, 4, 1))
    y = BatchFactory(itinerary=ItineraryFactory(base=base_y), start_date=date(Y, 4, 1))

    app1 = _app(tree, x, a1, ca, Status.SETTLED, subsidy=150_000, paid=120_000)
    _trip(app1, ca, 150_000, date(Y, 3, 10), 120_000, date(Y, 4, 20))
    app2 = _app(tree, x, a1, ca, Status.SETTLED, subsidy=100_000, paid=100_000)
    _trip(app2, a1, 100_000, date(Y, 5, 5), 100_000, date(Y, 5, 25))
    app3 = _app(tree, x, a1, ca, Status.APPROVED, subsidy=50_000)
    _trip(app3, ca, 50_000, date(Y, 6, 1))
    app4 = _app(tree, y, b1, cb, Status.SETTLED, subsidy=90_000, paid=90_000)
    _trip(app4, cb, 90_000, date(Y, 4, 2), 90_000, date(Y, 6, 15))
    app5 = _app(tree, y, b1, city, Status.SETTLED, subsidy=20_000, paid=20_000)
    _trip(app5, city, 20_000, date(Y, 6, 10), 20_000, date(Y, 6, 20))
    _app(tree, x, a1, ca, Status.COMPLETED, subsidy=0)  # app6: attended, not settled

    _app(tree, x, a1, ca, Status.ENDORSED, subsidy=80_000)
    _app(tree, y, b1, cb, Status.ENDORSED, subsidy=60_000)
    _app(tree, y, b1, city, Status.ENDORSED, subsidy=30_000)

    InspectionFactory(
        base=base_x, status=InspectionStatus.RECTIFYING, rectification_deadline=date(Y, 6, 30)
    )
    InspectionFactory(
        base=base_x, status=InspectionStatus.RECTIFYING, rectification_deadline=date(Y, 7, 31)
    )
    return tree


def _page(client, user, url="/dashboard/"):
    client.force_login(user)
    response = client.get(url)
    assert response.status_code == 200
    return response, response.content.decode()


def test_city_dashboard_figures(client, story):
    response, html = _page(client, story.user("city_staff"))
    b = response.context["b"]
    total = b.total
    # Received ¥10,000; spent ¥1,200 + ¥1,000 + ¥900 + ¥200; reserved app3's ¥500.
    assert (total.received, total.spent, total.reserved) == (1_000_000, 330_000, 50_000)
    assert total.available == 1_000_000 - 330_000 - 50_000
    assert total.people_served == 4
    for text in ("¥10,000.00", "¥3,300.00", "¥500.00", "¥6,200.00", "33.0%", "38.0%"):
        assert text in html, text
    # The counties, each its subtree: A ¥6,000 in, ¥2,200 out, ¥500 reserved; B ¥3,000, ¥900.
    rows = {r.org.code: r for r in b.rows}
    assert set(rows) == {"CA", "CB"}
    assert (rows["CA"].usage.spent, rows["CA"].usage.reserved) == (220_000, 50_000)
    assert rows["CA"].usage.utilization_rate == Decimal("0.3667")
    assert rows["CB"].usage.utilization_rate == Decimal("0.3000")
    # The city's own accounts: ¥1,000 kept, app5's ¥200 spent, ¥800 left.
    assert (b.own.received, b.own.spent, b.own.available, b.own.people_served) == (
        100_000,
        20_000,
        80_000,
        1,
    )
    assert "36.7%" in html and "30.0%" in html and "¥800.00" in html


def test_city_dashboard_bar_chart_has_one_bar_per_county(client, story):
    _response, html = _page(client, story.user("city_staff"))
    start = html.index('class="chart chart-bar"')
    chart = html[start : html.index("</svg>", start)]
    assert chart.count('<g class="bar">') == 2
    assert "甲县总工会: 36.7%" in chart and "乙县总工会: 30.0%" in chart
    assert "target 80.0%" in chart or "目标 80.0%" in chart


def test_pace_and_early_warnings(client, story):
    response, html = _page(client, story.user("city_staff"))
    b = response.context["b"]
    rows = {r.org.code: r for r in b.rows}
    # 183/365 of the year gone. County A committed 45 % → 89.8 %: on pace. County B 30 % →
    # 59.8 %: behind; it will still commit ¥900 × 182/183 = ¥895.08, so ¥2,100 − ¥895.08 spare.
    assert rows["CA"].projected_rate == Decimal("0.8975") and not rows["CA"].is_behind
    assert rows["CB"].projected_rate == Decimal("0.5984") and rows["CB"].is_behind
    assert rows["CB"].suggested_reallocation == 210_000 - 89_508
    assert [r.org.code for r in b.behind] == ["CB"]
    assert "59.8%" in html and "¥1,204.92" in html
    # The whole city: 38 % committed → 75.8 % against 80 %: behind, ¥6,200 − ¥3,779.23 spare.
    assert b.total_pace.projected_rate == Decimal("0.7579") and b.total_pace.is_behind
    assert b.total_pace.suggested_reallocation == 620_000 - 377_923
    assert "75.8%" in html and "¥2,420.77" in html and "alert-warning" in html


def test_monthly_spend_and_people_served(client, story):
    response, html = _page(client, story.user("city_staff"))
    months = response.context["monthly"]["rows"]
    assert len(months) == 12
    spent = [m.spent for m in months]
    people = [m.people for m in months]
    # April: app1's ¥1,200; May: app2's ¥1,000; June: app4's ¥900 + app5's ¥200.
    assert spent == [0, 0, 0, 120_000, 100_000, 110_000, 0, 0, 0, 0, 0, 0]
    assert people == [0, 0, 0, 1, 1, 2, 0, 0, 0, 0, 0, 0]
    assert response.context["monthly"]["total_spent"] == 330_000  # = the spent card
    assert response.context["monthly"]["total_people"] == 4  # = people served
    assert html.count('class="chart chart-line"') == 2
    assert "¥1,100.00" in html


def test_monthly_export_adds_up_to_the_spent_card(client, story):
    client.force_login(story.user("city_staff"))
    sheet = sheet_of(client.get(f"/dashboard/?year={Y}&export=months"))
    cells = money_cells(sheet, "已支出")
    assert yuan_total(cells) == Decimal("3300.00")
    assert [c.value.month for c in date_cells(sheet, "月份")] == list(range(1, 13))


def test_top_bases(client, story):
    response, html = _page(client, story.user("city_staff"))
    volume = response.context["top_volume"]
    # Base X: app1, app2 settled (¥1,200 + ¥1,000) and app6 attended; base Y: app4, app5.
    assert [(r["base_name"], r["people"], r["settled"], r["paid"]) for r in volume] == [
        ("甲县森林基地", 3, 2, 220_000),
        ("乙县海滨基地", 2, 2, 110_000),
    ]
    assert "¥2,200.00" in html
    score = [base.name for base in response.context["top_score"]]
    assert score == ["甲县森林基地", "乙县海滨基地"]  # unscored and suspended bases left out
    assert "92.5" in html and "88.0" in html


def test_approvals_and_overdue_inspections(client, story):
    response, html = _page(client, story.user("city_staff"))
    head = response.context["head"]
    a = head.approvals
    assert (a.count, a.subsidy, a.own_count, a.own_subsidy) == (3, 170_000, 1, 30_000)
    assert "¥1,700.00" in html and "¥300.00" in html
    assert 'href="/applications/queue/"' in html
    assert head.overdue_count == 1  # the other rectification is due at the end of July
    assert f"{Y}-06-30" in html and "甲县森林基地" in html


def test_county_a_sees_its_union_and_its_own_accounts(client, story):
    response, html = _page(client, story.user("county_a_staff"))
    b = response.context["b"]
    assert [r.org.code for r in b.rows] == ["A1"]
    assert (b.rows[0].usage.received, b.rows[0].usage.spent) == (200_000, 100_000)
    # County A keeps ¥4,000: app1's ¥1,200 paid, app3's ¥500 reserved, ¥2,300 left.
    assert (b.own.received, b.own.spent, b.own.reserved, b.own.available) == (
        400_000,
        120_000,
        50_000,
        230_000,
    )
    assert "¥6,000.00" in html and "¥2,300.00" in html and "50.0%" in html
    a = response.context["head"].approvals
    assert (a.count, a.subsidy) == (1, 80_000)
    assert [r["people"] for r in response.context["top_volume"]] == [3]


def test_county_b_staff_see_none_of_county_a(client, story):
    response, html = _page(client, story.user("county_b_staff"))
    b = response.context["b"]
    assert b.org.code == "CB" and b.total.received == 300_000
    # Union B1 holds no money: the county pays its trips itself, said in a sentence.
    assert b.rows == [] and b.holds_money_itself
    assert "chart-bar" not in html.split('id="top-volume"')[0]
    assert "乙县总工会" in html and "资金由本级统一管理" in html
    for county_a in ("甲县总工会", "甲一工会", "¥6,000.00", "¥2,200.00", "36.7%", "甲县森林基地"):
        assert county_a not in html, county_a
    a = response.context["head"].approvals
    assert (a.count, a.subsidy) == (1, 60_000)
    assert response.context["head"].overdue_count == 0
    assert [base.name for base in response.context["top_score"]] == ["乙县海滨基地"]
    # app4 (county B's money) and app5 (the city's money, a county B worker).
    assert [(r["base_name"], r["people"]) for r in response.context["top_volume"]] == [
        ("乙县海滨基地", 2)
    ]


def test_the_auditor_sees_the_city_read_only(client, story):
    response, html = _page(client, story.user("auditor"))
    assert response.context["b"].total.spent == 330_000
    assert "¥3,300.00" in html


def test_a_closed_year_shows_final_figures_without_pace(client, story, time_machine):
    time_machine.move_to(fake_now(date(Y + 1, 1, 5)))
    services.rollover(year=Y, by=None)
    response, html = _page(client, story.user("city_staff"), f"/dashboard/?year={Y}")
    b = response.context["b"]
    assert b.closed and not b.shows_pace and b.behind == []
    assert b.total.spent == 330_000 and b.total.rolled_out == 620_000
    assert "alert-warning" not in html and "59.8%" not in html
    assert "33.0%" in html  # the final utilization


def test_year_picker_and_bad_years(client, story):
    client.force_login(story.user("city_staff"))
    response = client.get(f"/dashboard/?year={Y + 1}")
    assert response.status_code == 200
    assert response.context["b"].total.received == 0 and not response.context["b"].started
    assert list(response.context["years"])[:2] == [Y + 1, Y]
    for junk in ("nope", "99999", str(Y - YEARS_BACK - 1), "-1"):  # too long ago
        assert client.get(f"/dashboard/?year={junk}").status_code == 404


@pytest.mark.parametrize("role", ["organizer_a1", "operator", "agency", "worker_a1", "outsider"])
def test_others_are_refused(client, tree, role):
    client.force_login(tree.user(role))
    assert client.get("/dashboard/").status_code == 403
    assert client.get("/dashboard/?export=months").status_code == 403


def test_queries_stay_the_same_with_more_counties_and_unions(client, story):
    client.force_login(story.user("city_staff"))
    with CaptureQueriesContext(connection) as few:
        client.get("/dashboard/")
    for n in range(8):
        county = OrganizationFactory(code=f"K{n}", kind="county", parent=story.city)
        services.allocate(
            from_org=story.city,
            to_org=county,
            year=Y,
            source=PS,
            amount=1_000,
            by=None,
            key=f"k{n}",
        )
        union = OrganizationFactory(code=f"KU{n}", parent=county)
        services.allocate(
            from_org=county, to_org=union, year=Y, source=PS, amount=500, by=None, key=f"ku{n}"
        )
    with CaptureQueriesContext(connection) as many:
        response = client.get("/dashboard/")
    assert len(response.context["b"].rows) == 2 + 8
    assert len(many.captured_queries) == len(few.captured_queries)
    assert len(few.captured_queries) <= 20  # 17 today: session, user, 3 for the ledger …


def test_the_dashboard_is_in_the_menu_of_staff_and_auditors_only(client, tree):
    for role, shown in (("city_staff", True), ("auditor", True), ("county_b_staff", True)):
        client.force_login(tree.user(role))
        nav = client.get("/").content.decode().split("</nav>")[0]
        assert ('href="/dashboard/"' in nav) is shown, role
    for role in ("worker_a1", "organizer_a1", "operator"):
        client.force_login(tree.user(role))
        nav = client.get("/").content.decode().split("</nav>")[0]
        assert 'href="/dashboard/"' not in nav, role


# --- Homes of staff and auditors ---------------------------------------------------------------


def test_staff_home_shows_what_waits_and_the_years_figures(client, story):
    response, html = _page(client, story.user("county_a_staff"), "/")
    assert response.templates[0].name == "portal/home/staff.html"
    a = response.context["head"].approvals
    assert (a.count, a.subsidy) == (1, 80_000)
    assert "¥800.00" in html and 'href="/applications/queue/"' in html
    assert f"{Y}-06-30" in html  # the overdue rectification
    assert "¥6,000.00" in html and "¥2,200.00" in html  # money for the year, spent
    assert 'href="/dashboard/"' in html and "chart-bar" in html


def test_city_home_lists_early_warnings(client, story):
    response, html = _page(client, story.user("city_staff"), "/")
    assert [r.org.code for r in response.context["b"].behind] == ["CB"]
    assert "59.8%" in html and "75.8%" in html


def test_county_b_home_shows_only_county_b(client, story):
    _response, html = _page(client, story.user("county_b_staff"), "/")
    assert "¥600.00" in html and "¥3,000.00" in html
    for county_a in ("甲县总工会", "¥800.00", "¥6,000.00", "甲县森林基地"):
        assert county_a not in html, county_a


def test_auditor_home_is_read_only_with_links(client, story):
    response, html = _page(client, story.user("auditor"), "/")
    assert response.templates[0].name == "portal/home/auditor.html"
    assert "¥3,300.00" in html and "¥10,000.00" in html
    for link in ("/funds/ledger/", "/applications/queue/", "/dashboard/", "/bases/manage/"):
        assert f'href="{link}' in html, link
    assert "/funds/grant/" not in html and "/funds/allocate/" not in html
