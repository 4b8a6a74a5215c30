"""Every write on articles: plain keyword-only functions, each atomic and audited.

The caller has fetched the article through ``publicity.permissions.get_article`` for its action;
the services check what the data must satisfy whoever writes it (the publishing organization is
in the writer's scope, a featured route names itineraries, an event its date and place) and move
the status only along ``TRANSITIONS``, claiming the move with a conditional update so that two
clicks publish once.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.audit import audit
from accounts.models import Organization, User
from bases.models import Itinerary
from publicity.models import TRANSITIONS, Article, ArticleImage, Kind, Status
from publicity.permissions import check_article_org

MAX_IMAGES = 12
FIELDS = (
    "kind",
    "org",
    "title",
    "summary",
    "body",
    "theme",
    "event_date",
    "event_place",
    "signup_url",
    "contact",
)


def _check_kind_fields(article: Article, itineraries: list[Itinerary]) -> None:
    errors: dict[str, object] = {}
    if article.kind == Kind.ROUTE and not itineraries:
        errors["itineraries"] = _("A featured route names at least one itinerary.")
    if article.kind != Kind.ROUTE and itineraries:
        errors["itineraries"] = _("Only featured routes link to itineraries.")
    if article.kind == Kind.EVENT:
        if article.event_date is None:
            errors["event_date"] = _("A promotion event needs its date.")
        if not article.event_place.strip():
            errors["event_place"] = _("A promotion event needs its place.")
    if errors:
        raise ValidationError(errors)


def _clean(article: Article, *, by: User, itineraries: list[Itinerary]) -> None:
    check_article_org(by, article.org)
    errors: dict[str, list] = {}
    try:
        article.full_clean(exclude=["itineraries"])
    except ValidationError as error:
        errors.update(error.message_dict)
    try:
        _check_kind_fields(article, itineraries)
    except ValidationError as error:
        for field, messages in error.message_dict.items():
            errors.setdefault(field, []).extend(messages)
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def article_create(
    *,
    by: User,
    org: Organization,
    kind: str,
    title: str,
    summary: str,
    body: str = "",
    itineraries: Iterable[Itinerary] = (),
    theme: str = "",
    event_date=None,
    event_place: str = "",
    signup_url: str = "",
    contact: str = "",
    images: Iterable = (),
) -> Article:
    """A new draft. ``images`` are ``(uploaded file, caption)`` pairs, checked by content."""
    itineraries = list(itineraries)
    article = Article(
        kind=kind,
        org=org,
        title=title,
        summary=summary,
        body=body,
        theme=theme,
        event_date=event_date,
        event_place=event_place,
        signup_url=signup_url,
        contact=contact,
        created_by=by if by.is_authenticated else None,
    )
    _clean(article, by=by, itineraries=itineraries)
    article.save()
    article.itineraries.set(itineraries)
    _add_images(article, images)
    audit(article, "article_created", by=by, org=org, kind=kind)
    return article


@transaction.atomic
def article_update(
    *,
    article: Article,
    by: User,
    itineraries: Iterable[Itinerary] | None = None,
    images: Iterable = (),
    remove_images: Iterable[int] = (),
    **changes,
) -> Article:
    """Change an article's text and links (any status: a published one changes in place).

    The organization it is published for may change only to another the writer may set (the
    getter has already checked the one it had).
    """
    unknown = set(changes) - set(FIELDS)
    if unknown:
        raise TypeError(f"unknown article fields: {sorted(unknown)}")
    article = Article.objects.select_for_update().get(pk=article.pk)
    for field, value in changes.items():
        setattr(article, field, value)
    itineraries = list(article.itineraries.all() if itineraries is None else itineraries)
    _clean(article, by=by, itineraries=itineraries)
    removing = set(remove_images)
    kept = article.images.exclude(pk__in=removing).count()
    images = list(images)
    if kept + len(images) > MAX_IMAGES:
        raise ValidationError(
            {"images": _("An article has at most %(max)s images.") % {"max": MAX_IMAGES}}
        )
    article.save()
    article.itineraries.set(itineraries)
    for image in article.images.filter(pk__in=removing):
        # The file goes only once the row is gone for good (a rollback keeps both).
        transaction.on_commit(lambda stored=image.image: stored.delete(save=False))
        image.delete()
    _add_images(article, images)
    audit(article, "article_changed", by=by, org=article.org, fields=sorted(changes))
    return article


def _add_images(article: Article, uploads: Iterable) -> None:
    uploads = list(uploads)
    if not uploads:
        return
    if article.images.count() + len(uploads) > MAX_IMAGES:
        raise ValidationError(
            {"images": _("An article has at most %(max)s images.") % {"max": MAX_IMAGES}}
        )
    position = (
        article.images.order_by("-position").values_list("position", flat=True).first()
    ) or 0
    for upload, caption in uploads:
        image = ArticleImage(article=article, image=upload, caption=caption, position=position + 1)
        try:
            image.full_clean(exclude=["article"])
        except ValidationError as error:
            raise ValidationError({"images": error.messages}) from None
        image.save()
        position += 1


def _move(
    article: Article, *, to: str, by: User, at: datetime | None, action: str, refused
) -> Article:
    at = at or timezone.now()
    allowed_from = [old for old, new in TRANSITIONS.items() if to in new]
    who = by if by.is_authenticated else None
    stamp = (
        {"published_at": at, "published_by": who}
        if to == Status.PUBLISHED
        else {"withdrawn_at": at, "withdrawn_by": who}
    )
    claimed = Article.objects.filter(pk=article.pk, status__in=allowed_from).update(
        status=to, updated_at=timezone.now(), **stamp
    )
    if claimed != 1:
        current = Article.objects.get(pk=article.pk)
        raise ValidationError(
            refused % {"status": current.get_status_display()}, code="bad_transition"
        )
    article.refresh_from_db()
    audit(article, action, by=by, org=article.org)
    return article


@transaction.atomic
def article_publish(*, article: Article, by: User, at: datetime | None = None) -> Article:
    """Draft or withdrawn → published, stamped with who and when (``at``: the demo's dates)."""
    check_article_org(by, article.org)
    return _move(
        article,
        to=Status.PUBLISHED,
        by=by,
        at=at,
        action="article_published",
        refused=_("This article is %(status)s: it cannot be published now."),
    )


@transaction.atomic
def article_withdraw(*, article: Article, by: User, at: datetime | None = None) -> Article:
    """Published → withdrawn: no longer public, kept with its history."""
    check_article_org(by, article.org)
    return _move(
        article,
        to=Status.WITHDRAWN,
        by=by,
        at=at,
        action="article_withdrawn",
        refused=_("This article is %(status)s: only a published article can be withdrawn."),
    )
