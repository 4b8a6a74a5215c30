"""Every .xlsx download of the portal, opened with openpyxl: money cells are numbers (never text)
with a yuan format that add up to what the page shows, rates are 0–1 numbers shown as
percentages, dates are dates, the header row is frozen; and a 10,000-row ledger downloads."""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from decimal import Decimal

import pytest
from django.utils import timezone, translation

from applications.models import Status
from funds import services
from funds.models import Account, Bucket, Entry, FundSource, Kind, SubsidyPolicy, Transaction
from tests.applications import staff_pages as build
from tests.dates import LAST_YEAR, THIS_YEAR
from tests.funds.conftest import make_policy
from tests.xlsx import (
    column,
    date_cells,
    header_is_frozen,
    money_cells,
    rate_cells,
    sheet_of,
    yuan_total,
)

pytestmark = [pytest.mark.django_db, pytest.mark.dates]
PS = FundSource.PROVINCIAL_SPECIAL


def yuan(fen: int) -> Decimal:
    return (Decimal(fen) / 100).quantize(Decimal("0.01"))


@pytest.fixture
def money(tree):
    services.grant(org=tree.city, year=LAST_YEAR, source=PS, amount=1_000_000, by=None, key="g")
    for to, amount in ((tree.county_a, 600_000), (tree.county_b, 250_050)):
        services.allocate(
            from_org=tree.city,
            to_org=to,
            year=LAST_YEAR,
            source=PS,
            amount=amount,
            by=None,
            key=to.code,
        )
    services.reserve(org=tree.county_a, year=LAST_YEAR, amount=123_456, cause_id="x", by=None)
    services.pay(cause_id="x", amount=100_001, by=None)
    services.reserve(org=tree.county_b, year=LAST_YEAR, amount=7_777, cause_id="y", by=None)
    return tree


def test_funds_overview_export_adds_up_to_the_page(client, money):
    client.force_login(money.user("city_staff"))
    page = client.get(f"/funds/?year={LAST_YEAR}").context["b"]
    sheet = sheet_of(client.get(f"/funds/?year={LAST_YEAR}&export=xlsx"))
    assert header_is_frozen(sheet)
    names = [c.value for c in column(sheet, "所属组织")]
    assert names[-1] in ("合计", "Total") and len(names) == 2 + 1 + 1  # counties, own, total
    for header, name in (
        ("收到资金", "received"),
        ("已支出", "spent"),
        ("已预留", "reserved"),
        ("可用", "available"),
    ):
        cells = money_cells(sheet, header)
        *parts, total = cells
        assert yuan_total(parts) == yuan_total([total]) == yuan(getattr(page.total, name)), header
    # By hand: spent ¥1,000.01 (county A), reserved ¥77.77 (county B), received ¥10,000.
    assert yuan_total(money_cells(sheet, "已支出")[-1:]) == Decimal("1000.01")
    assert yuan_total(money_cells(sheet, "已预留")[-1:]) == Decimal("77.77")
    rates = rate_cells(sheet, "资金使用率")
    assert rates[-1].value == pytest.approx(0.1)  # ¥1,000.01 of ¥10,000 → 10.0 %


def test_ledger_export_amounts_are_numbers_that_balance(client, money):
    client.force_login(money.user("auditor"))
    sheet = sheet_of(client.get(f"/funds/ledger/?year={LAST_YEAR}&export=xlsx"))
    assert header_is_frozen(sheet)
    amounts = money_cells(sheet, "金额")
    numbers = [c.value for c in column(sheet, "序号")]
    assert len(amounts) == Entry.objects.count()
    by_txn = defaultdict(Decimal)
    for number, cell in zip(numbers, amounts, strict=True):
        by_txn[number] += Decimal(str(cell.value))
    assert set(by_txn.values()) == {Decimal(0)}  # every transaction balances
    assert len(by_txn) == Transaction.objects.count()
    assert [c.value.date() for c in date_cells(sheet, "记账日期")][0] == timezone.localdate()
    # The spent bucket's lines are the page's spent: ¥1,000.01.
    buckets = [c.value for c in column(sheet, "资金状态")]
    spent = [a for a, b in zip(amounts, buckets, strict=True) if b == "已支出"]
    assert yuan_total(spent) == Decimal("1000.01")


def test_ten_thousand_ledger_lines_download(client, tree):
    """5,000 grants of two entries each, written in bulk (the ledger's triggers still keep the
    balances), then the ledger's download of all 10,000 lines."""
    account = Account.objects.create(
        org=tree.city, year=LAST_YEAR, source=PS, bucket=Bucket.AVAILABLE
    )
    issued = Account.objects.create(org=tree.city, year=LAST_YEAR, source=PS, bucket=Bucket.ISSUED)
    txns = Transaction.objects.bulk_create(
        Transaction(
            kind=Kind.GRANT,
            cause_type="grant",
            cause_id=str(i),
            idempotency_key=f"bulk:{i}",
            fingerprint=f"bulk:{i}",
            year=LAST_YEAR,
            value_date=date(LAST_YEAR, 1, 1 + i % 28),
        )
        for i in range(5_000)
    )
    Entry.objects.bulk_create(
        entry
        for i, txn in enumerate(txns, start=1)
        for entry in (
            Entry(transaction=txn, account=issued, amount=-i, kind=Kind.GRANT),
            Entry(transaction=txn, account=account, amount=i, kind=Kind.GRANT),
        )
    )
    client.force_login(tree.user("city_staff"))
    response = client.get("/funds/ledger/?export=xlsx")
    assert response.streaming
    sheet = sheet_of(response)
    assert sheet.max_row == 10_001
    amounts = money_cells(sheet, "金额")
    positive = [c for c in amounts if c.value > 0]
    # 1 + 2 + … + 5,000 fen = 12,502,500 fen = ¥125,025.00, the available balance.
    assert (
        yuan_total(positive)
        == Decimal("125025.00")
        == yuan(Account.objects.get(pk=account.pk).balance)
    )


def test_policy_export_money_in_yuan_and_percentages_as_rates(client, tree):
    make_policy(THIS_YEAR, unit_share_percent=20, utilization_target_percent=85)
    client.force_login(tree.user("auditor"))
    sheet = sheet_of(client.get("/funds/policies/?export=xlsx"))
    headers = [c.value for c in sheet[1]]
    money = [h for h in headers if "(¥)" in h]
    assert len(money) == 7
    values = {h: money_cells(sheet, h)[0].value for h in money}
    assert sorted(values.values()) == [200, 250, 300, 350, 400, 500, 3000]
    with translation.override("zh-hans"):
        share, target = (
            str(SubsidyPolicy._meta.get_field(name).verbose_name)
            for name in ("unit_share_percent", "utilization_target_percent")
        )
    assert rate_cells(sheet, share)[0].value == pytest.approx(0.2)  # 20 %, shown as 20.0%
    assert rate_cells(sheet, target)[0].value == pytest.approx(0.85)


def test_approval_queue_export_adds_up_to_the_money_waiting(client, tree):
    trip = build.build_trip(tree)
    for name in ("甲", "乙", "丙"):
        build.endorsed(tree, trip.batch, real_name=name)
    client.force_login(tree.user("county_a_staff"))
    page = client.get("/applications/queue/")
    waiting = sum(m["subsidy"] for m in page.context["money"])
    sheet = sheet_of(client.get("/applications/queue/?export=xlsx"))
    assert header_is_frozen(sheet)
    subsidies = money_cells(sheet, "补助")
    assert yuan_total(subsidies) == yuan(waiting) == Decimal("3000.00")  # 3 × ¥1,000 by hand
    assert yuan_total(money_cells(sheet, "工会价")) == Decimal("6000.00")  # 3 × ¥2,000
    [departure, *_rest] = date_cells(sheet, "出发日期")
    assert departure.value.date() == trip.batch.start_date


def test_roster_export_is_text_with_a_frozen_header(client, tree):
    trip = build.build_trip(tree)
    build.submitted(tree, trip.batch, real_name="=HYPERLINK(1)")
    client.force_login(tree.user("operator"))
    sheet = sheet_of(client.get(f"/applications/rosters/{trip.batch.pk}/?export=xlsx"))
    assert header_is_frozen(sheet)
    assert sheet.cell(2, 1).value == "'=HYPERLINK(1)" and sheet.cell(2, 1).data_type == "s"


def test_dashboard_bases_export(client, tree):
    trip = build.build_trip(tree)
    apps = [build.approved(tree, trip.batch) for _ in range(2)]
    year = apps[0].year
    type(apps[0]).objects.filter(pk__in=[a.pk for a in apps]).update(
        status=Status.SETTLED, paid_fen=99_999
    )
    client.force_login(tree.user("city_staff"))
    sheet = sheet_of(client.get(f"/dashboard/?year={year}&export=bases"))
    assert [c.value for c in column(sheet, "基地")] == [trip.itinerary.base.name]
    assert yuan_total(money_cells(sheet, "已付补助")) == Decimal("1999.98")
