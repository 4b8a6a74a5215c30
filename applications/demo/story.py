"""The money story's trips: ``Spending``, the strategy ``funds.demo.seed`` is handed."""

from __future__ import annotations

import bisect
import itertools
import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta

from accounts.demo import SeedReport
from accounts.models import Organization, OrgKind, Role, Worker
from applications import services
from applications.demo.cast import HOURS, Cast, Chronicle, DemoEligibility, invoice_file, moment
from applications.demo.texts import (
    GOOD_RATINGS,
    POOR_RATINGS,
    REJECT_REASONS,
    REVIEW_TEXTS,
    WITHDRAW_REASONS,
)
from applications.models import Application, GroupTrip, Settlement, Status
from bases.demo import WATCH_BASE
from bases.models import Batch

# --- How the story draws (tuning) ----------------------------------------------------------

MONTH_WEIGHTS = [1, 1, 1, 3, 5, 4, 6, 7, 5, 6, 4, 2]  # summer and autumn, a few winter trips
GROUP_SHARE = 0.8  # of trips: group trips of one union; the rest are single applications
GROUP_SIZE = (4, 12)
AGENCY_SHARE = 0.12  # of group trips: entrusted to the travel agency
FATES = {"go": 92, "no_show": 3, "withdraw": 3, "reject": 2}
# Of participants who review their trip: many in the last year (the service scores' window),
# fewer before.
REVIEW_SHARE, OLD_REVIEW_SHARE = 0.7, 0.15
PIPELINE_TRIPS = 2  # current year: trips per federation still waiting for approval
AHEAD = timedelta(days=30)  # current year: sign-ups already in for departures this far ahead
MISSES = 25  # draws in a row that find no trip: the federation's money is committed


@dataclass
class Calendar:
    """One trip's days; a step happens only when its day is not after T."""

    applied: date
    endorsed: date
    approved: date
    attended: date
    claimed: date  # the settlement is submitted
    paid: date
    january: bool = False  # paid on 15 January, once the closed year is rolled over


@dataclass
class Member:
    worker: Worker
    subsidy: int
    fate: str  # go, no_show, withdraw or reject
    left_on: date | None = None  # the day of a withdrawal or a rejection
    review_on: date | None = None


@dataclass
class Trip:
    batch: Batch
    union: Organization
    members: list[Member]
    group: bool
    agency: Organization | None
    days: Calendar

    def committed(self, member: Member, today: date) -> int:
        """The member's subsidy if it is reserved or paid on ``today``."""
        if member.fate == "reject" or self.days.approved > today:
            return 0
        if member.fate == "withdraw" and member.left_on <= today:
            return 0
        if member.fate == "no_show" and self.days.attended <= today:
            return 0
        return member.subsidy


class Spending:
    """The strategy ``funds.demo.seed`` calls per federation and year (see the module)."""

    def __init__(self, report: SeedReport):
        self.report = report
        self.today = report.today
        self._cast: Cast | None = None
        report.add("applications", False)

    @property
    def cast(self) -> Cast:
        if self._cast is None:
            self._cast = Cast(self.today)
        return self._cast

    def __call__(
        self,
        *,
        org: Organization,
        place: int,
        year: int,
        budget: int,
        first: date,
        today: date,
    ) -> Callable[[date], None] | None:
        if Application.objects.filter(funding_org=org, year=year).exists():
            return None  # drawn by an earlier run: never again
        story = YearOfTrips(self.cast, org=org, place=place, year=year, first=first)
        story.draw(budget)
        self.report.created["applications"] += story.count
        return story.settle_in_january if story.january else None


class YearOfTrips:
    """One federation's trips of one year."""

    def __init__(self, cast: Cast, *, org: Organization, place: int, year: int, first: date):
        self.cast, self.org, self.place, self.year, self.first = cast, org, place, year, first
        self.today = cast.today
        self.current = year == self.today.year
        self.rng = random.Random(f"applications:{place}:{org.code}")  # noqa: S311 - demo data
        self.chronicle = Chronicle(self.today)
        self.staff = cast.staff(org.pk)
        self.unions = cast.unions.get(org.pk, [])
        last = min(self.today + AHEAD, date(year, 12, 31)) if self.current else date(year, 12, 31)
        self.batches = [
            b for b in cast.batches(year) if first + timedelta(days=2) <= b.start_date <= last
        ]
        self.starts = [b.start_date for b in self.batches]
        self.free = cast.free
        self.used = set(Application.objects.filter(year=year).values_list("worker_id", flat=True))
        if self.current:  # union1's personas keep this year free for T's scenes
            self.used |= {w.pk for w in cast.personas.values()}
        self.count = 0
        self.pipeline = 0
        self.january: list[tuple[Settlement, list[int]]] = []

    # Drawing ----------------------------------------------------------------------------

    def draw(self, budget: int) -> None:
        if not self.batches or not self.unions or self.staff is None:
            return
        room = self._pinned(budget)
        days = [self.first + timedelta(days=d) for d in range((self.starts[-1] - self.first).days)]
        weights = list(itertools.accumulate(MONTH_WEIGHTS[d.month - 1] for d in days)) or [1]
        misses = 0
        while misses < MISSES and days:
            day = self.rng.choices(days, cum_weights=weights)[0]
            trip = None
            for batch in self._batches_near(day)[:3]:  # a base nobody there may go to: the next
                if trip := self._trip(batch, room):
                    break
            if trip is None:
                misses += 1
                continue
            misses = 0
            room -= self._take(trip)
        self.chronicle.write()

    def _take(self, trip: Trip) -> int:
        cost = sum(trip.committed(m, self.today) for m in trip.members)
        if cost == 0 and trip.days.approved > self.today:
            self.pipeline += 1
        self._play(trip)
        return cost

    def _pinned(self, room: int) -> int:
        """The city's trips at the edge of T, so every state shows whatever T is: one still
        away (attendance not recorded yet), one just back and, this year, one coming up and
        the season's first, settled promptly (so money is spent soon after it arrives).
        Returns the room left."""
        if self.org.kind != OrgKind.CITY or self.place < -1:
            return room
        end = min(self.today, date(self.year, 12, 31))
        away = [b for b in self.batches if end - timedelta(days=7) <= b.start_date < end]
        back = [
            b
            for b in self.batches
            if end - timedelta(days=20) <= b.start_date <= end - timedelta(days=10)
        ]
        coming = [
            b
            for b in self.batches
            if self.today + timedelta(days=3) <= b.start_date <= self.today + timedelta(days=25)
        ]
        for pin, batches in (
            ("away", sorted(away, key=lambda b: (b.end_date, b.pk), reverse=True)),
            ("back", back),
            ("coming", coming if self.current else []),
            ("paid", self.batches if self.current else []),
        ):
            for batch in batches[:8]:
                trip = self._trip(batch, room, pin=pin)
                if trip is None:
                    continue
                if (trip.days.paid if pin == "paid" else trip.days.approved) <= self.today:
                    room -= self._take(trip)
                    break
        return room

    def _batches_near(self, day: date) -> list[Batch]:
        """Batches departing within three weeks of ``day``, one a base, the bases with the
        fewest travellers this year first (so every base gathers the reviews its service
        score needs), each the nearest to ``day`` there."""
        window = timedelta(days=21)
        near: dict[int, list[Batch]] = {}
        i = bisect.bisect_left(self.starts, day - window)
        for batch in self.batches[i:]:
            if batch.start_date > day + window:
                break
            if self.free[batch.pk] > 0:
                near.setdefault(batch.itinerary.base_id, []).append(batch)
        visits = self.cast.visits
        bases = sorted(near, key=lambda pk: (visits.get((self.year, pk), 0), self.rng.random()))
        return [min(near[pk], key=lambda b: (abs((b.start_date - day).days), b.pk)) for pk in bases]

    def _calendar(self, batch: Batch, pin: str | None) -> Calendar | None:
        """The trip's days. A pinned trip is still ``away`` on T (its attendance is recorded
        days after its return) or ``back`` (attended, its settlement not claimed by T)."""
        rng = self.rng
        applied = batch.signup_deadline - timedelta(days=rng.randint(0, 20))
        endorsed = applied + timedelta(days=rng.randint(1, 4))
        approved = max(endorsed + timedelta(days=rng.randint(1, 6)), self.first)
        if approved >= batch.start_date or applied > self.today:
            return None  # the money came too late for it, or nobody has applied yet
        attended = batch.end_date + timedelta(days=4 if pin == "away" else rng.randint(1, 3))
        claimed = attended + timedelta(days=rng.randint(4, 18))
        if pin == "back":
            claimed = max(claimed, self.today + timedelta(days=1))
        paid = claimed + timedelta(days=rng.randint(3, 12))
        if pin == "paid":
            attended = batch.end_date + timedelta(days=1)
            claimed, paid = attended + timedelta(days=3), attended + timedelta(days=5)
        days = Calendar(applied, endorsed, approved, attended, claimed, paid)
        if not self.current and paid.year > self.year:
            days.claimed = min(claimed, date(self.year + 1, 1, 12))
            days.paid, days.january = date(self.year + 1, 1, 15), True
        return days

    def _trip(self, batch: Batch | None, room: int, *, pin: str | None = None) -> Trip | None:
        """A trip on ``batch`` of one union's members whose committed subsidies fit ``room``
        (a ``pin`` is one worker who goes, see ``_pinned``)."""
        if batch is None:
            return None
        rng = self.rng
        days = self._calendar(batch, pin)
        if days is None:
            return None
        if days.approved > self.today and self.pipeline >= PIPELINE_TRIPS:
            return None
        sizes = [len(self.cast.members.get(u.pk, [])) for u in self.unions]
        union = rng.choices(self.unions, weights=sizes)[0]
        group = pin is None and rng.random() < GROUP_SHARE
        want = rng.randint(*GROUP_SIZE) if group else 1
        if days.approved > self.today:  # still waiting for approval: a small group
            want = min(want, GROUP_SIZE[0] + 2)
        want = min(want, self.free[batch.pk])
        candidates = [
            w for w in self.cast.members.get(union.pk, []) if self._may_go(w, batch, days)
        ]
        if group and len(candidates) < GROUP_SIZE[0]:
            group, want = False, 1
        rng.shuffle(candidates)
        trip = Trip(batch, union, [], group, None, days)
        if group and rng.random() < AGENCY_SHARE:
            trip.agency = self.cast.agency
        for worker in candidates:
            if len(trip.members) >= want:
                break
            eligibility = DemoEligibility(worker, today=days.applied, policies=self.cast.policies)
            if eligibility.refusals(batch, in_group=group):
                continue
            member = self._member(worker, eligibility.quote(batch).subsidy, trip, pin)
            cost = trip.committed(member, self.today)
            if cost > room:
                break
            room -= cost
            trip.members.append(member)
        # A trip commits money, or is still waiting for its approval (only a few of those).
        if any(trip.committed(m, self.today) for m in trip.members) or (
            trip.members and days.approved > self.today
        ):
            return trip
        return None

    def _may_go(self, worker: Worker, batch: Batch, days: Calendar) -> bool:
        return (
            worker.pk not in self.used
            and worker.in_good_standing
            and (worker.joined_union_on or days.applied) <= days.applied
            and batch.itinerary.fits_age(worker.age_on(batch.start_date))
        )

    def _member(self, worker: Worker, subsidy: int, trip: Trip, pin: str | None) -> Member:
        rng, days, batch = self.rng, trip.days, trip.batch
        fate = rng.choices(list(FATES), weights=list(FATES.values()))[0]
        fate = "go" if pin else fate
        member = Member(worker, subsidy, fate)
        if fate == "reject":
            member.left_on = days.endorsed + timedelta(days=1)
        elif fate == "withdraw":
            last = batch.start_date - timedelta(days=1)
            if days.approved < last:
                member.left_on = days.approved + timedelta(
                    days=rng.randint(1, (last - days.approved).days)
                )
            else:
                member.fate = "go"
        elif fate == "no_show" and batch.end_date >= date(self.year, 12, 20):
            member.fate = "go"  # the year's last trips: everybody went
        recent = days.attended >= self.today - timedelta(days=365)
        if member.fate == "go" and rng.random() < (REVIEW_SHARE if recent else OLD_REVIEW_SHARE):
            member.review_on = days.attended + timedelta(days=rng.randint(0, 20))
        return member

    # Playing ----------------------------------------------------------------------------

    def _play(self, trip: Trip) -> None:
        """Move the trip through the services, every step dated, up to T."""
        today, days, chronicle = self.today, trip.days, self.chronicle
        organizer = self.cast.organizer(trip.union)
        for member in trip.members:
            self.used.add(member.worker.pk)
        self.free[trip.batch.pk] -= len(trip.members)
        visit = (self.year, trip.batch.itinerary.base_id)
        self.cast.visits[visit] = self.cast.visits.get(visit, 0) + len(trip.members)
        group = None
        if trip.group:
            group = services.group_trip_create(
                batch=trip.batch,
                organizer=trip.union,
                seats=len(trip.members),
                by=organizer,
                agency=trip.agency,
                today=days.applied,
            )
            chronicle.groups[group.pk] = moment(days.applied, 8)
            apps = [
                services.roster_add(
                    group_trip=group,
                    worker=m.worker,
                    union=trip.union,
                    by=organizer,
                    today=days.applied,
                )
                for m in trip.members
            ]
        else:
            apps = [
                services.application_submit(
                    worker=m.worker, batch=trip.batch, by=m.worker.user, today=days.applied
                )
                for m in trip.members
            ]
        self.count += len(apps)
        chronicle.move(apps, Status.SUBMITTED, days.applied)
        if days.endorsed > today:
            return
        if group is not None:
            services.group_endorse(
                group_trip=group, union=trip.union, by=organizer, today=days.endorsed
            )
        else:
            for app in apps:
                services.application_endorse(application=app, by=organizer, today=days.endorsed)
        chronicle.move(apps, Status.ENDORSED, days.endorsed)
        going = []
        for app, member in zip(apps, trip.members, strict=True):
            if member.fate == "reject":
                if member.left_on <= today:
                    services.application_reject(
                        application=app,
                        by=self.staff,
                        reason=self.rng.choice(REJECT_REASONS),
                        today=member.left_on,
                    )
                    chronicle.move([app], Status.REJECTED, member.left_on)
                continue
            if days.approved > today:
                continue
            services.application_approve(application=app, by=self.staff, today=days.approved)
            chronicle.move([app], Status.APPROVED, days.approved)
            if member.fate == "withdraw":
                if member.left_on <= today:
                    services.application_withdraw(
                        application=app,
                        by=member.worker.user,
                        reason=self.rng.choice(WITHDRAW_REASONS),
                        today=member.left_on,
                    )
                    chronicle.move([app], Status.WITHDRAWN, member.left_on)
                continue
            going.append((app, member))
        if days.attended > today or not going:
            return
        self._attendance(trip, group, going)

    def _attendance(self, trip: Trip, group: GroupTrip | None, going) -> None:
        today, days, chronicle = self.today, trip.days, self.chronicle
        base = trip.batch.itinerary.base
        recorder = (
            self.cast.organizer(trip.union)
            if group
            else self.cast.user(base.operator_id, Role.BASE_OPERATOR)
        )
        attended = []
        for app, member in going:
            went = member.fate != "no_show"
            app = services.application_attendance(
                application=app, by=recorder, attended=went, today=days.attended
            )
            chronicle.move([app], Status.COMPLETED if went else Status.NO_SHOW, days.attended)
            if went:
                attended.append(app)
                if member.review_on and member.review_on <= today:
                    self._review(app, member, base)
        if not attended or days.claimed > today:
            return
        agency_user = self.cast.user(trip.agency.pk, Role.AGENCY) if trip.agency else None
        settlement = services.settlement_submit(
            applications=attended,
            union=trip.union,
            invoice=invoice_file(trip.batch),
            invoice_amount=trip.batch.itinerary.union_price_fen * len(attended),
            by=agency_user or self.cast.organizer(trip.union),
            group_trip=group,
            note=f"{trip.batch.itinerary.base.name}开具发票",
        )
        chronicle.settlements[settlement.pk] = {"submitted_at": moment(days.claimed, 15)}
        if days.january:
            self.january.append((settlement, [a.pk for a in attended]))
        elif days.paid <= today:
            self._pay(settlement, attended, days.paid)

    def _pay(self, settlement: Settlement, apps: list, day: date) -> None:
        services.settlement_pay(settlement=settlement, by=self.staff, today=day)
        self.chronicle.move(apps, Status.SETTLED, day)
        times = self.chronicle.settlements.setdefault(settlement.pk, {})
        times["decided_at"] = moment(day, HOURS[Status.SETTLED])

    def _review(self, app: Application, member: Member, base) -> None:
        poor = base.name == WATCH_BASE
        rating = self.rng.choices([1, 2, 3, 4, 5], weights=POOR_RATINGS if poor else GOOD_RATINGS)
        review = services.review_trip(
            application=app,
            by=member.worker.user,
            rating=rating[0],
            text=self.rng.choice(REVIEW_TEXTS[rating[0]]),
        )
        self.chronicle.reviews[review.pk] = moment(member.review_on, 20, review.pk)

    def settle_in_january(self, on: date) -> None:
        """The closed year's last settlements, paid on ``on`` (15 January)."""
        for settlement, ids in self.january:
            self._pay(settlement, [Application(pk=pk) for pk in ids], on)
        self.chronicle.write()
