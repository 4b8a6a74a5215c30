"""Allocating an oversubscribed batch by priority and a recorded, seeded lottery."""

from __future__ import annotations

from datetime import date

from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.audit import audit
from accounts.models import User
from applications import lottery as rule
from applications import selectors
from applications.models import Application, Lottery, Status
from applications.services.core import ApplicationRefused, _move
from bases.models import Batch, BatchStatus
from bases.services import batch_take_seats, lock_batch


def lottery_announce(*, batch: Batch, by: User | None, today: date | None = None) -> Lottery:
    """From now on sign-ups for ``batch`` join a pool; its free seats are drawn after the
    deadline. Seats already held stay held."""
    today = today or timezone.localdate()
    with transaction.atomic():
        locked = lock_batch(batch.pk)
        if locked.status != BatchStatus.OPEN or today > locked.signup_deadline:
            raise ApplicationRefused(
                _("A lottery is announced while the batch still takes sign-ups.")
            )
        if Lottery.objects.filter(batch=locked).exists():
            raise ApplicationRefused(_("This batch is already allocated by lottery."))
        lottery = Lottery.objects.create(batch=locked, announced_by=by)
        county = locked.itinerary.base.county
        audit(lottery, "lottery.announce", by=by, org=county, batch=locked.pk)
    return lottery


def lottery_draw(
    *, lottery: Lottery, by: User | None, seed: int | None = None, today: date | None = None
) -> Lottery:
    """Draw the free seats among the pool after the sign-up deadline; record seed, inputs and
    result. The rest keep waiting in drawn order for seats freed later."""
    today = today or timezone.localdate()
    if seed is not None and not 0 <= seed < 2**63:
        raise ApplicationRefused(_("The seed is a whole number from 0 to 2^63 − 1."))
    with transaction.atomic():
        batch = lock_batch(lottery.batch_id)
        lottery = Lottery.objects.select_for_update().get(pk=lottery.pk)
        if lottery.is_drawn:
            raise ApplicationRefused(_("This lottery was already drawn."))
        if today <= batch.signup_deadline:
            raise ApplicationRefused(
                _("The lottery is drawn after the sign-up deadline (%(date)s).")
                % {"date": date_format(batch.signup_deadline, "Y-m-d")}
            )
        if batch.start_date <= today:
            raise ApplicationRefused(_("The trip has started: it is too late to draw."))
        if batch.status != BatchStatus.OPEN:
            raise ApplicationRefused(_("This batch is closed: its seats are not drawn."))
        pool = list(selectors.waiting_list(batch).values_list("pk", "priority_rank"))
        candidates = sorted([pk, rank] for pk, rank in pool)
        seed = rule.new_seed() if seed is None else seed
        order = rule.draw(seed, candidates)
        seats = max(batch.capacity - batch.seats_held, 0)
        apps = Application.objects.select_related("batch__itinerary", "worker__user", "union")
        by_id = apps.in_bulk(order)
        for position, pk in enumerate(order):
            app = by_id[pk]
            app.lottery_rank = position
            if position < seats:
                batch_take_seats(batch=batch)
                _move(
                    app,
                    Status.SUBMITTED,
                    by=by,
                    reason=str(gettext_lazy("Drawn in the seat lottery.")),
                    action="application.promote",
                    lottery=lottery.pk,
                )
            else:
                app.save(update_fields=["lottery_rank", "updated_at"])
        lottery.seed = seed
        lottery.seats = seats
        lottery.candidates = candidates
        lottery.result = order
        lottery.drawn_by = by
        lottery.drawn_at = timezone.now()
        lottery.save()
        audit(
            lottery,
            "lottery.draw",
            by=by,
            org=batch.itinerary.base.county,
            seed=seed,
            seats=seats,
            candidates=len(candidates),
        )
    return lottery
