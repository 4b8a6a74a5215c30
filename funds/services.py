"""Every write on the ledger. Plain keyword-only functions, each atomic.

Concurrency is decided in one place, ``_post``: it locks every account a transaction touches in
ascending primary-key order (so two movements can never deadlock), re-reads balances and the
fiscal year's state under those locks, checks, and only then writes. Each movement carries an
idempotency key: replaying a key with the same content returns the first transaction, with
different content it is refused.
"""

from __future__ import annotations

import hashlib
import json
import logging
import operator
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from functools import reduce

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q, Sum
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.audit import audit
from accounts.models import Organization, OrgKind, User
from funds.models import (
    Account,
    Bucket,
    Cause,
    Entry,
    FiscalYear,
    FundSource,
    Kind,
    Rollover,
    SubsidyPolicy,
    Transaction,
    UtilizationSnapshot,
)
from funds.selectors import early_warnings
from recuperation.money import format_yuan

logger = logging.getLogger(__name__)

# Which fund a reservation draws first: the provincial special fund is the one that must not
# lie unused (it is what the source document's rollover was about), then local matching.
SOURCE_ORDER = (
    FundSource.PROVINCIAL_SPECIAL,
    FundSource.COUNTY_MATCHING,
    FundSource.CITY_MATCHING,
)
MONEY_ORG_KINDS = {OrgKind.PROVINCE, OrgKind.CITY, OrgKind.COUNTY, OrgKind.GRASSROOTS}


class FundsError(ValidationError):
    """A refused movement. Subclasses ValidationError, so pages and the API show the message."""


class InsufficientFunds(FundsError):
    pass


class ClosedYear(FundsError):
    pass


class WrongOrg(FundsError):
    pass


class DuplicateKey(FundsError):
    pass


class InvalidAmount(FundsError):
    pass


@dataclass(frozen=True)
class Leg:
    org_id: int
    year: int
    source: str
    bucket: str
    amount: int


# --- the one place that writes ------------------------------------------------------------


def _fingerprint(kind: str, cause_type: str, cause_id: str, legs: Sequence[Leg]) -> str:
    body = {
        "kind": kind,
        "cause": [cause_type, cause_id],
        "legs": sorted([leg.org_id, leg.year, leg.source, leg.bucket, leg.amount] for leg in legs),
    }
    return hashlib.sha256(json.dumps(body, sort_keys=True).encode()).hexdigest()


def _written_under(key: str) -> list[Transaction]:
    """Transactions an earlier call with this key wrote: the key itself and its ``key:…`` parts
    (a payment's remainder, a carry hop), never another key that merely starts the same way."""
    return list(
        Transaction.objects.filter(
            Q(idempotency_key=key) | Q(idempotency_key__startswith=f"{key}:")
        )
    )


def _key_taken(key: str) -> DuplicateKey:
    return DuplicateKey(
        _("The key %(key)s was already used for a different movement.") % {"key": key}
    )


def _replayed(key: str, fingerprint: str) -> Transaction | None:
    existing = Transaction.objects.filter(idempotency_key=key).first()
    if existing is None:
        return None
    if existing.fingerprint != fingerprint:
        raise _key_taken(key)
    return existing


AccountKey = tuple[int, int, str, str]  # (org_id, year, source, bucket)


def lock_accounts(account_ids: Iterable[int]) -> dict[int, Account]:
    """Lock accounts in ascending id order (a fixed order: concurrent movements cannot deadlock)."""
    locked = (
        Account.objects.select_for_update()
        .filter(pk__in=set(account_ids))
        .select_related("org")
        .order_by("pk")
    )
    return {account.pk: account for account in locked}


def _prepare(keys: Iterable[AccountKey]) -> dict[AccountKey, Account]:
    """Lock every account a movement may touch, creating the missing ones, before writing.

    Existing accounts are locked in one statement in ascending id order; missing ones are then
    created in sorted key order (a new row is invisible to others until commit, so creating it
    waits for nobody but a concurrent creator of the same key, which takes locks in the same
    order). In the common case, when all accounts exist, this is a single query.
    """
    wanted = sorted(set(keys))
    if not wanted:
        return {}
    match = reduce(
        operator.or_,
        (Q(org_id=o, year=y, source=s, bucket=b) for o, y, s, b in wanted),
    )
    found = {
        (a.org_id, a.year, a.source, a.bucket): a
        for a in Account.objects.select_for_update()
        .filter(match)
        .select_related("org")
        .order_by("pk")
    }
    missing = [key for key in wanted if key not in found]
    if missing:
        _open_accounts(missing)
        locked = lock_accounts(Account.objects.filter(match).values_list("pk", flat=True)).values()
        found = {(a.org_id, a.year, a.source, a.bucket): a for a in locked}
    return {key: found[key] for key in wanted}


def _open_accounts(keys: Sequence[AccountKey]) -> None:
    """Create the accounts for ``keys`` (sorted) in one statement, skipping any that exist.

    A concurrent creator of the same key makes this wait for its commit (the unique key), then
    the row is skipped: no savepoint, no error. The caller locks the rows afterwards.
    """
    Account.objects.bulk_create(
        [Account(org_id=o, year=y, source=s, bucket=b) for o, y, s, b in sorted(keys)],
        ignore_conflicts=True,
    )


def _year_is_closed(year: int) -> bool:
    """Closing a year closes every earlier year too (years close in order)."""
    return FiscalYear.objects.filter(year__gte=year, closed_at__isnull=False).exists()


def _ensure_open(year: int) -> None:
    if _year_is_closed(year):
        raise ClosedYear(
            _("Fiscal year %(year)s is closed: it takes no new money or reservations.")
            % {"year": year}
        )


def _post(
    *,
    kind: str,
    cause_type: str,
    cause_id: str = "",
    legs: Sequence[Leg],
    by: User | None,
    key: str,
    memo: str = "",
    open_years: Iterable[int] = (),
    value_date: date | None = None,
) -> Transaction:
    """Write one balanced transaction, or nothing. Must run inside ``transaction.atomic``."""
    if len(legs) < 2 or sum(leg.amount for leg in legs) != 0:
        raise FundsError(_("A ledger transaction needs two or more entries that sum to zero."))
    if any(leg.amount == 0 for leg in legs):
        raise InvalidAmount(_("A ledger entry cannot be zero."))
    fingerprint = _fingerprint(kind, cause_type, cause_id, legs)
    accounts = _prepare((leg.org_id, leg.year, leg.source, leg.bucket) for leg in legs)
    # Under the locks: a concurrent call with the same key has committed by now, if it ran.
    if (existing := _replayed(key, fingerprint)) is not None:
        existing.is_new = False
        return existing
    # Read the years' state only after locking, so a rollover that closed a year is seen.
    for year in set(open_years):
        _ensure_open(year)
    delta: dict[int, int] = {}
    for leg in legs:
        account = accounts[(leg.org_id, leg.year, leg.source, leg.bucket)]
        delta[account.pk] = delta.get(account.pk, 0) + leg.amount
    by_pk = {account.pk: account for account in accounts.values()}
    for account_id, change in delta.items():
        account = by_pk[account_id]
        if account.bucket in (Bucket.AVAILABLE, Bucket.RESERVED) and account.balance + change < 0:
            raise InsufficientFunds(
                _(
                    "%(org)s has %(balance)s %(bucket)s in %(source)s for %(year)s; "
                    "%(needed)s is needed."
                )
                % {
                    "org": account.org.name,
                    "balance": format_yuan(account.balance),
                    "bucket": account.get_bucket_display(),
                    "source": account.get_source_display(),
                    "year": account.year,
                    "needed": format_yuan(-change),
                }
            )
    txn = Transaction.objects.create(
        kind=kind,
        cause_type=cause_type,
        cause_id=cause_id,
        actor=by if by is not None and by.is_authenticated else None,
        memo=memo[:200],
        idempotency_key=key,
        fingerprint=fingerprint,
        year=min(leg.year for leg in legs),
        value_date=value_date or timezone.localdate(),
    )
    Entry.objects.bulk_create(
        Entry(
            transaction=txn,
            account=accounts[(leg.org_id, leg.year, leg.source, leg.bucket)],
            amount=leg.amount,
            kind=kind,
        )
        for leg in legs
    )
    txn.is_new = True
    return txn


def _check_amount(amount: int) -> None:
    if not isinstance(amount, int) or isinstance(amount, bool) or amount <= 0:
        raise InvalidAmount(_("The amount must be a positive number of fen."))


def _check_money_org(org: Organization) -> None:
    if org.kind not in MONEY_ORG_KINDS:
        raise WrongOrg(_("Only union organizations hold recuperation funds."))


# --- movements -----------------------------------------------------------------------------


@transaction.atomic
def grant(
    *,
    org: Organization,
    year: int,
    source: str,
    amount: int,
    by: User | None,
    key: str,
    memo: str = "",
    value_date: date | None = None,
) -> Transaction:
    """Money entering the tree from outside (e.g. the province's special fund) → org available."""
    _check_amount(amount)
    _check_money_org(org)
    if source not in FundSource.values:
        raise FundsError(_("Unknown fund source."))
    txn = _post(
        kind=Kind.GRANT,
        cause_type=Cause.GRANT,
        cause_id=org.code,
        legs=[
            Leg(org.pk, year, source, Bucket.ISSUED, -amount),
            Leg(org.pk, year, source, Bucket.AVAILABLE, amount),
        ],
        by=by,
        key=key,
        memo=memo,
        open_years=[year],
        value_date=value_date,
    )
    if txn.is_new:
        audit(txn, "grant", by=by, org=org, amount=amount, year=year, source=source)
    return txn


@transaction.atomic
def allocate(
    *,
    from_org: Organization,
    to_org: Organization,
    year: int,
    source: str,
    amount: int,
    by: User | None,
    key: str,
    memo: str = "",
    value_date: date | None = None,
) -> Transaction:
    """Parent available → direct child available; or, as a recall, child → its parent."""
    _check_amount(amount)
    _check_money_org(to_org)
    _check_money_org(from_org)
    if to_org.parent_id != from_org.pk and from_org.parent_id != to_org.pk:
        raise WrongOrg(
            _("Money moves only between an organization and its direct parent or children.")
        )
    txn = _post(
        kind=Kind.ALLOCATE,
        cause_type=Cause.ALLOCATION,
        cause_id=f"{from_org.code}>{to_org.code}",
        legs=[
            Leg(from_org.pk, year, source, Bucket.AVAILABLE, -amount),
            Leg(to_org.pk, year, source, Bucket.AVAILABLE, amount),
        ],
        by=by,
        key=key,
        memo=memo,
        open_years=[year],
        value_date=value_date,
    )
    if txn.is_new:
        audit(txn, "allocate", by=by, org=from_org, to=to_org.code, amount=amount, year=year)
    return txn


@transaction.atomic
def reserve(
    *,
    org: Organization,
    year: int,
    amount: int,
    cause_id: str,
    by: User | None,
    key: str | None = None,
    memo: str = "",
    value_date: date | None = None,
) -> Transaction:
    """On approval: org available → reserved, drawing the fund sources in SOURCE_ORDER."""
    _check_amount(amount)
    _check_money_org(org)
    key = key or f"reserve:{cause_id}"
    # A replay returns the first reservation, whatever the balances (and so the split) are now.
    if (existing := Transaction.objects.filter(idempotency_key=key).first()) is not None:
        if existing.cause_id != cause_id or existing.kind != Kind.RESERVE:
            raise _key_taken(key)
        return existing
    # Lock every account of this org and year first, then plan the split on locked balances.
    accounts = _prepare(
        (org.pk, year, source, bucket)
        for source in SOURCE_ORDER
        for bucket in (Bucket.AVAILABLE, Bucket.RESERVED)
    )
    _ensure_open(year)
    left = amount
    legs: list[Leg] = []
    for source in SOURCE_ORDER:
        take = min(left, accounts[(org.pk, year, source, Bucket.AVAILABLE)].balance)
        if take > 0:
            legs += [
                Leg(org.pk, year, source, Bucket.AVAILABLE, -take),
                Leg(org.pk, year, source, Bucket.RESERVED, take),
            ]
            left -= take
    if left > 0:
        total = amount - left
        raise InsufficientFunds(
            _("%(org)s has only %(available)s available for %(year)s; %(needed)s is needed.")
            % {
                "org": org.name,
                "available": format_yuan(total),
                "year": year,
                "needed": format_yuan(amount),
            }
        )
    txn = _post(
        kind=Kind.RESERVE,
        cause_type=Cause.APPLICATION,
        cause_id=cause_id,
        legs=legs,
        by=by,
        key=key,
        memo=memo,
        open_years=[year],
        value_date=value_date,
    )
    return txn


def reserved_for(cause_id: str) -> dict[tuple[int, int, str], int]:
    """What is still reserved for one application: {(org_id, year, source): fen}."""
    rows = (
        Entry.objects.filter(
            transaction__cause_type=Cause.APPLICATION,
            transaction__cause_id=cause_id,
            account__bucket=Bucket.RESERVED,
        )
        .values_list("account__org_id", "account__year", "account__source")
        .annotate(total=Sum("amount"))
    )
    return {(org_id, year, source): total for org_id, year, source, total in rows if total}


def _lock_cause(cause_id: str, *, paying: bool) -> dict[tuple[int, int, str], int]:
    """Lock every account that paying or giving back a reservation may touch, then return what
    is still reserved for the cause, read under those locks."""
    keys: list[AccountKey] = []
    for org_id, year, source in reserved_for(cause_id):
        keys += [(org_id, year, source, Bucket.RESERVED), (org_id, year, source, Bucket.AVAILABLE)]
        keys.append((org_id, year + 1, source, Bucket.AVAILABLE))  # where a closed year gives back
        hop = year + 1
        while _year_is_closed(hop):
            hop += 1
            keys.append((org_id, hop, source, Bucket.AVAILABLE))
        if paying:
            keys.append((org_id, year, source, Bucket.SPENT))
    _prepare(keys)
    return reserved_for(cause_id)


def _give_back_legs(org_id: int, year: int, source: str, amount: int) -> list[list[Leg]]:
    """Legs returning ``amount`` of a reservation to available money.

    Into the same year while it is open; once it is closed, into the next year, hop by hop, so
    each closed year's rolled-out money is exactly the next year's rolled-in money.
    """
    if not _year_is_closed(year):
        return [
            [
                Leg(org_id, year, source, Bucket.RESERVED, -amount),
                Leg(org_id, year, source, Bucket.AVAILABLE, amount),
            ]
        ]
    hops = [
        [
            Leg(org_id, year, source, Bucket.RESERVED, -amount),
            Leg(org_id, year + 1, source, Bucket.AVAILABLE, amount),
        ]
    ]
    target = year + 1
    while _year_is_closed(target):
        hops.append(
            [
                Leg(org_id, target, source, Bucket.AVAILABLE, -amount),
                Leg(org_id, target + 1, source, Bucket.AVAILABLE, amount),
            ]
        )
        target += 1
    return hops


def _post_give_back(
    *,
    cause_id: str,
    parts: dict[tuple[int, int, str], int],
    by: User | None,
    key: str,
    memo: str,
    value_date: date | None = None,
) -> list[Transaction]:
    same_year: list[Leg] = []
    carried: list[list[Leg]] = []
    for (org_id, year, source), amount in sorted(parts.items()):
        hops = _give_back_legs(org_id, year, source, amount)
        if len(hops) == 1 and hops[0][1].year == year:
            same_year += hops[0]
        else:
            carried += hops
    txns = []
    if same_year:
        txns.append(
            _post(
                kind=Kind.RELEASE,
                cause_type=Cause.APPLICATION,
                cause_id=cause_id,
                legs=same_year,
                by=by,
                key=key,
                memo=memo,
                value_date=value_date,
            )
        )
    for n, legs in enumerate(carried):
        txns.append(
            _post(
                kind=Kind.ROLLOVER,
                cause_type=Cause.APPLICATION,
                cause_id=cause_id,
                legs=legs,
                by=by,
                key=f"{key}:carry{n}",
                memo=memo or "closed year: carried into the next year",
                value_date=value_date,
            )
        )
    return txns


@transaction.atomic
def release(
    *,
    cause_id: str,
    by: User | None,
    key: str | None = None,
    memo: str = "",
    value_date: date | None = None,
) -> list[Transaction]:
    """Give back everything still reserved for an application (rejected, withdrawn, no-show)."""
    key = key or f"release:{cause_id}"
    if done := _written_under(key):
        return done
    parts = _lock_cause(cause_id, paying=False)
    if not parts:
        return []
    return _post_give_back(
        cause_id=cause_id, parts=parts, by=by, key=key, memo=memo, value_date=value_date
    )


@transaction.atomic
def pay(
    *,
    cause_id: str,
    amount: int,
    by: User | None,
    key: str | None = None,
    memo: str = "",
    value_date: date | None = None,
) -> list[Transaction]:
    """On settlement: reserved → spent for ``amount``; whatever else was reserved is released."""
    if not isinstance(amount, int) or amount < 0:
        raise InvalidAmount(_("The amount paid cannot be negative."))
    key = key or f"pay:{cause_id}"
    if done := _written_under(key):
        return done
    parts = _lock_cause(cause_id, paying=True)
    reserved_total = sum(parts.values())
    if amount > reserved_total:
        raise InsufficientFunds(
            _("Cannot pay %(amount)s: only %(reserved)s is reserved for this application.")
            % {"amount": format_yuan(amount), "reserved": format_yuan(reserved_total)}
        )
    legs: list[Leg] = []
    remainder: dict[tuple[int, int, str], int] = {}
    left = amount
    for part_key in sorted(parts, key=lambda k: SOURCE_ORDER.index(k[2])):
        org_id, year, source = part_key
        take = min(left, parts[part_key])
        if take:
            legs += [
                Leg(org_id, year, source, Bucket.RESERVED, -take),
                Leg(org_id, year, source, Bucket.SPENT, take),
            ]
            left -= take
        if parts[part_key] - take:
            remainder[part_key] = parts[part_key] - take
    txns = []
    if legs:
        txns.append(
            _post(
                kind=Kind.PAY,
                cause_type=Cause.APPLICATION,
                cause_id=cause_id,
                legs=legs,
                by=by,
                key=key,
                memo=memo,
                value_date=value_date,
            )
        )
    if remainder:
        txns += _post_give_back(
            cause_id=cause_id,
            parts=remainder,
            by=by,
            key=f"{key}:remainder",
            memo=memo,
            value_date=value_date,
        )
    return txns


@transaction.atomic
def save_policy(*, policy: SubsidyPolicy, by: User | None) -> SubsidyPolicy:
    """Create or change a year's subsidy policy (validated by the form or ``full_clean``)."""
    created = policy.pk is None
    policy.full_clean()
    policy.save()
    audit(
        policy, "policy_created" if created else "policy_changed", by=by, org=by.org if by else None
    )
    return policy


# --- year end --------------------------------------------------------------------------------


@dataclass
class RolloverLine:
    org_code: str
    org_name: str
    source: str
    amount: int

    @property
    def source_label(self) -> str:
        return str(FundSource(self.source).label)


def rollover_preview(*, year: int) -> list[RolloverLine]:
    """What closing ``year`` would move: every available account not yet rolled over."""
    accounts = (
        Account.objects.filter(year=year, bucket=Bucket.AVAILABLE, rollover__isnull=True)
        .select_related("org")
        .order_by("org__path", "source")
    )
    return [RolloverLine(a.org.code, a.org.name, a.source, a.balance) for a in accounts]


def _close_year(year: int, by: User | None) -> None:
    FiscalYear.objects.get_or_create(year=year)
    FiscalYear.objects.filter(year=year, closed_at__isnull=True).update(
        closed_at=timezone.now(), closed_by=by if by is not None and by.is_authenticated else None
    )


ROLLOVER_BATCH_SIZE = 500  # accounts per database transaction


@transaction.atomic
def _roll_batch(account_ids: Sequence[int], by: User | None) -> list[RolloverLine]:
    """Roll a batch of one year's available accounts into the next year, in one transaction.

    Set-based: one statement locks the batch's accounts and their next-year accounts in
    ascending id order (the order every movement locks in, so this cannot deadlock with them),
    one creates the missing next-year accounts, then the rollover transactions, their entries
    and the proof rows are each written in one bulk insert. An account that already has its
    proof (another run did it) is skipped, read under the lock.
    """
    batch = list(Account.objects.filter(pk__in=account_ids).values_list("org_id", "year", "source"))
    if not batch:
        return []
    year = batch[0][1]
    org_ids = {org_id for org_id, _, _ in batch}
    sources = {source for _, _, source in batch}
    next_keys = {(org_id, year + 1, source, Bucket.AVAILABLE) for org_id, _, source in batch}

    def lock() -> dict[AccountKey, Account]:
        rows = (
            Account.objects.select_for_update(of=("self",))
            .filter(
                org_id__in=org_ids,
                year__in=(year, year + 1),
                source__in=sources,
                bucket=Bucket.AVAILABLE,
            )
            .select_related("org")
            .order_by("pk")
        )
        return {(a.org_id, a.year, a.source, a.bucket): a for a in rows}

    locked = lock()
    if missing := [key for key in sorted(next_keys) if key not in locked]:
        _open_accounts(missing)
        locked = lock()
    done = set(
        Rollover.objects.filter(account_id__in=account_ids).values_list("account_id", flat=True)
    )
    todo = sorted(
        (
            locked[(org_id, year, source, Bucket.AVAILABLE)]
            for org_id, _, source in batch
            if (org_id, year, source, Bucket.AVAILABLE) in locked
        ),
        key=lambda account: account.pk,
    )
    todo = [account for account in todo if account.pk not in done]
    movements: dict[int, tuple[Transaction, list[Leg]]] = {}
    for account in todo:
        if account.balance <= 0:
            continue
        legs = [
            Leg(account.org_id, year, account.source, Bucket.AVAILABLE, -account.balance),
            Leg(account.org_id, year + 1, account.source, Bucket.AVAILABLE, account.balance),
        ]
        txn = Transaction(
            kind=Kind.ROLLOVER,
            cause_type=Cause.ROLLOVER,
            cause_id=str(year),
            actor=by if by is not None and by.is_authenticated else None,
            idempotency_key=f"rollover:{account.pk}",
            fingerprint=_fingerprint(Kind.ROLLOVER, Cause.ROLLOVER, str(year), legs),
            year=year,
            value_date=date(year, 12, 31),
        )
        movements[account.pk] = (txn, legs)
    if movements:
        Transaction.objects.bulk_create([txn for txn, _ in movements.values()])
        Entry.objects.bulk_create(
            Entry(
                transaction=txn,
                account=locked[(leg.org_id, leg.year, leg.source, leg.bucket)],
                amount=leg.amount,
                kind=Kind.ROLLOVER,
            )
            for txn, legs in movements.values()
            for leg in legs
        )
    # The unique account of Rollover is the last guard: under the locks it cannot collide.
    Rollover.objects.bulk_create(
        Rollover(
            account=account,
            amount=account.balance,
            transaction=movements[account.pk][0] if account.pk in movements else None,
        )
        for account in todo
    )
    return [
        RolloverLine(account.org.code, account.org.name, account.source, account.balance)
        for account in todo
    ]


def rollover(*, year: int, by: User | None = None) -> list[RolloverLine]:
    """Close fiscal year ``year`` and move every unspent available balance into ``year + 1``.

    Idempotent and safe to run concurrently or after a crash: the year is marked closed first
    (so nothing new lands in it), then the accounts move in batches of
    ``ROLLOVER_BATCH_SIZE``, each batch in its own transaction under its accounts' row locks,
    and an account with a Rollover row is never moved again.
    """
    if year > timezone.localdate().year:
        raise ClosedYear(_("A fiscal year cannot be closed before it has begun."))
    earlier_open = (
        Account.objects.filter(year__lt=year)
        .exclude(year__in=FiscalYear.objects.filter(closed_at__isnull=False).values("year"))
        .order_by("year")
        .values_list("year", flat=True)
        .first()
    )
    if earlier_open is not None:
        raise ClosedYear(
            _("Close fiscal year %(earlier)s first: years are closed in order.")
            % {"earlier": earlier_open}
        )
    _close_year(year, by)
    moved: list[RolloverLine] = []
    ids = list(
        Account.objects.filter(year=year, bucket=Bucket.AVAILABLE, rollover__isnull=True)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    for start in range(0, len(ids), ROLLOVER_BATCH_SIZE):
        moved += _roll_batch(ids[start : start + ROLLOVER_BATCH_SIZE], by)
    FiscalYear.objects.filter(year=year, rollover_finished_at__isnull=True).update(
        rollover_finished_at=timezone.now()
    )
    if moved:
        logger.info("Rolled over %d accounts of %d", len(moved), year)
    return moved


# --- daily snapshot -------------------------------------------------------------------------


def snapshot_utilization(*, day: date | None = None) -> int:
    """Store today's utilization and early-warning flag for every federation organization.

    Idempotent: one row per (org, year, day), overwritten if the job runs again that day.
    """
    day = day or timezone.localdate()
    orgs = Organization.objects.filter(kind__in=[OrgKind.CITY, OrgKind.COUNTY], is_active=True)
    count = 0
    for warning in early_warnings(orgs=orgs, year=day.year, today=day):
        usage = warning.usage
        UtilizationSnapshot.objects.update_or_create(
            org=warning.org,
            year=day.year,
            day=day,
            defaults={
                "received": usage.received,
                "rolled_in": usage.rolled_in,
                "rolled_out": usage.rolled_out,
                "reserved": usage.reserved,
                "spent": usage.spent,
                "available": usage.available,
                "people_served": usage.people_served,
                "projected_rate": warning.projected_rate,
                "target_rate": warning.target_rate,
                "warning": warning.is_behind,
            },
        )
        count += 1
    return count
