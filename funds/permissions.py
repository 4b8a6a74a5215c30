"""Who may see and move money. Built on accounts.scoping; views and the API only call these.

The objects of fund pages and API are fetched by one getter per object and action, used by both
(``get_funds_org_for_view``, ``get_policy_for_edit``): out of scope is a 404, seen but not allowed
a 403. The organizations a movement names (grant: ``org``; allocation: ``from_org``, ``to_org``)
pass ``accounts.scoping.check_orgs_in_scope`` with ``can_move_funds`` in the forms.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import Http404

from accounts import scoping
from accounts.models import FEDERATION_KINDS, Organization, OrgKind, Role
from funds.models import SubsidyPolicy


def can_view_funds(user, org: Organization | None) -> bool:
    """Federation staff and auditors see the money of their subtree."""
    if org is None or not scoping.can_view_org(user, org):
        return False
    return user.is_superuser or user.role in (Role.FEDERATION_STAFF, Role.AUDITOR)


def can_move_funds(user, org: Organization | None) -> bool:
    """Federation staff record grants and allocations within their subtree; auditors never."""
    if org is None or not scoping.can_manage_org(user, org):
        return False
    return user.is_superuser or user.role == Role.FEDERATION_STAFF


def can_record_movements(user) -> bool:
    """Grants and allocations at all (which organizations: ``can_move_funds``)."""
    return user.is_authenticated and (
        user.is_superuser or (funds_root(user) is not None and can_move_funds(user, user.org))
    )


def can_see_funds_pages(user) -> bool:
    return user.is_authenticated and (
        user.is_superuser or user.role in (Role.FEDERATION_STAFF, Role.AUDITOR)
    )


def can_set_policy(user) -> bool:
    """Subsidy policies and year closing belong to city (or provincial) staff."""
    return user.is_authenticated and (
        user.is_superuser
        or (
            user.role == Role.FEDERATION_STAFF
            and user.org is not None
            and user.org.kind in (OrgKind.CITY, OrgKind.PROVINCE)
        )
    )


def funds_root(user) -> Organization | None:
    """The organization whose subtree the user's fund pages start from."""
    if user.is_superuser:
        return (
            Organization.objects.filter(kind=OrgKind.CITY).order_by("path").first()
            or Organization.objects.filter(parent__isnull=True).order_by("path").first()
        )
    if can_see_funds_pages(user) and user.org.kind in FEDERATION_KINDS:
        return user.org
    return None


def get_funds_org_for_view(user, code: str) -> Organization:
    """The organization whose money ``user`` looks at (its subtree's), or 404: one outside the
    user's scope answers like one that does not exist."""
    org = Organization.objects.filter(code=code).first() if code else None
    if not can_view_funds(user, org):
        raise Http404
    return org


def get_policy_for_edit(user, year: int | None) -> SubsidyPolicy | None:
    """A year's subsidy policy to change (``None`` for a new one): city staff only (403), an
    unknown year is a 404."""
    if not can_set_policy(user):
        raise PermissionDenied
    if year is None:
        return None
    policy = SubsidyPolicy.objects.filter(year=year).first()
    if policy is None:
        raise Http404
    return policy
