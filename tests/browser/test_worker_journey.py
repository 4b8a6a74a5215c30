"""Journey: a worker on a phone finds the cheapest green trip they may take, and applies.

On a 390 px screen the worker opens the catalogue, unfolds the filters, asks for green trips with
seats to sign up for, sorts by their own cost and takes the first trip they may apply to; the
confirm page shows the same cost, broken down, and applying lands on their application.
"""

from __future__ import annotations

import re

import pytest

from tests.browser.conftest import PHONE

pytestmark = pytest.mark.browser

# A worker in good standing with no application at all: free to take any trip their age allows.
PICK = r"""
import json
from accounts.models import Worker
worker = (
    Worker.objects.filter(in_good_standing=True, user__isnull=False, applications__isnull=True)
    .select_related("user").order_by("pk").first()
)
print(json.dumps(worker and worker.user.username))
"""
YUAN = re.compile(r"¥[\d,]+\.\d\d")


def test_a_worker_on_a_phone_applies_for_the_cheapest_green_trip_they_may_take(
    visitor, demo_server
):
    username = demo_server.query(PICK)
    assert username, "the demo has no worker free to travel"
    worker = visitor("worker", PHONE)
    worker.log_in(username)
    worker.shot("home")

    page = worker.go("/bases/")
    page.get_by_role("button", name="筛选条件").click()
    # Bootstrap marks the panel "collapse show" only once it has finished unfolding; a click
    # during the animation can miss the checkbox.
    page.wait_for_selector("#filters.collapse.show")
    page.select_option("#f-theme", "green")
    page.check("#f-available")
    worker.shot("filters")
    page.get_by_role("button", name="查询线路").click()
    page.wait_for_load_state()
    with page.expect_navigation():
        page.select_option("#sort", "net_cost")
    assert "sort=net_cost" in page.url and "theme=green" in page.url

    cards = page.locator("#results article")
    assert cards.count() > 0, "no green trip with seats in the demo"
    costs = []
    for i in range(cards.count()):
        card = cards.nth(i)
        cost = YUAN.search(card.locator(".card-cost").inner_text()).group()
        costs.append((float(cost[1:].replace(",", "")), card))
    assert [c for c, _ in costs] == sorted(c for c, _ in costs), "not sorted by the worker's cost"
    may_apply = [
        (c, card) for c, card in costs if card.locator("a[href*='/applications/apply/']").count()
    ]
    assert may_apply, "the worker may apply to none of the green trips on the first page"
    cheapest, card = may_apply[0]
    title = card.locator("h2").inner_text().strip()
    worker.shot("sorted-by-my-cost")

    card.locator("a[href*='/applications/apply/']").first.click()
    page.wait_for_load_state()
    assert title in page.content()
    assert page.get_by_text("个人自付").first.is_visible()
    assert f"¥{cheapest:,.2f}" in page.locator("body").inner_text(), (
        "the confirm page costs otherwise"
    )
    worker.shot("confirm")
    page.get_by_role("button", name="确认报名").click()
    page.wait_for_url(re.compile(r".*/applications/\d+/$"))
    body = page.locator("body").inner_text()
    assert title in body and ("已提交" in body or "候补" in body)
    worker.shot("applied")

    page = worker.go("/applications/mine/")
    assert title in page.locator("body").inner_text()
