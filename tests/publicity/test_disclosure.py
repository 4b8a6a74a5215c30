"""/disclosure/ (资金使用公示): every number against a hand computation from ledger rows made
through funds.services, the year picker, closed years final, the .xlsx download, few queries."""

from __future__ import annotations

from decimal import Decimal
from io import BytesIO

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from openpyxl import load_workbook

from accounts.models import OrgKind
from funds import services
from funds.models import FundSource
from tests.factories import OrganizationFactory, WorkerFactory
from tests.publicity.helpers import table_rows, text

pytestmark = [pytest.mark.django_db, pytest.mark.dates]
PS, KM = FundSource.PROVINCIAL_SPECIAL, FundSource.COUNTY_MATCHING
YUAN = 100
COLUMNS = [
    "received",
    "rolled_in",
    "spent",
    "reserved",
    "available",
    "rolled_out",
    "rate",
    "people",
]


def yuan(amount: int) -> str:
    return f"¥{amount:,}.00"


@pytest.fixture
def ledger(tree):
    """Last year (Y): the city gets ¥100,000 of the provincial fund, county A ¥5,000 of its own;
    the city allocates ¥30,000 to county A, ¥20,000 to county B and ¥10,000 to a union directly
    under it (D1); county A passes ¥8,000 on to union A1. Trips: A1 reserves ¥3,000 and is paid
    ¥2,500 (¥500 comes back), county A holds ¥4,000 reserved for a trip not yet settled, the city
    pays ¥1,000 and D1 ¥2,000. Y is then closed (rollover). This year (Y+1): the city gets
    ¥50,000 more and gives county B ¥5,000; county B pays a trip of ¥1,500."""
    staff = tree.user("city_staff")
    direct = OrganizationFactory(
        code="D1", name="市直一工会", kind=OrgKind.GRASSROOTS, parent=tree.city
    )
    y = timezone.localdate().year - 1

    def grant(org, amount, key, year=y, source=PS):
        services.grant(org=org, year=year, source=source, amount=amount * YUAN, by=staff, key=key)

    def allocate(src, dst, amount, key, year=y):
        services.allocate(
            from_org=src, to_org=dst, year=year, source=PS, amount=amount * YUAN, by=staff, key=key
        )

    def trip(org, cause, reserved, paid=None, year=y):
        services.reserve(org=org, year=year, amount=reserved * YUAN, cause_id=cause, by=staff)
        if paid is not None:
            services.pay(cause_id=cause, amount=paid * YUAN, by=staff)

    grant(tree.city, 100_000, "g1")
    grant(tree.county_a, 5_000, "g2", source=KM)
    allocate(tree.city, tree.county_a, 30_000, "a1")
    allocate(tree.city, tree.county_b, 20_000, "a2")
    allocate(tree.city, direct, 10_000, "a3")
    allocate(tree.county_a, tree.union_a1, 8_000, "a4")
    trip(tree.union_a1, "app-1", 3_000, paid=2_500)
    trip(tree.county_a, "app-2", 4_000)
    trip(tree.city, "app-3", 1_000, paid=1_000)
    trip(direct, "app-4", 2_000, paid=2_000)
    services.rollover(year=y, by=staff)
    grant(tree.city, 50_000, "g3", year=y + 1)
    allocate(tree.city, tree.county_b, 5_000, "a5", year=y + 1)
    trip(tree.county_b, "app-5", 1_500, paid=1_500, year=y + 1)
    return y


# Hand computation, yuan: (received, rolled in, spent, reserved, available, rolled out, people)
LAST_YEAR = {
    # 5,000 + 30,000 in; A1's 8,000 stays inside. Spent 2,500; 4,000 reserved;
    # available 35,000 − 8,000 − 4,000 = 23,000 at A and 8,000 − 3,000 + 500 = 5,500 at A1,
    # rolled out at closing: 28,500.
    "甲县总工会": (35_000, 0, 2_500, 4_000, 0, 28_500, 1),
    "乙县总工会": (20_000, 0, 0, 0, 0, 20_000, 0),
    # The city keeps 100,000 − 60,000 = 40,000, D1 got 10,000: 50,000; spent 1,000 + 2,000;
    # rolled out 39,000 + 8,000.
    "市本级及市直单位": (50_000, 0, 3_000, 0, 0, 47_000, 2),
    "全市合计": (105_000, 0, 5_500, 4_000, 0, 95_500, 3),
}
THIS_YEAR = {
    "甲县总工会": (0, 28_500, 0, 0, 28_500, 0, 0),
    "乙县总工会": (5_000, 20_000, 1_500, 0, 23_500, 0, 1),
    "市本级及市直单位": (45_000, 47_000, 0, 0, 92_000, 0, 0),
    "全市合计": (50_000, 95_500, 1_500, 0, 144_000, 0, 1),
}


def expected_cells(numbers) -> list[str]:
    received, rolled_in, spent, reserved, available, rolled_out, people = numbers
    base = received + rolled_in
    rate = f"{spent / base * 100:.1f}%" if base else "0.0%"
    money = [yuan(v) for v in (received, rolled_in, spent, reserved, available, rolled_out)]
    return [*money, rate, str(people)]


@pytest.mark.parametrize("which", ["last", "this"])
def test_every_number_matches_the_hand_computation(client, ledger, which):
    year, expected = (ledger, LAST_YEAR) if which == "last" else (ledger + 1, THIS_YEAR)
    page = client.get(f"/disclosure/?year={year}").content.decode()
    rows = table_rows(page)
    assert list(rows) == list(expected)  # counties, the city level, the total last
    for name, numbers in expected.items():
        assert rows[name] == expected_cells(numbers), name
        received, rolled_in, spent, reserved, available, rolled_out, _people = numbers
        assert received + rolled_in == spent + reserved + available + rolled_out, name


def test_last_years_rolled_out_is_this_years_rolled_in(ledger):
    for name in LAST_YEAR:
        assert LAST_YEAR[name][5] == THIS_YEAR[name][1]


def test_the_year_picker_offers_the_years_with_money_and_closed_years_are_final(client, ledger):
    page = client.get("/disclosure/").content.decode()
    assert f'<option value="{ledger + 1}" selected>' in page  # this year by default
    assert f'<option value="{ledger}">' in page
    assert f'<option value="{ledger - 1}"' not in page
    assert "执行中" in page and "决算" not in page
    closed = client.get(f"/disclosure/?year={ledger}").content.decode()
    assert "决算" in closed and "以下为最终数据" in closed


def test_a_year_without_money_says_so_and_junk_is_not_found(client, ledger):
    page = client.get(f"/disclosure/?year={ledger - 5}").content.decode()
    assert f"{ledger - 5} 年度暂无资金记录。" in page
    assert "<tbody>" not in page
    for junk in ("abc", "1", "99999", "2000.5"):
        assert client.get(f"/disclosure/?year={junk}").status_code == 404
    assert client.get("/disclosure/?city=NOPE").status_code == 404


def test_no_money_at_all_is_a_plain_sentence(client, tree):
    page = client.get("/disclosure/").content.decode()
    assert f"{timezone.localdate().year} 年度暂无资金记录。" in page
    assert "<tbody>" not in page


def test_the_page_shows_no_personal_data(client, ledger, tree):
    WorkerFactory(union=tree.union_a1, real_name="王小明", phone="13912345678")
    page = client.get(f"/disclosure/?year={ledger}").content.decode()
    assert "王小明" not in page and "13912345678" not in page
    assert "甲一工会" not in page  # sums per county, not per union


def test_the_xlsx_holds_the_same_numbers_as_numbers_in_yuan(client, ledger):
    response = client.get(f"/disclosure/?year={ledger}&export=xlsx")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert f"disclosure-C-{ledger}" in response["Content-Disposition"]
    sheet = load_workbook(BytesIO(response.getvalue())).active
    rows = list(sheet.iter_rows(values_only=True))
    assert len(rows) == 1 + len(LAST_YEAR)
    for (name, numbers), row in zip(LAST_YEAR.items(), rows[1:], strict=True):
        received, rolled_in, spent, reserved, available, rolled_out, people = numbers
        assert row[0] == name
        assert [Decimal(str(v)) for v in row[1:7]] == [
            Decimal(received),
            Decimal(rolled_in),
            Decimal(spent),
            Decimal(reserved),
            Decimal(available),
            Decimal(rolled_out),
        ]
        base = received + rolled_in
        assert row[7] == pytest.approx(round(spent / base, 4))
        assert row[8] == people
    money_cell = sheet.cell(row=2, column=2)
    assert isinstance(money_cell.value, int | float)  # a number, not text
    assert money_cell.number_format.startswith("¥#,##0.00")  # yuan, summable
    assert sheet.cell(row=2, column=8).number_format == "0.0%"  # a rate, shown as a percentage


def _count_queries(client, year) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(f"/disclosure/?year={year}").status_code == 200
    return len(queries)


def test_the_query_count_does_not_grow_with_the_counties(client, ledger, tree):
    few = _count_queries(client, ledger)
    staff = tree.user("city_staff")
    for i in range(6):
        county = OrganizationFactory(code=f"CX{i}", kind=OrgKind.COUNTY, parent=tree.city)
        services.allocate(
            from_org=tree.city,
            to_org=county,
            year=ledger + 1,
            source=PS,
            amount=1_000 * YUAN,
            by=staff,
            key=f"x{i}",
        )
    assert len(table_rows(client.get(f"/disclosure/?year={ledger + 1}").content.decode())) == 10
    assert _count_queries(client, ledger + 1) == few


def test_the_explanations_are_on_the_page(client, ledger):
    page = text(client.get(f"/disclosure/?year={ledger}").content.decode())
    assert "资金使用率 = 已支出 ÷（收到资金 + 结转转入）" in page
    assert "不含个人信息" in page
