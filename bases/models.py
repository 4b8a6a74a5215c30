"""Bases, their itineraries and batches, and how the federation keeps bases good.

Lifecycle (DESIGN §3): 申报 applied → 初核 checked → 推荐 recommended → 审定 approved → 公示 notice →
active; then watch → suspended → exited. ``TRANSITIONS`` below is the whole workflow; every move goes
through ``bases.services.base_transition`` and leaves an ``AccreditationStep`` and an audit row.
Money is integer fen (see ``recuperation.money``).
"""

from __future__ import annotations

from datetime import date, timedelta

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Organization, OrgKind, User
from accounts.validators import validate_phone
from bases.fields import CodeSetField
from bases.validators import (
    MAX_CAPACITY,
    MAX_PRICE_FEN,
    MaxCapacityValidator,
    MaxPriceValidator,
    validate_photo,
)


class Theme(models.TextChoices):
    RED = "red", _("Red heritage")
    GREEN = "green", _("Green forests")
    BLUE = "blue", _("Blue seaside")


class Product(models.TextChoices):
    FOREST = "forest", _("Forest wellness")
    SEASIDE = "seaside", _("Seaside rest")
    HOT_SPRING = "hot_spring", _("Hot-spring therapy")
    MEDICAL = "medical", _("Specialty medical care")
    TCM_DIET = "tcm_diet", _("TCM diet therapy")
    TEA = "tea", _("Tea wellness")
    OTHER = "other", _("Other")


class Addon(models.TextChoices):
    SOCIAL = "social", _("Recuperation + making friends")
    SKILLS_TRAINING = "skills_training", _("Recuperation + skills training")
    SKILLS_CONTEST = "skills_contest", _("Recuperation + skills contest")


class BaseStatus(models.TextChoices):
    APPLIED = "applied", _("Applied")  # 申报
    CHECKED = "checked", _("First check passed")  # 初核
    RECOMMENDED = "recommended", _("Recommended")  # 推荐
    APPROVED = "approved", _("Approved")  # 审定
    NOTICE = "notice", _("In public notice")  # 公示
    ACTIVE = "active", _("Active")
    WATCH = "watch", _("On the watch list")
    SUSPENDED = "suspended", _("Suspended")
    EXITED = "exited", _("Exited")
    REJECTED = "rejected", _("Not admitted")


S = BaseStatus
TRANSITIONS: dict[str, frozenset[str]] = {
    S.APPLIED: frozenset({S.CHECKED, S.REJECTED}),
    S.CHECKED: frozenset({S.RECOMMENDED, S.REJECTED}),
    S.RECOMMENDED: frozenset({S.APPROVED, S.REJECTED}),
    S.APPROVED: frozenset({S.NOTICE}),
    S.NOTICE: frozenset({S.ACTIVE, S.REJECTED}),  # an objection during the notice stops it
    S.ACTIVE: frozenset({S.WATCH, S.SUSPENDED, S.EXITED}),
    S.WATCH: frozenset({S.ACTIVE, S.SUSPENDED, S.EXITED}),
    S.SUSPENDED: frozenset({S.ACTIVE, S.EXITED}),  # reinstated after rectification, or out
    S.EXITED: frozenset(),
    S.REJECTED: frozenset(),
}
ACCREDITATION_STATUSES = frozenset({S.APPLIED, S.CHECKED, S.RECOMMENDED, S.APPROVED, S.NOTICE})
# Shown in the public catalogue (a base on the watch list still takes guests).
PUBLIC_STATUSES = frozenset({S.ACTIVE, S.WATCH})
# Entering these closes the base's open batches.
CLOSING_STATUSES = frozenset({S.SUSPENDED, S.EXITED})
# Moves that need a written reason.
REASON_REQUIRED = frozenset({S.REJECTED, S.WATCH, S.SUSPENDED, S.EXITED})
# Moves the daily job may make on its own: staff confirm a suspension and restore a base.
SYSTEM_MOVES = frozenset({(S.ACTIVE, S.WATCH)})
del S


class Base(models.Model):
    name = models.CharField(_("name"), max_length=100)
    county = models.ForeignKey(
        Organization,
        verbose_name=_("county"),
        on_delete=models.PROTECT,
        related_name="bases_in_county",
        limit_choices_to={"kind": OrgKind.COUNTY},
    )
    operator = models.ForeignKey(
        Organization,
        verbose_name=_("operator"),
        on_delete=models.PROTECT,
        related_name="operated_bases",
        limit_choices_to={"kind": OrgKind.BASE_OPERATOR},
    )
    address = models.CharField(_("address"), max_length=200, blank=True)
    summary = models.CharField(_("one-line summary"), max_length=200, blank=True)
    description = models.TextField(_("description"), blank=True)
    contact_name = models.CharField(_("contact person"), max_length=50, blank=True)
    contact_phone = models.CharField(
        _("contact phone"), max_length=20, blank=True, validators=[validate_phone]
    )
    themes = CodeSetField(_("themes"), codes=Theme.choices)
    products = CodeSetField(_("products"), codes=Product.choices)
    stars = models.PositiveSmallIntegerField(
        _("stars"), default=0, validators=[MaxValueValidator(5)], db_index=True
    )
    status = models.CharField(
        _("status"), max_length=20, choices=BaseStatus.choices, default=BaseStatus.APPLIED
    )
    status_changed_at = models.DateTimeField(_("status changed at"), default=timezone.now)
    notice_ends_on = models.DateField(_("public notice ends on"), null=True, blank=True)
    watch_since = models.DateField(_("on the watch list since"), null=True, blank=True)
    suspension_proposed_on = models.DateField(_("suspension proposed on"), null=True, blank=True)
    # 0–100, recomputed daily from reviews and inspections; None until there is enough evidence.
    service_score = models.DecimalField(
        _("service score"), max_digits=4, decimal_places=1, null=True, blank=True
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("base")
        verbose_name_plural = _("bases")
        ordering = ["-stars", "name", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["county", "name"], name="base_unique_name_in_county"),
            models.CheckConstraint(condition=Q(stars__lte=5), name="base_stars_0_5"),
            models.CheckConstraint(
                condition=Q(status__in=BaseStatus.values), name="base_status_valid"
            ),
        ]
        indexes = [models.Index(fields=["status", "-stars"], name="base_status_stars_idx")]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        errors = {}
        if self.county_id and self.county.kind != OrgKind.COUNTY:
            errors["county"] = _("Choose a county federation.")
        if self.operator_id and self.operator.kind != OrgKind.BASE_OPERATOR:
            errors["operator"] = _("Choose a base operator.")
        if errors:
            raise ValidationError(errors)

    @property
    def is_public(self) -> bool:
        return self.status in PUBLIC_STATUSES

    @property
    def in_accreditation(self) -> bool:
        return self.status in ACCREDITATION_STATUSES

    def allowed_moves(self) -> list[str]:
        return [s for s in BaseStatus.values if s in TRANSITIONS[self.status]]

    def theme_labels(self) -> list[str]:
        return self._meta.get_field("themes").labels(self.themes)

    def product_labels(self) -> list[str]:
        return self._meta.get_field("products").labels(self.products)


class BasePhoto(models.Model):
    base = models.ForeignKey(
        Base, verbose_name=_("base"), on_delete=models.CASCADE, related_name="photos"
    )
    image = models.ImageField(_("photo"), upload_to="bases/%Y/%m/", validators=[validate_photo])
    caption = models.CharField(_("caption"), max_length=100, blank=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("photo")
        verbose_name_plural = _("photos")
        ordering = ["base", "position", "pk"]

    def __str__(self) -> str:
        return self.caption or self.image.name


class Itinerary(models.Model):
    base = models.ForeignKey(
        Base, verbose_name=_("base"), on_delete=models.PROTECT, related_name="itineraries"
    )
    title = models.CharField(_("title"), max_length=100)
    days = models.PositiveSmallIntegerField(
        _("days"), validators=[MinValueValidator(1), MaxValueValidator(15)]
    )
    in_province = models.BooleanField(_("in the province"), default=True)
    summary = models.CharField(_("one-line summary"), max_length=200, blank=True)
    # One entry per day: ["Day 1 …", "Day 2 …"].
    programme = models.JSONField(_("day-by-day programme"), default=list, blank=True)
    includes_health_lecture = models.BooleanField(_("health lecture included"), default=False)
    includes_checkup = models.BooleanField(_("health check-up included"), default=False)
    min_age = models.PositiveSmallIntegerField(
        _("minimum age"), null=True, blank=True, validators=[MaxValueValidator(100)]
    )
    max_age = models.PositiveSmallIntegerField(
        _("maximum age"), null=True, blank=True, validators=[MaxValueValidator(100)]
    )
    addons = CodeSetField(_("add-ons"), codes=Addon.choices, blank=True)
    standard_price_fen = models.PositiveIntegerField(
        _("standard price per person"),
        validators=[MaxPriceValidator()],
    )
    union_price_fen = models.PositiveIntegerField(
        _("union price per person"),
        validators=[MaxPriceValidator()],
    )
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("itinerary")
        verbose_name_plural = _("itineraries")
        ordering = ["base", "days", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["base", "title"], name="itinerary_unique_title"),
            models.CheckConstraint(
                condition=Q(union_price_fen__lte=F("standard_price_fen")),
                name="itinerary_union_price_le_standard",
            ),
            models.CheckConstraint(
                condition=Q(standard_price_fen__lte=MAX_PRICE_FEN), name="itinerary_price_max"
            ),
            models.CheckConstraint(
                condition=Q(days__gte=1) & Q(days__lte=15), name="itinerary_days_1_15"
            ),
            models.CheckConstraint(
                condition=Q(min_age__isnull=True)
                | Q(max_age__isnull=True)
                | Q(min_age__lte=F("max_age")),
                name="itinerary_age_range",
            ),
        ]
        indexes = [
            models.Index(fields=["active", "union_price_fen"], name="itinerary_active_price_idx")
        ]

    def __str__(self) -> str:
        return self.title

    def clean(self) -> None:
        errors: dict[str, object] = {}
        if (
            self.union_price_fen is not None
            and self.standard_price_fen is not None
            and self.union_price_fen > self.standard_price_fen
        ):
            errors["union_price_fen"] = _("The union price cannot be above the standard price.")
        if self.min_age is not None and self.max_age is not None and self.min_age > self.max_age:
            errors["max_age"] = _("The maximum age must not be below the minimum age.")
        if not isinstance(self.programme, list) or not all(
            isinstance(day, str) for day in self.programme
        ):
            errors["programme"] = _("The programme is a list of days.")
        elif self.programme and self.days and len(self.programme) != self.days:
            errors["programme"] = _(
                "The programme describes %(given)s days but the itinerary lasts %(days)s."
            ) % {"given": len(self.programme), "days": self.days}
        if errors:
            raise ValidationError(errors)

    def addon_labels(self) -> list[str]:
        return self._meta.get_field("addons").labels(self.addons)

    @property
    def age_group(self) -> str:
        if self.min_age is None and self.max_age is None:
            return ""
        if self.max_age is None:
            return _("%(min)s and over") % {"min": self.min_age}
        if self.min_age is None:
            return _("up to %(max)s") % {"max": self.max_age}
        return _("%(min)s–%(max)s") % {"min": self.min_age, "max": self.max_age}

    def fits_age(self, age: int) -> bool:
        return (self.min_age is None or age >= self.min_age) and (
            self.max_age is None or age <= self.max_age
        )


class BatchStatus(models.TextChoices):
    OPEN = "open", _("Open")
    CLOSED = "closed", _("Closed")


class Batch(models.Model):
    """One departure of an itinerary.

    ``seats_held`` is a counter owned by the applications app: it changes only while the row is
    locked with ``bases.services.lock_batch`` so that it never passes ``capacity``.
    """

    itinerary = models.ForeignKey(
        Itinerary, verbose_name=_("itinerary"), on_delete=models.PROTECT, related_name="batches"
    )
    start_date = models.DateField(_("start date"))
    end_date = models.DateField(_("end date"))
    signup_deadline = models.DateField(_("sign-up deadline"))
    capacity = models.PositiveIntegerField(
        _("capacity"),
        validators=[
            MinValueValidator(1),
            MaxCapacityValidator(),
        ],
    )
    seats_held = models.PositiveIntegerField(_("seats held"), default=0, editable=False)
    status = models.CharField(
        _("status"), max_length=10, choices=BatchStatus.choices, default=BatchStatus.OPEN
    )
    closed_reason = models.CharField(_("reason for closing"), max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("batch")
        verbose_name_plural = _("batches")
        ordering = ["start_date", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["itinerary", "start_date"], name="batch_unique_start_per_itinerary"
            ),
            models.CheckConstraint(condition=Q(capacity__gt=0), name="batch_capacity_positive"),
            models.CheckConstraint(
                condition=Q(capacity__lte=MAX_CAPACITY), name="batch_capacity_max"
            ),
            models.CheckConstraint(
                condition=Q(seats_held__lte=F("capacity")), name="batch_seats_held_le_capacity"
            ),
            models.CheckConstraint(
                condition=Q(end_date__gte=F("start_date")), name="batch_end_after_start"
            ),
            models.CheckConstraint(
                condition=Q(signup_deadline__lt=F("start_date")),
                name="batch_deadline_before_start",
            ),
        ]
        indexes = [models.Index(fields=["start_date"], name="batch_start_idx")]

    def __str__(self) -> str:
        return f"{self.itinerary} {self.start_date:%Y-%m-%d}"

    def clean(self) -> None:
        errors = {}
        if self.start_date and self.end_date and self.end_date < self.start_date:
            errors["end_date"] = _("The end date cannot be before the start date.")
        if self.start_date and self.signup_deadline and self.signup_deadline >= self.start_date:
            errors["signup_deadline"] = _("Sign-ups must close before the start date.")
        if self.capacity is not None and self.capacity < self.seats_held:
            errors["capacity"] = _(
                "%(held)s seats are already taken: the capacity cannot be lower."
            ) % {"held": self.seats_held}
        if errors:
            raise ValidationError(errors)

    @property
    def seats_left(self) -> int:
        # Selectors annotate ``seats_left``; this is the fallback for a single loaded row.
        annotated = self.__dict__.get("_seats_left")
        return annotated if annotated is not None else self.capacity - self.seats_held

    @seats_left.setter
    def seats_left(self, value: int) -> None:
        self.__dict__["_seats_left"] = value

    def accepting_signups(self, today: date | None = None) -> bool:
        today = today or timezone.localdate()
        return (
            self.status == BatchStatus.OPEN
            and today <= self.signup_deadline
            and self.seats_left > 0
        )

    def state(self, today: date | None = None) -> str:
        """A short code for pages: finished, closed, full, deadline_passed, few_left or open."""
        today = today or timezone.localdate()
        if self.end_date < today:
            return "finished"
        if self.status == BatchStatus.CLOSED:
            return "closed"
        if self.seats_left <= 0:
            return "full"
        if today > self.signup_deadline:
            return "deadline_passed"
        if self.seats_left <= max(2, self.capacity // 10):
            return "few_left"
        return "open"


class Review(models.Model):
    """A participant's rating of a completed trip (DESIGN §2).

    Only ``applications`` offers the "review my trip" action, after checking that the author
    attended; this app stores the review and refuses a second one for the same application.
    """

    base = models.ForeignKey(
        Base, verbose_name=_("base"), on_delete=models.CASCADE, related_name="reviews"
    )
    itinerary = models.ForeignKey(
        Itinerary,
        verbose_name=_("itinerary"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="reviews",
    )
    author = models.ForeignKey(
        User, verbose_name=_("author"), on_delete=models.PROTECT, related_name="base_reviews"
    )
    rating = models.PositiveSmallIntegerField(
        _("rating"), validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    text = models.TextField(_("comment"), blank=True, max_length=2000)
    # "<app label>:<pk>" of the application reviewed: one review per application.
    application_ref = models.CharField(_("application"), max_length=64, unique=True)
    created_at = models.DateTimeField(_("time"), default=timezone.now)

    class Meta:
        verbose_name = _("review")
        verbose_name_plural = _("reviews")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(rating__gte=1) & Q(rating__lte=5), name="review_rating_1_5"
            )
        ]
        indexes = [models.Index(fields=["base", "created_at"], name="review_base_time_idx")]

    def __str__(self) -> str:
        return f"{self.base} {self.rating}★"


# Scored indicators of a star rating (DESIGN §3): code, label, group, maximum points (total 100).
INDICATOR_GROUPS = {
    "basic": _("Basic requirements"),
    "delivery": _("Service delivery"),
    "support": _("Service support"),
}
INDICATORS: list[tuple[str, object, str, int]] = [
    ("basic", _("Basic requirements"), "basic", 20),
    ("reception", _("Reception"), "delivery", 8),
    ("food", _("Food"), "delivery", 8),
    ("lodging", _("Lodging"), "delivery", 8),
    ("leisure", _("Leisure"), "delivery", 8),
    ("medical", _("Medical care"), "delivery", 8),
    ("staff", _("Staff"), "support", 7),
    ("transport", _("Transport"), "support", 7),
    ("safety", _("Safety"), "support", 7),
    ("hygiene", _("Hygiene"), "support", 7),
    ("facilities", _("Facilities"), "support", 6),
    ("rules", _("Rules and management"), "support", 6),
]
# Total points → stars; a base that fails the basic requirements gets no star at all.
STAR_THRESHOLDS = [(90, 5), (80, 4), (70, 3), (60, 2), (50, 1)]
BASIC_PASS = 12


def stars_for(scores: dict[str, int]) -> tuple[int, int]:
    """(total points, stars) for a complete set of indicator scores."""
    total = sum(scores.values())
    if scores.get("basic", 0) < BASIC_PASS:
        return total, 0
    return total, next((stars for floor, stars in STAR_THRESHOLDS if total >= floor), 0)


class StarRating(models.Model):
    base = models.ForeignKey(
        Base, verbose_name=_("base"), on_delete=models.CASCADE, related_name="star_ratings"
    )
    rated_on = models.DateField(_("rated on"), default=timezone.localdate)
    rated_by = models.ForeignKey(
        User, verbose_name=_("rated by"), on_delete=models.PROTECT, null=True, blank=True
    )
    scores = models.JSONField(_("scores"), default=dict)
    total = models.PositiveSmallIntegerField(_("total points"))
    stars = models.PositiveSmallIntegerField(_("stars"))
    note = models.TextField(_("note"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("star rating")
        verbose_name_plural = _("star ratings")
        ordering = ["-rated_on", "-pk"]
        constraints = [
            models.CheckConstraint(condition=Q(stars__lte=5), name="rating_stars_0_5"),
            models.CheckConstraint(condition=Q(total__lte=100), name="rating_total_le_100"),
        ]

    def __str__(self) -> str:
        return f"{self.base} {self.stars}★ {self.rated_on}"

    def score_rows(self) -> list[dict]:
        return [
            {
                "code": code,
                "label": label,
                "group": INDICATOR_GROUPS[group],
                "points": self.scores.get(code, 0),
                "max": maximum,
            }
            for code, label, group, maximum in INDICATORS
        ]


class AccreditationStep(models.Model):
    """One move of a base's lifecycle: who, when, from, to and why."""

    base = models.ForeignKey(
        Base, verbose_name=_("base"), on_delete=models.CASCADE, related_name="steps"
    )
    from_status = models.CharField(_("from"), max_length=20, choices=BaseStatus.choices, blank=True)
    to_status = models.CharField(_("to"), max_length=20, choices=BaseStatus.choices)
    by = models.ForeignKey(
        User, verbose_name=_("by"), on_delete=models.PROTECT, null=True, blank=True
    )
    at = models.DateTimeField(_("time"), default=timezone.now)
    reason = models.TextField(_("reason"), blank=True)

    class Meta:
        verbose_name = _("lifecycle step")
        verbose_name_plural = _("lifecycle steps")
        ordering = ["base", "at", "pk"]

    def __str__(self) -> str:
        return f"{self.base}: {self.from_status or '—'} → {self.to_status}"


class InspectionDraw(models.Model):
    """A monthly random draw of bases to inspect, with everything needed to reproduce it.

    ``bases.services.draw_sample(seed, candidate_ids, sample_size)`` gives ``chosen_ids`` again.
    """

    period = models.CharField(_("month"), max_length=7, unique=True)  # "YYYY-MM"
    seed = models.BigIntegerField(_("random seed"))
    sample_size = models.PositiveSmallIntegerField(_("sample size"))
    candidate_ids = models.JSONField(_("candidate bases"), default=list)
    chosen_ids = models.JSONField(_("chosen bases"), default=list)
    drawn_at = models.DateTimeField(_("drawn at"), default=timezone.now)
    drawn_by = models.ForeignKey(
        User, verbose_name=_("drawn by"), on_delete=models.PROTECT, null=True, blank=True
    )

    class Meta:
        verbose_name = _("inspection draw")
        verbose_name_plural = _("inspection draws")
        ordering = ["-period"]

    def __str__(self) -> str:
        return self.period


class InspectionStatus(models.TextChoices):
    SCHEDULED = "scheduled", _("Scheduled")
    PASSED = "passed", _("Passed")
    RECTIFYING = "rectifying", _("Rectification required")
    ANSWERED = "answered", _("Rectification answered")
    CLOSED = "closed", _("Closed")


I = InspectionStatus  # noqa: E741
INSPECTION_TRANSITIONS: dict[str, frozenset[str]] = {
    I.SCHEDULED: frozenset({I.PASSED, I.RECTIFYING}),  # staff record the findings
    I.RECTIFYING: frozenset({I.ANSWERED}),  # the operator answers
    I.ANSWERED: frozenset({I.CLOSED, I.RECTIFYING}),  # staff accept, or send it back
    I.PASSED: frozenset(),
    I.CLOSED: frozenset(),
}
del I


class Inspection(models.Model):
    """A check of a base's service agreement and plan, drawn at random or planned by staff."""

    base = models.ForeignKey(
        Base, verbose_name=_("base"), on_delete=models.CASCADE, related_name="inspections"
    )
    draw = models.ForeignKey(
        InspectionDraw,
        verbose_name=_("draw"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="inspections",
    )
    status = models.CharField(
        _("status"),
        max_length=12,
        choices=InspectionStatus.choices,
        default=InspectionStatus.SCHEDULED,
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    inspected_on = models.DateField(_("inspected on"), null=True, blank=True)
    inspector = models.ForeignKey(
        User,
        verbose_name=_("inspector"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    score = models.PositiveSmallIntegerField(
        _("score"), null=True, blank=True, validators=[MaxValueValidator(100)]
    )
    findings = models.TextField(_("findings"), blank=True)
    rectification_deadline = models.DateField(_("rectify by"), null=True, blank=True)
    answer = models.TextField(_("rectification answer"), blank=True)
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    answered_by = models.ForeignKey(
        User,
        verbose_name=_("answered by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("inspection")
        verbose_name_plural = _("inspections")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(score__isnull=True) | Q(score__lte=100), name="inspection_score_le_100"
            ),
            models.UniqueConstraint(fields=["draw", "base"], name="inspection_once_per_draw"),
        ]
        indexes = [
            models.Index(fields=["status", "rectification_deadline"], name="inspection_due_idx")
        ]

    def __str__(self) -> str:
        return f"{self.base} {self.created_at:%Y-%m-%d}"

    def is_overdue(self, today: date | None = None) -> bool:
        today = today or timezone.localdate()
        return (
            self.status == InspectionStatus.RECTIFYING
            and self.rectification_deadline is not None
            and self.rectification_deadline < today
        )


class QualitySettings(models.Model):
    """Thresholds staff can change (one row): how the service score is made and used."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1, editable=False)
    watch_threshold = models.PositiveSmallIntegerField(
        _("watch-list threshold (score 0–100)"),
        default=70,
        validators=[MaxValueValidator(100)],
        help_text=_("A base whose service score falls below this goes on the watch list."),
    )
    watch_period_days = models.PositiveSmallIntegerField(
        _("watch period (days)"),
        default=90,
        validators=[MinValueValidator(1), MaxValueValidator(730)],
        help_text=_("Still below the threshold after this many days: suspension is proposed."),
    )
    review_weight_percent = models.PositiveSmallIntegerField(
        _("weight of worker reviews (%)"),
        default=60,
        validators=[MaxValueValidator(100)],
        help_text=_("The rest of the score comes from inspection results."),
    )
    min_reviews = models.PositiveSmallIntegerField(
        _("minimum reviews before they count"), default=3, validators=[MinValueValidator(1)]
    )
    score_window_days = models.PositiveSmallIntegerField(
        _("reviews and inspections of the last … days"),
        default=365,
        validators=[MinValueValidator(30), MaxValueValidator(1825)],
    )
    inspection_sample_size = models.PositiveSmallIntegerField(
        _("bases drawn for inspection each month"),
        default=3,
        validators=[MinValueValidator(1), MaxValueValidator(50)],
    )
    rectification_days = models.PositiveSmallIntegerField(
        _("default days to rectify"),
        default=30,
        validators=[MinValueValidator(1), MaxValueValidator(365)],
    )
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        User, verbose_name=_("updated by"), on_delete=models.PROTECT, null=True, blank=True
    )

    class Meta:
        verbose_name = _("quality settings")
        verbose_name_plural = _("quality settings")
        constraints = [models.CheckConstraint(condition=Q(id=1), name="quality_settings_single")]

    def __str__(self) -> str:
        return str(_("Quality settings"))

    @classmethod
    def load(cls) -> QualitySettings:
        return cls.objects.get_or_create(pk=1)[0]

    @property
    def watch_period(self) -> timedelta:
        return timedelta(days=self.watch_period_days)
