"""Who may read and write which article, built only on ``accounts.scoping``.

- anyone (anonymous, workers, organizers, operators, agencies): published articles only;
- federation staff: every article of their subtree (drafts and withdrawn ones too), to write,
  change, publish and withdraw; the organization an article is published for (``org``) must be a
  federation they may act for: city staff the city or a county under it, county staff their own
  county;
- auditors: every article of their subtree, read only;
- superusers: everything.

Pages fetch the object of each action through one getter, ``get_article(user, pk, action=…)``:
it returns the article, or raises ``Http404`` when the user may not see it (a draft outside their
scope answers like one that does not exist) and ``PermissionDenied`` when they see it but may not
take that action (an auditor, or anyone at all on a published article outside their scope). The
organization a write sets goes through ``check_article_org`` on create and on update alike.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404

from accounts.models import FEDERATION_KINDS, Organization, Role
from accounts.scoping import can_manage_org, check_orgs_in_scope, scope_q
from publicity.models import TRANSITIONS, Article, Status

if TYPE_CHECKING:
    from accounts.scoping import AnyUser

READERS = frozenset({Role.FEDERATION_STAFF, Role.AUDITOR})


def _active(user: AnyUser) -> bool:
    return bool(user and user.is_authenticated and user.is_active)


def uses_publicity_management(user: AnyUser) -> bool:
    """Has the management pages at all: federation staff, auditors and superusers."""
    return _active(user) and (user.is_superuser or (user.role in READERS and bool(user.org_id)))


def can_write_articles(user: AnyUser) -> bool:
    """May write articles at all (which ones: ``can_publish_for``)."""
    return _active(user) and (
        user.is_superuser or (user.role == Role.FEDERATION_STAFF and bool(user.org_id))
    )


def can_publish_for(user: AnyUser, org: Organization | None) -> bool:
    """May write, change, publish and withdraw articles of ``org`` (a federation)."""
    if org is None or org.kind not in FEDERATION_KINDS or not can_write_articles(user):
        return False
    return can_manage_org(user, org)


def management_q(user: AnyUser) -> Q:
    """Articles the management pages show the user: those of their subtree, in any status."""
    if not uses_publicity_management(user):
        return Q(pk__in=[])
    return scope_q(user, "org")


def articles_managed_by(user: AnyUser) -> QuerySet[Article]:
    return Article.objects.filter(management_q(user))


def visible_q(user: AnyUser) -> Q:
    """What a user may read: every published article, plus their management scope."""
    public = Q(status=Status.PUBLISHED)
    scope = management_q(user)
    return Q() if scope == Q() else public | scope


def can_edit_article(user: AnyUser, article: Article) -> bool:
    return can_publish_for(user, article.org)


def can_publish(user: AnyUser, article: Article) -> bool:
    return can_edit_article(user, article) and Status.PUBLISHED in TRANSITIONS[article.status]


def can_withdraw(user: AnyUser, article: Article) -> bool:
    return can_edit_article(user, article) and Status.WITHDRAWN in TRANSITIONS[article.status]


ACTIONS = {
    "view": lambda user, article: True,  # visibility is the queryset's
    "edit": can_edit_article,
    "publish": can_edit_article,  # a move the status does not allow is the service's message
    "withdraw": can_edit_article,
}


def get_article(user: AnyUser, pk, *, action: str = "view") -> Article:
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        raise Http404 from None
    article = (
        Article.objects.filter(visible_q(user), pk=pk).select_related("org").first()
        if 0 < pk < 2**63
        else None
    )
    if article is None:
        raise Http404
    if not ACTIONS[action](user, article):
        raise PermissionDenied
    return article


def check_article_org(user: AnyUser, org: Organization | None) -> None:
    """Refuse (``ValidationError`` on ``org``) a publishing organization the user may not set."""
    check_orgs_in_scope(user, allowed=can_publish_for, org=org)


def orgs_offered(user: AnyUser) -> QuerySet[Organization]:
    """The federations a user may publish for: what the form offers."""
    federations = Organization.objects.filter(kind__in=FEDERATION_KINDS).filter(scope_q(user))
    return federations.filter(
        pk__in=[org.pk for org in federations if can_publish_for(user, org)]
    ).order_by("path")
