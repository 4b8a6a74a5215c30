"""Publicity: what the federations publish for workers (DESIGN §2, "publish policies and
featured routes").

The source document names weak publicity as one reason the provincial fund lay unused: workers
did not know what they could get, where, or how to apply. An ``Article`` is one published item of
four kinds — a policy explanation (政策解读), news (新闻动态), a featured route (精品线路, linked to
itineraries of the catalogue) or a promotion event (推介会, with its date and place). Its body is
Markdown, turned into sanitized HTML whenever it is shown (``publicity.markdown``), so no stored
HTML can outlive a change of the rules. It moves draft → published ⇄ withdrawn, each step
recorded with who and when; only published articles are public.

An article belongs to the federation that publishes it (``org``): the city for city-wide items,
a county for its own. Who may write which is ``publicity.permissions``; every write is a service
of ``publicity.services``.
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import URLValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from accounts.models import Organization
from bases.models import Itinerary, Theme
from publicity.validators import validate_image

BODY_MAX_CHARS = 20_000


class Kind(models.TextChoices):
    POLICY = "policy", _("Policy explanation")
    NEWS = "news", _("News")
    ROUTE = "route", _("Featured route")
    EVENT = "event", _("Promotion event")


class Status(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Published")
    WITHDRAWN = "withdrawn", _("Withdrawn")


# The whole workflow at a glance: a withdrawn article may be published again.
TRANSITIONS: dict[str, set[str]] = {
    Status.DRAFT: {Status.PUBLISHED},
    Status.PUBLISHED: {Status.WITHDRAWN},
    Status.WITHDRAWN: {Status.PUBLISHED},
}


class Article(models.Model):
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    org = models.ForeignKey(
        Organization,
        verbose_name=_("published by (federation)"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    title = models.CharField(_("title"), max_length=100)
    summary = models.CharField(_("summary"), max_length=200)
    body = models.TextField(
        _("text (Markdown)"),
        max_length=BODY_MAX_CHARS,
        blank=True,
        help_text=_(
            "Markdown: a blank line starts a paragraph, **bold**, - a list item, "
            "[a link](https://…), ## a heading."
        ),
    )
    # Featured routes: a theme for the card and the itineraries of the catalogue they promote.
    theme = models.CharField(_("theme"), max_length=10, choices=Theme.choices, blank=True)
    itineraries = models.ManyToManyField(
        Itinerary, verbose_name=_("itineraries"), blank=True, related_name="featured_in"
    )
    # Promotion events.
    event_date = models.DateField(_("event date"), null=True, blank=True)
    event_place = models.CharField(_("event place"), max_length=100, blank=True)
    signup_url = models.URLField(
        _("sign-up link"),
        max_length=300,
        blank=True,
        validators=[URLValidator(schemes=["http", "https"])],
    )
    contact = models.CharField(_("contact"), max_length=100, blank=True)

    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("written by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("written at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("changed at"), auto_now=True)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("published by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    withdrawn_at = models.DateTimeField(_("withdrawn at"), null=True, blank=True)
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("withdrawn by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("article")
        verbose_name_plural = _("articles")
        ordering = ["-published_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="published") | Q(published_at__isnull=False),
                name="article_published_has_date",
            ),
        ]
        indexes = [
            models.Index(fields=["status", "kind", "-published_at"], name="article_public_idx"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_public(self) -> bool:
        return self.status == Status.PUBLISHED

    @property
    def body_html(self) -> str:
        from publicity.markdown import render

        return render(self.body)

    @property
    def cover(self) -> ArticleImage | None:
        """The first image, from the prefetched ``images`` when there are any."""
        images = list(self.images.all())
        return images[0] if images else None


class ArticleImage(models.Model):
    article = models.ForeignKey(
        Article, verbose_name=_("article"), on_delete=models.CASCADE, related_name="images"
    )
    image = models.ImageField(_("image"), upload_to="publicity/%Y/%m/", validators=[validate_image])
    caption = models.CharField(_("caption"), max_length=100, blank=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("image")
        verbose_name_plural = _("images")
        ordering = ["article", "position", "pk"]

    def __str__(self) -> str:
        return self.caption or self.image.name
