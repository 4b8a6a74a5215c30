"""Reads: every list a page or the API shows, with its joins and annotations done here."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, timedelta
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db.models import (
    Avg,
    Count,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
)
from django.utils import timezone

from bases.models import (
    ACCREDITATION_STATUSES,
    Base,
    BaseStatus,
    Batch,
    BatchStatus,
    Inspection,
    InspectionStatus,
    Itinerary,
    Review,
    StarRating,
)
from bases.permissions import base_scope_q, public_or_scope_q, public_q

if TYPE_CHECKING:
    from accounts.scoping import AnyUser


def _filtered(filterset_class, data: Mapping | None, queryset: QuerySet) -> QuerySet:
    if data is None:
        return queryset
    filterset = filterset_class(data, queryset=queryset)
    if not filterset.is_valid():
        raise ValidationError(filterset.errors.get_json_data(escape_html=False))
    return filterset.qs


# --- Bases ------------------------------------------------------------------------------------


def bases_for_catalogue(*, user: AnyUser, filters: Mapping | None = None) -> QuerySet[Base]:
    """Bases the public may see (active or on the watch list), filtered with ``BaseFilter``."""
    from bases.filters import BaseFilter

    qs = Base.objects.filter(public_q()).select_related("county", "operator")
    return _filtered(BaseFilter, filters, qs)


def bases_visible_to(user: AnyUser) -> QuerySet[Base]:
    """Public bases plus every base in the user's management scope (for detail pages)."""
    return Base.objects.filter(public_or_scope_q(user, public_q())).select_related(
        "county", "operator"
    )


def bases_managed_by(user: AnyUser) -> QuerySet[Base]:
    """Bases in the user's management scope, whatever their status."""
    return Base.objects.filter(base_scope_q(user)).select_related("county", "operator")


def bases_for_management(
    *, user: AnyUser, status: str = "", q: str = "", today: date | None = None
) -> QuerySet[Base]:
    today = today or timezone.localdate()
    qs = bases_managed_by(user).annotate(
        itinerary_count=Count("itineraries", filter=Q(itineraries__active=True), distinct=True),
        overdue_count=Count(
            "inspections",
            filter=Q(
                inspections__status=InspectionStatus.RECTIFYING,
                inspections__rectification_deadline__lt=today,
            ),
            distinct=True,
        ),
    )
    if status == "accreditation":
        qs = qs.filter(status__in=ACCREDITATION_STATUSES)
    elif status in BaseStatus.values:
        qs = qs.filter(status=status)
    if q:
        qs = qs.filter(Q(name__contains=q) | Q(address__contains=q))
    return qs.order_by("county__path", "name", "pk")


def accreditation_queue(user: AnyUser) -> QuerySet[Base]:
    return (
        bases_managed_by(user)
        .filter(status__in=ACCREDITATION_STATUSES)
        .order_by("status_changed_at", "pk")
    )


def watch_list(user: AnyUser) -> QuerySet[Base]:
    return bases_managed_by(user).filter(status=BaseStatus.WATCH).order_by("watch_since", "pk")


def public_notices() -> QuerySet[Base]:
    """Bases in public notice (公示), soonest end first."""
    return (
        Base.objects.filter(status=BaseStatus.NOTICE)
        .select_related("county", "operator")
        .order_by("notice_ends_on", "name", "pk")
    )


def recent_exits(days: int = 365) -> QuerySet[Base]:
    since = timezone.now() - timedelta(days=days)
    return (
        Base.objects.filter(
            status__in=(BaseStatus.SUSPENDED, BaseStatus.EXITED), status_changed_at__gte=since
        )
        .select_related("county")
        .order_by("-status_changed_at", "pk")
    )


def base_page_data(base: Base) -> dict:
    """Everything the public base page shows, in a fixed number of queries."""
    itineraries = list(
        base.itineraries.filter(active=True)
        .annotate(
            next_start=Subquery(
                upcoming_batches().filter(itinerary=OuterRef("pk")).values("start_date")[:1]
            )
        )
        .order_by("days", "union_price_fen", "pk")
    )
    reviews = base.reviews.select_related("author", "itinerary")
    stats = reviews.aggregate(average=Avg("rating"), count=Count("pk"))
    return {
        "photos": list(base.photos.all()),
        "itineraries": itineraries,
        "rating": base.star_ratings.first(),
        "reviews": list(reviews[:10]),
        "review_average": stats["average"],
        "review_count": stats["count"],
    }


# --- Itineraries -------------------------------------------------------------------------------


def itineraries_for_catalogue(
    *, user: AnyUser, filters: Mapping | None = None
) -> QuerySet[Itinerary]:
    """Active itineraries of public bases, one query per page with everything the list shows.

    ``filters`` (e.g. ``request.GET``) go through ``ItineraryFilter``; invalid values raise
    ``ValidationError``. ``price`` is annotated so that ``ordering=price`` works; a layer above
    adds per-user annotations (``net_cost``) on the returned queryset (see
    ``bases.api.ItineraryViewSet.annotate_for_user``). ``user`` is accepted for that layer and
    for symmetry with other selectors: the catalogue itself is the same for everyone.
    """
    from bases.filters import ItineraryFilter

    qs = (
        Itinerary.objects.filter(active=True)
        .filter(public_q("base__"))
        .select_related("base", "base__county")
        .annotate(price=F("union_price_fen"), stars=F("base__stars"))
    )
    return _filtered(ItineraryFilter, filters, qs)


def itineraries_visible_to(user: AnyUser) -> QuerySet[Itinerary]:
    """Catalogue itineraries plus every itinerary of a base in the user's management scope."""
    return (
        Itinerary.objects.filter(
            public_or_scope_q(user, Q(active=True) & public_q("base__"), "base__")
        )
        .select_related("base", "base__county")
        .annotate(price=F("union_price_fen"), stars=F("base__stars"))
    )


def itineraries_managed_by(user: AnyUser) -> QuerySet[Itinerary]:
    return (
        Itinerary.objects.filter(base_scope_q(user, "base__"))
        .select_related("base", "base__county")
        .annotate(price=F("union_price_fen"), stars=F("base__stars"))
    )


def with_next_departure(qs: QuerySet[Itinerary], today: date | None = None) -> QuerySet:
    """Adds ``next_start`` and ``next_seats_left``: the first batch still taking sign-ups."""
    upcoming = upcoming_batches(today).filter(itinerary=OuterRef("pk"))
    return qs.annotate(
        next_start=Subquery(upcoming.values("start_date")[:1]),
        next_seats_left=Subquery(
            upcoming.annotate(left=F("capacity") - F("seats_held")).values("left")[:1],
            output_field=IntegerField(),
        ),
        open_batches=Subquery(
            upcoming.order_by().values("itinerary").annotate(n=Count("pk")).values("n")[:1],
            output_field=IntegerField(),
        ),
    )


# --- Batches -----------------------------------------------------------------------------------


def with_seats_left(qs: QuerySet[Batch]) -> QuerySet[Batch]:
    return qs.annotate(seats_left=F("capacity") - F("seats_held"))


def upcoming_batches(today: date | None = None) -> QuerySet[Batch]:
    """Open batches whose sign-up deadline has not passed and that have a seat, soonest first."""
    today = today or timezone.localdate()
    return Batch.objects.filter(
        status=BatchStatus.OPEN, signup_deadline__gte=today, seats_held__lt=F("capacity")
    ).order_by("start_date", "pk")


def batches_for_catalogue(*, user: AnyUser, filters: Mapping | None = None) -> QuerySet[Batch]:
    """Batches of catalogue itineraries, with ``seats_left``."""
    from bases.filters import BatchFilter

    qs = with_seats_left(
        Batch.objects.filter(itinerary__active=True).filter(public_q("itinerary__base__"))
    ).order_by("start_date", "pk")
    return _filtered(BatchFilter, filters, qs)


def batches_visible_to(user: AnyUser) -> QuerySet[Batch]:
    return with_seats_left(
        Batch.objects.filter(
            public_or_scope_q(
                user,
                Q(itinerary__active=True) & public_q("itinerary__base__"),
                "itinerary__base__",
            )
        )
    ).select_related("itinerary", "itinerary__base")


def batches_managed_by(user: AnyUser) -> QuerySet[Batch]:
    return with_seats_left(
        Batch.objects.filter(base_scope_q(user, "itinerary__base__"))
    ).select_related("itinerary", "itinerary__base", "itinerary__base__county")


def batches_of(itinerary: Itinerary, *, since: date | None = None) -> QuerySet[Batch]:
    qs = with_seats_left(itinerary.batches.all())
    if since:
        qs = qs.filter(end_date__gte=since)
    return qs.order_by("start_date", "pk")


# --- Quality: ratings, inspections, reviews ------------------------------------------------------


def inspections_for(
    user: AnyUser, *, status: str = "", overdue: bool = False, today: date | None = None
) -> QuerySet[Inspection]:
    today = today or timezone.localdate()
    qs = Inspection.objects.filter(base_scope_q(user, "base__")).select_related(
        "base", "base__county", "draw"
    )
    if status in InspectionStatus.values:
        qs = qs.filter(status=status)
    if overdue:
        qs = qs.filter(overdue_q(today))
    return qs.order_by("-created_at", "-pk")


def overdue_q(today: date | None = None) -> Q:
    today = today or timezone.localdate()
    return Q(status=InspectionStatus.RECTIFYING, rectification_deadline__lt=today)


def overdue_inspections(user: AnyUser, today: date | None = None) -> QuerySet[Inspection]:
    """Rectifications past their deadline, for the staff dashboard (oldest deadline first)."""
    return inspections_for(user, overdue=True, today=today).order_by("rectification_deadline", "pk")


def top_bases_by_score(user: AnyUser, *, limit: int = 5) -> list[Base]:
    """Bases in the user's management scope that take guests, best service score first (bases
    without a score yet are left out). One query."""
    return list(
        bases_managed_by(user)
        .filter(public_q(), service_score__isnull=False)
        .order_by("-service_score", "-stars", "name", "pk")[:limit]
    )


def latest_ratings(user: AnyUser) -> QuerySet[Base]:
    """Bases in scope with their latest star rating's date (for the ratings page)."""
    last = StarRating.objects.filter(base=OuterRef("pk")).order_by("-rated_on", "-pk")
    return (
        bases_managed_by(user)
        .exclude(status__in=(BaseStatus.REJECTED,))
        .annotate(
            rated_on=Subquery(last.values("rated_on")[:1]),
            rating_total=Subquery(last.values("total")[:1]),
        )
        .order_by(F("rated_on").asc(nulls_first=True), "name", "pk")
    )


def reviews_since(since: date) -> QuerySet[Review]:
    return Review.objects.filter(created_at__date__gte=since)


def has_upcoming_batch_q(start_after: date | None, start_before: date | None) -> Q:
    """An itinerary has a batch starting in [start_after, start_before] (either end optional)."""
    batches = Batch.objects.filter(itinerary=OuterRef("pk"))
    if start_after:
        batches = batches.filter(start_date__gte=start_after)
    if start_before:
        batches = batches.filter(start_date__lte=start_before)
    return Q(Exists(batches))
