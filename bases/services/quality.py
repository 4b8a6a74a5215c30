"""Reviews, star ratings, the service score and the watch list, and their settings."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Avg, Count
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.audit import audit
from accounts.models import User
from bases import cache as page_cache
from bases.models import (
    INDICATORS,
    PUBLIC_STATUSES,
    Base,
    BaseStatus,
    Inspection,
    Itinerary,
    QualitySettings,
    Review,
    StarRating,
    stars_for,
)
from bases.services.lifecycle import base_transition

# --- Reviews and star ratings -----------------------------------------------------------------

REVIEW_TAKEN = gettext_lazy("This trip has already been reviewed.")


def review_create(
    *,
    base: Base,
    author: User,
    rating: int,
    text: str,
    application_ref: str | int,
    itinerary: Itinerary | None = None,
) -> Review:
    """Store a participant's review; one per application.

    The caller (the applications app) has already checked that ``author`` took part in the
    completed trip identified by ``application_ref``; this function does not know applications.
    """
    ref = str(application_ref)
    review = Review(
        base=base,
        itinerary=itinerary,
        author=author,
        rating=rating,
        text=text.strip(),
        application_ref=ref,
    )
    try:
        review.full_clean()
    except ValidationError as error:
        if "application_ref" in error.message_dict:
            raise ValidationError({"application_ref": REVIEW_TAKEN}) from None
        raise
    try:
        with transaction.atomic():
            review.save()
            audit(review, "review_created", by=author, org=base.county, rating=rating)
    except IntegrityError:  # the same application reviewed at the same moment
        raise ValidationError({"application_ref": REVIEW_TAKEN}) from None
    return review


@transaction.atomic
def star_rating_record(
    *,
    base: Base,
    by: User | None,
    scores: dict[str, int],
    note: str = "",
    rated_on: date | None = None,
) -> StarRating:
    """Score every indicator, derive total and stars, and set the base's stars."""
    errors = {}
    clean: dict[str, int] = {}
    for code, _label, _group, maximum in INDICATORS:
        value = scores.get(code)
        if value is None or isinstance(value, bool) or not isinstance(value, int):
            errors[code] = _("Score every indicator.")
        elif not 0 <= value <= maximum:
            errors[code] = _("Between 0 and %(max)s points.") % {"max": maximum}
        else:
            clean[code] = value
    if errors:
        raise ValidationError(errors)
    base = Base.objects.select_for_update().get(pk=base.pk)
    if base.status in (BaseStatus.EXITED, BaseStatus.REJECTED):
        raise ValidationError(_("This base is not in the system any more."))
    total, stars = stars_for(clean)
    rating = StarRating.objects.create(
        base=base,
        rated_on=rated_on or timezone.localdate(),
        rated_by=by,
        scores=clean,
        total=total,
        stars=stars,
        note=note.strip(),
    )
    old_stars = base.stars
    base.stars = stars
    base.save(update_fields=["stars", "updated_at"])
    audit(base, "stars_rated", by=by, org=base.county, total=total, stars=stars, before=old_stars)
    return rating


# --- Service score and the watch list ----------------------------------------------------------

ONE_DECIMAL = Decimal("0.1")


def compute_service_scores(
    *, today: date | None = None, settings: QualitySettings | None = None
) -> dict[int, Decimal | None]:
    """Service score 0–100 of every public base, from reviews and inspections of the window.

    Reviews count once a base has ``min_reviews`` of them: the average rating ÷ 5 × 100.
    Inspections count by their score. With both, they are weighted ``review_weight_percent``
    to the rest; with one, it alone; with none, the base has no score (and is left alone).
    """
    today = today or timezone.localdate()
    settings = settings or QualitySettings.load()
    since = today - timedelta(days=settings.score_window_days)
    public = Base.objects.filter(status__in=PUBLIC_STATUSES)
    reviews = {
        row["base_id"]: row
        for row in Review.objects.filter(base__in=public, created_at__date__gte=since)
        .values("base_id")
        .annotate(avg=Avg("rating"), n=Count("pk"))
    }
    inspections = {
        row["base_id"]: row["avg"]
        for row in Inspection.objects.filter(
            base__in=public, score__isnull=False, inspected_on__gte=since
        )
        .values("base_id")
        .annotate(avg=Avg("score"))
    }
    weight = Decimal(settings.review_weight_percent) / 100
    scores: dict[int, Decimal | None] = {}
    for base_id in public.values_list("pk", flat=True):
        review = reviews.get(base_id)
        from_reviews = (
            Decimal(str(review["avg"])) * 20
            if review and review["n"] >= settings.min_reviews
            else None
        )
        from_inspections = inspections.get(base_id)
        from_inspections = None if from_inspections is None else Decimal(str(from_inspections))
        if from_reviews is not None and from_inspections is not None:
            score = from_reviews * weight + from_inspections * (1 - weight)
        else:
            score = from_reviews if from_reviews is not None else from_inspections
        scores[base_id] = (
            None if score is None else score.quantize(ONE_DECIMAL, rounding=ROUND_HALF_UP)
        )
    return scores


def service_scores_refresh(*, today: date | None = None) -> dict[int, Decimal | None]:
    """Store today's service score on every public base (only rows whose score changed)."""
    scores = compute_service_scores(today=today)
    changed = []
    for base in Base.objects.filter(pk__in=scores).only("pk", "service_score"):
        if base.service_score != scores[base.pk]:
            base.service_score = scores[base.pk]
            changed.append(base)
    Base.objects.bulk_update(changed, ["service_score"], batch_size=500)
    if changed:
        page_cache.bump(page_cache.CATALOGUE)  # the bases list shows the score
    return scores


@dataclass
class WatchListResult:
    scored: int = 0
    put_on_watch: list[int] = field(default_factory=list)
    suspension_proposed: list[int] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {
            "scored": self.scored,
            "put_on_watch": self.put_on_watch,
            "suspension_proposed": self.suspension_proposed,
        }


def watch_list_update(*, today: date | None = None) -> WatchListResult:
    """The daily job: refresh scores, put bases under the threshold on the watch list, and
    propose suspension for those still under it after the watch period. Staff confirm.

    Idempotent: a second run the same day changes nothing.
    """
    today = today or timezone.localdate()
    settings = QualitySettings.load()
    scores = service_scores_refresh(today=today)
    threshold = Decimal(settings.watch_threshold)
    result = WatchListResult(scored=sum(score is not None for score in scores.values()))
    for base in Base.objects.filter(pk__in=scores).order_by("pk"):
        score = scores[base.pk]
        under = score is not None and score < threshold
        if base.status == BaseStatus.ACTIVE and under:
            base_transition(
                base=base,
                to=BaseStatus.WATCH,
                by=None,
                reason=_("Service score %(score)s is below the threshold %(threshold)s.")
                % {"score": score, "threshold": settings.watch_threshold},
                today=today,
            )
            result.put_on_watch.append(base.pk)
        elif (
            base.status == BaseStatus.WATCH
            and under
            and base.suspension_proposed_on is None
            and base.watch_since is not None
            and base.watch_since + settings.watch_period <= today
        ):
            with transaction.atomic():
                proposed = Base.objects.filter(
                    pk=base.pk, status=BaseStatus.WATCH, suspension_proposed_on__isnull=True
                ).update(suspension_proposed_on=today)
                if proposed:  # claimed here: a concurrent run cannot propose it twice
                    audit(
                        base,
                        "suspension_proposed",
                        by=None,
                        org=base.county,
                        reason=_("Still below the threshold after the watch period."),
                        score=str(score),
                    )
                    result.suspension_proposed.append(base.pk)
    return result


@transaction.atomic
def quality_settings_update(*, by: User | None, **fields: Any) -> QualitySettings:
    settings = QualitySettings.objects.select_for_update().get(pk=QualitySettings.load().pk)
    before = {name: getattr(settings, name) for name in fields}
    for name, value in fields.items():
        setattr(settings, name, value)
    settings.updated_by = by
    settings.full_clean()
    settings.save()
    audit(settings, "quality_settings_updated", by=by, before=before, after=fields)
    return settings
