"""Journey: an organizer builds a joint group (联合组团) from an uploaded roster.

The organizer of a grassroots union picks a batch in the group-trip wizard, holds a block of
seats as a joint group, downloads the roster template, fills it with three of the union's members
who may still travel, uploads it and waits for the row-by-row check; then invites a small unit,
whose organizer (on a phone) joins from the invitation and adds a member of their own.
"""

from __future__ import annotations

from io import BytesIO

import pytest
from openpyxl import load_workbook

from tests.browser.conftest import PHONE

pytestmark = pytest.mark.browser

# Which organizer, batch and members: asked of the demo's own rules (eligibility for a seat in a
# group), so the journey holds on whatever day the demo was seeded.
PICK = r"""
import json
from django.db.models import F
from accounts.models import OrgKind, Role, User, Worker
from applications import selectors
from applications.models import GroupParticipant

def eligible(union, batch, n):
    found = []
    for worker in Worker.objects.filter(union=union).order_by("pk"):
        if not selectors.Eligibility(worker).refusals(batch, in_group=True):
            found.append({"name": worker.real_name, "id_number": worker.id_number})
            if len(found) == n:
                break
    return found

busy = set(GroupParticipant.objects.values_list("union_id", flat=True))
organizers = list(
    User.objects.filter(role=Role.ORGANIZER, org__kind=OrgKind.GRASSROOTS)
    .exclude(org_id__in=busy).select_related("org").order_by("pk")
)
batches = list(
    selectors.batches_for_group_trips()
    .filter(capacity__gte=F("seats_held") + 8, itinerary__days__lte=7)
    .select_related("itinerary")[:15]
)
result = None
for batch in batches:
    leads = [(u, eligible(u.org, batch, 3)) for u in organizers]
    leads = [(u, m) for u, m in leads if len(m) == 3]
    if not leads:
        continue
    lead, members = leads[0]
    small = [
        (u, eligible(u.org, batch, 1)) for u in organizers
        if u.org_id != lead.org_id and Worker.objects.filter(union=u.org).count() <= 8
    ]
    small = [(u, m) for u, m in small if m]
    if small:
        partner, (extra,) = small[0]
        result = {
            "lead": lead.username, "lead_union": lead.org.name,
            "batch": batch.pk, "title": batch.itinerary.title,
            "start": batch.start_date.isoformat(), "members": members,
            "partner": partner.username, "partner_code": partner.org.code,
            "partner_union": partner.org.name, "extra": extra,
        }
        break
print(json.dumps(result))
"""


def test_an_organizer_builds_a_joint_group_from_an_uploaded_roster(visitor, demo_server, tmp_path):
    plan = demo_server.query(PICK)
    assert plan, "the demo has no batch with room for a joint group of two unions"

    lead = visitor("organizer")
    lead.log_in(plan["lead"])
    page = lead.go("/applications/groups/new/")
    page.fill("input[name=q]", plan["title"])
    page.get_by_role("button", name="搜索").click()
    row = page.locator("li.list-group-item", has_text=plan["start"]).first
    row.get_by_role("link", name="选择").click()
    page.fill("input[name=seats]", "8")
    page.check("input[name=joint]")
    lead.shot("block-of-seats")
    page.get_by_role("button", name="创建团队").click()
    page.wait_for_url("**/applications/groups/*/")
    group_url = page.url.removeprefix(demo_server.url)
    assert "0 / 8" in page.content()  # an empty roster in a block of 8

    page.get_by_role("link", name="从 Excel 导入").click()
    with page.expect_download() as download:
        page.get_by_role("link", name="下载模板（.xlsx）").click()
    template = tmp_path / "roster.xlsx"
    download.value.save_as(template)
    book = load_workbook(template)
    sheet = book.active
    assert [c.value for c in sheet[1]][:2] == ["姓名", "身份证号"]
    for member in plan["members"]:
        sheet.append([member["name"], member["id_number"]])
    filled = BytesIO()
    book.save(filled)
    page.set_input_files(
        "input[type=file]",
        files=[
            {
                "name": "名单.xlsx",
                "mimeType": "application/octet-stream",
                "buffer": filled.getvalue(),
            }
        ],
    )
    lead.shot("upload")
    page.get_by_role("button", name="上传并检查").click()
    page.wait_for_selector("text=已将 3 人加入名单", timeout=60_000)
    lead.shot("imported")
    page.get_by_role("link", name="返回名单").click()
    for member in plan["members"]:
        assert page.get_by_text(member["name"]).first.is_visible()

    page.fill("#union-q", plan["partner_code"])
    page.locator("#union-q").press("Enter")
    page.get_by_role("button", name="邀请").first.click()
    page.wait_for_load_state()
    assert page.get_by_text(plan["partner_union"]).first.is_visible()
    lead.shot("invited")

    partner = visitor("organizer-partner", PHONE)
    partner.log_in(plan["partner"])
    page2 = partner.go(group_url)
    partner.shot("invitation")
    page2.get_by_role("button", name="加入").click()
    page2.wait_for_load_state()
    page2.fill("#member-q", plan["extra"]["name"])
    page2.locator("#member-q").press("Enter")
    page2.wait_for_load_state()
    page2.locator("li", has_text=plan["extra"]["name"]).get_by_role("button", name="添加").click()
    page2.wait_for_load_state()
    partner.shot("member-added")

    page = lead.go(group_url)
    for name in [m["name"] for m in plan["members"]] + [plan["extra"]["name"]]:
        assert page.get_by_text(name).first.is_visible(), name
    assert page.get_by_text(plan["partner_union"]).first.is_visible()
    lead.shot("joint-roster")
