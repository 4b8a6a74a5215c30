"""申报 → 初核 → 推荐 → 审定 → 公示 → active; watch → suspended → exited (services)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError

from accounts.models import AuditEvent
from bases import services, signals
from bases.models import TRANSITIONS, AccreditationStep, BaseStatus, Batch, BatchStatus
from tests.bases.factories import BaseFactory, BatchFactory, ItineraryFactory

pytestmark = pytest.mark.django_db
S = BaseStatus


def test_a_base_goes_from_application_to_active_and_every_step_is_recorded(tree, today):
    staff = tree.user("city_staff")
    base = services.base_apply(
        by=tree.user("operator"),
        name="新基地",
        county=tree.county_a,
        operator=tree.operator,
        themes=["green"],
        products=["forest"],
    )
    assert base.status == S.APPLIED
    for to in (S.CHECKED, S.RECOMMENDED, S.APPROVED):
        base = services.base_transition(base=base, to=to, by=staff)
    base = services.base_transition(
        base=base, to=S.NOTICE, by=staff, notice_ends_on=today + timedelta(days=7)
    )
    assert base.notice_ends_on == today + timedelta(days=7)
    base = services.base_transition(
        base=base, to=S.ACTIVE, by=staff, today=today + timedelta(days=7)
    )
    assert base.status == S.ACTIVE and base.is_public
    steps = list(AccreditationStep.objects.filter(base=base).order_by("pk"))
    assert [(s.from_status, s.to_status) for s in steps] == [
        ("", S.APPLIED),
        (S.APPLIED, S.CHECKED),
        (S.CHECKED, S.RECOMMENDED),
        (S.RECOMMENDED, S.APPROVED),
        (S.APPROVED, S.NOTICE),
        (S.NOTICE, S.ACTIVE),
    ]
    assert steps[0].by == tree.user("operator") and steps[-1].by == staff
    actions = list(
        AuditEvent.objects.filter(target_id=str(base.pk))
        .order_by("pk")
        .values_list("action", flat=True)
    )
    assert actions == [
        "base_applied",
        "base_checked",
        "base_recommended",
        "base_approved",
        "base_notice",
        "base_active",
    ]
    assert AuditEvent.objects.filter(org=tree.county_a).count() == 6


@pytest.mark.parametrize(
    ("status", "to"),
    [
        (S.APPLIED, S.ACTIVE),
        (S.APPLIED, S.NOTICE),
        (S.CHECKED, S.APPROVED),
        (S.APPROVED, S.ACTIVE),
        (S.ACTIVE, S.APPLIED),
        (S.EXITED, S.ACTIVE),
        (S.REJECTED, S.APPLIED),
        (S.ACTIVE, S.ACTIVE),
    ],
)
def test_moves_outside_the_workflow_are_refused_and_change_nothing(tree, status, to):
    base = BaseFactory(county=tree.county_a, operator=tree.operator, status=status)
    with pytest.raises(ValidationError) as error:
        services.base_transition(base=base, to=to, by=tree.user("city_staff"), reason="x")
    assert "cannot become" in str(error.value)
    base.refresh_from_db()
    assert base.status == status
    assert not AccreditationStep.objects.exists()
    assert not AuditEvent.objects.exists()


def test_every_status_has_its_moves_listed():
    assert set(TRANSITIONS) == set(S.values)
    assert all(set(moves) <= set(S.values) for moves in TRANSITIONS.values())
    assert TRANSITIONS[S.EXITED] == frozenset()


@pytest.mark.parametrize("to", [S.WATCH, S.SUSPENDED, S.EXITED])
def test_watch_suspend_and_exit_need_a_reason(tree, to):
    base = BaseFactory(county=tree.county_a, operator=tree.operator)
    with pytest.raises(ValidationError) as error:
        services.base_transition(base=base, to=to, by=tree.user("city_staff"), reason="  ")
    assert "reason" in error.value.message_dict


def test_public_notice_needs_a_future_end_and_cannot_be_cut_short(tree, today):
    staff = tree.user("city_staff")
    base = BaseFactory(county=tree.county_a, operator=tree.operator, status=S.APPROVED)
    for ends in (None, today):
        with pytest.raises(ValidationError) as error:
            services.base_transition(base=base, to=S.NOTICE, by=staff, notice_ends_on=ends)
        assert "notice_ends_on" in error.value.message_dict
    services.base_transition(
        base=base, to=S.NOTICE, by=staff, notice_ends_on=today + timedelta(days=5)
    )
    with pytest.raises(ValidationError, match="public notice runs until"):
        services.base_transition(base=base, to=S.ACTIVE, by=staff, today=today)


def test_the_daily_job_may_only_put_a_base_on_the_watch_list(tree):
    base = BaseFactory(county=tree.county_a, operator=tree.operator)
    with pytest.raises(ValidationError, match="Only federation staff"):
        services.base_transition(base=base, to=S.SUSPENDED, by=None, reason="low")
    services.base_transition(base=base, to=S.WATCH, by=None, reason="low score")
    step = AccreditationStep.objects.get(to_status=S.WATCH)
    assert step.by is None and step.reason == "low score"
    with pytest.raises(ValidationError, match="Only federation staff"):
        services.base_transition(base=base, to=S.ACTIVE, by=None)


@pytest.mark.parametrize("to", [S.SUSPENDED, S.EXITED])
def test_suspending_or_exiting_closes_open_batches_and_tells_listeners(
    tree, today, to, django_capture_on_commit_callbacks
):
    base = BaseFactory(county=tree.county_a, operator=tree.operator, status=S.WATCH)
    itinerary = ItineraryFactory(base=base, days=3)
    future = BatchFactory(itinerary=itinerary, start_date=today + timedelta(days=20))
    running = BatchFactory(itinerary=itinerary, start_date=today - timedelta(days=1))
    past = BatchFactory(itinerary=itinerary, start_date=today - timedelta(days=40))
    other = BatchFactory(start_date=today + timedelta(days=20))  # another base's batch
    heard = []

    def receiver(sender, base, batch_ids, reason, by, **kwargs):
        heard.append((base.pk, sorted(batch_ids), reason, by))

    signals.batches_closed.connect(receiver)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            services.base_transition(
                base=base, to=to, by=tree.user("city_staff"), reason="整改不到位"
            )
    finally:
        signals.batches_closed.disconnect(receiver)
    statuses = dict(Batch.objects.values_list("pk", "status"))
    assert statuses[future.pk] == statuses[running.pk] == BatchStatus.CLOSED
    assert statuses[past.pk] == statuses[other.pk] == BatchStatus.OPEN
    assert Batch.objects.get(pk=future.pk).closed_reason == "整改不到位"
    assert heard == [
        (base.pk, sorted([future.pk, running.pk]), "整改不到位", tree.user("city_staff"))
    ]
    assert AuditEvent.objects.filter(action="batches_closed").get().data["batch_ids"] == sorted(
        [future.pk, running.pk]
    )


def test_no_signal_is_sent_when_the_move_is_refused(tree, django_capture_on_commit_callbacks):
    base = BaseFactory(county=tree.county_a, operator=tree.operator, status=S.APPLIED)
    BatchFactory(itinerary=ItineraryFactory(base=base))
    with django_capture_on_commit_callbacks() as callbacks, pytest.raises(ValidationError):
        services.base_transition(base=base, to=S.EXITED, by=tree.user("city_staff"), reason="x")
    assert callbacks == []
    assert Batch.objects.get().status == BatchStatus.OPEN


def test_status_change_signal_names_both_ends(tree, django_capture_on_commit_callbacks):
    base = BaseFactory(county=tree.county_a, operator=tree.operator)
    heard = []
    signals.base_status_changed.connect(
        receiver := lambda sender, **kw: heard.append((kw["from_status"], kw["to_status"]))
    )
    try:
        with django_capture_on_commit_callbacks(execute=True):
            services.base_transition(base=base, to=S.WATCH, by=tree.user("city_staff"), reason="r")
    finally:
        signals.base_status_changed.disconnect(receiver)
    assert heard == [(S.ACTIVE, S.WATCH)]


def test_reinstating_a_suspended_base_needs_a_reason_and_clears_the_watch(tree, today):
    staff = tree.user("city_staff")
    base = BaseFactory(
        county=tree.county_a, operator=tree.operator, status=S.SUSPENDED, watch_since=today
    )
    with pytest.raises(ValidationError):
        services.base_transition(base=base, to=S.ACTIVE, by=staff)
    base = services.base_transition(base=base, to=S.ACTIVE, by=staff, reason="整改合格")
    assert base.status == S.ACTIVE and base.watch_since is None


def test_applying_refuses_an_incomplete_base_and_saves_nothing(tree):
    with pytest.raises(ValidationError) as error:
        services.base_apply(
            by=tree.user("operator"),
            name="",
            county=tree.county_a,
            operator=tree.operator,
            themes=[],
            products=["spa"],
        )
    assert {"name", "themes", "products"} <= set(error.value.message_dict)
    assert not AccreditationStep.objects.exists()


def test_operators_change_the_profile_but_not_the_name(tree):
    base = BaseFactory(county=tree.county_a, operator=tree.operator)
    services.base_update(base=base, by=tree.user("operator"), summary="新简介", themes=["red"])
    base.refresh_from_db()
    assert (base.summary, base.themes) == ("新简介", ["red"])
    with pytest.raises(ValidationError):
        services.base_update(base=base, by=tree.user("operator"), name="改名")
    services.base_update(base=base, by=tree.user("city_staff"), staff=True, name="改名")
    base.refresh_from_db()
    assert base.name == "改名"
    assert AuditEvent.objects.filter(action="base_updated").count() == 2
