from __future__ import annotations

import pytest

from funds.models import SubsidyPolicy
from tests.dates import THIS_YEAR


def make_policy(year: int = THIS_YEAR, **overrides) -> SubsidyPolicy:
    values = {
        "title": f"{year}年职工疗休养补助标准",
        "rate_model_worker": 40000,
        "rate_senior_technician": 35000,
        "rate_technician": 30000,
        "rate_senior_worker": 25000,
        "rate_member": 20000,
        "max_days_in_province": 5,
        "max_days_out_of_province": 7,
        "cost_ceiling_per_day": 50000,
        "yearly_cap_per_person": 300000,
        "unit_share_percent": 0,
        "utilization_target_percent": 80,
    }
    values.update(overrides)
    return SubsidyPolicy.objects.get_or_create(year=year, defaults=values)[0]


@pytest.fixture
def policy(db) -> SubsidyPolicy:
    return make_policy(THIS_YEAR)
