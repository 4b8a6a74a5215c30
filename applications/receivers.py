"""What the applications app does when bases announce something (bases never imports us)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from accounts.notify import notify
from applications.models import LIVE, Application


def tell_applicants_batches_closed(sender, *, base, batch_ids, reason, by=None, **kwargs) -> None:
    """Applicants of batches closed by their base or operator hear it, with the reason."""
    for app in Application.objects.filter(batch_id__in=batch_ids, status__in=LIVE).select_related(
        "worker__user", "batch__itinerary"
    ):
        notify(
            app.worker.user,
            subject=_("Sign-ups closed for %(trip)s"),
            body=_("Reason: %(reason)s. Your union or the federation will tell you what follows."),
            params={"trip": app.batch.itinerary.title, "reason": reason or "—"},
            url=f"/applications/{app.pk}/",
            key=f"batch-closed:{app.batch_id}:{app.pk}",
        )


def promote_after_seats_freed(sender, *, batch_id: int, **kwargs) -> None:
    """A batch's capacity was raised or it reopened: its waiting list moves up (a task, so the
    operator's page does not wait; idempotent, so a duplicate run does no harm)."""
    from applications.tasks import promote_waitlist

    promote_waitlist.delay(batch_id)
