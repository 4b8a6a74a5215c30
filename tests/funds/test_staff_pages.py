"""Fund pages as staff use them: the breakdown of a county, closed years, the ledger's order,
actors, signs and pickers, the money beside the movement forms, the year-closing page and the
tabs every page keeps."""

from __future__ import annotations

import re
from datetime import date

import pytest

from funds import services
from funds.models import FundSource, Transaction
from tests.conftest import fake_now
from tests.dates import LAST_YEAR, THIS_YEAR
from tests.funds.conftest import make_policy

pytestmark = [pytest.mark.django_db, pytest.mark.dates]
PS = FundSource.PROVINCIAL_SPECIAL
CM = FundSource.CITY_MATCHING


def _grant(org, year, amount, key, **kw):
    return services.grant(org=org, year=year, source=PS, amount=amount, by=None, key=key, **kw)


def _allocate(from_org, to_org, year, amount, key, **kw):
    return services.allocate(
        from_org=from_org,
        to_org=to_org,
        year=year,
        source=PS,
        amount=amount,
        by=None,
        key=key,
        **kw,
    )


@pytest.fixture
def county_money(tree):
    """County B gets ¥3,000 of last year's money and keeps it (union B1 has no accounts); it reserves ¥700
    and pays ¥500 of it (the rest released)."""
    _grant(tree.city, LAST_YEAR, 1_000_000, "g")
    _allocate(tree.city, tree.county_b, LAST_YEAR, 300_000, "b")
    services.reserve(org=tree.county_b, year=LAST_YEAR, amount=70_000, cause_id="t1", by=None)
    services.pay(cause_id="t1", amount=50_000, by=None)
    return tree


def test_a_county_that_holds_its_money_says_so_under_its_cards(client, county_money):
    client.force_login(county_money.user("county_b_staff"))
    response = client.get(f"/funds/?year={LAST_YEAR}")
    html = response.content.decode()
    b = response.context["b"]
    assert b.holds_money_itself and b.rows == []
    assert (
        "¥3,000.00" in html and "¥500.00" in html and "¥2,500.00" in html
    )  # received, spent, left
    assert "乙县总工会" in html
    # Never "no money below this organization" under cards that show money.
    assert "本年度该组织下无资金" not in html and "No money below" not in html
    own = html[
        html.index('class="breakdown-own"') : html.index("</tr>", html.index("breakdown-own"))
    ]
    assert "¥3,000.00" in own and "¥500.00" in own and "¥2,500.00" in own
    total = html[html.index('class="fw-semibold breakdown-total"') :]
    assert "¥3,000.00" in total[: total.index("</tr>")]


def test_the_city_breakdown_adds_up_with_its_own_accounts(client, county_money):
    client.force_login(county_money.user("city_staff"))
    b = client.get(f"/funds/?year={LAST_YEAR}").context["b"]
    assert [r.org.code for r in b.rows] == ["CB"]
    # The city keeps ¥10,000 − ¥3,000 = ¥7,000 of its own; with county B's row it is the total.
    assert (b.own.received, b.own.available) == (700_000, 700_000)
    for name in ("received", "spent", "reserved", "available", "rolled_in", "rolled_out"):
        assert getattr(b.own, name) + sum(getattr(r.usage, name) for r in b.rows) == getattr(
            b.total, name
        )


def test_a_closed_year_shows_its_final_figures_without_pace(client, county_money, time_machine):
    make_policy(LAST_YEAR, utilization_target_percent=80)
    time_machine.move_to(fake_now(date(THIS_YEAR, 1, 3)))
    services.rollover(year=LAST_YEAR, by=None)
    client.force_login(county_money.user("city_staff"))
    html = client.get(f"/funds/?year={LAST_YEAR}").content.decode()
    assert "已结账" in html or "closed" in html
    assert "alert-warning" not in html and "进度落后" not in html and "behind pace" not in html
    assert "预计年末" not in html and "Projected at year end" not in html
    assert "¥9,500.00" in html  # rolled out: everything not spent


def test_an_open_year_warns_an_org_behind_pace(client, county_money, time_machine):
    make_policy(LAST_YEAR, utilization_target_percent=80)
    time_machine.move_to(fake_now(date(LAST_YEAR, 11, 30)))
    client.force_login(county_money.user("city_staff"))
    html = client.get(f"/funds/?year={LAST_YEAR}").content.decode()
    # 334 of 365 days gone (335 of 366 in a leap year, the same 18.2 %); county B committed ¥500 of ¥3,000 (16.7 %): 18.2 % at year end.
    assert "alert-warning" in html and "18.2%" in html


# --- Ledger -----------------------------------------------------------------------------------


def test_ledger_sorts_by_value_date_and_shows_who_and_signs(client, tree):
    staff = tree.user("city_staff")
    services.grant(
        org=tree.city,
        year=LAST_YEAR,
        source=PS,
        amount=500_000,
        by=staff,
        key="late",
        value_date=date(LAST_YEAR, 9, 1),
    )
    services.grant(
        org=tree.city,
        year=LAST_YEAR,
        source=PS,
        amount=230_000,
        by=None,
        key="early",
        value_date=date(LAST_YEAR, 2, 1),
    )  # recorded last, dated first
    _allocate(
        tree.city, tree.county_a, LAST_YEAR, 230_000, "down", value_date=date(LAST_YEAR, 5, 1)
    )
    client.force_login(staff)
    response = client.get("/funds/ledger/")
    dates = [t.value_date for t in response.context["page"]]
    assert dates == [date(LAST_YEAR, 9, 1), date(LAST_YEAR, 5, 1), date(LAST_YEAR, 2, 1)]
    html = response.content.decode()
    assert "-¥2,300.00" in html and "¥-2,300.00" not in html
    assert staff.get_full_name() in html and "市总" in html  # who, and their organization
    assert "系统" in html or "system" in html  # the movements without a person


def test_ledger_pickers_offer_years_and_the_users_organizations(client, county_money):
    client.force_login(county_money.user("county_b_staff"))
    response = client.get("/funds/ledger/")
    form = response.context["form"]
    orgs = [code for code, _label in form.fields["org"].choices if code]
    assert orgs == ["CB", "B1"]  # county B's subtree only
    years = [y for y, _label in form.fields["year"].choices if y != ""]
    assert LAST_YEAR in years
    html = response.content.decode()
    assert '<select class="form-select" name="year"' in html
    assert '<select class="form-select" name="org"' in html


def test_ledger_filters_by_year_and_org(client, county_money):
    _grant(county_money.city, THIS_YEAR, 100_000, "next")
    client.force_login(county_money.user("city_staff"))
    page = client.get(f"/funds/ledger/?year={LAST_YEAR}&org=CB").context["page"]
    # County B's last year: the allocation, the reservation, the payment and its release.
    assert sorted(t.kind for t in page) == ["allocate", "pay", "release", "reserve"]
    assert client.get(f"/funds/ledger/?year={THIS_YEAR}").context["page"].paginator.count == 1
    everything = Transaction.objects.count()
    assert client.get("/funds/ledger/").context["page"].paginator.count == everything


def test_an_org_outside_the_pickers_is_refused(client, county_money):
    client.force_login(county_money.user("county_b_staff"))
    assert client.get("/funds/ledger/?org=C").status_code == 404  # the city: not county B's
    assert client.get("/funds/ledger/?org=NOSUCH").status_code == 404
    # County B's own base operator holds no money: a field error, and nothing listed.
    response = client.get("/funds/ledger/?org=OPB")
    assert response.status_code == 200
    assert response.context["page"].paginator.count == 0
    assert "alert-danger" in response.content.decode()
    assert client.get(f"/funds/ledger/?year={THIS_YEAR - 27}").context["page"].paginator.count == 0


def test_each_transaction_is_listed_once(client, county_money):
    client.force_login(county_money.user("city_staff"))
    page = client.get("/funds/ledger/?source=" + PS).context["page"]
    pks = [t.pk for t in page]
    assert len(pks) == len(set(pks)) == Transaction.objects.count()


# --- Movement forms, year closing, tabs ---------------------------------------------------------


def test_grant_and_allocate_forms_show_the_money_available(client, county_money):
    _grant(county_money.city, LAST_YEAR, 40_000, "cm", memo="")
    client.force_login(county_money.user("city_staff"))
    for url in (f"/funds/grant/?year={LAST_YEAR}", f"/funds/allocate/?year={LAST_YEAR}"):
        response = client.get(url)
        html = response.content.decode()
        balances = {(a.org.code, a.source): a.balance for a in response.context["balances"]}
        # The city: ¥10,000 + ¥400 − ¥3,000; county B: ¥3,000 − ¥500 spent.
        assert balances == {("C", PS): 740_000, ("CB", PS): 250_000}, url
        assert "¥7,400.00" in html and "¥2,500.00" in html
        assert response.context["form"]["year"].value() == LAST_YEAR
    client.force_login(county_money.user("county_b_staff"))
    balances = client.get(f"/funds/allocate/?year={LAST_YEAR}").context["balances"]
    assert [a.org.code for a in balances] == ["CB"]  # not the city's money


def test_the_year_closing_page_opens_on_the_first_open_year(client, county_money, time_machine):
    time_machine.move_to(fake_now(date(THIS_YEAR, 3, 1)))
    _grant(county_money.city, THIS_YEAR, 10_000, "now")
    client.force_login(county_money.user("city_staff"))
    response = client.get("/funds/close-year/")
    assert response.context["year"] == LAST_YEAR
    services.rollover(year=LAST_YEAR, by=None)
    response = client.get("/funds/close-year/")
    assert response.context["year"] == THIS_YEAR
    html = response.content.decode()
    assert re.search(r'<button class="btn btn-outline-secondary text-nowrap[^"]*"', html)
    assert re.search(r'<button class="btn btn-danger text-nowrap"', html)
    assert '<select id="close-year-picker"' in html
    assert client.get("/funds/close-year/?year=abc").status_code == 404


TABS = {
    "/funds/": "overview",
    "/funds/ledger/": "ledger",
    "/funds/grant/": "grant",
    "/funds/allocate/": "allocate",
    "/funds/policies/": "policies",
    "/funds/policies/new/": "policies",
    "/funds/close-year/": "close",
}


@pytest.mark.parametrize("url", sorted(TABS))
def test_every_tab_stays_on_every_funds_page(client, tree, url):
    client.force_login(tree.user("city_staff"))
    html = client.get(url).content.decode()
    tabs = html[html.index('class="nav nav-pills') :]
    tabs = tabs[: tabs.index("</ul>")]
    for link in TABS:
        if link != "/funds/policies/new/":
            assert f'href="{link}"' in tabs, (url, link)
    assert tabs.count('aria-current="page"') == 1


def test_an_auditor_gets_the_read_only_tabs(client, tree):
    client.force_login(tree.user("auditor"))
    for url in ("/funds/", "/funds/ledger/", "/funds/policies/"):
        html = client.get(url).content.decode()
        tabs = html[html.index('class="nav nav-pills') :]
        tabs = tabs[: tabs.index("</ul>")]
        assert 'href="/funds/ledger/"' in tabs and 'href="/funds/policies/"' in tabs
        for hidden in ("/funds/grant/", "/funds/allocate/", "/funds/close-year/"):
            assert hidden not in tabs, (url, hidden)
