"""Journey: city staff bulk-approve the approval queue and see the dashboard change.

City federation staff open the dashboard for the year most waiting applications travel in, note
the money reserved and the approvals waiting, tick every application of that year in the queue
and approve them at once (each refusal is reported by name, the rest are approved), then find
the dashboard's reserved money grown by exactly the approved subsidies and the queue shorter.
"""

from __future__ import annotations

import re
from datetime import date

import pytest

pytestmark = pytest.mark.browser

# The fiscal year in which most applications in the city's queue could be approved with the
# money their federation still has; and the subsidy the city has approved so far (to compare).
PICK = r"""
import json
from collections import Counter
from django.db.models import Sum
from accounts.models import User
from applications import selectors
from funds.models import Account, Bucket
city = User.objects.get(username="city")
years = Counter()
for app in selectors.approval_queue(city):
    left = Account.objects.filter(
        org_id=app.funding_org_id, year=app.year, bucket=Bucket.AVAILABLE
    ).aggregate(t=Sum("balance"))["t"] or 0
    if left >= app.subsidy_fen:
        years[app.year] += 1
print(json.dumps(years.most_common(1)[0][0] if years else None))
"""
APPROVED_BY_CITY = r"""
import json
from django.db.models import Sum
from applications.models import Application
apps = Application.objects.filter(
    year=%d, status="approved", changes__to_status="approved", changes__by__username="city"
).distinct()
print(json.dumps([apps.count(), sum(a.subsidy_fen for a in apps)]))
"""
YUAN = re.compile(r"¥([\d,]+\.\d\d)")


def fen(text: str) -> int:
    return round(float(YUAN.search(text).group(1).replace(",", "")) * 100)


def headline(page, label: str) -> str:
    card = page.locator(".headline .card", has=page.get_by_text(label, exact=True))
    return card.first.inner_text()


def waiting(page) -> int:
    card = page.locator(".card", has=page.locator("#approvals")).first.inner_text()
    found = re.search(r"(\d+)\s*条报名待审批", card)
    return int(found.group(1)) if found else 0


def test_city_staff_bulk_approve_and_the_dashboard_changes(visitor, demo_server):
    year = demo_server.query(PICK)
    assert year, "nothing in the city's queue can be approved with the money there is"
    before_count, before_fen = demo_server.query(APPROVED_BY_CITY % year)

    staff = visitor("staff")
    staff.log_in("city")
    page = staff.go(f"/dashboard/?year={year}")
    reserved_before = fen(headline(page, "已预留"))
    waiting_before = waiting(page)
    assert waiting_before > 0
    staff.shot("dashboard-before")

    page = staff.go(
        f"/applications/queue/?departs_from={date(year, 1, 1)}&departs_to={date(year, 12, 31)}"
    )
    ticks = page.locator("input.tick")
    assert ticks.count() > 0
    page.check("#tick-all")
    assert all(ticks.nth(i).is_checked() for i in range(ticks.count()))
    staff.shot("queue-ticked")
    page.get_by_role("button", name="批准勾选项").click()
    page.wait_for_load_state()
    body = page.locator("body").inner_text()
    approved = int(re.search(r"已批准 (\d+) 条报名", body).group(1))
    staff.shot("queue-approved")

    after_count, after_fen = demo_server.query(APPROVED_BY_CITY % year)
    assert after_count - before_count == approved > 0
    page = staff.go(f"/dashboard/?year={year}")
    assert fen(headline(page, "已预留")) - reserved_before == after_fen - before_fen
    assert waiting(page) == waiting_before - approved
    staff.shot("dashboard-after")
