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

Pages and the API fetch the object of a write through one getter per object and action
(``get_base_for_edit(user, pk)``, ``get_batch_for_edit(user, pk)`` …), as healthchecks does with
``_get_rw_check_for_user``: it returns the object, or raises ``Http404`` when the object is outside
the user's scope (its existence is not revealed) or ``PermissionDenied`` when the user sees it but
may not do this. Organizations a write sets on a base (county, operator) go through
``check_base_orgs``, which raises a ``ValidationError`` keyed by field.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q, QuerySet
from django.http import Http404

from accounts.models import Organization, OrgKind, Role
from accounts.scoping import can_manage_org, can_view_org, check_orgs_in_scope, scope_q
from bases.models import (
    PUBLIC_STATUSES,
    Base,
    BasePhoto,
    BaseStatus,
    Batch,
    Inspection,
    InspectionStatus,
    Itinerary,
)

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


def can_place_base_in(user: AnyUser, county: Organization) -> bool:
    """The county a base is registered in (and supervised by): staff choose one they manage; an
    operator applying for itself, one under the federation its organization is registered with."""
    if can_manage_org(user, county):
        return True
    return bool(
        user.is_authenticated
        and user.is_active
        and user.role == Role.BASE_OPERATOR
        and user.org_id
        and user.org.parent_id
        and county.is_within(user.org.parent)
    )


def check_base_orgs(
    user: AnyUser,
    *,
    base: Base | None = None,
    county: Organization | None = None,
    operator: Organization | None = None,
) -> None:
    """The county and operator a write sets on a new base, or changes on ``base``, must be in the
    user's scope; a value the base already has is not being set. Raises ``ValidationError``."""
    if base is not None:
        county = None if county is None or county.pk == base.county_id else county
        operator = None if operator is None or operator.pk == base.operator_id else operator
    check_orgs_in_scope(
        user,
        allowed={"county": can_place_base_in, "operator": can_manage_org},
        county=county,
        operator=operator,
    )


# --- Getters: one per object and action, for the pages and the API alike ---------------------------


def _get_or_404(queryset: QuerySet, pk) -> Any:
    try:
        return queryset.get(pk=pk)
    except (queryset.model.DoesNotExist, ValueError, TypeError, ValidationError):
        raise Http404 from None  # out of scope, missing or malformed: all the same to the caller


def _require(allowed: bool) -> None:
    if not allowed:
        raise PermissionDenied


def get_base_for_view(user: AnyUser, pk) -> Base:
    """A base in the user's management scope, whatever its status (management pages)."""
    from bases import selectors  # selectors build their filters on this module

    return _get_or_404(selectors.bases_managed_by(user), pk)


def get_base_for_edit(user: AnyUser, pk) -> Base:
    """Profile, photos, new itineraries: ``can_edit_base``."""
    base = get_base_for_view(user, pk)
    _require(can_edit_base(user, base))
    return base


def get_base_for_decide(user: AnyUser, pk) -> Base:
    """Lifecycle moves, star ratings, inspections: ``can_decide_base``."""
    base = get_base_for_view(user, pk)
    _require(can_decide_base(user, base))
    return base


def get_photo_for_edit(user: AnyUser, pk) -> BasePhoto:
    photo = _get_or_404(
        BasePhoto.objects.select_related("base", "base__county", "base__operator").filter(
            base_scope_q(user, "base__")
        ),
        pk,
    )
    _require(can_edit_base(user, photo.base))
    return photo


def get_itinerary_for_view(user: AnyUser, pk) -> Itinerary:
    from bases import selectors

    return _get_or_404(selectors.itineraries_managed_by(user), pk)


def get_itinerary_for_edit(user: AnyUser, pk) -> Itinerary:
    """The itinerary and its batches: ``can_edit_base`` on its base."""
    itinerary = get_itinerary_for_view(user, pk)
    _require(can_edit_base(user, itinerary.base))
    return itinerary


def get_batch_for_edit(user: AnyUser, pk) -> Batch:
    """Edit, close, reopen: ``can_edit_base`` on its itinerary's base."""
    from bases import selectors

    batch = _get_or_404(selectors.batches_managed_by(user), pk)
    _require(can_edit_base(user, batch.itinerary.base))
    return batch


def get_inspection_for_view(user: AnyUser, pk) -> Inspection:
    from bases import selectors

    return _get_or_404(selectors.inspections_for(user), pk)


def inspection_steps(user: AnyUser, inspection: Inspection) -> list[str]:
    """The steps of an inspection the user may take now: staff record and conclude, the
    operator answers."""
    base = inspection.base
    steps = []
    if inspection.status == InspectionStatus.SCHEDULED and can_decide_base(user, base):
        steps.append("record")
    if inspection.status == InspectionStatus.RECTIFYING and can_answer_inspection(user, inspection):
        steps.append("answer")
    if inspection.status == InspectionStatus.ANSWERED and can_decide_base(user, base):
        steps.append("conclude")
    return steps


def get_inspection_for_step(user: AnyUser, pk, step: str | None) -> Inspection:
    """An inspection on which the user takes ``step`` (record, answer or conclude) now."""
    inspection = get_inspection_for_view(user, pk)
    _require(step in inspection_steps(user, inspection))
    return inspection
