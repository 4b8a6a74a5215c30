"""The subsidy ledger (double entry, integer fen), fiscal years, policies and snapshots.

Invariants, and who enforces them (docs/funds.md has the table; "the database" means triggers
and constraints from migrations 0002 and 0004, which hold whatever SQL the application sends,
as long as its role is not a superuser):
- every transaction has ≥ 2 entries summing to zero: the services, and on PostgreSQL a deferred
  constraint trigger that rejects an unbalanced commit whatever wrote it;
- money moves only the way a service moves it (grant: issued → available; allocate: available
  between an organization and its direct parent or child; reserve: available → reserved;
  release: reserved → available; pay: reserved → spent; rollover: out of a closed year into the
  next): on PostgreSQL a deferred constraint trigger checks each transaction at commit against
  the whitelist view ``funds_allowed_move``, and that its ``year`` is its earliest leg's;
- entries and transactions are never updated or deleted: no code path does, the admin is
  read-only, and database triggers refuse UPDATE/DELETE on both engines (and TRUNCATE of the
  ledger tables on PostgreSQL);
- a transaction's entries are fixed when it commits: on PostgreSQL each transaction row is
  stamped with the database transaction that wrote it (``db_xact``, not a model field), and an
  entry is accepted only from that database transaction; an entry's kind is its transaction's;
- ``Account.balance`` is the running sum of its entries, kept by a database trigger on entry
  insert (both engines), so it cannot drift from the entries; so are the utilization figures
  beside it (``received``, ``rolled_in``, ``rolled_out``, ``served``: migration 0006); an
  account is opened with a zero balance and zero figures, and its key (org, year, source,
  bucket) never changes (both engines); one with entries cannot be deleted (PROTECT foreign
  keys);
- ``available`` and ``reserved`` balances never go below zero: a CHECK constraint on Account;
- a closed fiscal year stays closed: its ``closed_at``/``closed_by``/year cannot change (both
  engines) and it cannot be deleted (PostgreSQL);
- one rollover per account: a unique constraint on Rollover.account; on PostgreSQL a rollover
  row is never changed or deleted.
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Organization, WorkerCategory


class FundSource(models.TextChoices):
    PROVINCIAL_SPECIAL = "provincial_special", _("Provincial special fund")
    CITY_MATCHING = "city_matching", _("City matching fund")
    COUNTY_MATCHING = "county_matching", _("County matching fund")


class Bucket(models.TextChoices):
    AVAILABLE = "available", _("Available")
    RESERVED = "reserved", _("Reserved")
    SPENT = "spent", _("Spent")
    ISSUED = "issued", _("Issued from outside")


class Kind(models.TextChoices):
    GRANT = "grant", _("Grant")
    ALLOCATE = "allocate", _("Allocation")
    RESERVE = "reserve", _("Reservation")
    RELEASE = "release", _("Release")
    PAY = "pay", _("Payment")
    ROLLOVER = "rollover", _("Rollover")


class Cause(models.TextChoices):
    GRANT = "grant", _("Grant")
    ALLOCATION = "allocation", _("Allocation")
    APPLICATION = "application", _("Application")
    ROLLOVER = "rollover", _("Rollover")


class FiscalYear(models.Model):
    """A fiscal year; once ``closed_at`` is set it takes no new money and no new reservations."""

    year = models.PositiveSmallIntegerField(_("fiscal year"), primary_key=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("closed by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    rollover_finished_at = models.DateTimeField(_("rollover finished at"), null=True, blank=True)

    class Meta:
        verbose_name = _("fiscal year")
        verbose_name_plural = _("fiscal years")
        ordering = ["-year"]

    def __str__(self) -> str:
        return str(self.year)

    @property
    def is_closed(self) -> bool:
        return self.closed_at is not None


class Account(models.Model):
    org = models.ForeignKey(
        Organization, verbose_name=_("organization"), on_delete=models.PROTECT, related_name="+"
    )
    year = models.PositiveSmallIntegerField(_("fiscal year"))
    source = models.CharField(_("fund source"), max_length=24, choices=FundSource.choices)
    bucket = models.CharField(_("bucket"), max_length=12, choices=Bucket.choices)
    # Running totals, maintained by the database trigger on Entry insert (migration 0006) and
    # refused any other write on PostgreSQL: the balance in fen, and the figures utilization
    # needs (DESIGN §4), so that a subtree's year is one aggregate over its accounts instead of
    # a scan of the year's entries. ``received``: grant and allocation entries on an available
    # account; ``rolled_in`` / ``rolled_out``: rollover entries in / out (fen, both ≥ 0);
    # ``served``: applications paid from this spent account whose cause this organization and
    # year had not paid before (people served, DESIGN §4).
    balance = models.BigIntegerField(_("balance (fen)"), default=0, editable=False)
    received = models.BigIntegerField(_("received (fen)"), default=0, editable=False)
    rolled_in = models.BigIntegerField(_("rolled in (fen)"), default=0, editable=False)
    rolled_out = models.BigIntegerField(_("rolled out (fen)"), default=0, editable=False)
    served = models.PositiveIntegerField(_("people served"), default=0, editable=False)

    class Meta:
        verbose_name = _("account")
        verbose_name_plural = _("accounts")
        ordering = ["org_id", "year", "source", "bucket"]
        constraints = [
            models.UniqueConstraint(
                fields=["org", "year", "source", "bucket"], name="account_unique_key"
            ),
            models.CheckConstraint(
                condition=Q(balance__gte=0) | Q(bucket__in=[Bucket.SPENT, Bucket.ISSUED]),
                name="account_available_reserved_not_negative",
                violation_error_message=_("An available or reserved balance cannot go negative."),
            ),
        ]
        indexes = [models.Index(fields=["year", "bucket"], name="account_year_bucket_idx")]

    def __str__(self) -> str:
        return f"{self.org.code}/{self.year}/{self.source}/{self.bucket}"


class Transaction(models.Model):
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    cause_type = models.CharField(_("cause"), max_length=12, choices=Cause.choices)
    cause_id = models.CharField(_("cause reference"), max_length=64, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("actor"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    memo = models.CharField(_("memo"), max_length=200, blank=True)
    idempotency_key = models.CharField(_("idempotency key"), max_length=100, unique=True)
    # sha256 of what the transaction does; a replayed key must carry the same fingerprint.
    fingerprint = models.CharField(max_length=64, editable=False)
    year = models.PositiveSmallIntegerField(_("fiscal year"), db_index=True)
    # The business date of the movement (a settlement recorded today may be for last week);
    # created_at is when it was written.
    value_date = models.DateField(_("value date"), default=timezone.localdate, db_index=True)
    created_at = models.DateTimeField(_("recorded at"), default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("ledger transaction")
        verbose_name_plural = _("ledger transactions")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["cause_type", "cause_id"], name="txn_cause_idx")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} #{self.pk}"


class Entry(models.Model):
    transaction = models.ForeignKey(
        Transaction, verbose_name=_("transaction"), on_delete=models.PROTECT, related_name="entries"
    )
    account = models.ForeignKey(
        Account, verbose_name=_("account"), on_delete=models.PROTECT, related_name="entries"
    )
    amount = models.BigIntegerField(_("amount (fen)"))  # + increases the account's balance
    kind = models.CharField(max_length=12, choices=Kind.choices, editable=False)  # = transaction's

    class Meta:
        verbose_name = _("ledger entry")
        verbose_name_plural = _("ledger entries")
        ordering = ["pk"]
        constraints = [
            models.CheckConstraint(condition=~Q(amount=0), name="entry_amount_not_zero"),
        ]
        # Utilization sums flows by kind over a subtree's accounts: this index serves it.
        indexes = [models.Index(fields=["kind", "account"], name="entry_kind_account_idx")]

    def __str__(self) -> str:
        return f"{self.account}: {self.amount:+d}"


class Rollover(models.Model):
    """Proof that an account's year was closed: exactly one per account (DB-enforced)."""

    account = models.OneToOneField(
        Account, verbose_name=_("account"), on_delete=models.PROTECT, related_name="rollover"
    )
    amount = models.BigIntegerField(_("amount moved (fen)"))
    transaction = models.OneToOneField(
        Transaction, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("rollover")
        verbose_name_plural = _("rollovers")

    def __str__(self) -> str:
        return f"{self.account}: {self.amount}"


class SubsidyPolicy(models.Model):
    """One fiscal year's subsidy standard, set by city staff (DESIGN §3).

    Money fields are fen; ``funds.forms.PolicyForm`` edits them in yuan (pages and admin alike).
    """

    year = models.PositiveSmallIntegerField(_("fiscal year"), unique=True)
    title = models.CharField(_("title"), max_length=100)
    rate_model_worker = models.PositiveIntegerField(_("daily rate: model worker"))
    rate_senior_technician = models.PositiveIntegerField(_("daily rate: senior technician"))
    rate_technician = models.PositiveIntegerField(_("daily rate: technician"))
    rate_senior_worker = models.PositiveIntegerField(_("daily rate: senior skilled worker"))
    rate_member = models.PositiveIntegerField(_("daily rate: union member"))
    max_days_in_province = models.PositiveSmallIntegerField(
        _("max subsidised days in province"), default=5, validators=[MinValueValidator(1)]
    )
    max_days_out_of_province = models.PositiveSmallIntegerField(
        _("max subsidised days out of province"), default=7, validators=[MinValueValidator(1)]
    )
    cost_ceiling_per_day = models.PositiveIntegerField(
        _("cost ceiling per person per day"), default=50000
    )
    yearly_cap_per_person = models.PositiveIntegerField(_("yearly cap per person"), default=300000)
    trips_per_window = models.PositiveSmallIntegerField(
        _("subsidised trips per frequency window"), default=1, validators=[MinValueValidator(1)]
    )
    frequency_window_years = models.PositiveSmallIntegerField(
        _("frequency window (years)"), default=1, validators=[MinValueValidator(1)]
    )
    out_of_province_window_years = models.PositiveSmallIntegerField(
        _("no repeat out-of-province trip within (years)"), default=3
    )
    unit_share_percent = models.PositiveSmallIntegerField(
        _("unit's share of the rest (%)"),
        default=0,
        validators=[MaxValueValidator(100)],
        help_text=_("Part of the cost left after the subsidy that the worker's unit pays."),
    )
    priority_groups = models.JSONField(
        _("priority groups"),
        default=list,
        blank=True,
        help_text=_("Groups served first when a batch is oversubscribed, in order."),
    )
    utilization_target_percent = models.PositiveSmallIntegerField(
        _("utilization target (%)"), default=80, validators=[MaxValueValidator(100)]
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("subsidy policy")
        verbose_name_plural = _("subsidy policies")
        ordering = ["-year"]

    def __str__(self) -> str:
        return self.title

    def daily_rate(self, category: str) -> int:
        return {
            WorkerCategory.MODEL_WORKER: self.rate_model_worker,
            WorkerCategory.SENIOR_TECHNICIAN: self.rate_senior_technician,
            WorkerCategory.TECHNICIAN: self.rate_technician,
            WorkerCategory.SENIOR_WORKER: self.rate_senior_worker,
        }.get(category, self.rate_member)

    def max_days(self, *, in_province: bool) -> int:
        return self.max_days_in_province if in_province else self.max_days_out_of_province


class UtilizationSnapshot(models.Model):
    """A daily picture of one organization subtree's use of one year's money."""

    org = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    year = models.PositiveSmallIntegerField()
    day = models.DateField()
    received = models.BigIntegerField(default=0)
    rolled_in = models.BigIntegerField(default=0)
    rolled_out = models.BigIntegerField(default=0)
    reserved = models.BigIntegerField(default=0)
    spent = models.BigIntegerField(default=0)
    available = models.BigIntegerField(default=0)
    people_served = models.PositiveIntegerField(default=0)
    projected_rate = models.DecimalField(max_digits=6, decimal_places=4, default=0)
    target_rate = models.DecimalField(max_digits=6, decimal_places=4, default=0)
    warning = models.BooleanField(default=False)

    class Meta:
        verbose_name = _("utilization snapshot")
        verbose_name_plural = _("utilization snapshots")
        ordering = ["-day", "org_id"]
        constraints = [
            models.UniqueConstraint(fields=["org", "year", "day"], name="snapshot_unique_day"),
        ]

    def __str__(self) -> str:
        return f"{self.org_id}/{self.year}/{self.day}"
