"""The in-portal notifications: the list, marking read (one, ticked, all, by opening) and the
navbar's unread badge from ``portal.context_processors.notifications``."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.models import Notification
from accounts.notify import notify
from tests.applications import staff_pages as build

pytestmark = pytest.mark.django_db


def note(user, subject: str = "你的报名已审批", url: str = "") -> Notification:
    return notify(user, subject=subject, url=url)


def badge(html: str) -> str | None:
    found = re.search(r'id="unread-badge">.*?</span>(.*?)</span>', html, re.S)
    return found[1].strip() if found else None


def test_list_shows_only_the_users_own_notifications(client, tree):
    worker = tree.user("worker_a1")
    note(worker, "给张三的通知")
    note(tree.user("worker_b1"), "给李四的通知")
    client.force_login(worker)
    response = client.get("/applications/notifications/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "给张三的通知" in html and "给李四的通知" not in html
    assert response.context["unread"] == 1


def test_a_status_change_reaches_the_workers_list_and_badge(client, tree):
    trip = build.build_trip(tree)
    from applications import services

    app = services.application_submit(
        worker=tree.user("worker_a1").worker, batch=trip.batch, by=None
    )
    services.application_endorse(application=app, by=None)
    client.force_login(tree.user("worker_a1"))
    html = client.get("/applications/notifications/").content.decode()
    assert html.count('class="list-group-item list-group-item-warning"') == 2
    assert trip.itinerary.title in html
    assert badge(client.get("/").content.decode()) == "2"


def test_badge_counts_unread_and_disappears_when_all_are_read(client, tree):
    user = tree.user("county_a_staff")
    for i in range(3):
        note(user, f"提醒{i}")
    client.force_login(user)
    assert badge(client.get("/").content.decode()) == "3"
    response = client.post("/applications/notifications/read-all/")
    assert response.status_code == 302
    assert not Notification.objects.filter(user=user, read_at__isnull=True).exists()
    assert badge(client.get("/").content.decode()) is None


def test_badge_shows_99_plus_for_many(client, tree):
    user = tree.user("auditor")
    Notification.objects.bulk_create(
        Notification(user=user, subject=f"n{i}", key=f"k{i}") for i in range(120)
    )
    client.force_login(user)
    assert badge(client.get("/").content.decode()) == "99+"


def test_mark_one_read_and_only_ones_own(client, tree):
    mine = note(tree.user("worker_a1"), "我的")
    other = note(tree.user("worker_a1"), "也是我的")
    theirs = note(tree.user("worker_b1"), "别人的")
    client.force_login(tree.user("worker_a1"))
    response = client.post(
        "/applications/notifications/read/",
        {"id": [mine.pk, theirs.pk, "abc", "99999999999999999999"], "next": "/account/"},
    )
    assert response["Location"] == "/account/"
    read = set(Notification.objects.filter(read_at__isnull=False).values_list("pk", flat=True))
    assert read == {mine.pk}
    assert other.pk not in read and theirs.pk not in read


def test_opening_a_notification_marks_it_read_and_follows_its_link(client, tree):
    link = note(tree.user("worker_a1"), "看看", url="/applications/42/")
    outside = note(tree.user("worker_a1"), "外链", url="https://evil.example/")
    theirs = note(tree.user("worker_b1"), "别人的", url="/x/")
    client.force_login(tree.user("worker_a1"))
    response = client.post("/applications/notifications/read/", {"open": link.pk})
    assert response["Location"] == "/applications/42/"
    response = client.post("/applications/notifications/read/", {"open": outside.pk})
    assert response["Location"] == "/applications/notifications/"
    assert client.post("/applications/notifications/read/", {"open": theirs.pk}).status_code == 404
    assert Notification.objects.get(pk=theirs.pk).read_at is None
    assert Notification.objects.filter(read_at__isnull=False).count() == 2


def test_unsafe_next_is_ignored(client, tree):
    client.force_login(tree.user("worker_a1"))
    response = client.post(
        "/applications/notifications/read-all/", {"next": "https://evil.example/"}
    )
    assert response["Location"] == "/applications/notifications/"
    response = client.post("/applications/notifications/read/", {"next": "//evil.example/"})
    assert response["Location"] == "/applications/notifications/"


def test_pages_need_a_login_and_reading_needs_post(client, tree):
    assert "login" in client.get("/applications/notifications/")["Location"]
    assert client.post("/applications/notifications/read-all/").status_code == 302
    client.force_login(tree.user("worker_a1"))
    assert client.get("/applications/notifications/read-all/").status_code == 405
    assert client.get("/applications/notifications/read/").status_code == 405


def test_badge_costs_one_count_query_and_nothing_for_visitors(client, tree):
    response = client.get("/")
    assert "unread_notifications" not in response.context
    assert badge(response.content.decode()) is None
    user = tree.user("city_staff")
    note(user, "一条")
    client.force_login(user)
    with CaptureQueriesContext(connection) as queries:
        html = client.get("/").content.decode()
    counts = [q["sql"] for q in queries if "accounts_notification" in q["sql"]]
    assert len(counts) == 1 and "COUNT" in counts[0].upper()
    assert badge(html) == "1"
