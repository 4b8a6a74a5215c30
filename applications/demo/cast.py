"""Who is who in the demo, which batches the scenes use, and the dates of history."""

from __future__ import annotations

import itertools
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.core.files.base import ContentFile
from django.db import connection
from django.utils import timezone

from accounts.models import Notification, Organization, OrgKind, Role, User, Worker
from applications import selectors
from applications.demo.texts import INVOICE_PDF
from applications.models import (
    Application,
    GroupParticipant,
    GroupTrip,
    Settlement,
    Status,
    StatusChange,
)
from bases.models import PUBLIC_STATUSES, Batch, BatchStatus, Review
from funds.models import SubsidyPolicy

READ_AFTER = timedelta(days=14)  # notifications older than this (at T) have been read
HOURS = {  # the time of day of each move, so a day's history reads in order
    Status.WAITLISTED: 9,
    Status.SUBMITTED: 9,
    Status.ENDORSED: 10,
    Status.APPROVED: 11,
    Status.REJECTED: 11,
    Status.WITHDRAWN: 15,
    Status.COMPLETED: 17,
    Status.NO_SHOW: 17,
    Status.SETTLED: 14,
}


def moment(day: date, hour: int = 10, minute: int = 0) -> datetime:
    """``day`` at that time, but never later than now (the story's today is a real day)."""
    return min(timezone.make_aware(datetime.combine(day, time(hour, minute % 60))), timezone.now())


def invoice_file(batch: Batch) -> ContentFile:
    return ContentFile(INVOICE_PDF, name=f"invoice-{batch.start_date:%Y%m%d}.pdf")


# --- Who is who ----------------------------------------------------------------------------


class DemoEligibility(selectors.Eligibility):
    """``selectors.Eligibility`` with the policies read once for the whole seed (the demo
    checks thousands of candidates; the services still check each application themselves)."""

    def __init__(self, worker: Worker, *, today: date, policies: dict):
        super().__init__(worker, today=today)
        self.policies = policies  # year → policy, shared by the seed's checks

    def policy(self, year: int) -> SubsidyPolicy | None:
        if year not in self.policies:
            self.policies[year] = selectors.policy_for_year(year)
        return self.policies[year]


class Cast:
    """The demo's people and batches, read once: unions by federation, users by organization."""

    def __init__(self, today: date):
        self.today = today
        workers = Worker.objects.select_related("user", "union").filter(
            user__is_active=True, user__role=Role.WORKER
        )
        self.members: dict[int, list[Worker]] = {}
        for worker in workers.order_by("pk"):
            self.members.setdefault(worker.union_id, []).append(worker)
        self.unions: dict[int, list[Organization]] = {}  # federation → its grassroots unions
        for union in Organization.objects.filter(kind=OrgKind.GRASSROOTS).order_by("pk"):
            if self.members.get(union.pk):
                funder = selectors.funding_org_for(union)
                self.unions.setdefault(funder.pk, []).append(union)
        self.users: dict[tuple[int, str], User] = {}
        for user in User.objects.filter(is_active=True).exclude(role="").order_by("pk"):
            self.users.setdefault((user.org_id, user.role), user)
        self.agency = Organization.objects.filter(kind=OrgKind.AGENCY).order_by("pk").first()
        self.scene_batches = scene_batches(today)
        self.personas = personas()
        self.policies: dict[int, SubsidyPolicy | None] = {}
        self._years: dict[int, list[Batch]] = {}
        self.free: dict[int, int] = {}  # seats left, kept as the story takes them
        self.visits: dict[tuple[int, int], int] = {}  # the story's travellers by year and base

    def batches(self, year: int) -> list[Batch]:
        """The year's batches open to the story (not the scenes'), by departure."""
        if year not in self._years:
            scenes = [b.pk for b in self.scene_batches.values()]
            batches = list(
                _open_batches()
                .filter(start_date__year=year)
                .exclude(pk__in=scenes)
                .order_by("start_date", "pk")
            )
            self.free.update({b.pk: b.capacity - b.seats_held for b in batches})
            self._years[year] = batches
        return self._years[year]

    def user(self, org_id: int | None, role: str) -> User | None:
        return self.users.get((org_id, role))

    def organizer(self, union: Organization) -> User | None:
        return self.user(union.pk, Role.ORGANIZER)

    def staff(self, org_id: int) -> User | None:
        return self.user(org_id, Role.FEDERATION_STAFF)


def personas() -> dict[str, Worker]:
    """Members of union1 (the first union) who show one state each on T (see the README)."""
    organizer = User.objects.filter(username="union1").select_related("org").first()
    if organizer is None:
        return {}
    members = Worker.objects.select_related("user", "union").filter(
        union=organizer.org, in_good_standing=True, user__isnull=False
    )
    roles = ["submitted", "endorsed", "waitlisted", "withdrawn", "rejected", "lottery"]
    return dict(zip(roles, members.order_by("pk"), strict=False))


def _open_batches():
    return Batch.objects.filter(
        status=BatchStatus.OPEN,
        itinerary__active=True,
        itinerary__base__status__in=PUBLIC_STATUSES,
    ).select_related("itinerary__base")


def scene_batches(today: date) -> dict[str, Batch]:
    """The upcoming batches of T's scenes, chosen from the bases demo's batches and T alone (so a
    later run finds the same ones) and kept out of the money story: in the province, no age
    group, sign-ups open for a while yet (the lottery's deadline has just passed)."""
    plain = _open_batches().filter(
        itinerary__in_province=True, itinerary__min_age=None, itinerary__max_age=None
    )
    chosen: dict[str, Batch] = {}
    lottery = plain.filter(
        start_date__gte=today + timedelta(days=2), start_date__lte=today + timedelta(days=6)
    ).order_by("capacity", "start_date", "pk")
    if first := lottery.first():
        chosen["lottery"] = first
    later = list(
        plain.filter(
            start_date__gte=today + timedelta(days=12),
            start_date__lte=today + timedelta(days=75),
            signup_deadline__gte=today + timedelta(days=3),
        ).order_by("start_date", "pk")
    )
    names = ["waitlist", "individuals", "joint1", "agency", "joint2"]
    names += [f"full{n}" for n in range(1, 5)] + [f"nearly{n}" for n in range(1, 6)]
    step = max(len(later) // len(names), 1)
    for name, batch in zip(names, later[::step], strict=False):
        chosen[name] = batch
    return chosen


# --- Dates of history ----------------------------------------------------------------------


@dataclass
class Chronicle:
    """When things happened in the story, written onto the rows the services made just now."""

    today: date
    moves: dict[int, dict[str, datetime]] = field(default_factory=dict)
    settlements: dict[int, dict[str, datetime]] = field(default_factory=dict)
    reviews: dict[int, datetime] = field(default_factory=dict)
    groups: dict[int, datetime] = field(default_factory=dict)

    def move(self, applications: Iterable[Application], status: str, day: date) -> None:
        for app in applications:
            self.moves.setdefault(app.pk, {})[status] = moment(day, HOURS[status], app.pk)

    def write(self) -> None:
        if self.moves:
            self._applications()
        for pk, times in self.settlements.items():
            Settlement.objects.filter(pk=pk).update(**times)
        _stamp(Review, ["created_at"], [(at, pk) for pk, at in self.reviews.items()])
        for pk, at in self.groups.items():
            GroupTrip.objects.filter(pk=pk).update(created_at=at)
            GroupParticipant.objects.filter(group_trip_id=pk, lead=True).update(
                created_at=at, responded_at=at
            )
            self.notes(Notification.objects.filter(url=f"/applications/groups/{pk}/"), at)
        self.moves, self.settlements, self.reviews, self.groups = {}, {}, {}, {}

    def _applications(self) -> None:
        ids = list(self.moves)
        # Applied: on the waiting list first, or straight into a seat.
        applied = [
            (times.get(Status.WAITLISTED) or times[Status.SUBMITTED], pk)
            for pk, times in self.moves.items()
            if Status.WAITLISTED in times or Status.SUBMITTED in times
        ]
        _stamp(Application, ["created_at"], applied)
        _stamp(Application, ["updated_at"], [(max(t.values()), pk) for pk, t in self.moves.items()])
        changes = list(
            StatusChange.objects.filter(application_id__in=ids)
            .order_by("application_id", "pk")
            .values_list("application_id", "pk", "to_status")
        )
        dated = [
            (self.moves[app][status], pk)
            for app, pk, status in changes
            if status in self.moves[app]
        ]
        _stamp(StatusChange, ["at"], dated)
        # Each move wrote one notification to the worker, in the same order as its history.
        urls = {f"/applications/{pk}/": pk for pk in ids}
        notes: dict[int, list[int]] = {}
        for pk, url in (
            Notification.objects.filter(url__in=list(urls)).order_by("pk").values_list("pk", "url")
        ):
            notes.setdefault(urls[url], []).append(pk)
        rows = []
        for app, group in itertools.groupby(changes, key=lambda c: c[0]):
            for (_app, _pk, status), note in zip(group, notes.get(app, []), strict=False):
                if status in self.moves[app]:
                    rows.append((*self._read(self.moves[app][status]), note))
        _stamp(Notification, ["created_at", "read_at"], rows)

    def _read(self, at: datetime) -> tuple[datetime, datetime | None]:
        """A notification's time, and when it was read (the old ones have been)."""
        old = at.date() < self.today - READ_AFTER
        return at, at + timedelta(hours=2) if old else None

    def notes(self, notes, at: datetime) -> None:
        _stamp(
            Notification,
            ["created_at", "read_at"],
            [(*self._read(at), pk) for pk in notes.values_list("pk", flat=True)],
        )


def _stamp(model, columns: list[str], rows: list[tuple]) -> None:
    """Write the story's dates onto many rows in one statement (``executemany``): ``rows`` are
    (value for each column…, pk). Only time columns of history, never money or seats."""
    if not rows:
        return
    ops = connection.ops
    fields = [model._meta.get_field(name) for name in columns]
    assignments = ", ".join(f"{ops.quote_name(f.column)} = %s" for f in fields)
    table, pk = ops.quote_name(model._meta.db_table), ops.quote_name(model._meta.pk.column)
    sql = f"UPDATE {table} SET {assignments} WHERE {pk} = %s"  # noqa: S608 - names from the model
    params = [[ops.adapt_datetimefield_value(v) for v in row[:-1]] + [row[-1]] for row in rows]
    with connection.cursor() as cursor:
        cursor.executemany(sql, params)
