"""A base's lifecycle: 申报 → 初核 → 推荐 → 审定 → 公示 → active; watch → suspended → exited."""

from __future__ import annotations

from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.audit import audit
from accounts.models import User
from bases import cache as page_cache
from bases import signals
from bases.models import (
    CLOSING_STATUSES,
    REASON_REQUIRED,
    SYSTEM_MOVES,
    TRANSITIONS,
    AccreditationStep,
    Base,
    BaseStatus,
    Batch,
    BatchStatus,
)

# --- Lifecycle ---------------------------------------------------------------------------------


def ensure_base_transition(
    base: Base,
    to: str,
    *,
    by: User | None,
    reason: str = "",
    notice_ends_on: date | None = None,
    today: date | None = None,
) -> None:
    """Raise ``ValidationError`` with a clear message when ``base`` may not move to ``to``."""
    today = today or timezone.localdate()
    labels = dict(BaseStatus.choices)
    if to not in TRANSITIONS.get(base.status, ()):
        raise ValidationError(
            {
                "to": _("A base that is “%(from)s” cannot become “%(to)s”.")
                % {"from": labels.get(base.status, base.status), "to": labels.get(to, to)}
            }
        )
    if by is None and (base.status, to) not in SYSTEM_MOVES:
        raise ValidationError({"to": _("Only federation staff can make this move.")})
    needs_reason = to in REASON_REQUIRED or base.status == BaseStatus.SUSPENDED
    if needs_reason and not reason.strip():
        raise ValidationError({"reason": _("Give a reason for this move.")})
    if to == BaseStatus.NOTICE and (notice_ends_on is None or notice_ends_on <= today):
        raise ValidationError(
            {"notice_ends_on": _("Give the day the public notice ends (after today).")}
        )
    if (
        base.status == BaseStatus.NOTICE
        and to == BaseStatus.ACTIVE
        and base.notice_ends_on
        and today < base.notice_ends_on
    ):
        raise ValidationError(
            {
                "to": _("The public notice runs until %(day)s: admit the base after that.")
                % {"day": base.notice_ends_on.isoformat()}
            }
        )


def base_transition(
    *,
    base: Base,
    to: str,
    by: User | None,
    reason: str = "",
    notice_ends_on: date | None = None,
    today: date | None = None,
) -> Base:
    """Move a base in its lifecycle (check → change → record → signal after commit).

    ``by=None`` is the daily job, which may only put a base on the watch list. Suspending or
    exiting closes the base's open batches that have not ended and sends ``batches_closed``.
    """
    today = today or timezone.localdate()
    with transaction.atomic():
        base = Base.objects.select_for_update().get(pk=base.pk)
        ensure_base_transition(
            base, to, by=by, reason=reason, notice_ends_on=notice_ends_on, today=today
        )
        from_status = base.status
        base.status = to
        base.status_changed_at = timezone.now()
        if to == BaseStatus.NOTICE:
            base.notice_ends_on = notice_ends_on
        if to == BaseStatus.WATCH:
            base.watch_since = today
        elif to != BaseStatus.SUSPENDED:
            base.watch_since = None
        base.suspension_proposed_on = None
        base.save()
        AccreditationStep.objects.create(
            base=base, from_status=from_status, to_status=to, by=by, reason=reason.strip()
        )
        audit(
            base,
            f"base_{to}",
            by=by,
            org=base.county,
            reason=reason.strip(),
            from_status=from_status,
            to_status=to,
        )
        closed: list[int] = []
        if to in CLOSING_STATUSES:
            closed = _close_open_batches(base=base, reason=reason, today=today)
            if closed:
                audit(base, "batches_closed", by=by, org=base.county, batch_ids=closed)

        def announce(base: Base = base) -> None:
            signals.base_status_changed.send(
                sender=Base,
                base=base,
                from_status=from_status,
                to_status=to,
                by=by,
                reason=reason,
            )
            if closed:
                signals.batches_closed.send(
                    sender=Base, base=base, batch_ids=closed, reason=reason, by=by
                )

        transaction.on_commit(announce)
    return base


def _close_open_batches(*, base: Base, reason: str, today: date) -> list[int]:
    open_batches = Batch.objects.filter(
        itinerary__base=base, status=BatchStatus.OPEN, end_date__gte=today
    )
    ids = list(open_batches.order_by("pk").values_list("pk", flat=True))
    Batch.objects.filter(pk__in=ids).update(
        status=BatchStatus.CLOSED, closed_reason=reason[:200], updated_at=timezone.now()
    )
    page_cache.bump(page_cache.CATALOGUE, page_cache.SEATS)
    return ids
