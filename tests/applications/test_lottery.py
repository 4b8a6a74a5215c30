"""A batch allocated by priority and then a recorded, seeded lottery anyone can re-run."""

from __future__ import annotations

import hashlib
from datetime import timedelta

import pytest
from django.db import transaction

from accounts.models import AuditEvent, WorkerCategory
from applications import lottery as rule
from applications import selectors, services
from applications.models import Application, Lottery, Status
from bases.models import Batch, BatchStatus

pytestmark = pytest.mark.django_db

SEED = 8_412_390_017


@pytest.fixture
def batch(trip, make_batch):
    trip.policy.priority_groups = ["model_worker"]
    trip.policy.save()
    return make_batch(capacity=4)


@pytest.fixture
def held(batch, make_worker):
    """One seat taken before the lottery was announced: it stays taken."""
    return services.application_submit(worker=make_worker(), batch=batch, by=None)


@pytest.fixture
def lottery(batch, held, tree):
    return services.lottery_announce(batch=batch, by=tree.user("county_a_staff"))


@pytest.fixture
def pool(batch, lottery, make_worker):
    """Nine applicants after the announcement: three model workers, six members."""
    apps = []
    for n in range(9):
        category = WorkerCategory.MODEL_WORKER if n % 3 == 2 else WorkerCategory.MEMBER
        apps.append(
            services.application_submit(worker=make_worker(category=category), batch=batch, by=None)
        )
    return apps


def draw_day(batch: Batch):
    return batch.signup_deadline + timedelta(days=1)


def status_of(pk: int) -> str:
    return Application.objects.values_list("status", flat=True).get(pk=pk)


def test_after_the_announcement_sign_ups_join_the_pool(batch, held, lottery, pool):
    assert all(app.status == Status.WAITLISTED for app in pool)
    batch.refresh_from_db()
    assert batch.seats_held == 1 == selectors.seats_accounted(batch)
    assert batch.capacity - batch.seats_held == 3  # free, yet nobody is promoted before the draw
    assert services.waitlist_promote(batch_id=batch.pk) == []
    assert not lottery.is_drawn


def test_announcing_is_refused_twice_after_the_deadline_or_on_a_closed_batch(
    batch, make_batch, held, lottery
):
    with pytest.raises(services.ApplicationRefused, match="already allocated by lottery"):
        services.lottery_announce(batch=batch, by=None)
    late = make_batch(days_ahead=40)
    with pytest.raises(services.ApplicationRefused, match="still takes sign-ups"):
        services.lottery_announce(batch=late, by=None, today=draw_day(late))
    Batch.objects.filter(pk=late.pk).update(status=BatchStatus.CLOSED)
    with pytest.raises(services.ApplicationRefused, match="still takes sign-ups"):
        services.lottery_announce(batch=late, by=None)
    assert Lottery.objects.count() == 1


@pytest.mark.parametrize("days", [-5, 0])
def test_drawing_before_or_on_the_deadline_is_refused(days, batch, lottery, pool):
    with pytest.raises(services.ApplicationRefused) as error:
        services.lottery_draw(
            lottery=lottery, by=None, seed=SEED, today=batch.signup_deadline + timedelta(days=days)
        )
    assert f"{batch.signup_deadline:%Y-%m-%d}" in error.value.messages[0]
    lottery.refresh_from_db()
    assert not lottery.is_drawn and lottery.seed is None and lottery.result == []
    assert all(status_of(a.pk) == Status.WAITLISTED for a in pool)


def test_drawing_once_the_trip_started_is_refused(batch, lottery, pool):
    with pytest.raises(services.ApplicationRefused, match="too late"):
        services.lottery_draw(lottery=lottery, by=None, seed=SEED, today=batch.start_date)


def test_a_closed_batch_is_not_drawn(batch, lottery, pool):
    Batch.objects.filter(pk=batch.pk).update(status=BatchStatus.CLOSED)
    with pytest.raises(services.ApplicationRefused, match="closed"):
        services.lottery_draw(lottery=lottery, by=None, seed=SEED, today=draw_day(batch))
    assert all(status_of(a.pk) == Status.WAITLISTED for a in pool)
    lottery.refresh_from_db()
    assert not lottery.is_drawn


@pytest.mark.parametrize("seed", [-1, 2**63])
def test_a_seed_out_of_range_is_refused(seed, batch, lottery, pool):
    with pytest.raises(services.ApplicationRefused, match="seed"):
        services.lottery_draw(lottery=lottery, by=None, seed=seed, today=draw_day(batch))


def test_the_draw_is_recorded_and_anyone_can_reproduce_it(batch, held, lottery, pool, tree):
    staff = tree.user("county_a_staff")
    done = services.lottery_draw(lottery=lottery, by=staff, seed=SEED, today=draw_day(batch))
    done.refresh_from_db()
    # The published inputs: every pooled application with its priority rank, in id order.
    assert done.candidates == sorted([a.pk, a.priority_rank] for a in pool)
    assert done.seed == SEED and done.seats == 3 and done.drawn_by == staff and done.is_drawn
    assert done.result == rule.draw(SEED, done.candidates)
    assert sorted(done.result) == sorted(a.pk for a in pool)
    # The rule, by hand: priority group, then the SHA-256 of "<seed>:<id>".
    by_hand = sorted(
        done.candidates,
        key=lambda c: (c[1], hashlib.sha256(f"{SEED}:{c[0]}".encode()).hexdigest()),
    )
    assert done.result == [pk for pk, _rank in by_hand]
    # Winners hold seats; the rest wait in drawn order.
    for position, pk in enumerate(done.result):
        app = Application.objects.get(pk=pk)
        assert app.lottery_rank == position
        assert app.status == (Status.SUBMITTED if position < 3 else Status.WAITLISTED)
        if position < 3:
            change = app.changes.latest("pk")
            assert (change.from_status, change.to_status, change.by) == (
                Status.WAITLISTED,
                Status.SUBMITTED,
                staff,
            )
    batch.refresh_from_db()
    assert batch.seats_held == 4 == selectors.seats_accounted(batch)
    assert Application.objects.get(pk=held.pk).status == Status.SUBMITTED
    event = AuditEvent.objects.get(action="lottery.draw", target_id=str(lottery.pk))
    assert event.data == {"seed": SEED, "seats": 3, "candidates": 9}
    with pytest.raises(services.ApplicationRefused, match="already drawn"):
        services.lottery_draw(lottery=lottery, by=staff, today=draw_day(batch))


def test_priority_groups_are_served_first(batch, lottery, pool):
    done = services.lottery_draw(lottery=lottery, by=None, seed=SEED, today=draw_day(batch))
    ranks = dict(done.candidates)
    assert [ranks[pk] for pk in done.result] == sorted(ranks.values())
    models = {a.pk for a in pool if a.worker.category == WorkerCategory.MODEL_WORKER}
    assert set(done.result[:3]) == models  # three seats, three model workers


def test_the_same_seed_gives_the_same_result_and_another_seed_another(batch, lottery, pool):
    def draw(seed: int) -> list[int]:
        with transaction.atomic():
            result = services.lottery_draw(
                lottery=lottery, by=None, seed=seed, today=draw_day(batch)
            ).result
            transaction.set_rollback(True)
        return result

    first = draw(SEED)
    assert draw(SEED) == first
    assert rule.draw(SEED, sorted([a.pk, a.priority_rank] for a in pool)) == first
    assert any(draw(seed) != first for seed in (1, 2, 3))
    # The order inside a group does not depend on the order the candidates are given in.
    candidates = [[a.pk, a.priority_rank] for a in pool]
    assert rule.draw(SEED, list(reversed(candidates))) == rule.draw(SEED, candidates)


def test_without_a_seed_a_fresh_one_is_drawn_and_recorded(batch, lottery, pool):
    done = services.lottery_draw(lottery=lottery, by=None, today=draw_day(batch))
    assert 0 <= done.seed < 2**63
    assert done.result == rule.draw(done.seed, done.candidates)


def test_seats_freed_later_go_in_drawn_order(batch, lottery, pool, make_worker):
    done = services.lottery_draw(lottery=lottery, by=None, seed=SEED, today=draw_day(batch))
    today = draw_day(batch)
    winners, waiting = done.result[:3], done.result[3:]
    for n, pk in enumerate(winners):
        services.application_withdraw(
            application=Application.objects.get(pk=pk), by=None, today=today
        )
        assert status_of(waiting[n]) == Status.SUBMITTED
        assert all(status_of(pk) == Status.WAITLISTED for pk in waiting[n + 1 :])
    batch.refresh_from_db()
    assert batch.seats_held == 4 == selectors.seats_accounted(batch)


def test_an_empty_pool_draws_nothing(batch, lottery):
    done = services.lottery_draw(lottery=lottery, by=None, seed=SEED, today=draw_day(batch))
    assert done.is_drawn and done.result == [] and done.candidates == []
    assert done.seats == 3
