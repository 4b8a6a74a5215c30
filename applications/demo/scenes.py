"""The sign-up season on the demo's today, after the money story (see the package)."""

from __future__ import annotations

import random
from datetime import date, timedelta

from django.db import transaction

from accounts.demo import SeedReport
from accounts.models import Notification, Organization, OrgKind, Worker
from applications import services
from applications.demo.cast import Cast, Chronicle, DemoEligibility, moment
from applications.demo.texts import REJECT_REASONS, WITHDRAW_REASONS
from applications.models import Application, GroupParticipant, GroupTrip, Lottery, Status
from bases import services as bases_services
from bases.models import Batch


class Scenes:
    """Upcoming batches in every state of sign-up, each scene played once on its own batch."""

    def __init__(self, report: SeedReport):
        self.report = report
        self.today = report.today
        self.cast = Cast(self.today)
        self.chronicle = Chronicle(self.today)
        self.big = [
            union
            for unions in self.cast.unions.values()
            for union in unions
            if len(self.cast.members.get(union.pk, [])) >= 12
        ]
        self.big.sort(key=lambda u: u.pk)
        self.tiny = sorted(
            (
                union
                for unions in self.cast.unions.values()
                for union in unions
                if len(self.cast.members.get(union.pk, [])) <= 8
            ),
            key=lambda u: u.pk,
        )
        self.taken: set[int] = set()  # workers given a part in this run's scenes

    def play(self) -> None:
        batches = self.cast.scene_batches
        plays = {
            "waitlist": self.waitlist,
            "individuals": self.individuals,
            "joint1": self.joint,
            "joint2": self.joint,
            "agency": self.agency,
            "lottery": self.lottery,
        }
        for n, name in enumerate(sorted(batches)):
            batch = batches[name]
            if batch.applications.exists() or batch.group_trips.exists():
                continue  # played by an earlier run
            rng = random.Random(f"scene:{name}")  # noqa: S311 - reproducible demo data
            before = Application.objects.count()
            with transaction.atomic():
                if name in plays:
                    plays[name](batch, rng, name)
                else:
                    self.block(batch, rng, name, n)
                self.chronicle.write()
            self.report.add("applications", False)
            self.report.created["applications"] += Application.objects.count() - before

    # Helpers ----------------------------------------------------------------------------

    def _eligible(self, worker: Worker, batch: Batch, day: date) -> bool:
        if worker.pk in self.taken or not worker.in_good_standing:
            return False
        if (worker.joined_union_on or day) > day:
            return False
        return not DemoEligibility(worker, today=day, policies=self.cast.policies).refusals(batch)

    def _members(self, union: Organization, batch: Batch, day: date, n: int, rng) -> list[Worker]:
        pool = [
            w for w in self.cast.members.get(union.pk, []) if w not in self.cast.personas.values()
        ]
        rng.shuffle(pool)
        chosen = []
        for worker in pool:
            if len(chosen) >= n:
                break
            if self._eligible(worker, batch, day):
                chosen.append(worker)
                self.taken.add(worker.pk)
        return chosen

    def _anyone(self, batch: Batch, day: date, n: int, rng) -> list[Worker]:
        """``n`` workers of any union (not union1's personas) who may apply for ``batch``."""
        unions = [u for u in self.big if u.pk != self._union1()]
        picks = []
        for union in rng.sample(unions, len(unions)):
            picks += self._members(union, batch, day, 1, rng)
            if len(picks) >= n:
                break
        return picks

    def _union1(self) -> int | None:
        persona = next(iter(self.cast.personas.values()), None)
        return persona.union_id if persona else None

    def _day(self, batch: Batch, back: int) -> date:
        """``back`` days before T (never after the batch's sign-up deadline)."""
        return min(self.today, batch.signup_deadline) - timedelta(days=back)

    def _submit(self, worker: Worker, batch: Batch, day: date) -> Application:
        app = services.application_submit(worker=worker, batch=batch, by=worker.user, today=day)
        self.chronicle.move([app], app.status, day)
        return app

    def _endorse(self, apps: list[Application], union: Organization, day: date) -> None:
        for app in apps:
            services.application_endorse(application=app, by=self.cast.organizer(union), today=day)
        self.chronicle.move(apps, Status.ENDORSED, day)

    def _group(self, batch: Batch, union: Organization, seats: int, day: date, **kwargs):
        group = services.group_trip_create(
            batch=batch,
            organizer=union,
            seats=seats,
            by=self.cast.organizer(union),
            today=day,
            **kwargs,
        )
        self.chronicle.groups[group.pk] = moment(day, 8)
        return group

    def _roster(self, group: GroupTrip, union: Organization, workers: list[Worker], day: date):
        apps = [
            services.roster_add(
                group_trip=group,
                worker=w,
                union=union,
                by=self.cast.organizer(union),
                today=day,
            )
            for w in workers
        ]
        self.chronicle.move(apps, Status.SUBMITTED, day)
        return apps

    def _dated_notes(self, since: int, day: date, hour: int = 10) -> None:
        """Notifications the last service call wrote (beyond the pk ``since``) happened on ``day``."""
        self.chronicle.notes(Notification.objects.filter(pk__gt=since), moment(day, hour))

    @staticmethod
    def _last_note() -> int:
        return Notification.objects.order_by("-pk").values_list("pk", flat=True).first() or 0

    # Scenes -----------------------------------------------------------------------------

    def block(self, batch: Batch, rng, name: str, n: int) -> None:
        """A union holds a block of (nearly) all the free seats and is building its roster."""
        union = self.big[n % len(self.big)]
        day = self._day(batch, rng.randint(5, 25))
        free = batch.capacity - batch.seats_held
        seats = free - (rng.randint(1, 3) if name.startswith("nearly") else 0)
        if seats < 1:
            return
        group = self._group(batch, union, seats, day)
        members = self._members(union, batch, day, min(seats, rng.randint(3, 8)), rng)
        apps = self._roster(group, union, members, day)
        if name in ("full1", "nearly1") and apps:
            endorsed = day + timedelta(days=2)
            services.group_endorse(
                group_trip=group, union=union, by=self.cast.organizer(union), today=endorsed
            )
            self.chronicle.move(apps, Status.ENDORSED, endorsed)
            if name == "full1" and len(apps) > 2:  # one member is turned down, with a reason
                funder = apps[0].funding_org_id
                services.application_reject(
                    application=apps[-1],
                    by=self.cast.staff(funder),
                    reason=rng.choice(REJECT_REASONS),
                    today=endorsed + timedelta(days=1),
                )
                self.chronicle.move(apps[-1:], Status.REJECTED, endorsed + timedelta(days=1))

    def waitlist(self, batch: Batch, rng, name: str) -> None:
        """A full batch with a waiting list: a seat freed by a withdrawal went to the first."""
        personas = self.cast.personas
        union = self.big[-1]
        day = self._day(batch, 12)
        free = batch.capacity - batch.seats_held
        if free > 1:
            group = self._group(batch, union, free - 1, day)
            self._roster(group, union, self._members(union, batch, day, 5, rng), day)
        leaver = personas.get("withdrawn")
        if leaver and self._eligible(leaver, batch, day):
            app = self._submit(leaver, batch, day + timedelta(days=2))  # the last seat
            first = self._anyone(batch, day, 1, rng)
            for worker in first:
                self._submit(worker, batch, day + timedelta(days=3))  # waits
            waiting = personas.get("waitlisted")
            if waiting and self._eligible(waiting, batch, day):
                self._submit(waiting, batch, day + timedelta(days=4))  # waits behind
            left = day + timedelta(days=8)
            services.application_withdraw(
                application=app,
                by=leaver.user,
                reason=rng.choice(WITHDRAW_REASONS),
                today=left,
            )
            self.chronicle.move([app], Status.WITHDRAWN, left)
            promoted = Application.objects.filter(
                batch=batch, worker__in=first, status=Status.SUBMITTED
            )
            self.chronicle.move(promoted, Status.SUBMITTED, left)
        for worker in self._anyone(batch, day, 2, rng):
            self._submit(worker, batch, day + timedelta(days=10))  # the list grows

    def individuals(self, batch: Batch, rng, name: str) -> None:
        """Union1's members applying alone: one waits for the union, one for the county (in
        its approval queue), one was turned down by the county with a reason."""
        personas = self.cast.personas
        union = personas["submitted"].union if personas else None
        plans = [("rejected", 12), ("endorsed", 9), ("submitted", 3)]
        for role, back in plans:
            worker = personas.get(role)
            day = self._day(batch, back)
            if worker is None or not self._eligible(worker, batch, day):
                continue
            app = self._submit(worker, batch, day)
            if role == "submitted":
                continue
            self._endorse([app], union, day + timedelta(days=2))
            if role == "rejected":
                services.application_reject(
                    application=app,
                    by=self.cast.staff(app.funding_org_id),
                    reason=REJECT_REASONS[0],
                    today=day + timedelta(days=5),
                )
                self.chronicle.move([app], Status.REJECTED, day + timedelta(days=5))
        for worker in self._anyone(batch, self._day(batch, 6), 3, rng):
            self._submit(worker, batch, self._day(batch, 6))

    def joint(self, batch: Batch, rng, name: str) -> None:
        """A joint group (联合组团) with open seats on the board: small units invited (one
        joined, one has not answered) and one that joined from the board."""
        union1 = self._union1()
        lead = next((u for u in self.big if u.pk == union1), self.big[0])
        if name == "joint2":
            lead = next((u for u in self.big if u.parent.kind == OrgKind.CITY), self.big[1])
        small = [u for u in self.tiny if u.parent_id == lead.parent_id] or self.tiny
        small += [u for u in self.tiny if u not in small]
        day = self._day(batch, 20)
        group = self._group(
            batch, lead, min(16, batch.capacity - batch.seats_held), day, joint=True
        )
        self._roster(group, lead, self._members(lead, batch, day, 5, rng), day)
        invited = small[:2]
        for union in invited:
            since = self._last_note()
            services.group_invite(group_trip=group, union=union, by=self.cast.organizer(lead))
            self._dated_notes(since, day + timedelta(days=1))
        accepted = GroupParticipant.objects.get(group_trip=group, union=invited[0])
        since = self._last_note()
        services.group_respond(
            participant=accepted, accept=True, by=self.cast.organizer(invited[0])
        )
        self._dated_notes(since, day + timedelta(days=5))
        GroupParticipant.objects.filter(group_trip=group, union__in=invited).update(
            created_at=moment(day + timedelta(days=1))
        )
        GroupParticipant.objects.filter(pk=accepted.pk).update(
            responded_at=moment(day + timedelta(days=5))
        )
        added = day + timedelta(days=6)
        self._roster(group, invited[0], self._members(invited[0], batch, added, 2, rng), added)
        if len(small) > 2:
            joiner = small[2]
            joined = day + timedelta(days=14)
            since = self._last_note()
            services.group_join(
                group_trip=group, union=joiner, by=self.cast.organizer(joiner), today=joined
            )
            self._dated_notes(since, joined)
            GroupParticipant.objects.filter(group_trip=group, union=joiner).update(
                created_at=moment(joined), responded_at=moment(joined)
            )
            self._roster(group, joiner, self._members(joiner, batch, joined, 2, rng), joined)

    def agency(self, batch: Batch, rng, name: str) -> None:
        """A group trip entrusted to the travel agency, endorsed, waiting for approval."""
        union = self.big[1 % len(self.big)]
        day = self._day(batch, 18)
        group = self._group(batch, union, 10, day, agency=self.cast.agency)
        apps = self._roster(group, union, self._members(union, batch, day, 7, rng), day)
        endorsed = day + timedelta(days=6)
        if apps:
            services.group_endorse(
                group_trip=group, union=union, by=self.cast.organizer(union), today=endorsed
            )
            self.chronicle.move(apps, Status.ENDORSED, endorsed)

    def lottery(self, batch: Batch, rng, name: str) -> None:
        """Oversubscribed: announced before the sign-ups, drawn after the deadline with a
        published seed; winners hold seats, the rest wait in drawn order."""
        deadline = batch.signup_deadline
        union = self.big[2 % len(self.big)]
        held = batch.capacity - batch.seats_held - 8
        if held > 0:
            start = deadline - timedelta(days=25)
            group = self._group(batch, union, held, start)
            self._roster(group, union, self._members(union, batch, start, 4, rng), start)
        county = batch.itinerary.base.county_id
        staff = self.cast.staff(county)
        announced = deadline - timedelta(days=18)
        lottery = services.lottery_announce(batch=batch, by=staff, today=announced)
        for n, worker in enumerate(self._anyone(batch, announced, 13, rng)):
            self._submit(worker, batch, deadline - timedelta(days=16 - n))
        persona = self.cast.personas.get("lottery")
        if persona and self._eligible(persona, batch, announced):
            self._submit(persona, batch, deadline - timedelta(days=2))  # the last to sign up
        drawn = deadline + timedelta(days=1)
        lottery = services.lottery_draw(
            lottery=lottery, by=staff, seed=int(f"{deadline:%Y%m%d}"), today=drawn
        )
        Lottery.objects.filter(pk=lottery.pk).update(
            announced_at=moment(announced, 16), drawn_at=moment(drawn, 10)
        )
        winners = Application.objects.filter(pk__in=lottery.result[: lottery.seats])
        self.chronicle.move(winners, Status.SUBMITTED, drawn)


def seed(report: SeedReport) -> SeedReport:
    """T's sign-up season (after ``funds.demo.seed`` told the money story with ``Spending``),
    then the bases' service scores again, now that the trips' reviews are in."""
    report.add("applications", False)
    Scenes(report).play()
    bases_services.service_scores_refresh(today=report.today)
    return report
