"""This app's rows of the URL × method × role matrix in tests/test_permissions.py (format:
tests/matrix.py). Movements name county A's organizations: county B's staff may record movements,
but not of county A's money (a field error, nothing written)."""

from __future__ import annotations

from funds import services
from funds.models import FiscalYear, FundSource, SubsidyPolicy, Transaction
from tests.dates import LAST_YEAR, THIS_YEAR
from tests.matrix import CITY, LOGIN, MOVERS, STAFF, SUPERVISORS, Write, only, roles

PS = FundSource.PROVINCIAL_SPECIAL
READERS = SUPERVISORS  # federation staff and auditors see the money of their subtree
# Their own movement to record, but county A's organizations in it: refused on the form.
MOVE_DONE = roles((STAFF, 302), ({"county_b_staff"}, 200), default=403)


def _policy(year: int = THIS_YEAR) -> SubsidyPolicy:
    from tests.funds.conftest import make_policy

    return make_policy(year)


def _policy_form(year: int, title: str) -> dict:
    return {
        "year": year,
        "title": title,
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
        "unit_share_percent": 0,
        "utilization_target_percent": 80,
    }


def _recorded(key: str):
    return lambda: Transaction.objects.filter(idempotency_key=f"web:{key}").exists()


def grant_page(tree) -> Write:
    data = {"org": tree.county_a.pk, "year": THIS_YEAR, "source": PS, "amount": "10", "key": "mg"}
    return Write(path="/funds/grant/", data=data, done=_recorded("mg"))


def allocate_page(tree) -> Write:
    services.grant(org=tree.county_a, year=THIS_YEAR, source=PS, amount=100_000, by=None, key="m0")
    data = {
        "from_org": tree.county_a.pk,
        "to_org": tree.union_a1.pk,
        "year": THIS_YEAR,
        "source": PS,
        "amount": "10",
        "key": "ma",
    }
    return Write(path="/funds/allocate/", data=data, done=_recorded("ma"))


def policy_new_page(tree) -> Write:
    return Write(
        path="/funds/policies/new/",
        data=_policy_form(THIS_YEAR + 5, "矩阵标准"),
        done=lambda: SubsidyPolicy.objects.filter(year=THIS_YEAR + 5).exists(),
    )


def policy_edit_page(tree) -> Write:
    _policy(THIS_YEAR)
    return Write(
        path=f"/funds/policies/{THIS_YEAR}/",
        data=_policy_form(THIS_YEAR, "矩阵改名"),
        done=lambda: SubsidyPolicy.objects.get(year=THIS_YEAR).title == "矩阵改名",
    )


def close_year_page(tree) -> Write:
    year = LAST_YEAR
    services.grant(org=tree.city, year=year, source=PS, amount=100_000, by=None, key="mc")
    return Write(
        path="/funds/close-year/",
        data={"year": year, "confirm": "on"},
        done=lambda: FiscalYear.objects.filter(year=year, closed_at__isnull=False).exists(),
    )


def with_policy(tree) -> str:
    _policy(THIS_YEAR)
    return f"/funds/policies/{THIS_YEAR}/"


def api_policy(tree) -> str:
    _policy(THIS_YEAR)
    return f"/api/v1/funds/policies/{THIS_YEAR}/"


MATRIX = {
    ("funds:overview", "get"): ("/funds/", LOGIN, only(READERS)),
    ("funds:grant", "get"): ("/funds/grant/", LOGIN, only(MOVERS)),
    ("funds:grant", "post"): (grant_page, LOGIN, MOVE_DONE),
    ("funds:allocate", "get"): ("/funds/allocate/", LOGIN, only(MOVERS)),
    ("funds:allocate", "post"): (allocate_page, LOGIN, MOVE_DONE),
    ("funds:ledger", "get"): ("/funds/ledger/", LOGIN, only(READERS)),
    ("funds:policies", "get"): ("/funds/policies/", LOGIN, only(READERS)),
    ("funds:policy-new", "get"): ("/funds/policies/new/", LOGIN, only(CITY)),
    ("funds:policy-new", "post"): (policy_new_page, LOGIN, only(CITY, 302)),
    ("funds:policy-edit", "get"): (with_policy, LOGIN, only(CITY)),
    ("funds:policy-edit", "post"): (policy_edit_page, LOGIN, only(CITY, 302)),
    ("funds:close-year", "get"): ("/funds/close-year/", LOGIN, only(CITY)),
    ("funds:close-year", "post"): (close_year_page, LOGIN, only(CITY, 302)),
    # The city's money: its staff, the auditor over it and the superuser; others get 404.
    ("funds-utilization", "get"): (
        f"/api/v1/funds/utilization/?org=C&year={THIS_YEAR}",
        401,
        only({"admin", "city_staff", "auditor"}, denied=404),
    ),
    ("funds-policy-list", "get"): ("/api/v1/funds/policies/", 200, 200),
    ("funds-policy-detail", "get"): (api_policy, 200, 200),
}
