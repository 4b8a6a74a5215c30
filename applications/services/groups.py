"""Group trips: a block of seats, joint groups of several unions, agencies, the roster."""

from __future__ import annotations

from datetime import date

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.audit import audit
from accounts.models import Organization, OrgKind, Role, User, Worker
from accounts.notify import notify
from applications.models import (
    SEAT_HOLDING,
    Application,
    GroupParticipant,
    GroupTrip,
    ParticipantStatus,
    Status,
)
from applications.selectors import joined_union_ids
from applications.services.core import (
    ApplicationRefused,
    _lottery_pending,
    _promote,
    application_endorse,
    application_submit,
    application_withdraw,
)
from bases.models import Batch, BatchStatus
from bases.services import batch_release_seats, batch_take_seats, lock_batch

MAX_BLOCK = 1000


def _organizers(union: Organization):
    return User.objects.filter(org=union, role=Role.ORGANIZER, is_active=True)


def _check_open_for_groups(batch: Batch, today: date) -> None:
    if batch.status != BatchStatus.OPEN or batch.start_date <= today:
        raise ApplicationRefused(_("This batch is not taking sign-ups."))
    if today > batch.signup_deadline:
        raise ApplicationRefused(_("The sign-up deadline of this batch has passed."))
    if not batch.itinerary.base.is_public or not batch.itinerary.active:
        raise ApplicationRefused(_("This batch is not taking sign-ups."))


def _check_no_lottery_pending(batch: Batch) -> None:
    """A batch allocated by lottery gives its free seats by drawing, not to the first block."""
    if _lottery_pending(batch):
        raise ApplicationRefused(
            _("The seats of this batch are drawn by lottery after the sign-up deadline.")
        )


def group_trip_create(
    *,
    batch: Batch,
    organizer: Organization,
    seats: int,
    by: User | None,
    title: str = "",
    joint: bool = False,
    agency: Organization | None = None,
    note: str = "",
    today: date | None = None,
) -> GroupTrip:
    """Hold a block of ``seats`` on ``batch`` for ``organizer``'s union (all or nothing)."""
    today = today or timezone.localdate()
    if organizer.kind != OrgKind.GRASSROOTS:
        raise ApplicationRefused(_("Group trips are organised by grassroots unions."))
    if agency is not None and agency.kind != OrgKind.AGENCY:
        raise ApplicationRefused(_("Choose a travel agency."))
    if not 1 <= seats <= MAX_BLOCK:
        raise ApplicationRefused(_("A block has between 1 and %(max)s seats.") % {"max": MAX_BLOCK})
    with transaction.atomic():
        locked = lock_batch(batch.pk)
        batch = Batch.objects.select_related("itinerary__base").get(pk=locked.pk)
        _check_open_for_groups(batch, today)
        _check_no_lottery_pending(locked)
        if not batch_take_seats(batch=locked, seats=seats):
            raise ApplicationRefused(
                _("Only %(left)s seats are left on this batch.")
                % {"left": locked.capacity - locked.seats_held}
            )
        group = GroupTrip.objects.create(
            batch=batch,
            organizer=organizer,
            title=(title or "").strip()[:100]
            or f"{organizer.name} · {batch.itinerary.title}"[:100],
            seats=seats,
            joint=joint,
            agency=agency,
            note=note,
            created_by=by,
        )
        GroupParticipant.objects.create(
            group_trip=group,
            union=organizer,
            status=ParticipantStatus.JOINED,
            lead=True,
            invited_by=by,
            responded_at=timezone.now(),
        )
        audit(group, "group_trip.create", by=by, org=organizer, batch=batch.pk, seats=seats)
        if agency is not None:
            _tell_agency(group, agency)
    return group


def _roster_count(group: GroupTrip) -> int:
    return Application.objects.filter(group_trip=group, status__in=SEAT_HOLDING).count()


def group_trip_resize(
    *, group_trip: GroupTrip, seats: int, by: User | None, today: date | None = None
) -> GroupTrip:
    """Grow or shrink the block: never below the roster, never above the batch's free seats."""
    today = today or timezone.localdate()
    if not 1 <= seats <= MAX_BLOCK:
        raise ApplicationRefused(_("A block has between 1 and %(max)s seats.") % {"max": MAX_BLOCK})
    with transaction.atomic():
        batch = lock_batch(group_trip.batch_id)
        group = GroupTrip.objects.get(pk=group_trip.pk)
        if not group.is_active:
            raise ApplicationRefused(_("This group trip was cancelled."))
        if batch.start_date <= today:
            raise ApplicationRefused(_("The trip has started: the block can no longer change."))
        members = _roster_count(group)
        if seats < members:
            raise ApplicationRefused(
                _("%(n)s members are on the roster: the block cannot be smaller.") % {"n": members}
            )
        change = seats - group.seats
        if change > 0:
            _check_no_lottery_pending(batch)
        if change > 0 and not batch_take_seats(batch=batch, seats=change):
            raise ApplicationRefused(
                _("Only %(left)s more seats are free on this batch.")
                % {"left": batch.capacity - batch.seats_held}
            )
        if change < 0:
            batch_release_seats(batch=batch, seats=-change)
        if change:
            old = group.seats
            group.seats = seats
            group.save(update_fields=["seats"])
            audit(group, "group_trip.resize", by=by, org=group.organizer, old=old, new=seats)
            if change < 0:
                _promote(batch, today=today)
    return group


def group_trip_update(
    *,
    group_trip: GroupTrip,
    by: User | None,
    title: str | None = None,
    joint: bool | None = None,
    note: str | None = None,
) -> GroupTrip:
    changed = []
    with transaction.atomic():
        group = GroupTrip.objects.select_for_update().get(pk=group_trip.pk)
        for name, value in (("title", title), ("joint", joint), ("note", note)):
            if value is not None and getattr(group, name) != value:
                setattr(group, name, value.strip() if isinstance(value, str) else value)
                changed.append(name)
        if not group.title:
            raise ApplicationRefused(_("Give the group trip a title."))
        if changed:
            group.save(update_fields=changed)
            audit(group, "group_trip.update", by=by, org=group.organizer, fields=changed)
    return group


def group_trip_entrust(
    *, group_trip: GroupTrip, agency: Organization | None, by: User | None
) -> GroupTrip:
    """Entrust the trip to a travel agency (or take it back with ``None``): the agency sees this
    trip's roster and settlement, nothing else."""
    if agency is not None and agency.kind != OrgKind.AGENCY:
        raise ApplicationRefused(_("Choose a travel agency."))
    with transaction.atomic():
        group = GroupTrip.objects.select_for_update().get(pk=group_trip.pk)
        if group.agency_id == (agency.pk if agency else None):
            return group
        group.agency = agency
        group.save(update_fields=["agency"])
        audit(
            group,
            "group_trip.entrust",
            by=by,
            org=group.organizer,
            agency=agency.code if agency else None,
        )
        if agency is not None:
            _tell_agency(group, agency)
    return group


def _tell_agency(group: GroupTrip, agency: Organization) -> None:
    for user in User.objects.filter(org=agency, role=Role.AGENCY, is_active=True):
        notify(
            user,
            subject=gettext_lazy("A group trip was entrusted to you: %(title)s"),
            params={"title": group.title},
            url=f"/applications/groups/{group.pk}/",
        )


def group_trip_cancel(
    *, group_trip: GroupTrip, by: User | None, reason: str, today: date | None = None
) -> GroupTrip:
    """Cancel before departure: every member is withdrawn (reservations released) and the block
    goes back to the batch, where the waiting list takes it."""
    today = today or timezone.localdate()
    if not reason.strip():
        raise ApplicationRefused(_("Please give a reason."))
    with transaction.atomic():
        batch = lock_batch(group_trip.batch_id)
        group = GroupTrip.objects.get(pk=group_trip.pk)
        if not group.is_active:
            return group
        if batch.start_date <= today:
            raise ApplicationRefused(_("The trip has started: it can no longer be cancelled."))
        for member in Application.objects.filter(group_trip=group, status__in=SEAT_HOLDING):
            application_withdraw(application=member, by=by, reason=reason, today=today)
        batch = lock_batch(group.batch_id)
        batch_release_seats(batch=batch, seats=group.seats)
        group.cancelled_at = timezone.now()
        group.save(update_fields=["cancelled_at"])
        audit(group, "group_trip.cancel", by=by, org=group.organizer, reason=reason)
        _promote(batch, today=today)
    return group


# --- Joint groups ----------------------------------------------------------------------------


def group_invite(
    *, group_trip: GroupTrip, union: Organization, by: User | None
) -> GroupParticipant:
    """Invite another grassroots union into a joint group (it adds its own members)."""
    if union.kind != OrgKind.GRASSROOTS:
        raise ApplicationRefused(_("Only grassroots unions can join a group trip."))
    with transaction.atomic():
        group = GroupTrip.objects.select_for_update().get(pk=group_trip.pk)
        if not group.is_active:
            raise ApplicationRefused(_("This group trip was cancelled."))
        participant, created = GroupParticipant.objects.get_or_create(
            group_trip=group, union=union, defaults={"invited_by": by}
        )
        if not created and participant.status == ParticipantStatus.JOINED:
            raise ApplicationRefused(_("This union already takes part in the group trip."))
        if not created:
            participant.status = ParticipantStatus.INVITED
            participant.responded_at = None
            participant.save(update_fields=["status", "responded_at"])
        if not group.joint:
            group.joint = True
            group.save(update_fields=["joint"])
        audit(group, "group_trip.invite", by=by, org=group.organizer, union=union.code)
        for user in _organizers(union):
            notify(
                user,
                subject=gettext_lazy("%(org)s invites your union to a joint group: %(title)s"),
                params={"org": group.organizer.name, "title": group.title},
                url=f"/applications/groups/{group.pk}/",
            )
    return participant


def group_respond(
    *, participant: GroupParticipant, accept: bool, by: User | None
) -> GroupParticipant:
    with transaction.atomic():
        participant = GroupParticipant.objects.select_for_update().get(pk=participant.pk)
        if participant.status != ParticipantStatus.INVITED:
            raise ApplicationRefused(_("This invitation was already answered."))
        participant.status = ParticipantStatus.JOINED if accept else ParticipantStatus.DECLINED
        participant.responded_at = timezone.now()
        participant.save(update_fields=["status", "responded_at"])
        group = participant.group_trip
        audit(group, "group_trip.respond", by=by, org=participant.union, accept=accept)
        for user in _organizers(group.organizer):
            notify(
                user,
                subject=(
                    gettext_lazy("%(org)s joined your group trip %(title)s")
                    if accept
                    else gettext_lazy("%(org)s declined to join %(title)s")
                ),
                params={"org": participant.union.name, "title": group.title},
                url=f"/applications/groups/{group.pk}/",
            )
    return participant


def group_join(
    *, group_trip: GroupTrip, union: Organization, by: User | None, today: date | None = None
) -> GroupParticipant:
    """A small unit joins a joint group from the open-seats board."""
    from applications.selectors import open_seat_board

    if union.kind != OrgKind.GRASSROOTS:
        raise ApplicationRefused(_("Only grassroots unions can join a group trip."))
    with transaction.atomic():
        if not open_seat_board(today=today).filter(pk=group_trip.pk).exists():
            raise ApplicationRefused(_("This group trip has no open seats to join."))
        participant, created = GroupParticipant.objects.select_for_update().get_or_create(
            group_trip=group_trip,
            union=union,
            defaults={"status": ParticipantStatus.JOINED, "responded_at": timezone.now()},
        )
        if not created:
            if participant.status == ParticipantStatus.JOINED:
                raise ApplicationRefused(_("This union already takes part in the group trip."))
            participant.status = ParticipantStatus.JOINED
            participant.responded_at = timezone.now()
            participant.save(update_fields=["status", "responded_at"])
        audit(group_trip, "group_trip.join", by=by, org=union)
        for user in _organizers(group_trip.organizer):
            notify(
                user,
                subject=gettext_lazy("%(org)s joined your group trip %(title)s"),
                params={"org": union.name, "title": group_trip.title},
                url=f"/applications/groups/{group_trip.pk}/",
            )
    return participant


# --- The roster ------------------------------------------------------------------------------


def roster_add(
    *,
    group_trip: GroupTrip,
    worker: Worker,
    union: Organization,
    by: User | None,
    today: date | None = None,
) -> Application:
    """``union``'s organizer puts one of its own members on the roster (eligibility applies)."""
    if worker.union_id != union.pk:
        raise ApplicationRefused(
            _("%(name)s is not a member of %(union)s.")
            % {"name": worker.real_name, "union": union.name}
        )
    if union.pk not in joined_union_ids(group_trip):
        raise ApplicationRefused(_("Your union does not take part in this group trip."))
    return application_submit(
        worker=worker, batch=group_trip.batch_id, by=by, group_trip=group_trip, today=today
    )


def group_endorse(
    *, group_trip: GroupTrip, union: Organization, by: User | None, today: date | None = None
) -> list[Application]:
    """Endorse every submitted member ``union`` has on the roster (submit them for approval)."""
    endorsed = []
    with transaction.atomic():
        for member in Application.objects.filter(
            group_trip=group_trip, union=union, status=Status.SUBMITTED
        ):
            endorsed.append(application_endorse(application=member, by=by, today=today))
    return endorsed
