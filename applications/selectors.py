"""Reads of the applications app: querysets with what pages and the API need already joined."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

from django.db.models import Case, Count, F, Min, Q, QuerySet, Sum, When
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Organization, OrgKind, Role, Worker
from accounts.scoping import scope_q
from applications.eligibility import Refusal, Trip, priority_rank, refusals
from applications.eligibility import _frequency_refusals as frequency_refusals
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
from bases.models import Batch, BatchStatus, Itinerary
from funds import calculator
from funds.models import SubsidyPolicy
from recuperation.prepared import Prepared

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


_WORKER_TRIPS = Prepared(
    lambda worker_id: (
        Application.objects.filter(worker_id=worker_id, status__in=sorted(LIVE))
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
)


def worker_trips(worker_id: int) -> list[Trip]:
    """The worker's live applications (waiting, holding a seat, attended, settled): one query."""
    return [trip_of(a) for a in _WORKER_TRIPS.objects(worker_id)]


def trip_of(a: Application) -> Trip:
    """An application (with its batch and itinerary loaded) as the eligibility rules see it."""
    return Trip(
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


def subsidy_used(trips: Iterable[Trip], year: int) -> int:
    """Subsidy already granted this year (approved, attended or paid): reduces the yearly cap."""
    return sum(t.subsidy or 0 for t in trips if t.year == year and t.status in SUBSIDY_GRANTED)


def subsidy_used_this_year(worker: Worker, year: int) -> int:
    return subsidy_used(worker_trips(worker.pk), year)


_BATCH_FOR_SIGNUP = Prepared(
    lambda pk: Batch.objects.select_related("itinerary__base").filter(pk=pk)[:1]
)


def batch_for_signup(batch_id: int) -> Batch:
    batch = _BATCH_FOR_SIGNUP.first(batch_id)
    if batch is None:
        raise Batch.DoesNotExist
    return batch


_POLICIES_UPTO = Prepared(
    lambda year: SubsidyPolicy.objects.filter(year__lte=year).order_by("-year"),
    samples=(32_100,),  # in the column's range (an impossible year would compile to nothing)
)


def funding_org_for(union: Organization) -> Organization:
    """The federation whose money subsidises this union's members: its county, else the city."""
    if union.kind == OrgKind.GRASSROOTS and union.parent_id is not None:
        # A grassroots union sits right under its county or under the city (accounts'
        # ALLOWED_PARENT_KINDS): its parent is the answer, with no query when it is loaded.
        parent = union.parent
        if parent.kind in (OrgKind.COUNTY, OrgKind.CITY):
            return parent
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
        self._published: list[SubsidyPolicy] = []
        self._loaded_upto: int | None = None

    def policy(self, year: int) -> SubsidyPolicy | None:
        """The year's policy, or the latest published before it. The policies up to next
        year load in one query, so a page of batches across the new year costs the same."""
        if year not in self._policies:
            if self._loaded_upto is None or year > self._loaded_upto:
                self._loaded_upto = max(year, self.today.year + 1)
                self._published = _POLICIES_UPTO.all(self._loaded_upto)
            self._policies[year] = next((p for p in self._published if p.year <= year), None)
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
        trip = self.trip_for(batch_id)
        return trip.application_id if trip else None

    def trip_for(self, batch_id: int) -> Trip | None:
        return next((t for t in self.trips if t.batch_id == batch_id), None)

    def quote(self, batch: Batch) -> calculator.Quote:
        """What this worker would pay for ``batch``: the same computation as applying."""
        year = batch.start_date.year
        itinerary = batch.itinerary
        return calculator.quote(
            policy=self.policy(year),
            category=self.worker.category,
            days=itinerary.days,
            in_province=itinerary.in_province,
            union_price=itinerary.union_price_fen,
            used_this_year=self.used(year),
        )


def eligibility_of(user: AnyUser) -> Eligibility | None:
    """The logged-in worker's ``Eligibility``, or None for anyone else.

    Cached on the user object, as Django caches permissions there: during one request the
    catalogue's pricing, its cards and the itinerary page's batches all read the worker's
    trips from one query. Pages that write (applying) build a fresh ``Eligibility``.
    """
    if not (user.is_authenticated and user.is_active and user.role == Role.WORKER):
        return None
    cached = getattr(user, "_applications_eligibility", None)
    if cached is None:
        worker = Worker.objects.select_related("union").filter(user_id=user.pk).first()
        cached = Eligibility(worker) if worker is not None else False
        user._applications_eligibility = cached
    return cached or None


@dataclass(frozen=True)
class SubsidyLeft:
    """A worker's subsidy of one year: the policy's yearly cap, what is used and what is left."""

    year: int
    cap: int | None  # None: no policy published for the year
    used: int

    @property
    def left(self) -> int | None:
        return None if self.cap is None else max(self.cap - self.used, 0)


def subsidy_left(eligibility: Eligibility, year: int) -> SubsidyLeft:
    policy = eligibility.policy(year)
    return SubsidyLeft(
        year=year,
        cap=policy.yearly_cap_per_person if policy else None,
        used=eligibility.used(year),
    )


def upcoming_trips(worker: Worker, *, today: date | None = None) -> QuerySet[Application]:
    """The worker's live applications that have not ended yet, soonest first."""
    today = today or timezone.localdate()
    return (
        Application.objects.filter(worker=worker, status__in=LIVE, batch__end_date__gte=today)
        .select_related("batch__itinerary__base")
        .order_by("batch__start_date", "pk")
    )


# --- Before a worker clicks: may they apply, and what happens if they do ---------------------

SEAT, WAITLIST, LOTTERY = "seat", "waitlist", "lottery"


@dataclass(frozen=True)
class Signup:
    """One worker and one batch: their application, or whether they may apply and why not."""

    batch: Batch
    refusals: tuple[Refusal, ...]
    trip: Trip | None
    outcome: str  # SEAT, WAITLIST (the batch is full) or LOTTERY (seats will be drawn)

    @property
    def may_apply(self) -> bool:
        return self.trip is None and not self.refusals

    @property
    def status_label(self) -> str:
        return Status(self.trip.status).label if self.trip else ""


def pending_lottery_batch_ids(batch_ids: Iterable[int]) -> set[int]:
    """Batches whose seats will be drawn by lottery (announced, not drawn yet)."""
    from applications.models import Lottery

    return set(
        Lottery.objects.filter(batch_id__in=list(batch_ids), drawn_at__isnull=True).values_list(
            "batch_id", flat=True
        )
    )


def signups_for(eligibility: Eligibility, batches: Sequence[Batch]) -> dict[int, Signup]:
    """Each batch's ``Signup`` for one worker: one query (lotteries) beyond ``eligibility``'s."""
    pending = pending_lottery_batch_ids(b.pk for b in batches) if batches else set()
    signups = {}
    for batch in batches:
        trip = eligibility.trip_for(batch.pk)
        found = tuple(r for r in eligibility.refusals(batch) if r.code != "already_applied")
        if batch.pk in pending:
            outcome = LOTTERY
        else:
            outcome = SEAT if batch.capacity - batch.seats_held > 0 else WAITLIST
        signups[batch.pk] = Signup(batch, found, trip, outcome)
    return signups


def signup_batches_for_itineraries(
    itineraries: Sequence[Itinerary], eligibility: Eligibility
) -> dict[int, list[Batch]]:
    """Per itinerary, its batches still taking sign-ups and those the worker applied for
    (one query), soonest first, each with its itinerary set (no query per row)."""
    today = eligibility.today
    by_id = {it.pk: it for it in itineraries}
    applied = [t.batch_id for t in eligibility.trips if t.end_date >= today]
    rows = Batch.objects.filter(itinerary_id__in=list(by_id)).filter(
        Q(status=BatchStatus.OPEN, signup_deadline__gte=today, start_date__gt=today)
        | Q(pk__in=applied)
    )
    grouped: dict[int, list[Batch]] = {pk: [] for pk in by_id}
    for batch in rows.order_by("start_date", "pk"):
        batch.itinerary = by_id[batch.itinerary_id]
        grouped[batch.itinerary_id].append(batch)
    return grouped


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


# --- Organizers: their union's applications and members ----------------------------------------


def union_applications(
    user: AnyUser, *, status: str = "", batch_id: int | None = None
) -> QuerySet[Application]:
    """The applications of the organizer's own union (not other unions' members of a joint
    group), filtered: those waiting for the union's endorsement first, then by departure."""
    qs = applications_visible_to(user).filter(union_id=user.org_id)
    if status in Status.values:
        qs = qs.filter(status=status)
    if batch_id:
        qs = qs.filter(batch_id=batch_id)
    waiting_first = Case(When(status=Status.SUBMITTED, then=0), default=1)
    return qs.select_related("batch__itinerary__base").order_by(
        waiting_first, "-batch__start_date", "worker__real_name", "pk"
    )


def union_batches(union_id: int) -> QuerySet[Batch]:
    """Batches the union's members applied for (the filter of the union's applications)."""
    return (
        Batch.objects.filter(applications__union_id=union_id)
        .select_related("itinerary")
        .distinct()
        .order_by("-start_date", "pk")
    )


@dataclass(frozen=True)
class MemberRow:
    """One member of a union as the organizer sees them: last trip, this year, may apply."""

    worker: Worker
    last: Application | None  # the latest application by departure, whatever its status
    this_year: Application | None  # a live application departing this year
    subsidised: bool  # a subsidised trip this year (approved, attended or paid)
    reasons: tuple[str, ...]  # why they may not take another subsidised trip this year

    @property
    def may_apply(self) -> bool:
        return not self.reasons


def member_rows(workers: Sequence[Worker], *, today: date | None = None) -> list[MemberRow]:
    """Rows of the members page for a page of workers: one query for all their applications
    (and one for the policy), the frequency rules applied as when applying."""
    today = today or timezone.localdate()
    year = today.year
    apps: dict[int, list[Application]] = {w.pk: [] for w in workers}
    for a in (
        Application.objects.filter(worker_id__in=list(apps))
        .select_related("batch__itinerary")
        .order_by("batch__start_date", "pk")
    ):
        apps[a.worker_id].append(a)
    policy = policy_for_year(year)
    # The frequency windows as for an in-province trip this year (no batch of its own).
    probe = Batch(pk=0, start_date=today, end_date=today, itinerary=Itinerary(in_province=True))
    rows = []
    for worker in workers:
        mine = apps[worker.pk]
        live = [a for a in mine if a.status in LIVE]
        reasons: list[str] = []
        if not worker.in_good_standing:
            reasons.append(_("Membership not in good standing."))
        if policy is not None:
            trips = [trip_of(a) for a in live]
            reasons += [
                r.message
                for r in frequency_refusals(policy=policy, year=year, batch=probe, trips=trips)
            ]
        this_year = [a for a in live if a.year == year]
        rows.append(
            MemberRow(
                worker=worker,
                last=mine[-1] if mine else None,
                this_year=this_year[-1] if this_year else None,
                subsidised=any(a.status in SUBSIDY_GRANTED for a in this_year),
                reasons=tuple(reasons),
            )
        )
    return rows


# --- Group trips: the wizard and the roster ----------------------------------------------------


def batches_for_group_trips(
    *, q: str = "", county: str = "", start_after: date | None = None, today: date | None = None
) -> QuerySet[Batch]:
    """Batches of the public catalogue still open for a group's block: signing up, free seats."""
    from bases.selectors import batches_for_catalogue

    today = today or timezone.localdate()
    qs = (
        batches_for_catalogue(user=None)
        .filter(
            status=BatchStatus.OPEN,
            signup_deadline__gte=today,
            start_date__gt=today,
            seats_held__lt=F("capacity"),
        )
        .select_related("itinerary__base__county")
    )
    if q:
        qs = qs.filter(Q(itinerary__title__contains=q) | Q(itinerary__base__name__contains=q))
    if county:
        qs = qs.filter(itinerary__base__county__code=county)
    if start_after:
        qs = qs.filter(start_date__gte=start_after)
    return qs.order_by("start_date", "pk")


def addable_members(group: GroupTrip, union_id: int, *, q: str = "") -> QuerySet[Worker]:
    """The union's members who are not on the group's roster yet (by name or ID card number)."""
    on_roster = Application.objects.filter(group_trip=group, status__in=LIVE).values("worker")
    qs = Worker.objects.filter(union_id=union_id).exclude(pk__in=on_roster)
    if q:
        qs = qs.filter(Q(real_name__contains=q) | Q(id_number=q.upper()))
    return qs.order_by("real_name", "pk")


def invitable_unions(group: GroupTrip, *, q: str) -> QuerySet[Organization]:
    """Grassroots unions (by code or name) that do not take part in the group yet."""
    taking_part = GroupParticipant.objects.filter(
        group_trip=group, status__in=[ParticipantStatus.JOINED, ParticipantStatus.INVITED]
    ).values("union")
    return (
        Organization.objects.filter(kind=OrgKind.GRASSROOTS, is_active=True)
        .filter(Q(code__iexact=q) | Q(name__contains=q))
        .exclude(pk__in=taking_part)
        .order_by("path")
    )


def participants_of(group: GroupTrip) -> QuerySet[GroupParticipant]:
    return group.participants.select_related("union").order_by("-lead", "created_at", "pk")


def invitations_for(union_id: int) -> QuerySet[GroupParticipant]:
    """Open invitations of a union to joint groups that are still active."""
    return (
        GroupParticipant.objects.filter(
            union_id=union_id,
            status=ParticipantStatus.INVITED,
            group_trip__cancelled_at__isnull=True,
        )
        .select_related("group_trip__batch__itinerary", "group_trip__organizer")
        .order_by("created_at", "pk")
    )


def board_group_ids_of(union_id: int, group_ids: Iterable[int]) -> set[int]:
    """Which of these groups the union already takes part in (or is invited to)."""
    return set(
        GroupParticipant.objects.filter(
            union_id=union_id,
            group_trip_id__in=list(group_ids),
            status__in=[ParticipantStatus.JOINED, ParticipantStatus.INVITED],
        ).values_list("group_trip_id", flat=True)
    )


# --- Staff, operators and agencies (pages of views.staff) ------------------------------------


def funded_applications(user: AnyUser) -> QuerySet[Application]:
    """Applications whose subsidy a federation in the user's scope pays (the approval queue at
    every status): ``approval_queue`` is this list's ``endorsed`` part."""
    return applications_visible_to(user).filter(scope_q(user, "funding_org"))


@dataclass
class ApprovalsWaiting:
    """Endorsed applications waiting in the user's approval queue (``approval_queue``)."""

    count: int
    subsidy: int  # fen the approvals would reserve
    own_count: int  # of them, paid by the user's own federation (not one below it)
    own_subsidy: int
    oldest: object  # datetime the longest-waiting one was endorsed, or None


def approvals_waiting(user: AnyUser) -> ApprovalsWaiting:
    """How many approvals wait and for how much money, in one aggregate query."""
    own = Q(funding_org_id=user.org_id) if user.org_id else Q(pk__in=[])
    totals = (
        approval_queue(user)
        .order_by()
        .aggregate(
            count=Count("pk"),
            subsidy=Sum("subsidy_fen", default=0),
            own_count=Count("pk", filter=own),
            own_subsidy=Sum("subsidy_fen", filter=own, default=0),
            oldest=Min("updated_at"),
        )
    )
    return ApprovalsWaiting(**totals)


TOOK_TRIP = (Status.COMPLETED, Status.SETTLED)


def top_bases_by_volume(user: AnyUser, *, year: int, limit: int = 5) -> list[dict]:
    """The bases where most people of the user's scope took trips of fiscal year ``year``
    (applications attended or settled), with how many of them are settled and the subsidy paid.
    One grouped query."""
    return list(
        applications_visible_to(user)
        .filter(year=year, status__in=TOOK_TRIP)
        .order_by()
        .values(
            base_id=F("batch__itinerary__base_id"),
            base_name=F("batch__itinerary__base__name"),
            county_name=F("batch__itinerary__base__county__name"),
        )
        .annotate(
            people=Count("pk"),
            settled=Count("pk", filter=Q(status=Status.SETTLED)),
            paid=Sum("paid_fen", filter=Q(status=Status.SETTLED), default=0),
        )
        .order_by("-people", "-paid", "base_name", "base_id")[:limit]
    )


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
