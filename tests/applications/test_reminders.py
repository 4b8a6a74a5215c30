"""The daily reminders: each one goes out once, however often the job runs."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.models import Notification
from applications import services
from applications.models import Application, Status

pytestmark = pytest.mark.django_db

NOTHING = {"deadline": 0, "departure": 0, "endorse": 0, "approve": 0}


def notes(user) -> list[Notification]:
    return list(Notification.objects.filter(user=user))


def run_twice(today) -> dict:
    first = services.send_reminders(today=today)
    assert services.send_reminders(today=today) == NOTHING
    return first


class TestDeadline:
    @pytest.fixture
    def group(self, trip, tree):
        return services.group_trip_create(
            batch=trip.batch, organizer=tree.union_a1, seats=3, by=None
        )

    @pytest.mark.parametrize("days_before", [0, 1, 3])
    def test_an_organizer_with_empty_places_is_reminded_once(self, days_before, group, trip, tree):
        today = trip.batch.signup_deadline - timedelta(days=days_before)
        assert run_twice(today) == {**NOTHING, "deadline": 1}
        (note,) = notes(tree.user("organizer_a1"))
        assert note.url == f"/applications/groups/{group.pk}/"
        assert "3" in note.subject  # three places left
        # Another day inside the window: still only once.
        assert services.send_reminders(today=trip.batch.signup_deadline) == NOTHING

    def test_not_too_early_nor_after_the_deadline(self, group, trip, tree):
        deadline = trip.batch.signup_deadline
        for today in (deadline - timedelta(days=4), deadline + timedelta(days=1)):
            assert services.send_reminders(today=today) == NOTHING
        assert not notes(tree.user("organizer_a1"))

    def test_not_for_a_full_or_cancelled_group(self, group, trip, tree, make_worker):
        today = trip.batch.signup_deadline - timedelta(days=1)
        services.group_trip_resize(group_trip=group, seats=1, by=None)
        services.roster_add(group_trip=group, worker=make_worker(), union=tree.union_a1, by=None)
        assert services.send_reminders(today=today)["deadline"] == 0
        cancelled = services.group_trip_create(
            batch=trip.batch, organizer=tree.union_a1, seats=2, by=None
        )
        services.group_trip_cancel(group_trip=cancelled, by=None, reason="取消")
        assert services.send_reminders(today=today)["deadline"] == 0
        assert not notes(tree.user("organizer_a1"))


class TestDeparture:
    def test_an_approved_participant_is_reminded_once(self, trip, flow, make_worker):
        app = flow.to(flow.submit(make_worker(), trip.batch), Status.APPROVED)
        other = flow.submit(make_worker(), trip.batch)  # not approved: nothing to remind of
        before = len(notes(app.worker.user))
        for days in (3, 2, 1):
            today = trip.batch.start_date - timedelta(days=days)
            assert services.send_reminders(today=today)["departure"] == (1 if days == 3 else 0)
        assert len(notes(app.worker.user)) == before + 1
        note = Notification.objects.filter(user=app.worker.user).latest("pk")
        assert note.url == f"/applications/{app.pk}/"
        assert trip.itinerary.base.address in note.body
        assert not Notification.objects.filter(user=other.worker.user, key__startswith="dep")

    def test_not_too_early_nor_once_departed(self, trip, flow, make_worker):
        flow.to(flow.submit(make_worker(), trip.batch), Status.APPROVED)
        for today in (trip.batch.start_date - timedelta(days=4), trip.batch.start_date):
            assert services.send_reminders(today=today)["departure"] == 0


class TestWaitingDecisions:
    def age(self, days: int) -> None:
        Application.objects.update(updated_at=timezone.now() - timedelta(days=days))

    def test_overdue_endorsements_and_approvals_are_one_digest_a_day(
        self, trip, tree, flow, make_worker
    ):
        for _ in range(2):
            flow.submit(make_worker(), trip.batch)
        endorsed = services.application_endorse(
            application=flow.submit(make_worker(), trip.batch), by=None
        )
        self.age(4)
        today = timezone.localdate()
        assert run_twice(today) == {**NOTHING, "endorse": 1, "approve": 1}
        (to_union,) = [n for n in notes(tree.user("organizer_a1")) if n.key.startswith("endorse")]
        assert "2" in to_union.subject and to_union.url == "/applications/union/"
        (to_staff,) = notes(tree.user("county_a_staff"))
        assert "1" in to_staff.subject and to_staff.url == "/applications/queue/"
        assert not notes(tree.user("city_staff"))  # the county holds the money, not the city
        # The next day, the same items wait: one more digest each.
        tomorrow = today + timedelta(days=1)
        assert run_twice(tomorrow) == {**NOTHING, "endorse": 1, "approve": 1}
        # Decided: no more reminders.
        services.application_approve(application=endorsed, by=None)
        Application.objects.filter(status=Status.SUBMITTED).update(status=Status.WITHDRAWN)
        assert services.send_reminders(today=tomorrow + timedelta(days=1)) == NOTHING

    def test_recent_items_are_not_overdue(self, trip, flow, make_worker):
        flow.submit(make_worker(), trip.batch)
        self.age(2)
        assert services.send_reminders() == NOTHING
