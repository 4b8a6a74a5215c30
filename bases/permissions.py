"""Who may see and change which base, built only on ``accounts.scoping``.

A base belongs to two organizations: its ``county`` (whose federation staff supervise it) and
its ``operator`` (who runs it). Scope over either one gives access; the role decides what kind:

- anyone: bases in the public catalogue (active or on the watch list), their itineraries and batches;
- base operator: their own organization's bases in any status, to edit the profile, itineraries
  and batches and to answer inspections;
- federation staff: bases in their subtree, to do all of the above and to move the lifecycle,
  rate stars and record inspections;
- auditor: bases in their subtree, read only;
- city-level staff (and superusers) also change the quality settings and draw inspections.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import Q

from accounts.models import OrgKind, Role
from accounts.scoping import can_manage_org, can_view_org, scope_q
from bases.models import PUBLIC_STATUSES, Base, BaseStatus, Inspection

if TYPE_CHECKING:
    from accounts.scoping import AnyUser

MANAGEMENT_ROLES = frozenset({Role.FEDERATION_STAFF, Role.AUDITOR, Role.BASE_OPERATOR})


def base_scope_q(user: AnyUser, prefix: str = "") -> Q:
    """Bases (through ``prefix``, e.g. ``"itinerary__base__"``) in the user's management scope."""
    county, operator = scope_q(user, f"{prefix}county"), scope_q(user, f"{prefix}operator")
    if not county or not operator:
        return Q()  # a superuser: everything (an empty Q would vanish from an OR)
    return county | operator


def public_q(prefix: str = "") -> Q:
    return Q(**{f"{prefix}status__in": PUBLIC_STATUSES})


def public_or_scope_q(user: AnyUser, public: Q, prefix: str = "") -> Q:
    """What the public sees (``public``) plus everything in the user's management scope."""
    scope = base_scope_q(user, prefix)
    return Q() if not scope else public | scope


def uses_management(user: AnyUser) -> bool:
    """Sees the management pages at all (what each base allows is decided below)."""
    return bool(
        user.is_authenticated
        and user.is_active
        and (user.is_superuser or (user.role in MANAGEMENT_ROLES and user.org_id))
    )


def _staff_over(user: AnyUser, base: Base) -> bool:
    return bool(
        user.is_authenticated
        and (user.is_superuser or user.role == Role.FEDERATION_STAFF)
        and can_manage_org(user, base.county)
    )


def can_view_base(user: AnyUser, base: Base) -> bool:
    """The public page: a catalogue base, or any base the user supervises or runs."""
    return base.is_public or can_view_base_management(user, base)


def can_view_base_management(user: AnyUser, base: Base) -> bool:
    return can_view_org(user, base.county) or can_view_org(user, base.operator)


def can_edit_base(user: AnyUser, base: Base) -> bool:
    """Profile, photos, itineraries and batches: the operator itself or supervising staff."""
    if base.status in (BaseStatus.EXITED, BaseStatus.REJECTED):
        return False
    operator_self = user.is_authenticated and user.role == Role.BASE_OPERATOR
    return bool(operator_self and can_manage_org(user, base.operator)) or _staff_over(user, base)


def can_decide_base(user: AnyUser, base: Base) -> bool:
    """Lifecycle moves, star ratings and inspection findings: supervising staff only."""
    return _staff_over(user, base)


def can_apply_for_base(user: AnyUser) -> bool:
    """Submit a new base for accreditation (申报): an operator for itself, or staff."""
    if not (user.is_authenticated and user.is_active):
        return False
    return user.is_superuser or (
        user.role in (Role.BASE_OPERATOR, Role.FEDERATION_STAFF) and bool(user.org_id)
    )


def can_answer_inspection(user: AnyUser, inspection: Inspection) -> bool:
    base = inspection.base
    operator_self = user.is_authenticated and user.role == Role.BASE_OPERATOR
    return bool(
        (operator_self and can_manage_org(user, base.operator))
        or (user.is_authenticated and user.is_superuser)
    )


def can_manage_quality(user: AnyUser) -> bool:
    """City-wide settings and the monthly draw: superusers and city or provincial staff."""
    if not (user.is_authenticated and user.is_active):
        return False
    return user.is_superuser or (
        user.role == Role.FEDERATION_STAFF
        and user.org_id is not None
        and user.org.kind in (OrgKind.CITY, OrgKind.PROVINCE)
    )


def is_supervisor(user: AnyUser) -> bool:
    """Federation staff, auditors and superusers: see the staff pages (queues, lists)."""
    return bool(
        user.is_authenticated
        and user.is_active
        and (user.is_superuser or (user.role in (Role.FEDERATION_STAFF, Role.AUDITOR)))
        and (user.is_superuser or user.org_id)
    )
