"""The window of fiscal years pages, forms and the API answer for moves with today."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from funds.years import YEARS_AHEAD, YEARS_BACK, in_window, validate_fiscal_year, year_window
from tests.conftest import fake_now
from tests.dates import THIS_YEAR

pytestmark = [pytest.mark.django_db, pytest.mark.dates]


@pytest.mark.parametrize("day", [date(THIS_YEAR, 1, 1), date(THIS_YEAR, 12, 31)])
def test_the_window_is_counted_from_today(day, time_machine):
    time_machine.move_to(fake_now(day))
    first, last = year_window()
    assert (first, last) == (day.year - YEARS_BACK, day.year + YEARS_AHEAD)
    assert in_window(first) and in_window(last) and in_window(day.year)
    assert not in_window(first - 1) and not in_window(last + 1)


def test_years_later_the_window_has_moved(time_machine):
    later = THIS_YEAR + YEARS_AHEAD + 1
    assert not in_window(later)
    time_machine.move_to(fake_now(date(later, 1, 2)))
    assert in_window(later) and not in_window(later - YEARS_BACK - 1)


def test_the_validator_names_the_window():
    first, last = year_window()
    validate_fiscal_year(first)
    validate_fiscal_year(last)
    for junk in (first - 1, last + 1, 10**30):
        with pytest.raises(ValidationError) as refused:
            validate_fiscal_year(junk)
        with translation.override("zh-hans"):
            assert refused.value.messages == [f"请填写 {first} 至 {last} 之间的财政年度。"]
        with translation.override("en"):
            assert refused.value.messages == [f"Give a fiscal year from {first} to {last}."]


def test_pages_and_the_api_refuse_a_year_just_outside(client, tree):
    first, last = year_window()
    client.force_login(tree.user("city_staff"))
    for year in (first, last):
        assert client.get(f"/dashboard/?year={year}").status_code == 200
        assert client.get(f"/funds/?year={year}").status_code == 200
        assert client.get(f"/api/v1/funds/utilization/?org=C&year={year}").status_code == 200
        assert client.get(f"/disclosure/?year={year}").status_code == 200
    for year in (first - 1, last + 1):
        assert client.get(f"/dashboard/?year={year}").status_code == 404
        assert client.get(f"/funds/?year={year}").status_code == 404
        assert client.get(f"/disclosure/?year={year}").status_code == 404
        response = client.get(f"/api/v1/funds/utilization/?org=C&year={year}")
        assert response.status_code == 400 and "year" in response.json()
        response = client.get(f"/api/v1/applications/?year={year}")
        assert response.status_code == 400
        assert f"{first} 至 {last}" in str(response.json()["year"])


def test_a_grant_for_a_year_outside_is_refused_by_the_form(client, tree):
    first, last = year_window()
    client.force_login(tree.user("city_staff"))
    data = {"org": tree.city.pk, "source": "provincial_special", "amount": "1", "key": "k1"}
    response = client.post("/funds/grant/", data | {"year": last + 1})
    assert response.status_code == 200
    assert f"{first} 至 {last}" in response.content.decode()
