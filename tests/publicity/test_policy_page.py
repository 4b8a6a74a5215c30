"""/policy/: what this year's standard gives each category, computed by the calculator and
checked here against a hand computation."""

from __future__ import annotations

import pytest
from django.utils import timezone

from tests.funds.conftest import make_policy
from tests.publicity.helpers import table_rows, text

pytestmark = [pytest.mark.django_db, pytest.mark.dates]
YUAN = 100


@pytest.fixture
def policy():
    """Cost ceiling ¥500 a day, at most 5 days in and 6 out of the province, ¥2,200 a year,
    the unit pays 20 % of the rest."""
    return make_policy(
        timezone.localdate().year,
        rate_model_worker=400 * YUAN,
        rate_senior_technician=350 * YUAN,
        rate_technician=300 * YUAN,
        rate_senior_worker=250 * YUAN,
        rate_member=200 * YUAN,
        max_days_in_province=5,
        max_days_out_of_province=6,
        cost_ceiling_per_day=500 * YUAN,
        yearly_cap_per_person=2200 * YUAN,
        unit_share_percent=20,
        trips_per_window=1,
        frequency_window_years=2,
        out_of_province_window_years=3,
        priority_groups=["model_worker", "hardship"],
    )


def test_each_category_gets_what_the_hand_computation_says(client, policy):
    page = client.get("/policy/").content.decode()
    rows = table_rows(page)
    # 5 days in the province, priced at the ceiling (¥2,500): 5 × rate, then 20 % of the rest.
    # 7 days outside (¥3,500): at most 6 days subsidised, so 6 × rate, at most ¥2,200 a year.
    expected = {
        "劳模/先进个人": ("¥400.00", "¥2,000.00", "¥100.00", "¥2,200.00", "¥260.00"),
        "高级技师": ("¥350.00", "¥1,750.00", "¥150.00", "¥2,100.00", "¥280.00"),
        "技师": ("¥300.00", "¥1,500.00", "¥200.00", "¥1,800.00", "¥340.00"),
        "高级工": ("¥250.00", "¥1,250.00", "¥250.00", "¥1,500.00", "¥400.00"),
        "普通会员": ("¥200.00", "¥1,000.00", "¥300.00", "¥1,200.00", "¥460.00"),
    }
    assert set(rows) == set(expected)
    for label, (rate, inside, unit_in, outside, unit_out) in expected.items():
        assert rows[label] == [
            rate,
            f"{inside} 单位承担 {unit_in}",
            f"{outside} 单位承担 {unit_out}",
        ], label


def test_the_rules_are_spelled_out(client, policy):
    page = text(client.get("/policy/").content.decode())
    assert policy.title in page
    for fact in (
        "省内可补助天数 最多 5 天",
        "省外可补助天数 最多 6 天",
        "每人每天费用上限 ¥500.00",
        "每人每年补助上限 ¥2,200.00",
        "每 2 年最多享受 1 次疗休养补助。",
        "3 年内不重复安排省外疗休养。",
        "由所在单位承担 20%",
        "按以下顺序优先安排： 劳模/先进 困难职工",
        "（¥2,500.00 和 ¥3,500.00）",
    ):
        assert fact in page, fact


def test_no_unit_share_no_unit_line(client):
    make_policy(timezone.localdate().year, unit_share_percent=0)
    page = client.get("/policy/").content.decode()
    assert "单位承担" not in page
    assert "每年最多享受 1 次疗休养补助。" in page  # a one-year window reads as "a year"
    rows = table_rows(page)
    # The factory's standard: ¥400 a day, ceiling ¥500, ¥3,000 a year: 5 × 400; 7 × 400 → cap.
    assert rows["劳模/先进个人"] == ["¥400.00", "¥2,000.00", "¥2,800.00"]
    assert rows["普通会员"] == ["¥200.00", "¥1,000.00", "¥1,400.00"]


def test_last_years_standard_applies_until_this_years_is_out(client):
    last = make_policy(timezone.localdate().year - 1)
    page = client.get("/policy/").content.decode()
    assert last.title in page
    assert f"本年度标准发布前，沿用 {last.year} 年标准。" in page


def test_no_standard_yet_is_a_plain_sentence(client):
    page = client.get("/policy/").content.decode()
    assert "尚未发布补助标准。" in page
    assert "<table" not in page
    assert "如何报名" in page  # the steps are there anyway


def test_another_years_standard_by_its_year_and_junk_years(client, policy):
    old = make_policy(policy.year - 2, rate_model_worker=300 * YUAN)
    page = client.get(f"/policy/?year={old.year}").content.decode()
    assert old.title in page
    assert table_rows(page)["劳模/先进个人"][0] == "¥300.00"
    for junk in ("abc", "99999", str(policy.year - 1)):
        assert client.get(f"/policy/?year={junk}").status_code == 404
