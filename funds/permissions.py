"""Who may see and move money. Built on accounts.scoping; views and the API only call these."""

from __future__ import annotations

from accounts import scoping
from accounts.models import FEDERATION_KINDS, Organization, OrgKind, Role


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
