"""Reads of the applications app: querysets with what pages and the API need already joined."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

from django.db.models import Count, F, Q, QuerySet, Sum
from django.utils import timezone

from accounts.models import Organization, OrgKind, Role, Worker
from accounts.scoping import scope_q
from applications.eligibility import Refusal, Trip, priority_rank, refusals
from applications.models import (
    LIVE,
    SEAT_HOLDING,
    SUBSIDY_GRANTED,
    Application,
    GroupParticipant,
    GroupTrip,
    ParticipantStatus,
    Status,
)
from bases.models import Batch, BatchStatus
from funds.models import SubsidyPolicy

if TYPE_CHECKING:
    from accounts.scoping import AnyUser

APPLICATION_RELATED = (
    "batch__itinerary__base__county",
    "worker",
    "union",
    "funding_org",
    "group_trip",
)


def policy_for_year(year: int) -> SubsidyPolicy | None:
    """The year's policy, or the latest published before it (as the catalogue prices trips)."""
    return SubsidyPolicy.objects.filter(year__lte=year).order_by("-year").first()


def worker_trips(worker_id: int) -> list[Trip]:
    """The worker's live applications (waiting, holding a seat, attended, settled): one query."""
    rows = (
        Application.objects.filter(worker_id=worker_id, status__in=LIVE)
        .select_related("batch__itinerary")
        .only(
            "pk",
            "status",
            "year",
            "subsidy_fen",
            "paid_fen",
            "batch__id",
            "batch__start_date",
            "batch__end_date",
            "batch__itinerary__title",
            "batch__itinerary__in_province",
        )
    )
    return [
        Trip(
            application_id=a.pk,
            batch_id=a.batch_id,
            title=a.batch.itinerary.title,
            start_date=a.batch.start_date,
            end_date=a.batch.end_date,
            in_province=a.batch.itinerary.in_province,
            year=a.year,
            status=a.status,
            subsidy=a.paid_fen if a.status == Status.SETTLED else a.subsidy_fen,
            attended=a.status in (Status.COMPLETED, Status.SETTLED),
        )
        for a in rows
    ]


def subsidy_used(trips: Iterable[Trip], year: int) -> int:
    """Subsidy already granted this year (approved, attended or paid): reduces the yearly cap."""
    return sum(t.subsidy or 0 for t in trips if t.year == year and t.status in SUBSIDY_GRANTED)


def subsidy_used_this_year(worker: Worker, year: int) -> int:
    return subsidy_used(worker_trips(worker.pk), year)


def batch_for_signup(batch_id: int) -> Batch:
    return Batch.objects.select_related("itinerary__base").get(pk=batch_id)


def funding_org_for(union: Organization) -> Organization:
    """The federation whose money subsidises this union's members: its county, else the city."""
    codes = [c for c in union.path.split("/") if c]
    ancestors = {
        o.kind: o
        for o in Organization.objects.filter(
            code__in=codes, kind__in=[OrgKind.COUNTY, OrgKind.CITY, OrgKind.PROVINCE]
        )
    }
    for kind in (OrgKind.COUNTY, OrgKind.CITY, OrgKind.PROVINCE):
        if kind in ancestors:
            return ancestors[kind]
    return union


class Eligibility:
    """Whether one worker may apply for batches, computed with two queries for a whole page."""

    def __init__(self, worker: Worker, *, today: date | None = None):
        self.worker = worker
        self.today = today or timezone.localdate()
        self.trips = worker_trips(worker.pk)
        self._policies: dict[int, SubsidyPolicy | None] = {}

    def policy(self, year: int) -> SubsidyPolicy | None:
        if year not in self._policies:
            self._policies[year] = policy_for_year(year)
        return self._policies[year]

    def refusals(self, batch: Batch, *, in_group: bool = False) -> list[Refusal]:
        return refusals(
            worker=self.worker,
            batch=batch,
            policy=self.policy(batch.start_date.year),
            trips=self.trips,
            today=self.today,
            in_group=in_group,
        )

    def used(self, year: int) -> int:
        return subsidy_used(self.trips, year)

    def priority_rank(self, year: int) -> int:
        return priority_rank(worker=self.worker, policy=self.policy(year), trips=self.trips)

    def application_for(self, batch_id: int) -> int | None:
        return next((t.application_id for t in self.trips if t.batch_id == batch_id), None)


# --- Scoped lists --------------------------------------------------------------------------


def applications_visible_to(user: AnyUser) -> QuerySet[Application]:
    """Applications a user may see (DESIGN §2): a worker their own, an organizer their union's
    (and the rosters of group trips their union takes part in), staff and auditors their subtree
    (by the worker's union or by the federation paying), an operator the rosters of its bases'
    batches, an agency the rosters of group trips entrusted to it."""
    qs = Application.objects.select_related(*APPLICATION_RELATED)
    if not (user.is_authenticated and user.is_active):
        return qs.none()
    if user.is_superuser:
        return qs
    if not user.org_id:
        return qs.none()
    role = user.role
    if role == Role.WORKER:
        return qs.filter(worker__user=user)
    if role == Role.ORGANIZER:
        joined = GroupParticipant.objects.filter(
            union_id=user.org_id, status=ParticipantStatus.JOINED
        ).values("group_trip")
        return qs.filter(Q(union_id=user.org_id) | Q(group_trip__in=joined))
    if role in (Role.FEDERATION_STAFF, Role.AUDITOR):
        return qs.filter(scope_q(user, "union") | scope_q(user, "funding_org"))
    if role == Role.BASE_OPERATOR:
        return qs.filter(batch__itinerary__base__operator_id=user.org_id, status__in=SEAT_HOLDING)
    if role == Role.AGENCY:
        return qs.filter(group_trip__agency_id=user.org_id)
    return qs.none()


def group_trips_visible_to(user: AnyUser) -> QuerySet[GroupTrip]:
    qs = with_roster_counts(
        GroupTrip.objects.select_related("batch__itinerary__base", "organizer", "agency")
    )
    if not (user.is_authenticated and user.is_active):
        return qs.none()
    if user.is_superuser:
        return qs
    if not user.org_id:
        return qs.none()
    role = user.role
    if role == Role.ORGANIZER:
        return qs.filter(
            pk__in=GroupParticipant.objects.filter(union_id=user.org_id).values("group_trip")
        )
    if role in (Role.FEDERATION_STAFF, Role.AUDITOR):
        return qs.filter(scope_q(user, "organizer"))
    if role == Role.BASE_OPERATOR:
        return qs.filter(batch__itinerary__base__operator_id=user.org_id)
    if role == Role.AGENCY:
        return qs.filter(agency_id=user.org_id)
    return qs.none()


def with_roster_counts(qs: QuerySet[GroupTrip]) -> QuerySet[GroupTrip]:
    return qs.annotate(
        members_count=Count("members", filter=Q(members__status__in=SEAT_HOLDING), distinct=True)
    ).annotate(open_seats=F("seats") - F("members_count"))


def open_seat_board(*, today: date | None = None) -> QuerySet[GroupTrip]:
    """Joint group trips that small units may still join: free seats, batch still signing up."""
    today = today or timezone.localdate()
    return (
        with_roster_counts(
            GroupTrip.objects.select_related("batch__itinerary__base__county", "organizer")
        )
        .filter(
            joint=True,
            cancelled_at__isnull=True,
            batch__status=BatchStatus.OPEN,
            batch__signup_deadline__gte=today,
            batch__start_date__gt=today,
        )
        .filter(open_seats__gt=0)
        .order_by("batch__start_date", "pk")
    )


def roster_of(group_trip: GroupTrip) -> QuerySet[Application]:
    return (
        Application.objects.filter(group_trip=group_trip)
        .select_related("worker", "union")
        .order_by("union__code", "worker__real_name", "pk")
    )


def seat_holders(batch: Batch) -> QuerySet[Application]:
    return Application.objects.filter(batch=batch, status__in=SEAT_HOLDING)


def seats_accounted(batch: Batch) -> int:
    """What ``seats_held`` must equal: individual seat holders plus active group blocks."""
    alone = seat_holders(batch).filter(group_trip__isnull=True).count()
    blocks = GroupTrip.objects.filter(batch=batch, cancelled_at__isnull=True).aggregate(
        n=Sum("seats", default=0)
    )["n"]
    return alone + blocks


def waiting_list(batch: Batch) -> QuerySet[Application]:
    """Who gets the next free seat: lottery order if drawn, then priority, then time."""
    return Application.objects.filter(
        batch=batch, status=Status.WAITLISTED, group_trip__isnull=True
    ).order_by(F("lottery_rank").asc(nulls_last=True), "priority_rank", "created_at", "pk")


def approval_queue(user: AnyUser) -> QuerySet[Application]:
    """Endorsed applications waiting for this staff member's federation (oldest first)."""
    return (
        applications_visible_to(user)
        .filter(status=Status.ENDORSED)
        .filter(scope_q(user, "funding_org"))
        .order_by("updated_at", "pk")
    )


def joined_union_ids(group: GroupTrip) -> set[int]:
    """Unions taking part in a group trip (the lead and those who joined)."""
    return set(
        GroupParticipant.objects.filter(
            group_trip=group, status=ParticipantStatus.JOINED
        ).values_list("union_id", flat=True)
    )


# --- Staff, operators and agencies (pages of views.staff) ------------------------------------


def funded_applications(user: AnyUser) -> QuerySet[Application]:
    """Applications whose subsidy a federation in the user's scope pays (the approval queue at
    every status): ``approval_queue`` is this list's ``endorsed`` part."""
    return applications_visible_to(user).filter(scope_q(user, "funding_org"))


def roster_batches(user: AnyUser, *, since: date | None = None) -> QuerySet[Batch]:
    """Batches whose rosters the user reads (see ``permissions.can_view_batch_roster``): an
    operator its bases' batches, staff and auditors the batches of bases in their counties.
    From ``since`` on (departed batches stay a while, for attendance), soonest first, with the
    number of seat holders, people waiting and group trips."""
    qs = Batch.objects.select_related("itinerary__base__county")
    if not (user.is_authenticated and user.is_active):
        return qs.none()
    if not user.is_superuser:
        if user.role == Role.BASE_OPERATOR and user.org_id:
            qs = qs.filter(itinerary__base__operator_id=user.org_id)
        elif user.role in (Role.FEDERATION_STAFF, Role.AUDITOR) and user.org_id:
            qs = qs.filter(scope_q(user, "itinerary__base__county"))
        else:
            return qs.none()
    if since is not None:
        qs = qs.filter(end_date__gte=since)
    return qs.annotate(
        holders=Count("applications", filter=Q(applications__status__in=SEAT_HOLDING)),
        waiting=Count(
            "applications",
            filter=Q(applications__status=Status.WAITLISTED, applications__group_trip__isnull=True),
        ),
    ).order_by("start_date", "pk")


def batch_roster(batch: Batch) -> QuerySet[Application]:
    """The people holding seats on a batch, group by group, with what a roster shows."""
    return (
        seat_holders(batch)
        .select_related("worker", "union", "group_trip", "funding_org", "batch__itinerary__base")
        .order_by(
            F("group_trip_id").asc(nulls_first=True), "union__code", "worker__real_name", "pk"
        )
    )


def waiting_count(batch: Batch) -> int:
    return waiting_list(batch).count()


@dataclass(frozen=True)
class SettlementPreview:
    """What ``services.settlement_pay`` pays: each participant their approved subsidy, but never
    more than an equal share of the invoice (keep the two in step)."""

    share: int
    rows: list[tuple[Application, int]]

    @property
    def total(self) -> int:
        return sum(paid for _app, paid in self.rows)

    @property
    def subsidy_total(self) -> int:
        return sum(app.subsidy_fen for app, _paid in self.rows)


def settlement_preview(settlement) -> SettlementPreview:
    members = list(
        settlement.applications.select_related("worker", "union", "funding_org").order_by("pk")
    )
    share = settlement.invoice_amount_fen // len(members) if members else 0
    paid = {
        app.pk: (app.paid_fen or 0) if app.status == Status.SETTLED else min(app.subsidy_fen, share)
        for app in members
    }
    return SettlementPreview(share=share, rows=[(app, paid[app.pk]) for app in members])


def with_settlement_totals(qs):
    """Settlements with their number of participants and the subsidy they claim."""
    return qs.annotate(
        participants=Count("applications", distinct=True),
        subsidy_claimed=Sum("applications__subsidy_fen", default=0),
    )
