"""Who may see and act on which organization's data: the one place every app asks.

Rules (DESIGN §2):

- superuser: everything;
- federation staff: their organization's whole subtree, to see and to act;
- auditor: their organization's whole subtree, to see only;
- union organizer: their own grassroots union;
- base operator, agency: their own organization;
- worker: their own union (to see) and their own worker record;
- anyone else (anonymous, no role, no organization, inactive): nothing.

Apps filter their querysets with ``scope_q(user, "<path to an Organization FK>")`` and check single
objects with ``can_view_org`` / ``can_manage_org``; they never re-derive these rules. Every write
that sets an organization (a base's county or operator, the organization a grant goes to …)
passes it through ``check_orgs_in_scope``, on the API and the pages alike.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from accounts.models import Organization, Role, Worker

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from accounts.models import User

    AnyUser = User | AnonymousUser
    OrgRule = Callable[[AnyUser, Organization], bool]  # may this user set this organization?

SUBTREE_ROLES = frozenset({Role.FEDERATION_STAFF, Role.AUDITOR})
OWN_ORG_ROLES = frozenset({Role.ORGANIZER, Role.BASE_OPERATOR, Role.AGENCY, Role.WORKER})
READ_ONLY_ROLES = frozenset({Role.AUDITOR})
NOTHING = Q(pk__in=[])


def _active(user: AnyUser) -> bool:
    return bool(user and user.is_authenticated and user.is_active)


def scope_root(user: AnyUser) -> Organization | None:
    """The organization whose data the user works with, or None for an outsider."""
    if not _active(user) or not user.role or not user.org_id:
        return None
    return user.org


def scope_q(user: AnyUser, org_field: str = "") -> Q:
    """A filter restricting any queryset to rows whose ``org_field`` organization is in scope.

    ``org_field`` is the lookup path to an ``Organization`` (``""`` for Organization itself,
    ``"union"`` for workers, ``"base__operator"`` …).
    """
    prefix = f"{org_field}__" if org_field else ""
    if _active(user) and user.is_superuser:
        return Q()
    root = scope_root(user)
    if root is None:
        return NOTHING
    if user.role in SUBTREE_ROLES:
        return Q(**{f"{prefix}path__startswith": root.path})
    return Q(**{f"{prefix}pk": root.pk})


def visible_orgs(user: AnyUser) -> QuerySet[Organization]:
    return Organization.objects.filter(scope_q(user))


def can_view_org(user: AnyUser, org: Organization | None) -> bool:
    if org is None or not _active(user):
        return False
    if user.is_superuser:
        return True
    root = scope_root(user)
    if root is None:
        return False
    if user.role in SUBTREE_ROLES:
        return org.is_within(root)
    return org.pk == root.pk


def can_manage_org(user: AnyUser, org: Organization | None) -> bool:
    """May act on (create or change data of) this organization; workers act only on themselves."""
    if not can_view_org(user, org):
        return False
    return user.is_superuser or user.role not in READ_ONLY_ROLES | {Role.WORKER}


OUT_OF_SCOPE = _("This is not in your scope.")


def check_orgs_in_scope(
    user: AnyUser,
    *,
    allowed: OrgRule | Mapping[str, OrgRule] = can_manage_org,
    **orgs: Organization | None,
) -> None:
    """Refuse, keyed by field, every organization a write would set that ``user`` may not act on.

    ``check_orgs_in_scope(user, county=county, operator=operator)`` raises one
    ``ValidationError({"county": …, "operator": …})`` naming each refused field; ``None`` is not
    set and passes. ``allowed`` narrows the rule for one kind of write (moving money, placing a
    base), for every field or per field name; the default is ``can_manage_org``. The API's
    serializers and the pages' forms call this same function, so both refuse the same values with
    the same message.
    """
    refused = {
        field: ValidationError(OUT_OF_SCOPE, code="out_of_scope")
        for field, org in orgs.items()
        if org is not None and not _rule(allowed, field)(user, org)
    }
    if refused:
        raise ValidationError(refused)


def orgs_in_scope(
    user: AnyUser, queryset: QuerySet[Organization], allowed: OrgRule = can_manage_org
) -> QuerySet[Organization]:
    """The organizations of ``queryset`` that ``check_orgs_in_scope`` lets ``user`` set: what a
    form offers, decided by the same rule one organization at a time. Narrow ``queryset`` first
    (e.g. to ``visible_orgs``) when it could be long."""
    candidates = list(queryset)
    ids = [org.pk for org in candidates if allowed(user, org)]
    return queryset if len(ids) == len(candidates) else queryset.filter(pk__in=ids)


def _rule(allowed: OrgRule | Mapping[str, OrgRule], field: str) -> OrgRule:
    if isinstance(allowed, Mapping):
        return allowed.get(field, can_manage_org)
    return allowed


def visible_workers(user: AnyUser) -> QuerySet[Worker]:
    qs = Worker.objects.select_related("union", "user")
    if _active(user) and user.role == Role.WORKER:
        return qs.filter(user=user)
    if _active(user) and user.role in (Role.BASE_OPERATOR, Role.AGENCY):
        # Operators and agencies see workers only through the rosters of their own trips.
        return qs.none()
    return qs.filter(scope_q(user, "union"))


def can_view_worker(user: AnyUser, worker: Worker) -> bool:
    if not _active(user):
        return False
    if user.role == Role.WORKER:
        return worker.user_id == user.pk
    if user.role in (Role.BASE_OPERATOR, Role.AGENCY):
        return False
    return can_view_org(user, worker.union)


def can_manage_worker(user: AnyUser, worker: Worker) -> bool:
    if not _active(user):
        return False
    if user.role == Role.WORKER:
        return worker.user_id == user.pk
    if user.role in (Role.BASE_OPERATOR, Role.AGENCY):
        return False
    return can_manage_org(user, worker.union)


def can_list_members(user: AnyUser) -> bool:
    """The members list: organizers, federation staff and auditors (workers see only themselves,
    operators and agencies see people only on their own trips' rosters)."""
    return _active(user) and (
        user.is_superuser or user.role in (Role.ORGANIZER, Role.FEDERATION_STAFF, Role.AUDITOR)
    )
