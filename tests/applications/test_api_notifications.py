"""``/api/v1/notifications/``: one's own messages with the unread count."""

from __future__ import annotations

import pytest

from accounts.models import Notification
from applications import services
from tests.applications.api_support import apply, client_for

pytestmark = pytest.mark.django_db

URL = "/api/v1/notifications/"


def test_every_status_change_notifies_the_worker_and_the_list_counts_unread(tree, trip):
    app = apply(tree.user("worker_a1").worker, trip.batch)
    services.application_endorse(application=app, by=None)
    api = client_for(tree, "worker_a1")
    body = api.get(URL).json()
    assert set(body) == {"count", "next", "previous", "results", "unread"}
    assert (body["count"], body["unread"]) == (2, 2)
    first = body["results"][0]
    assert {"id", "subject", "body", "url", "created_at", "read_at", "read"} <= set(first)
    assert first["url"] == f"/applications/{app.pk}/"
    response = api.post(f"{URL}{first['id']}/read/")
    assert response.status_code == 200
    assert response.json()["read"] is True
    assert api.get(URL).json()["unread"] == 1
    assert api.post(f"{URL}read-all/").json() == {"marked": 1, "unread": 0}
    assert api.get(URL).json()["unread"] == 0


def test_one_sees_and_marks_only_ones_own(tree, trip):
    apply(tree.user("worker_a1").worker, trip.batch)
    note = Notification.objects.get()
    other = client_for(tree, "worker_b1")
    assert other.get(URL).json() == {
        "count": 0,
        "next": None,
        "previous": None,
        "results": [],
        "unread": 0,
    }
    assert other.post(f"{URL}{note.pk}/read/").status_code == 404
    assert other.post(f"{URL}read-all/").json() == {"marked": 0, "unread": 0}
    note.refresh_from_db()
    assert note.read_at is None


@pytest.mark.parametrize("pk", ["abc", "0", "99999999999999999999999"])
def test_junk_ids_are_404(tree, pk):
    assert client_for(tree, "worker_a1").post(f"{URL}{pk}/read/").status_code == 404


def test_anonymous_is_401(tree):
    api = client_for(tree, "anonymous")
    assert api.get(URL).status_code == 401
    assert api.post(f"{URL}read-all/").status_code == 401
