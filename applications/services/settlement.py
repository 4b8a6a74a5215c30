"""After the trip: settlement with an invoice, the payout, and the participant's review."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.audit import audit
from accounts.models import Organization, User
from applications.models import Application, GroupTrip, Settlement, Status
from applications.services.core import ApplicationRefused, _locked, _move, ensure_move
from applications.uploads import check_invoice
from bases import services as bases_services
from funds import services as funds


def settlement_submit(
    *,
    applications: Sequence[Application],
    union: Organization,
    invoice,
    invoice_amount: int,
    by: User | None,
    group_trip: GroupTrip | None = None,
    note: str = "",
) -> Settlement:
    """Claim the subsidy for attended applications with the base's invoice (PDF or image).

    Every application must have attended, not be settled or claimed already, and be paid by the
    same federation (a joint group spanning two counties settles once per county).
    """
    if not applications:
        raise ApplicationRefused(_("Choose at least one participant who attended."))
    if not 0 < invoice_amount < 10**12:
        raise ApplicationRefused(_("Enter the invoice amount."))
    try:
        check_invoice(invoice)
    except ValidationError as error:
        raise ApplicationRefused(error.messages) from None
    with transaction.atomic():
        locked = list(
            Application.objects.select_for_update(of=("self",))
            .select_related("settlement")
            .filter(pk__in=[a.pk for a in applications])
            .order_by("pk")
        )
        if len(locked) != len({a.pk for a in applications}):
            raise ApplicationRefused(_("Some of these applications no longer exist."))
        for app in locked:
            if app.status != Status.COMPLETED:
                raise ApplicationRefused(
                    _("Application %(id)s has not been recorded as attended.") % {"id": app.pk}
                )
            if app.settlement_id is not None and app.settlement.state != Settlement.State.RETURNED:
                raise ApplicationRefused(
                    _("Application %(id)s is already in a settlement.") % {"id": app.pk}
                )
            if group_trip is not None and app.group_trip_id != group_trip.pk:
                raise ApplicationRefused(
                    _("Application %(id)s is not on this group trip.") % {"id": app.pk}
                )
        if len({app.funding_org_id for app in locked}) > 1:
            raise ApplicationRefused(
                _(
                    "These participants are subsidised by different federations: settle them separately."
                )
            )
        settlement = Settlement.objects.create(
            union=union,
            group_trip=group_trip,
            invoice=invoice,
            invoice_amount_fen=invoice_amount,
            note=note.strip(),
            submitted_by=by,
        )
        Application.objects.filter(pk__in=[a.pk for a in locked]).update(settlement=settlement)
        audit(
            settlement,
            "settlement.submit",
            by=by,
            org=union,
            applications=[a.pk for a in locked],
            invoice_amount=invoice_amount,
        )
    return settlement


def settlement_pay(
    *, settlement: Settlement, by: User | None, today: date | None = None
) -> Settlement:
    """Pay the subsidy of every attended participant of a settlement (reserved → spent).

    Each participant is paid their approved subsidy, but never more than their share of the
    invoice; whatever of the reservation is left is released by ``funds.pay``.
    """
    today = today or timezone.localdate()
    with transaction.atomic():
        settlement = Settlement.objects.select_for_update().get(pk=settlement.pk)
        if settlement.state != Settlement.State.SUBMITTED:
            raise ApplicationRefused(_("This settlement was already decided."))
        members = list(settlement.applications.order_by("pk"))
        if not members:
            raise ApplicationRefused(_("This settlement has no participants."))
        share = settlement.invoice_amount_fen // len(members)
        total = 0
        for member in members:
            app = _locked(member, seats=False)
            ensure_move(app, Status.SETTLED, today=today)
            paid = min(app.subsidy_fen, share)
            if app.subsidy_fen:
                funds.pay(
                    cause_id=app.cause_id,
                    amount=paid,
                    by=by,
                    key=f"{app.cause_id}:pay",
                    memo=f"settlement {settlement.pk}",
                    value_date=today,
                )
            app.paid_fen = paid
            total += paid
            _move(app, Status.SETTLED, by=by, action="application.settle", paid=paid)
        settlement.state = Settlement.State.PAID
        settlement.decided_by = by
        settlement.decided_at = timezone.now()
        settlement.paid_fen = total
        settlement.save(update_fields=["state", "decided_by", "decided_at", "paid_fen"])
        audit(settlement, "settlement.pay", by=by, org=settlement.union, paid=total)
    return settlement


def settlement_return(*, settlement: Settlement, by: User | None, reason: str) -> Settlement:
    """Send a settlement back for correction (a wrong invoice): its participants may be claimed
    again in a new settlement."""
    if not reason.strip():
        raise ApplicationRefused(_("Please give a reason."))
    with transaction.atomic():
        settlement = Settlement.objects.select_for_update().get(pk=settlement.pk)
        if settlement.state != Settlement.State.SUBMITTED:
            raise ApplicationRefused(_("This settlement was already decided."))
        settlement.state = Settlement.State.RETURNED
        settlement.decided_by = by
        settlement.decided_at = timezone.now()
        settlement.note = (settlement.note + "\n" + reason.strip()).strip()
        settlement.save(update_fields=["state", "decided_by", "decided_at", "note"])
        audit(settlement, "settlement.return", by=by, org=settlement.union, reason=reason)
    return settlement


def review_trip(*, application: Application, by: User, rating: int, text: str = ""):
    """A participant reviews the trip they attended (bases stores the review)."""
    if application.worker.user_id != by.pk:
        raise ApplicationRefused(_("Only the participant may review this trip."))
    if application.status not in (Status.COMPLETED, Status.SETTLED):
        raise ApplicationRefused(_("You can review a trip once your attendance is recorded."))
    itinerary = application.batch.itinerary
    try:
        return bases_services.review_create(
            base=itinerary.base,
            itinerary=itinerary,
            author=by,
            rating=rating,
            text=text,
            application_ref=application.cause_id,
        )
    except ValidationError as error:
        if hasattr(error, "error_dict") and "application_ref" in error.error_dict:
            raise ApplicationRefused(_("You have already reviewed this trip.")) from None
        raise ApplicationRefused(error.messages) from None  # e.g. a rating outside 1–5
