"""Applying, every status move, and the waiting list.

Locks, always taken in this order so two services never wait on each other in a circle:
the worker (``application_submit`` and ``application_approve``: one worker's applications and
approvals one at a time, so the frequency rules and the yearly cap cannot be raced), then the
batch (``lock_batch``: every change of seats), then the application row, then the ledger
accounts (inside ``funds.services``).
"""

from __future__ import annotations

from datetime import date

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.audit import audit, audit_event
from accounts.models import Notification, User, Worker
from accounts.notify import notification, notification_saved
from applications import selectors
from applications.models import (
    AFTER_DEPARTURE,
    BEFORE_DEPARTURE,
    MONEY_RESERVED,
    REASON_REQUIRED,
    SEAT_HOLDING,
    TRANSITIONS,
    Application,
    GroupTrip,
    Lottery,
    Status,
    StatusChange,
)
from bases.models import Batch, BatchStatus
from bases.services import batch_release_seats, batch_take_seats, lock_batch
from funds import calculator
from funds import services as funds
from recuperation.prepared import Prepared, RowId, insert_rows


class ApplicationRefused(ValidationError):
    """A refused application or move; its messages are for the user (pages and API show them)."""


def _refuse(message: str) -> ApplicationRefused:
    return ApplicationRefused(message)


# --- Applying ------------------------------------------------------------------------------


def application_submit(
    *,
    worker: Worker,
    batch: Batch | int,
    by: User | None,
    group_trip: GroupTrip | None = None,
    today: date | None = None,
) -> Application:
    """A worker applies for a batch (alone, or put on a group trip's roster by an organizer).

    Eligible → ``submitted`` holding a seat; a full batch (or one allocated by lottery) →
    ``waitlisted``. An ineligible worker gets every reason at once and nothing is written.
    """
    batch_id = batch if isinstance(batch, int) else batch.pk
    with transaction.atomic():
        # One worker's applications one at a time: the frequency rules read, then write.
        Worker.objects.select_for_update().filter(pk=worker.pk).values_list("pk").first()
        return _submit(
            worker, batch_id, by=by, group_trip=group_trip, today=today or timezone.localdate()
        )


_WORKER_OF_USER = Prepared(
    lambda user_id: (
        Worker.objects.select_for_update(of=("self",))
        .select_related("union__parent")
        .filter(user_id=user_id)[:1]
    )
)


def worker_apply(*, user: User, batch: int, today: date | None = None) -> Application | None:
    """The logged-in worker applies for a batch (the API's sign-up): as ``application_submit``,
    with the member record read and locked by one query. None when the login has no member
    record (nothing is written)."""
    with transaction.atomic():
        worker = _WORKER_OF_USER.first(user.pk)
        if worker is None:
            return None
        worker.user = user  # the request's user: no second read of the login
        return _submit(worker, batch, by=user, group_trip=None, today=today or timezone.localdate())


def _submit(
    worker: Worker, batch_id: int, *, by: User | None, group_trip: GroupTrip | None, today: date
) -> Application:
    """``application_submit`` inside its transaction, the worker's row locked."""
    try:
        batch = selectors.batch_for_signup(batch_id)
    except Batch.DoesNotExist:
        raise ApplicationRefused({"batch": _("This batch does not exist.")}) from None
    eligibility = selectors.Eligibility(worker, today=today)
    found = eligibility.refusals(batch, in_group=group_trip is not None)
    if found:
        raise ApplicationRefused([r.message for r in found])
    year = batch.start_date.year
    quote = eligibility.quote(batch)  # the confirm page shows the same quote
    union = worker.union
    by = by if by is not None and by.is_authenticated else None
    # Everything but the status is ready before the batch is locked.
    application = Application(
        batch=batch,
        worker=worker,
        union=union,
        funding_org=selectors.funding_org_for(union),
        group_trip=group_trip,
        year=year,
        price_fen=quote.price,
        subsidy_fen=quote.subsidy,
        unit_share_fen=quote.unit_share,
        net_cost_fen=quote.net_cost,
        quote_lines=[str(line) for line in quote.lines],
        priority_rank=eligibility.priority_rank(year),
        created_by=by,
    )

    # The locked part: decide the seat and write, nothing else.
    locked = lock_batch(batch_id)
    if group_trip is not None:
        status = _seat_in_group(group_trip, locked)
    elif locked.capacity - locked.seats_held < 1:
        status = Status.WAITLISTED  # full: waiting whether or not a lottery is pending
    elif _lottery_pending(locked):
        status = Status.WAITLISTED
    else:
        # Seats freed by a raised capacity or a reopening went to those waiting first
        # (bases' batch_seats_freed signal), so a free seat here is a newcomer's.
        status = Status.SUBMITTED if batch_take_seats(batch=locked) else Status.WAITLISTED
    application.status = status
    # The application, its first history row, the worker's notification and the audit row:
    # one statement on PostgreSQL (recuperation.prepared.insert_rows), still under the lock.
    change = StatusChange(application=application, from_status="", to_status=status, by=by)
    note = _notice(application, status, reason="", url=RowId(application, "/applications/{}/"))
    event = audit_event(
        application,
        "application.submit",
        by=by,
        org=union,
        target_id=RowId(application),
        batch=batch_id,
        status=status,
        subsidy=quote.subsidy,
        group_trip=group_trip.pk if group_trip else None,
    )
    try:
        # No savepoint: under the worker's lock a duplicate can only be a bug, and any
        # error here rolls the whole sign-up back.
        insert_rows([application, change, *([note] if note else []), event])
    except IntegrityError:  # the unique live application per worker and batch
        raise _refuse(_("You have already applied for this batch.")) from None
    if note is not None:
        notification_saved(note)
    application.submit_change = change  # the answer shows the history: kept, not read back
    return application


_LOTTERY_PENDING = Prepared(
    lambda batch_id: (
        Lottery.objects.filter(batch_id=batch_id, drawn_at__isnull=True)
        .order_by()
        .values_list("pk")[:1]
    )
)


def _lottery_pending(batch: Batch) -> bool:
    return bool(_LOTTERY_PENDING.rows(batch.pk))


def _seat_in_group(group_trip: GroupTrip, batch: Batch) -> str:
    """A roster place inside the group's block (the batch is locked, so rosters are too)."""
    group = GroupTrip.objects.get(pk=group_trip.pk)
    if group.batch_id != batch.pk:
        raise _refuse(_("This group trip is for another batch."))
    if not group.is_active:
        raise _refuse(_("This group trip was cancelled."))
    taken = Application.objects.filter(group_trip=group, status__in=SEAT_HOLDING).count()
    if taken >= group.seats:
        raise _refuse(
            _("The group's block of %(seats)s seats is full: enlarge the block first.")
            % {"seats": group.seats}
        )
    return Status.SUBMITTED


# --- Status moves --------------------------------------------------------------------------

STATUS_NOTICE = {
    Status.SUBMITTED: gettext_lazy("You hold a seat on %(trip)s"),
    Status.WAITLISTED: gettext_lazy("You are on the waiting list for %(trip)s"),
    Status.ENDORSED: gettext_lazy("Your union endorsed your application for %(trip)s"),
    Status.APPROVED: gettext_lazy("Approved: %(trip)s, subsidy %(subsidy)s"),
    Status.REJECTED: gettext_lazy("Not approved: %(trip)s"),
    Status.WITHDRAWN: gettext_lazy("Withdrawn: %(trip)s"),
    Status.COMPLETED: gettext_lazy("Attendance recorded: %(trip)s"),
    Status.NO_SHOW: gettext_lazy("Recorded as absent: %(trip)s"),
    Status.SETTLED: gettext_lazy("Settled: %(trip)s, subsidy paid %(paid)s"),
}


def _record(application: Application, from_status: str, to_status: str, *, by, reason: str):
    """The history row (returned), and a notification to the worker."""
    change = StatusChange.objects.create(
        application=application,
        from_status=from_status,
        to_status=to_status,
        by=by if by is not None and by.is_authenticated else None,
        reason=reason,
    )
    note = _notice(application, to_status, reason=reason, url=f"/applications/{application.pk}/")
    if note is not None:
        note.save(force_insert=True)
        notification_saved(note)
    return change


def _notice(application: Application, to_status: str, *, reason: str, url) -> Notification | None:
    """The worker's notification of a move (not saved)."""
    from recuperation.money import format_yuan

    batch = application.batch
    trip = f"{batch.itinerary.title} {date_format(batch.start_date, 'Y-m-d')}"
    return notification(
        application.worker.user,
        subject=STATUS_NOTICE[to_status],
        body=reason,
        params={
            "trip": trip,
            "subsidy": format_yuan(application.subsidy_fen),
            "paid": format_yuan(application.paid_fen or 0),
        },
        url=url,
    )


def ensure_move(application: Application, to: str, *, reason: str = "", today: date) -> None:
    """Raise with a clear message when ``application`` may not move to ``to`` now."""
    if to not in TRANSITIONS[application.status]:
        raise _refuse(
            _("An application that is “%(current)s” cannot become “%(target)s”.")
            % {
                "current": Status(application.status).label,
                "target": Status(to).label,
            }
        )
    if to in REASON_REQUIRED and not reason.strip():
        raise _refuse(_("Please give a reason."))
    batch = application.batch
    if to in BEFORE_DEPARTURE and batch.start_date <= today and to != Status.SUBMITTED:
        raise _refuse(
            _("The trip started on %(date)s: this can no longer be changed.")
            % {"date": date_format(batch.start_date, "Y-m-d")}
        )
    if to in AFTER_DEPARTURE and batch.start_date > today:
        raise _refuse(
            _("Attendance is recorded once the trip has started (%(date)s).")
            % {"date": date_format(batch.start_date, "Y-m-d")}
        )


def _locked(application: Application, *, seats: bool) -> Application:
    """Re-read the application under its row lock (after the batch's, when seats may change)."""
    if seats:
        lock_batch(application.batch_id)
    return (
        Application.objects.select_for_update(of=("self",))
        .select_related("batch__itinerary", "worker__user", "union", "funding_org")
        .get(pk=application.pk)
    )


def _move(
    application: Application, to: str, *, by, reason: str = "", action: str, **data
) -> Application:
    from_status = application.status
    application.status = to
    application.save(update_fields=["status", "paid_fen", "lottery_rank", "updated_at"])
    _record(application, from_status, to, by=by, reason=reason)
    audit(
        application,
        action,
        by=by,
        org=application.union,
        reason=reason,
        from_status=from_status,
        to_status=to,
        **data,
    )
    return application


def _free_seat(application: Application, *, today: date) -> None:
    """The application stops holding a seat: give it back and promote the next in line."""
    if application.group_trip_id is not None:
        return  # the seat stays in the group's block, free for another member
    batch = lock_batch(application.batch_id)  # already held: re-reads the counter
    batch_release_seats(batch=batch)
    _promote(batch, today=today)


def _give_back_money(application: Application, *, by, memo: str, today: date) -> None:
    if application.status in MONEY_RESERVED and application.subsidy_fen:
        funds.release(
            cause_id=application.cause_id,
            by=by,
            key=f"{application.cause_id}:release",
            memo=memo,
            value_date=today,
        )


def application_endorse(
    *, application: Application, by: User | None, today: date | None = None
) -> Application:
    """The worker's grassroots union vouches for the application (基层工会审核)."""
    today = today or timezone.localdate()
    with transaction.atomic():
        app = _locked(application, seats=False)
        ensure_move(app, Status.ENDORSED, today=today)
        return _move(app, Status.ENDORSED, by=by, action="application.endorse")


def application_approve(
    *, application: Application, by: User | None, today: date | None = None
) -> Application:
    """The federation holding the money approves: the subsidy is reserved from its available
    money for the trip's year (refused, with the amounts, when it is not there)."""
    today = today or timezone.localdate()
    with transaction.atomic():
        # The worker first (the lock order above): their approvals one at a time, for the cap.
        Worker.objects.select_for_update().filter(pk=application.worker_id).values_list(
            "pk"
        ).first()
        app = _locked(application, seats=False)
        ensure_move(app, Status.APPROVED, today=today)
        _cap_to_what_is_left(app)
        if app.subsidy_fen:
            try:
                funds.reserve(
                    org=app.funding_org,
                    year=app.year,
                    amount=app.subsidy_fen,
                    cause_id=app.cause_id,
                    by=by,
                    key=f"{app.cause_id}:approve",
                    memo=str(app),
                    value_date=today,
                )
            except funds.FundsError as error:  # not enough money, or the year is closed
                raise ApplicationRefused(error.messages) from None
        return _move(app, Status.APPROVED, by=by, action="application.approve")


def _cap_to_what_is_left(app: Application) -> None:
    """Trips approved since this one was quoted count against the worker's yearly cap: its
    subsidy becomes what is left of it (two trips quoted together never pass the cap)."""
    eligibility = selectors.Eligibility(app.worker)
    policy = eligibility.policy(app.year)
    if policy is None:
        return
    used = selectors.subsidy_used(
        [t for t in eligibility.trips if t.application_id != app.pk], app.year
    )
    if app.subsidy_fen <= max(policy.yearly_cap_per_person - used, 0):
        return
    itinerary = app.batch.itinerary
    quote = calculator.quote(
        policy=policy,
        category=app.worker.category,
        days=itinerary.days,
        in_province=itinerary.in_province,
        union_price=app.price_fen,
        used_this_year=used,
    )
    # The calculator caps at what is left, so this quote is below the one given on applying.
    app.subsidy_fen = quote.subsidy
    app.unit_share_fen = quote.unit_share
    app.net_cost_fen = quote.net_cost
    app.quote_lines = [str(line) for line in quote.lines]
    app.save(update_fields=["subsidy_fen", "unit_share_fen", "net_cost_fen", "quote_lines"])


def application_reject(
    *, application: Application, by: User | None, reason: str, today: date | None = None
) -> Application:
    """Refuse with a reason: the seat goes to the next in line, a reservation is released."""
    today = today or timezone.localdate()
    with transaction.atomic():
        app = _locked(application, seats=True)
        ensure_move(app, Status.REJECTED, reason=reason, today=today)
        held, reserved = app.status in SEAT_HOLDING, app.status in MONEY_RESERVED
        _give_back_money(app, by=by, memo="rejected", today=today)
        _move(app, Status.REJECTED, by=by, reason=reason.strip(), action="application.reject")
        if held:
            _free_seat(app, today=today)
        del reserved
        return app


def application_withdraw(
    *, application: Application, by: User | None, reason: str = "", today: date | None = None
) -> Application:
    """The worker (or their organizer) withdraws before departure; the seat and any reserved
    subsidy are given back, and the first on the waiting list is promoted."""
    today = today or timezone.localdate()
    with transaction.atomic():
        app = _locked(application, seats=True)
        ensure_move(app, Status.WITHDRAWN, reason=reason, today=today)
        held = app.status in SEAT_HOLDING
        _give_back_money(app, by=by, memo="withdrawn", today=today)
        _move(app, Status.WITHDRAWN, by=by, reason=reason.strip(), action="application.withdraw")
        if held:
            _free_seat(app, today=today)
        return app


def application_attendance(
    *, application: Application, by: User | None, attended: bool, today: date | None = None
) -> Application:
    """After departure: attended (``completed``) or absent (``no_show``: the reservation is
    released and the seat counted free)."""
    today = today or timezone.localdate()
    to = Status.COMPLETED if attended else Status.NO_SHOW
    with transaction.atomic():
        app = _locked(application, seats=not attended)
        ensure_move(app, to, today=today)
        if not attended:
            _give_back_money(app, by=by, memo="no show", today=today)
        _move(app, to, by=by, action="application.attendance", attended=attended)
        if not attended:
            _free_seat(app, today=today)
        return app


# --- The waiting list ------------------------------------------------------------------------


def _promote(batch: Batch, *, today: date) -> list[Application]:
    """Fill free seats of a locked batch from its waiting list, in order (see
    ``selectors.waiting_list``). Nothing before a pending lottery, after departure or when the
    batch is closed."""
    free = batch.capacity - batch.seats_held
    if (
        free <= 0
        or batch.status != BatchStatus.OPEN
        or batch.start_date <= today
        or _lottery_pending(batch)
    ):
        return []
    promoted = []
    for app in selectors.waiting_list(batch).select_related("batch__itinerary", "worker__user")[
        :free
    ]:
        batch_take_seats(batch=batch)
        promoted.append(
            _move(
                app,
                Status.SUBMITTED,
                by=None,
                reason=str(gettext_lazy("A seat became free.")),
                action="application.promote",
            )
        )
    return promoted


def waitlist_promote(*, batch_id: int, today: date | None = None) -> list[Application]:
    """Promote waiting applications into free seats. Idempotent: the batch lock makes two
    concurrent runs take turns, and the second finds no free seat left."""
    today = today or timezone.localdate()
    with transaction.atomic():
        batch = lock_batch(batch_id)
        return _promote(batch, today=today)


def waitlist_expire(*, today: date | None = None) -> int:
    """Housekeeping: waiting applications of batches that departed are withdrawn by the system
    (with a notification), so nobody waits for a trip that has left."""
    today = today or timezone.localdate()
    stale = Application.objects.filter(
        status=Status.WAITLISTED, batch__start_date__lte=today
    ).values_list("pk", "batch_id")
    count = 0
    for pk, batch_id in stale:
        with transaction.atomic():
            lock_batch(batch_id)
            app = _locked(Application(pk=pk, batch_id=batch_id), seats=False)
            if app.status != Status.WAITLISTED:
                continue
            _move(
                app,
                Status.WITHDRAWN,
                by=None,
                reason=str(gettext_lazy("The batch departed before a seat became free.")),
                action="application.expire",
            )
            count += 1
    return count
