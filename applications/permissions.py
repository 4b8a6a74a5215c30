"""Who may do what to applications, group trips, settlements and lotteries.

Small functions ``can_<verb>(user, obj) -> bool`` built on ``accounts.scoping``, and one getter
per object (``get_application``, ``get_group_trip``, ``get_settlement``, ``get_batch_for``) that
pages and the API both call with the action they are about to take: it returns the object, or
raises ``Http404`` when the object is outside the user's scope (its existence is not revealed)
and ``PermissionDenied`` when the user sees it but may not take that action.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied
from django.http import Http404

from accounts.models import Role
from accounts.scoping import can_manage_org, can_view_org
from applications import selectors
from applications.models import (
    Application,
    GroupParticipant,
    GroupTrip,
    RosterImport,
    Settlement,
    Status,
)
from bases.models import Batch
from bases.permissions import can_decide_base

if TYPE_CHECKING:
    from accounts.scoping import AnyUser


def _active(user: AnyUser) -> bool:
    return bool(user.is_authenticated and user.is_active)


def _role(user: AnyUser, role: str) -> bool:
    return _active(user) and user.role == role and bool(user.org_id)


def is_staff_over(user: AnyUser, org) -> bool:
    """Federation staff whose subtree holds ``org`` (or a superuser)."""
    if not _active(user):
        return False
    if user.is_superuser:
        return True
    return user.role == Role.FEDERATION_STAFF and can_manage_org(user, org)


# --- Applications --------------------------------------------------------------------------


def can_apply(user: AnyUser) -> bool:
    return _role(user, Role.WORKER)


def is_own(user: AnyUser, application: Application) -> bool:
    return _role(user, Role.WORKER) and application.worker.user_id == user.pk


def is_union_organizer(user: AnyUser, application: Application) -> bool:
    return _role(user, Role.ORGANIZER) and application.union_id == user.org_id


def can_withdraw(user: AnyUser, application: Application) -> bool:
    return (
        is_own(user, application)
        or is_union_organizer(user, application)
        or (_active(user) and user.is_superuser)
    )


def can_endorse(user: AnyUser, application: Application) -> bool:
    return is_union_organizer(user, application) or (_active(user) and user.is_superuser)


def can_approve(user: AnyUser, application: Application) -> bool:
    return is_staff_over(user, application.funding_org)


def can_approve_any(user: AnyUser) -> bool:
    """May approve applications at all (bulk approval): federation staff or a superuser."""
    return (_active(user) and user.is_superuser) or _role(user, Role.FEDERATION_STAFF)


def can_reject(user: AnyUser, application: Application) -> bool:
    """Staff of the paying federation at any stage; the union before it endorses."""
    if can_approve(user, application):
        return True
    return is_union_organizer(user, application) and application.status in (
        Status.SUBMITTED,
        Status.WAITLISTED,
    )


def can_record_attendance(user: AnyUser, application: Application) -> bool:
    """The union, the base's operator, whoever runs the group trip (its lead union or the
    entrusted agency, as ``runs_trip``), or paying staff."""
    if is_union_organizer(user, application) or is_staff_over(user, application.funding_org):
        return True
    if _role(user, Role.BASE_OPERATOR):
        return application.batch.itinerary.base.operator_id == user.org_id
    if application.group_trip_id:
        # The lead union and the entrusted agency run a (joint) group trip: attendance of
        # every member, whatever their union (GROUP_ACTIONS "run").
        return runs_trip(user, application.group_trip)
    return False


def is_organizer(user: AnyUser) -> bool:
    """The union pages (its applications, its members): a grassroots organizer."""
    return _role(user, Role.ORGANIZER)


def can_review(user: AnyUser, application: Application) -> bool:
    return is_own(user, application) and application.status in (Status.COMPLETED, Status.SETTLED)


APPLICATION_ACTIONS: dict[str, Callable[[AnyUser, Application], bool]] = {
    "view": lambda user, application: True,  # visibility is the queryset's scope
    "withdraw": can_withdraw,
    "endorse": can_endorse,
    "approve": can_approve,
    "reject": can_reject,
    "attendance": can_record_attendance,
    "review": can_review,
}


def get_application(user: AnyUser, pk, *, action: str = "view") -> Application:
    application = selectors.applications_visible_to(user).filter(pk=_int(pk)).first()
    if application is None:
        raise Http404
    if not APPLICATION_ACTIONS[action](user, application):
        raise PermissionDenied
    return application


def require_some_visible(user: AnyUser, ids: Iterable) -> None:
    """A bulk action (endorse, approve) naming applications none of which the user sees is a
    404, as one such application is; a list with some in scope is answered item by item."""
    pks = []
    for raw in ids:
        try:
            pks.append(_int(raw))
        except Http404:
            continue
    if not selectors.applications_visible_to(user).filter(pk__in=pks).exists():
        raise Http404


# --- Group trips ---------------------------------------------------------------------------


def can_create_group_trip(user: AnyUser) -> bool:
    return _role(user, Role.ORGANIZER)


def can_list_group_trips(user: AnyUser) -> bool:
    """Everyone who may see some group trips (each sees those in their scope)."""
    if not _active(user):
        return False
    return user.is_superuser or (
        bool(user.org_id)
        and user.role
        in (Role.ORGANIZER, Role.AGENCY, Role.FEDERATION_STAFF, Role.AUDITOR, Role.BASE_OPERATOR)
    )


def is_lead(user: AnyUser, group: GroupTrip) -> bool:
    return (_role(user, Role.ORGANIZER) and group.organizer_id == user.org_id) or (
        _active(user) and user.is_superuser
    )


def takes_part(user: AnyUser, group: GroupTrip) -> bool:
    """An organizer whose union has joined the group (adds and endorses its own members)."""
    return _role(user, Role.ORGANIZER) and user.org_id in selectors.joined_union_ids(group)


def is_invited(user: AnyUser, group: GroupTrip) -> bool:
    return (
        _role(user, Role.ORGANIZER)
        and GroupParticipant.objects.filter(
            group_trip=group, union_id=user.org_id, status="invited"
        ).exists()
    )


def runs_trip(user: AnyUser, group: GroupTrip) -> bool:
    """Those who record attendance and settle: the lead union and the entrusted agency."""
    return is_lead(user, group) or (_role(user, Role.AGENCY) and group.agency_id == user.org_id)


def can_join_from_board(user: AnyUser, group: GroupTrip) -> bool:
    return _role(user, Role.ORGANIZER) and group.organizer_id != user.org_id


GROUP_ACTIONS: dict[str, Callable[[AnyUser, GroupTrip], bool]] = {
    "view": lambda user, group: True,
    "manage": is_lead,  # block size, title, invitations, agency, cancel
    "roster": takes_part,  # add, import and endorse one's own members
    "respond": is_invited,
    "run": runs_trip,  # attendance and settlement
}


def get_group_trip(user: AnyUser, pk, *, action: str = "view") -> GroupTrip:
    group = selectors.group_trips_visible_to(user).filter(pk=_int(pk)).first()
    if group is None:
        raise Http404
    if not GROUP_ACTIONS[action](user, group):
        raise PermissionDenied
    return group


def get_group_roster_import(user: AnyUser, group_pk, pk) -> RosterImport:
    """An upload of the user's union to a group trip whose roster they build (the pages)."""
    group = get_group_trip(user, group_pk, action="roster")
    job = RosterImport.objects.filter(group_trip=group, pk=_int(pk)).first()
    if job is None or (job.union_id != user.org_id and not user.is_superuser):
        raise Http404
    job.group_trip = group
    return job


def get_board_group_trip(user: AnyUser, pk) -> GroupTrip:
    """A joint group on the open-seats board, for an organizer who wants to join it."""
    group = selectors.open_seat_board().filter(pk=_int(pk)).first()
    if group is None:
        raise Http404
    if not can_join_from_board(user, group):
        raise PermissionDenied
    return group


def get_roster_import(user: AnyUser, pk) -> RosterImport:
    """A roster upload, seen only by the union that made it (its errors name its members)."""
    job = RosterImport.objects.select_related("group_trip", "union").filter(pk=_int(pk)).first()
    if job is None:
        raise Http404
    if not (
        (_active(user) and user.is_superuser)
        or (_role(user, Role.ORGANIZER) and job.union_id == user.org_id)
    ):
        raise Http404
    return job


# --- Settlements ---------------------------------------------------------------------------


def settlements_visible_to(user: AnyUser):
    qs = Settlement.objects.select_related("union", "group_trip", "submitted_by")
    if not _active(user):
        return qs.none()
    if user.is_superuser:
        return qs
    visible = selectors.applications_visible_to(user).values("settlement")
    if user.role == Role.BASE_OPERATOR:
        return qs.none()
    return qs.filter(pk__in=visible)


def can_settle_for_union(user: AnyUser) -> bool:
    """Submit a settlement for one's own union's attended members (not on a group trip)."""
    return _role(user, Role.ORGANIZER)


def can_pay_settlement(user: AnyUser, settlement: Settlement) -> bool:
    funders = {a.funding_org for a in settlement.applications.select_related("funding_org")}
    return bool(funders) and all(is_staff_over(user, org) for org in funders)


SETTLEMENT_ACTIONS: dict[str, Callable[[AnyUser, Settlement], bool]] = {
    "view": lambda user, settlement: True,
    "decide": can_pay_settlement,
}


def get_settlement(user: AnyUser, pk, *, action: str = "view") -> Settlement:
    settlement = settlements_visible_to(user).filter(pk=_int(pk)).first()
    if settlement is None:
        raise Http404
    if not SETTLEMENT_ACTIONS[action](user, settlement):
        raise PermissionDenied
    return settlement


def can_view_invoice(user: AnyUser, settlement: Settlement) -> bool:
    return settlements_visible_to(user).filter(pk=settlement.pk).exists()


# --- Batches: lotteries and rosters ------------------------------------------------------------


def can_run_lottery(user: AnyUser, batch: Batch) -> bool:
    return can_decide_base(user, batch.itinerary.base)


def can_view_batch_roster(user: AnyUser, batch: Batch) -> bool:
    base = batch.itinerary.base
    if _role(user, Role.BASE_OPERATOR):
        return base.operator_id == user.org_id
    if _active(user) and (user.is_superuser or user.role in (Role.FEDERATION_STAFF, Role.AUDITOR)):
        return can_view_org(user, base.county)
    return False


BATCH_ACTIONS: dict[str, Callable[[AnyUser, Batch], bool]] = {
    "lottery": can_run_lottery,
    "roster": can_view_batch_roster,
    "apply": lambda user, batch: can_apply(user),
    "group": lambda user, batch: can_create_group_trip(user),  # hold a block of its seats
}


def get_batch_for(user: AnyUser, pk, *, action: str) -> Batch:
    """A batch the user may act on; outside every management scope it is a 404."""
    from bases.selectors import batches_visible_to

    batch = (
        batches_visible_to(user)
        .select_related("itinerary__base__county", "itinerary__base__operator")
        .filter(pk=_int(pk))
        .first()
    )
    if batch is None:
        raise Http404
    if not BATCH_ACTIONS[action](user, batch):
        raise PermissionDenied
    return batch


def _int(pk) -> int:
    """A path or body id as an int; anything else (or out of range) finds nothing."""
    try:
        value = int(pk)
    except (TypeError, ValueError):
        raise Http404 from None
    if not 0 < value < 2**63:
        raise Http404
    return value


# --- Pages of staff, operators and agencies (which lists a role opens at all) ------------------


def can_view_queue(user: AnyUser) -> bool:
    """The approval queue and the settlements list: federation staff, and auditors to read."""
    return (_active(user) and user.is_superuser) or any(
        _role(user, role) for role in (Role.FEDERATION_STAFF, Role.AUDITOR)
    )


def can_decide_in_queue(user: AnyUser) -> bool:
    """Approve in bulk: federation staff (each item is then checked with ``get_application``)."""
    return (_active(user) and user.is_superuser) or _role(user, Role.FEDERATION_STAFF)


def can_view_rosters(user: AnyUser) -> bool:
    """The rosters list: base operators, and staff and auditors over the bases' counties."""
    return can_view_queue(user) or _role(user, Role.BASE_OPERATOR)


def can_view_entrusted(user: AnyUser) -> bool:
    """The list of group trips entrusted to a travel agency."""
    return (_active(user) and user.is_superuser) or _role(user, Role.AGENCY)
