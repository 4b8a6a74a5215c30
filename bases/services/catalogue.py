"""Writes on bases' profiles, itineraries and batches, and the seat counter (lock_batch)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.audit import audit
from accounts.models import Organization, User
from bases import cache as page_cache
from bases import signals
from bases.models import (
    PUBLIC_STATUSES,
    AccreditationStep,
    Base,
    BasePhoto,
    BaseStatus,
    Batch,
    BatchStatus,
    Itinerary,
)
from bases.validators import check_batch_dates
from recuperation.prepared import Prepared

# --- Seats (used by the applications app) -----------------------------------------------------


def lock_batch(batch_id: int) -> Batch:
    """Lock one batch row for the rest of the current transaction and return it fresh.

    The one place seats are serialised: call it inside ``transaction.atomic()`` before reading
    ``seats_left`` and changing ``seats_held`` (e.g. with ``batch_take_seats``). On PostgreSQL this
    is ``SELECT … FOR UPDATE`` (no joins, so only the batch row is locked); on SQLite the
    IMMEDIATE transaction mode of the settings already serialises writers.
    """
    batch = _LOCK_BATCH.first(batch_id)
    if batch is None:
        raise Batch.DoesNotExist("Batch matching query does not exist.")
    return batch


# Compiled once (recuperation.prepared): every sign-up takes this lock.
_LOCK_BATCH = Prepared(lambda pk: Batch.objects.select_for_update().filter(pk=pk)[:1])


def batch_take_seats(*, batch: Batch, seats: int = 1) -> bool:
    """Hold ``seats`` more seats on a batch locked with ``lock_batch``; False when too few left."""
    if seats < 1:
        raise ValueError("seats must be positive")
    if batch.capacity - batch.seats_held < seats:
        return False
    batch.seats_held += seats
    Batch.objects.filter(pk=batch.pk).update(seats_held=F("seats_held") + seats)
    page_cache.bump(page_cache.SEATS)
    return True


def batch_release_seats(*, batch: Batch, seats: int = 1) -> None:
    """Give back seats on a batch locked with ``lock_batch`` (never below zero)."""
    seats = min(seats, batch.seats_held)
    batch.seats_held -= seats
    Batch.objects.filter(pk=batch.pk).update(seats_held=F("seats_held") - seats)
    page_cache.bump(page_cache.SEATS)


# --- Bases: application, profile, photos ----------------------------------------------------

PROFILE_FIELDS_OPERATOR = (
    "address",
    "summary",
    "description",
    "contact_name",
    "contact_phone",
    "themes",
    "products",
)
PROFILE_FIELDS_STAFF = ("name", "county", "operator", *PROFILE_FIELDS_OPERATOR)


@transaction.atomic
def base_apply(
    *,
    by: User | None,
    name: str,
    county: Organization,
    operator: Organization,
    themes: Iterable[str],
    products: Iterable[str],
    reason: str = "",
    **profile: Any,
) -> Base:
    """申报: a new base enters accreditation as ``applied``."""
    unknown = set(profile) - set(PROFILE_FIELDS_OPERATOR)
    if unknown:
        raise TypeError(f"unknown fields: {sorted(unknown)}")
    base = Base(
        name=name,
        county=county,
        operator=operator,
        themes=list(themes),
        products=list(products),
        status=BaseStatus.APPLIED,
        **profile,
    )
    base.full_clean()
    base.save()
    AccreditationStep.objects.create(
        base=base, from_status="", to_status=BaseStatus.APPLIED, by=by, reason=reason
    )
    audit(base, "base_applied", by=by, org=base.county, reason=reason, name=base.name)
    return base


@transaction.atomic
def base_update(*, base: Base, by: User | None, staff: bool = False, **fields: Any) -> Base:
    """Change a base's profile; operators may change descriptive fields, staff also name and orgs."""
    allowed = PROFILE_FIELDS_STAFF if staff else PROFILE_FIELDS_OPERATOR
    unknown = set(fields) - set(allowed)
    if unknown:
        raise ValidationError(_("These fields cannot be changed here: %s") % ", ".join(unknown))
    base = Base.objects.select_for_update().get(pk=base.pk)
    changed = [name for name, value in fields.items() if getattr(base, name) != value]
    for name in changed:
        setattr(base, name, fields[name])
    if changed:
        base.full_clean()
        base.save()
        audit(base, "base_updated", by=by, org=base.county, fields=sorted(changed))
    return base


@transaction.atomic
def base_photo_add(*, base: Base, by: User | None, image, caption: str = "") -> BasePhoto:
    position = base.photos.count()
    photo = BasePhoto(base=base, image=image, caption=caption, position=position)
    photo.full_clean()
    photo.save()
    audit(base, "photo_added", by=by, org=base.county, photo=photo.pk)
    return photo


@transaction.atomic
def base_photo_delete(*, photo: BasePhoto, by: User | None) -> None:
    base, name = photo.base, photo.image.name
    photo.delete()
    audit(base, "photo_deleted", by=by, org=base.county, file=name)
    storage = photo.image.storage
    transaction.on_commit(lambda: storage.delete(name))


# --- Itineraries and batches -----------------------------------------------------------------

ITINERARY_FIELDS = (
    "title",
    "days",
    "in_province",
    "summary",
    "programme",
    "includes_health_lecture",
    "includes_checkup",
    "min_age",
    "max_age",
    "addons",
    "standard_price_fen",
    "union_price_fen",
    "active",
)


def _check_fields(fields: dict, allowed: Sequence[str]) -> None:
    unknown = set(fields) - set(allowed)
    if unknown:
        raise TypeError(f"unknown fields: {sorted(unknown)}")


@transaction.atomic
def itinerary_create(*, base: Base, by: User | None, **fields: Any) -> Itinerary:
    _check_fields(fields, ITINERARY_FIELDS)
    itinerary = Itinerary(base=base, **fields)
    itinerary.full_clean()
    itinerary.save()
    audit(itinerary, "itinerary_created", by=by, org=base.county, base=base.pk)
    return itinerary


@transaction.atomic
def itinerary_update(*, itinerary: Itinerary, by: User | None, **fields: Any) -> Itinerary:
    _check_fields(fields, ITINERARY_FIELDS)
    itinerary = Itinerary.objects.select_for_update().select_related("base").get(pk=itinerary.pk)
    changed = [name for name, value in fields.items() if getattr(itinerary, name) != value]
    for name in changed:
        setattr(itinerary, name, fields[name])
    if changed:
        itinerary.full_clean()
        itinerary.save()
        audit(itinerary, "itinerary_updated", by=by, org=itinerary.base.county, fields=changed)
    return itinerary


@transaction.atomic
def batch_create(
    *,
    itinerary: Itinerary,
    by: User | None,
    start_date: date,
    capacity: int,
    end_date: date | None = None,
    signup_deadline: date | None = None,
) -> Batch:
    """A new departure; the end defaults to the itinerary's length, the deadline to a week before."""
    check_batch_dates(start_date=start_date, end_date=end_date, signup_deadline=signup_deadline)
    if start_date is not None and end_date is None:
        end_date = start_date + timedelta(days=itinerary.days - 1)
    if start_date is not None and signup_deadline is None:
        signup_deadline = start_date - timedelta(days=7)
    batch = Batch(
        itinerary=itinerary,
        start_date=start_date,
        end_date=end_date,
        signup_deadline=signup_deadline,
        capacity=capacity,
    )
    batch.full_clean()
    batch.save()
    audit(batch, "batch_created", by=by, org=itinerary.base.county, itinerary=itinerary.pk)
    return batch


BATCH_FIELDS = ("start_date", "end_date", "signup_deadline", "capacity")


@transaction.atomic
def batch_update(*, batch: Batch, by: User | None, **fields: Any) -> Batch:
    """Change dates or capacity; the row lock keeps capacity from dropping below seats held."""
    _check_fields(fields, BATCH_FIELDS)
    locked = lock_batch(batch.pk)
    changed = [name for name, value in fields.items() if getattr(locked, name) != value]
    check_batch_dates(**{name: fields[name] for name in changed if name != "capacity"})
    old_capacity = locked.capacity
    for name in changed:
        setattr(locked, name, fields[name])
    if changed:
        raised = locked.capacity > old_capacity
        locked.full_clean()
        locked.save()
        county = Organization.objects.get(bases_in_county__itineraries__batches=locked)
        audit(locked, "batch_updated", by=by, org=county, fields=changed)
        if raised:
            _announce_free_seats(locked)
    return locked


def _announce_free_seats(batch: Batch) -> None:
    transaction.on_commit(lambda: signals.batch_seats_freed.send(sender=Batch, batch_id=batch.pk))


def batch_close(*, batch: Batch, by: User | None, reason: str = "") -> Batch:
    """Stop sign-ups for one batch (the applications app hears ``batches_closed``)."""
    with transaction.atomic():
        locked = lock_batch(batch.pk)
        if locked.status == BatchStatus.CLOSED:
            return locked
        locked.status = BatchStatus.CLOSED
        locked.closed_reason = reason.strip()[:200]
        locked.save(update_fields=["status", "closed_reason", "updated_at"])
        base = Base.objects.select_related("county").get(itineraries__batches=locked)
        audit(locked, "batch_closed", by=by, org=base.county, reason=reason)
        transaction.on_commit(
            lambda: signals.batches_closed.send(
                sender=Batch, base=base, batch_ids=[locked.pk], reason=reason, by=by
            )
        )
    return locked


@transaction.atomic
def batch_reopen(*, batch: Batch, by: User | None, today: date | None = None) -> Batch:
    today = today or timezone.localdate()
    locked = lock_batch(batch.pk)
    base = Base.objects.select_related("county").get(itineraries__batches=locked)
    if base.status not in PUBLIC_STATUSES:
        raise ValidationError(_("The base is not taking guests: its batches stay closed."))
    if locked.end_date < today:
        raise ValidationError(_("This batch has already ended."))
    if locked.status != BatchStatus.OPEN:
        locked.status = BatchStatus.OPEN
        locked.closed_reason = ""
        locked.save(update_fields=["status", "closed_reason", "updated_at"])
        audit(locked, "batch_reopened", by=by, org=base.county)
        _announce_free_seats(locked)
    return locked
