from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from funds.calculator import quote
from funds.models import SubsidyPolicy
from tests.dates import NEXT_YEAR, THIS_YEAR
from tests.funds.conftest import make_policy

pytestmark = pytest.mark.django_db


def test_subsidy_is_days_times_rate_for_the_category(policy):
    q = quote(policy=policy, category="technician", days=4, in_province=True, union_price=200_000)
    assert (q.subsidy, q.net_cost, q.subsidised_days) == (120_000, 80_000, 4)
    assert q.lines[-1].endswith("¥800.00")


def test_days_beyond_the_policy_maximum_are_not_subsidised(policy):
    q = quote(policy=policy, category="member", days=7, in_province=True, union_price=300_000)
    assert q.subsidised_days == 5
    assert q.subsidy == 5 * 20_000
    out = quote(policy=policy, category="member", days=7, in_province=False, union_price=300_000)
    assert out.subsidy == 7 * 20_000


def test_caps_union_price_yearly_cap_and_cost_ceiling(policy):
    cheap = quote(
        policy=policy, category="model_worker", days=5, in_province=True, union_price=90_000
    )
    assert cheap.subsidy == 90_000 and cheap.net_cost == 0
    used = quote(
        policy=policy,
        category="model_worker",
        days=5,
        in_province=True,
        union_price=250_000,
        used_this_year=250_000,
    )
    assert used.subsidy == 50_000
    assert any("yearly cap" in line for line in used.lines)
    generous = make_policy(NEXT_YEAR, rate_model_worker=90_000, cost_ceiling_per_day=60_000)
    capped = quote(
        policy=generous, category="model_worker", days=3, in_province=True, union_price=400_000
    )
    assert capped.subsidy == 180_000


def test_unit_share_splits_the_rest(policy):
    policy.unit_share_percent = 20
    q = quote(policy=policy, category="member", days=5, in_province=True, union_price=200_000)
    assert (q.subsidy, q.unit_share, q.net_cost) == (100_000, 20_000, 80_000)


def test_family_members_and_missing_policy_pay_full_price(policy):
    family = quote(
        policy=policy,
        category="member",
        days=5,
        in_province=True,
        union_price=200_000,
        family_member=True,
    )
    assert (family.subsidy, family.net_cost) == (0, 200_000)
    none = quote(policy=None, category="member", days=5, in_province=True, union_price=200_000)
    assert none.net_cost == 200_000


@given(
    days=st.integers(1, 15),
    price=st.integers(0, 2_000_000),
    used=st.integers(0, 400_000),
    category=st.sampled_from(
        ["model_worker", "senior_technician", "technician", "senior_worker", "member"]
    ),
    in_province=st.booleans(),
    share=st.integers(0, 100),
)
def test_quote_bounds_hold_for_any_trip(days, price, used, category, in_province, share):
    policy = SubsidyPolicy(
        year=THIS_YEAR,
        title="t",
        rate_model_worker=40000,
        rate_senior_technician=35000,
        rate_technician=30000,
        rate_senior_worker=25000,
        rate_member=20000,
        cost_ceiling_per_day=50000,
        yearly_cap_per_person=300000,
        unit_share_percent=share,
    )
    q = quote(
        policy=policy,
        category=category,
        days=days,
        in_province=in_province,
        union_price=price,
        used_this_year=used,
    )
    assert 0 <= q.subsidy <= price
    assert q.subsidy <= max(300000 - used, 0)
    assert q.subsidy <= q.subsidised_days * 50000
    assert q.subsidy + q.unit_share + q.net_cost == price
    assert q.net_cost >= 0 and q.unit_share >= 0
