"""Applications (报名), group trips (团队), lotteries and settlements (DESIGN §3).

The workflow reads at a glance in ``TRANSITIONS``: every move goes through one service in
``applications.services`` that checks it, changes the row, writes a ``StatusChange`` and an
audit row, moves money through ``funds.services`` and queues notifications after commit.

Seats (one lock point, ``bases.services.lock_batch``): a batch's ``seats_held`` equals the number
of its seat-holding applications outside group trips plus the blocks of its active group trips.
Members of a group trip sit inside their group's block; a roster never outgrows its block.

Money: each application is its own cause in the ledger (``cause_id`` = ``application:<pk>``), so
people served counts applications paid, and every movement carries an idempotency key named
after the application and the transition.
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from accounts.models import Organization, OrgKind, Worker
from bases.models import Batch
from recuperation.money import MAX_FEN
from recuperation.storage import private_storage


class Status(models.TextChoices):
    WAITLISTED = "waitlisted", _("On the waiting list")
    SUBMITTED = "submitted", _("Submitted")
    ENDORSED = "endorsed", _("Endorsed by the union")
    # "Approved" alone is a base's admission (审定); an application is approved with its subsidy (已批准).
    APPROVED = "approved", pgettext_lazy("application status", "Approved")
    COMPLETED = "completed", _("Attended")
    SETTLED = "settled", _("Settled")
    REJECTED = "rejected", _("Rejected")
    WITHDRAWN = "withdrawn", _("Withdrawn")
    NO_SHOW = "no_show", _("Did not attend")


S = Status
TRANSITIONS: dict[str, frozenset[str]] = {
    S.WAITLISTED: frozenset({S.SUBMITTED, S.WITHDRAWN, S.REJECTED}),  # promoted when a seat frees
    S.SUBMITTED: frozenset({S.ENDORSED, S.WITHDRAWN, S.REJECTED}),  # the union endorses
    S.ENDORSED: frozenset({S.APPROVED, S.WITHDRAWN, S.REJECTED}),  # the federation approves
    S.APPROVED: frozenset({S.COMPLETED, S.NO_SHOW, S.WITHDRAWN, S.REJECTED}),
    S.COMPLETED: frozenset({S.SETTLED}),  # the subsidy is paid
    S.SETTLED: frozenset(),
    S.REJECTED: frozenset(),
    S.WITHDRAWN: frozenset(),
    S.NO_SHOW: frozenset(),
}
# Hold a seat of the batch (or of the group's block).
SEAT_HOLDING = frozenset({S.SUBMITTED, S.ENDORSED, S.APPROVED, S.COMPLETED, S.SETTLED})
# Still in the running: one per worker and batch, and counted by the frequency rules.
LIVE = SEAT_HOLDING | {S.WAITLISTED}
# The subsidy is reserved in the ledger.
MONEY_RESERVED = frozenset({S.APPROVED, S.COMPLETED})
# Count against the worker's yearly cap.
SUBSIDY_GRANTED = frozenset({S.APPROVED, S.COMPLETED, S.SETTLED})
# Moves that need a written reason.
REASON_REQUIRED = frozenset({S.REJECTED})
# Moves made before departure, and moves made only once the trip has started.
BEFORE_DEPARTURE = frozenset({S.SUBMITTED, S.ENDORSED, S.APPROVED, S.WITHDRAWN})
AFTER_DEPARTURE = frozenset({S.COMPLETED, S.NO_SHOW})
del S


def cause_id(application_id: int) -> str:
    """The ledger's reference to an application (funds never imports this app)."""
    return f"application:{application_id}"


class GroupTrip(models.Model):
    """A block of seats on a batch, organised by a grassroots union, possibly jointly with others
    (联合组团) and possibly entrusted to a travel agency (委托旅行社)."""

    batch = models.ForeignKey(
        Batch, verbose_name=_("batch"), on_delete=models.PROTECT, related_name="group_trips"
    )
    organizer = models.ForeignKey(
        Organization,
        verbose_name=_("organizing union"),
        on_delete=models.PROTECT,
        related_name="organized_group_trips",
        limit_choices_to={"kind": OrgKind.GRASSROOTS},
    )
    title = models.CharField(_("title"), max_length=100)
    seats = models.PositiveIntegerField(
        _("seats in the block"), validators=[MinValueValidator(1), MaxValueValidator(1000)]
    )
    joint = models.BooleanField(
        _("joint group"),
        default=False,
        help_text=_("Other grassroots unions may join and add their own members."),
    )
    agency = models.ForeignKey(
        Organization,
        verbose_name=_("entrusted travel agency"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="entrusted_group_trips",
        limit_choices_to={"kind": OrgKind.AGENCY},
    )
    note = models.TextField(_("note"), blank=True, max_length=2000)
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("group trip")
        verbose_name_plural = _("group trips")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(seats__gte=1) & Q(seats__lte=1000), name="group_trip_seats_1_1000"
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_active(self) -> bool:
        return self.cancelled_at is None


class ParticipantStatus(models.TextChoices):
    INVITED = "invited", _("Invited")
    JOINED = "joined", _("Joined")
    DECLINED = "declined", _("Declined")


class GroupParticipant(models.Model):
    """A grassroots union taking part in a (joint) group trip; the organizer's own is the lead."""

    group_trip = models.ForeignKey(
        GroupTrip,
        verbose_name=_("group trip"),
        on_delete=models.CASCADE,
        related_name="participants",
    )
    union = models.ForeignKey(
        Organization,
        verbose_name=_("grassroots union"),
        on_delete=models.PROTECT,
        related_name="group_participations",
        limit_choices_to={"kind": OrgKind.GRASSROOTS},
    )
    status = models.CharField(
        _("status"), max_length=10, choices=ParticipantStatus.choices, default="invited"
    )
    lead = models.BooleanField(_("lead union"), default=False)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    responded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("participating union")
        verbose_name_plural = _("participating unions")
        ordering = ["-lead", "created_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["group_trip", "union"], name="participant_once"),
        ]

    def __str__(self) -> str:
        return f"{self.group_trip} · {self.union}"


class Settlement(models.Model):
    """After a trip: who attended, the invoice, and the subsidy paid out (结算)."""

    class State(models.TextChoices):
        SUBMITTED = "submitted", _("Submitted")
        PAID = "paid", _("Paid")
        RETURNED = "returned", _("Returned for correction")

    union = models.ForeignKey(
        Organization, verbose_name=_("submitted for"), on_delete=models.PROTECT, related_name="+"
    )
    group_trip = models.ForeignKey(
        GroupTrip,
        verbose_name=_("group trip"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="settlements",
    )
    # Outside the web root: served only through a view that checks scope.
    invoice = models.FileField(
        _("invoice"), upload_to="invoices/%Y/%m/", max_length=200, storage=private_storage
    )
    invoice_amount_fen = models.BigIntegerField(
        _("invoice amount"), validators=[MinValueValidator(1), MaxValueValidator(MAX_FEN - 1)]
    )
    state = models.CharField(
        _("state"), max_length=10, choices=State.choices, default=State.SUBMITTED
    )
    note = models.TextField(_("note"), blank=True, max_length=2000)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    submitted_at = models.DateTimeField(_("submitted at"), default=timezone.now)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    paid_fen = models.BigIntegerField(_("subsidy paid"), default=0)

    class Meta:
        verbose_name = _("settlement")
        verbose_name_plural = _("settlements")
        ordering = ["-submitted_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(invoice_amount_fen__gt=0), name="settlement_invoice_positive"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.union} {self.submitted_at:%Y-%m-%d}"


class Lottery(models.Model):
    """A batch allocated by priority group and then a recorded, seeded lottery (DESIGN §3).

    Announced first (sign-ups then join a pool instead of taking seats), drawn after the
    deadline. ``applications.lottery.draw(seed, candidates, seats)`` gives ``result`` again from
    the published seed and inputs, so anyone can check it.
    """

    batch = models.OneToOneField(
        Batch, verbose_name=_("batch"), on_delete=models.PROTECT, related_name="lottery"
    )
    announced_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    announced_at = models.DateTimeField(_("announced at"), default=timezone.now)
    seed = models.BigIntegerField(_("random seed"), null=True, blank=True)
    seats = models.PositiveIntegerField(_("seats drawn"), null=True, blank=True)
    # [[application id, priority rank], …] in id order: the published inputs.
    candidates = models.JSONField(_("candidates"), default=list, blank=True)
    # Application ids in drawn order; the first ``seats`` won a seat, the rest wait in this order.
    result = models.JSONField(_("drawn order"), default=list, blank=True)
    drawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    drawn_at = models.DateTimeField(_("drawn at"), null=True, blank=True)

    class Meta:
        verbose_name = _("lottery")
        verbose_name_plural = _("lotteries")
        ordering = ["-announced_at"]

    def __str__(self) -> str:
        return str(self.batch)

    @property
    def is_drawn(self) -> bool:
        return self.drawn_at is not None


class Application(models.Model):
    """One worker on one batch, alone or inside a group trip."""

    batch = models.ForeignKey(
        Batch, verbose_name=_("batch"), on_delete=models.PROTECT, related_name="applications"
    )
    worker = models.ForeignKey(
        Worker, verbose_name=_("worker"), on_delete=models.PROTECT, related_name="applications"
    )
    # The worker's union when applying: scopes organizers and staff with one indexed join.
    union = models.ForeignKey(
        Organization, verbose_name=_("grassroots union"), on_delete=models.PROTECT, related_name="+"
    )
    # The federation whose money pays the subsidy (the worker's county, else the city).
    funding_org = models.ForeignKey(
        Organization, verbose_name=_("funded by"), on_delete=models.PROTECT, related_name="+"
    )
    group_trip = models.ForeignKey(
        GroupTrip,
        verbose_name=_("group trip"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="members",
    )
    status = models.CharField(_("status"), max_length=12, choices=Status.choices)
    year = models.PositiveSmallIntegerField(_("fiscal year"))
    price_fen = models.BigIntegerField(_("union price"))
    subsidy_fen = models.BigIntegerField(_("subsidy"))
    unit_share_fen = models.BigIntegerField(_("unit's share"), default=0)
    net_cost_fen = models.BigIntegerField(_("net cost"))
    quote_lines = models.JSONField(_("cost breakdown"), default=list, blank=True)
    # 0 = the policy's first priority group; larger = later; served first when seats are short.
    priority_rank = models.PositiveSmallIntegerField(_("priority rank"), default=0)
    lottery_rank = models.PositiveIntegerField(_("lottery rank"), null=True, blank=True)
    paid_fen = models.BigIntegerField(_("subsidy paid"), null=True, blank=True)
    settlement = models.ForeignKey(
        Settlement,
        verbose_name=_("settlement"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="applications",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    created_at = models.DateTimeField(_("applied at"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("application")
        verbose_name_plural = _("applications")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["worker", "batch"],
                condition=Q(status__in=sorted(LIVE)),
                name="application_one_live_per_worker_batch",
            ),
            models.CheckConstraint(
                condition=Q(status__in=Status.values), name="application_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(subsidy_fen__gte=0)
                & Q(subsidy_fen__lte=F("price_fen"))
                & Q(net_cost_fen__gte=0),
                name="application_money_sane",
            ),
        ]
        indexes = [
            models.Index(fields=["batch", "status"], name="application_batch_status_idx"),
            models.Index(fields=["worker", "status"], name="application_worker_status_idx"),
            models.Index(fields=["union", "status"], name="application_union_status_idx"),
            models.Index(fields=["funding_org", "status"], name="application_funder_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.worker} · {self.batch}"

    @property
    def cause_id(self) -> str:
        return cause_id(self.pk)

    @property
    def holds_seat(self) -> bool:
        return self.status in SEAT_HOLDING

    def allowed_moves(self) -> list[str]:
        return [s for s in Status.values if s in TRANSITIONS[self.status]]


class StatusChange(models.Model):
    """One move of an application: who, when, from, to and why."""

    application = models.ForeignKey(
        Application, verbose_name=_("application"), on_delete=models.CASCADE, related_name="changes"
    )
    from_status = models.CharField(_("from"), max_length=12, choices=Status.choices, blank=True)
    to_status = models.CharField(_("to"), max_length=12, choices=Status.choices)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    at = models.DateTimeField(_("time"), default=timezone.now)
    reason = models.TextField(_("reason"), blank=True)

    class Meta:
        verbose_name = _("status change")
        verbose_name_plural = _("status changes")
        ordering = ["application", "at", "pk"]

    def __str__(self) -> str:
        return f"{self.application_id}: {self.from_status or '—'} → {self.to_status}"


class RosterImport(models.Model):
    """An ``.xlsx`` roster upload: checked row by row, applied all at once or not at all."""

    class State(models.TextChoices):
        PENDING = "pending", _("Waiting")
        RUNNING = "running", _("Checking")
        DONE = "done", _("Imported")
        FAILED = "failed", _("Refused")

    group_trip = models.ForeignKey(
        GroupTrip, on_delete=models.CASCADE, related_name="imports", verbose_name=_("group trip")
    )
    union = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    file = models.FileField(
        _("file"), upload_to="rosters/%Y/%m/", max_length=200, storage=private_storage
    )
    filename = models.CharField(_("file name"), max_length=200)
    state = models.CharField(max_length=10, choices=State.choices, default=State.PENDING)
    total_rows = models.PositiveIntegerField(default=0)
    done_rows = models.PositiveIntegerField(default=0)
    added = models.PositiveIntegerField(default=0)
    # [{"row": 3, "message": "…"}, …]; a file-level problem has row 0.
    errors = models.JSONField(default=list, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("roster import")
        verbose_name_plural = _("roster imports")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return self.filename

    @property
    def progress_percent(self) -> int:
        if not self.total_rows:
            return 100 if self.state in (self.State.DONE, self.State.FAILED) else 0
        return min(100, self.done_rows * 100 // self.total_rows)
