"""This app's rows of the URL × method × role matrix in tests/test_permissions.py (format:
tests/matrix.py).

The objects belong to county A: a batch at a base run by ``tree.operator``; worker A1's
application on it (union A1, paid by county A); union A1's joint group trip, entrusted to the
travel agency ``tree.agency``; a settlement of worker A1's trip. Each role has a same-role
outsider in county B (``county_b_staff``, ``organizer_b1``, ``operator_b``, ``agency_b``,
``worker_b1``): outside its scope an object is a 404; seen but not theirs to act on, a 403.

The objects are written straight to the database where the way they got there does not matter
(one base, itinerary and batch per test; an application or a group in a query or two), with the
seats they hold counted on the batch, so the services the request runs find them consistent.
"""

from __future__ import annotations

from datetime import timedelta
from functools import cache

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from accounts.models import Notification
from applications import services
from applications.models import (
    SEAT_HOLDING,
    Application,
    GroupParticipant,
    GroupTrip,
    Lottery,
    ParticipantStatus,
    RosterImport,
    Settlement,
    Status,
)
from bases.models import Batch, Review
from tests.applications.conftest import fund
from tests.bases.factories import BaseFactory, BatchFactory, ItineraryFactory
from tests.matrix import LOGIN, MANAGEMENT, STAFF, SUPERVISORS, Write, only, roles

# --- Who is who, relative to county A's objects --------------------------------------------------

READERS = STAFF | {"auditor"}  # federation staff and the auditor over county A
# See worker A1's application (seat-holding): their union, the base's operator, themselves.
APP_SEERS = READERS | {"organizer_a1", "operator", "worker_a1"}
# See union A1's group trip: its organizer, the base's operator, the entrusted agency.
GROUP_SEERS = READERS | {"organizer_a1", "operator", "agency"}
# See the settlement of worker A1's trip (operators never see settlements).
SETTLEMENT_SEERS = READERS | {"organizer_a1", "worker_a1"}
LEADS = {"organizer_a1", "admin"}  # manage union A1's group trip (block, invitations, agency)
RUNS = LEADS | {"agency"}  # run it after departure: attendance and settlement
ATTENDANCE = STAFF | {"organizer_a1", "operator"}  # record worker A1's attendance
WITHDRAWERS = {"worker_a1", "organizer_a1", "admin"}
ORGANIZERS = {"organizer_a1", "organizer_b1"}
WORKERS = {"worker_a1", "worker_b1"}


def act(allowed: set[str], seen: set[str], status: int) -> dict[str, int]:
    """``allowed`` succeed with ``status``, the rest of ``seen`` get 403, everyone else 404."""
    return roles((seen, 403), (allowed, status), default=404)


# --- Objects --------------------------------------------------------------------------------------

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
SUBSIDY = 10_000  # fen, on the applications staff approve (reserved from county A's money)


def _batch(tree, *, starts_in: int = 30, deadline_in: int | None = None, held: int = 0) -> Batch:
    """A five-day batch at county A's base, ``starts_in`` days from today (negative: departed),
    sign-ups closing a week before unless ``deadline_in`` says when; ``held`` seats taken."""
    today = timezone.localdate()
    start = today + timedelta(days=starts_in)
    deadline = start - timedelta(days=7) if deadline_in is None else today + timedelta(deadline_in)
    base = BaseFactory(name="甲县矩阵基地", county=tree.county_a, operator=tree.operator)
    return BatchFactory(
        itinerary=ItineraryFactory(base=base, title="矩阵线路", days=5),
        start_date=start,
        end_date=start + timedelta(days=4),
        signup_deadline=deadline,
        seats_held=held,
    )


def _app(
    tree,
    status: str = Status.SUBMITTED,
    *,
    batch: Batch | None = None,
    departed: bool = False,
    group: GroupTrip | None = None,
    subsidy: int = 0,
    settlement: Settlement | None = None,
) -> Application:
    """Worker A1's application in ``status`` (on a new batch unless ``batch`` is given)."""
    if batch is None:
        batch = _batch(tree, starts_in=-1 if departed else 30, held=int(status in SEAT_HOLDING))
    price = batch.itinerary.union_price_fen
    return Application.objects.create(
        batch=batch,
        worker=tree.user("worker_a1").worker,
        union=tree.union_a1,
        funding_org=tree.county_a,
        group_trip=group,
        status=status,
        year=batch.start_date.year,
        price_fen=price,
        subsidy_fen=subsidy,
        net_cost_fen=price - subsidy,
        settlement=settlement,
    )


def _group(tree, *, departed: bool = False, agency: bool = True, invite: str = "") -> GroupTrip:
    """Union A1's joint group trip with a block of 5 seats, entrusted to ``tree.agency`` (unless
    ``agency`` is false); ``invite`` names a union of the tree invited to join it."""
    batch = _batch(tree, starts_in=-1 if departed else 30, held=5)
    group = GroupTrip.objects.create(
        batch=batch,
        organizer=tree.union_a1,
        title="矩阵团",
        seats=5,
        joint=True,
        agency=tree.agency if agency else None,
    )
    rows = [
        GroupParticipant(
            group_trip=group, union=tree.union_a1, status=ParticipantStatus.JOINED, lead=True
        )
    ]
    if invite:
        rows.append(GroupParticipant(group_trip=group, union=getattr(tree, invite)))
    GroupParticipant.objects.bulk_create(rows)
    return group


def _member(tree, status: str = Status.SUBMITTED, *, departed: bool = False) -> Application:
    """Worker A1 on the roster of union A1's group trip."""
    group = _group(tree, departed=departed)
    return _app(tree, status, batch=group.batch, group=group)


def _settlement(tree) -> Settlement:
    """Worker A1 attended (a departed trip); union A1's organizer claimed the subsidy."""
    claim = Settlement.objects.create(
        union=tree.union_a1,
        invoice=SimpleUploadedFile("invoice.pdf", PDF),
        invoice_amount_fen=80_000,
        submitted_by=tree.user("organizer_a1"),
    )
    _app(tree, Status.COMPLETED, departed=True, settlement=claim)
    return claim


def _import(tree) -> RosterImport:
    group = _group(tree)
    return RosterImport.objects.create(
        group_trip=group, union=tree.union_a1, file="rosters/matrix.xlsx", filename="matrix.xlsx"
    )


def _lottery(tree) -> Lottery:
    return Lottery.objects.create(batch=_batch(tree))


def _note(tree) -> Notification:
    return Notification.objects.create(
        user=tree.user("worker_a1"), subject="矩阵", url="/applications/mine/"
    )


@cache
def _roster_bytes() -> bytes:
    return services.roster_template()


def _invoice() -> SimpleUploadedFile:
    return SimpleUploadedFile("invoice.pdf", PDF, content_type="application/pdf")


def _roster_file() -> SimpleUploadedFile:
    return SimpleUploadedFile("roster.xlsx", _roster_bytes())


def _fresh(obj):
    return type(obj).objects.get(pk=obj.pk)


def _status_is(app: Application, status: str):
    return lambda: _fresh(app).status == status


def path(template: str, build):
    """A GET row's target: ``template`` with the built object's ``pk``."""
    return lambda tree: template.format(pk=build(tree).pk)


def import_path(template: str):
    def build(tree) -> str:
        job = _import(tree)
        return template.format(group=job.group_trip_id, pk=job.pk)

    return build


# --- Writes: each a valid body and how to tell it happened ----------------------------------------


def move(template: str, status: str, to: str, data: dict | None = None, **options):
    """Worker A1's application in ``status`` moved to ``to`` through ``template``."""

    def build(tree) -> Write:
        app = _app(tree, status, **options)
        return Write(path=template.format(pk=app.pk), data=data or {}, done=_status_is(app, to))

    return build


def approve(template: str, ids: bool = False):
    """An endorsed application with a subsidy; county A has the money to reserve it."""

    def build(tree) -> Write:
        app = _app(tree, Status.ENDORSED, subsidy=SUBSIDY)
        fund(tree.county_a, app.year)
        if ids:  # the bulk approval: the body names it
            return Write(path=template, data={"ids": [app.pk]}, done=_status_is(app, "approved"))
        return Write(path=template.format(pk=app.pk), done=_status_is(app, "approved"))

    return build


def apply_for(template: str):
    def build(tree) -> Write:
        batch = _batch(tree)
        return Write(
            path=template.format(pk=batch.pk),
            data={"batch": batch.pk} if template.startswith("/api/") else {},
            done=lambda: batch.applications.exists(),
        )

    return build


def review(template: str):
    def build(tree) -> Write:
        app = _app(tree, Status.COMPLETED, departed=True)
        return Write(
            path=template.format(pk=app.pk),
            data={"rating": 5, "text": "矩阵"},
            done=lambda: Review.objects.filter(application_ref=app.cause_id).exists(),
        )

    return build


def union_endorse_page(tree) -> Write:
    app = _app(tree)
    return Write(
        path="/applications/union/endorse/",
        data={"ids": [app.pk]},
        done=_status_is(app, Status.ENDORSED),
    )


def group_new(template: str):
    def build(tree) -> Write:
        batch = _batch(tree)
        return Write(
            path=template,
            data={"batch": batch.pk, "seats": 5, "title": "矩阵团"},
            done=lambda: batch.group_trips.exists(),
        )

    return build


def group_write(template: str, data, done, **options):
    """A write to union A1's group trip (``_group(**options)``): ``data`` is the body or makes
    it from the tree; ``done(group, tree)`` tells whether the write happened."""

    def build(tree) -> Write:
        group = _group(tree, **options)
        return Write(
            path=template.format(pk=group.pk),
            data=data(tree) if callable(data) else data,
            done=lambda: done(_fresh(group), tree),
        )

    return build


def _joined(union_attr: str):
    return lambda group, tree: group.participants.filter(
        union=getattr(tree, union_attr), status=ParticipantStatus.JOINED
    ).exists()


def _invited(group, tree) -> bool:
    return group.participants.filter(union=tree.union_a2).exists()


def add_member(template: str, worker: str = "worker_a1"):
    """``worker`` put on the roster of union A1's group trip."""

    def build(tree) -> Write:
        group = _group(tree)
        member = tree.user(worker).worker
        return Write(
            path=template.format(pk=group.pk),
            data={"worker": member.pk},
            done=lambda: group.members.filter(worker=member).exists(),
        )

    return build


def member_move(template: str, status: str, to: str, data: dict | None = None, **options):
    """Worker A1 on union A1's group trip, moved from ``status`` to ``to``."""

    def build(tree) -> Write:
        app = _member(tree, status, **options)
        return Write(
            path=template.format(pk=app.group_trip_id, app=app.pk),
            # A body naming the application names this one.
            data={k: app.pk if k == "application" else v for k, v in (data or {}).items()},
            done=_status_is(app, to),
        )

    return build


def group_settle(template: str):
    def build(tree) -> Write:
        app = _member(tree, Status.COMPLETED, departed=True)
        return Write(
            path=template.format(pk=app.group_trip_id),
            data={"applications": [app.pk], "invoice": _invoice(), "invoice_amount": "800.00"},
            done=lambda: Settlement.objects.filter(group_trip_id=app.group_trip_id).exists(),
        )

    return build


def settle_alone(tree) -> Write:
    app = _app(tree, Status.COMPLETED, departed=True)
    return Write(
        path="/api/v1/settlements/",
        data={"applications": [app.pk], "invoice": _invoice(), "invoice_amount": "800.00"},
        done=lambda: _fresh(app).settlement_id is not None,
    )


def import_roster(template: str):
    def build(tree) -> Write:
        group = _group(tree)
        return Write(
            path=template.format(pk=group.pk),
            data={"file": _roster_file()},
            done=lambda: group.imports.exists(),
        )

    return build


def decide(template: str, state: str, data: dict | None = None):
    def build(tree) -> Write:
        claim = _settlement(tree)
        return Write(
            path=template.format(pk=claim.pk),
            data=data or {},
            done=lambda: _fresh(claim).state == state,
        )

    return build


def announce(template: str):
    def build(tree) -> Write:
        batch = _batch(tree)
        return Write(
            path=template.format(pk=batch.pk),
            done=lambda: Lottery.objects.filter(batch=batch).exists(),
        )

    return build


def draw(template: str):
    """An announced lottery after the sign-up deadline, before departure."""

    def build(tree) -> Write:
        lottery = Lottery.objects.create(batch=_batch(tree, starts_in=5, deadline_in=-1))
        return Write(
            path=template.format(pk=lottery.batch_id),
            data={"seed": 42},
            done=lambda: _fresh(lottery).is_drawn,
        )

    return build


def read_one(template: str, data: dict | None = None):
    def build(tree) -> Write:
        note = _note(tree)
        return Write(
            path=template.format(pk=note.pk),
            data={"open": note.pk} if data is None else data,
            done=lambda: _fresh(note).read_at is not None,
        )

    return build


def read_all(template: str):
    """An unread notification for every user: the caller's own are read, nobody else's."""

    def build(tree) -> Write:
        Notification.objects.bulk_create(
            Notification(user=user, subject="矩阵") for user in tree.users.values()
        )
        read = Notification.objects.filter(read_at__isnull=False)
        return Write(path=template, done=lambda: len({n.user_id for n in read.all()}) == 1)

    return build


A = "/applications/"
API = "/api/v1/"
REASON = {"reason": "矩阵"}

MATRIX: dict = {
    # --- Workers: apply, their applications, one application -------------------------------------
    ("applications:apply", "get"): (
        path(A + "apply/{pk}/", _batch),
        LOGIN,
        only(WORKERS),
    ),
    # Any worker applies for any public batch (worker B1 too, paid by county B).
    ("applications:apply", "post"): (apply_for(A + "apply/{pk}/"), LOGIN, only(WORKERS, 302)),
    ("applications:mine", "get"): (A + "mine/", LOGIN, only(WORKERS)),
    ("applications:detail", "get"): (
        path(A + "{pk}/", _app),
        LOGIN,
        roles((APP_SEERS, 200), default=404),
    ),
    ("applications:withdraw", "post"): (
        move(A + "{pk}/withdraw/", Status.SUBMITTED, Status.WITHDRAWN, {"reason": ""}),
        LOGIN,
        act(WITHDRAWERS, APP_SEERS, 302),
    ),
    ("applications:review", "post"): (
        review(A + "{pk}/review/"),
        LOGIN,
        act({"worker_a1"}, APP_SEERS, 302),
    ),
    # --- Organizers: their union's applications and members --------------------------------------
    ("applications:endorse", "post"): (
        move(A + "{pk}/endorse/", Status.SUBMITTED, Status.ENDORSED),
        LOGIN,
        act(LEADS, APP_SEERS, 302),
    ),
    # Before the union endorses, it may reject too.
    ("applications:reject", "post"): (
        move(A + "{pk}/reject/", Status.SUBMITTED, Status.REJECTED, REASON),
        LOGIN,
        act(STAFF | {"organizer_a1"}, APP_SEERS, 302),
    ),
    ("applications:attendance", "post"): (
        move(
            A + "{pk}/attendance/",
            Status.APPROVED,
            Status.COMPLETED,
            {"attended": "1"},
            departed=True,
        ),
        LOGIN,
        act(ATTENDANCE, APP_SEERS, 302),
    ),
    ("applications:union", "get"): (A + "union/", LOGIN, only(ORGANIZERS)),
    # Union B1's organizer naming union A1's application: not found.
    ("applications:union_endorse", "post"): (
        union_endorse_page,
        LOGIN,
        roles(({"organizer_a1"}, 302), ({"organizer_b1"}, 404), default=403),
    ),
    ("applications:members", "get"): (A + "members/", LOGIN, only(ORGANIZERS)),
    # --- Group trips: the wizard, the board, the roster, joint groups, import, settlement ---------
    ("applications:groups", "get"): (
        A + "groups/",
        LOGIN,
        roles((WORKERS | {"outsider"}, 403), default=200),
    ),
    ("applications:group_new", "get"): (A + "groups/new/", LOGIN, only(ORGANIZERS)),
    ("applications:group_new", "post"): (
        group_new(A + "groups/new/"),
        LOGIN,
        only(ORGANIZERS, 302),
    ),
    ("applications:board", "get"): (A + "groups/board/", 200, 200),
    ("applications:group_detail", "get"): (
        path(A + "groups/{pk}/", _group),
        LOGIN,
        roles((GROUP_SEERS, 200), default=404),
    ),
    # The board is public: another union's organizer joins; its own organizer is in already.
    ("applications:board_join", "post"): (
        group_write(A + "groups/{pk}/join/", {}, _joined("union_b1")),
        LOGIN,
        only({"organizer_b1"}, 302),
    ),
    ("applications:group_add_member", "post"): (
        add_member(A + "groups/{pk}/members/add/"),
        LOGIN,
        act({"organizer_a1"}, GROUP_SEERS, 302),
    ),
    ("applications:group_remove_member", "post"): (
        member_move(
            A + "groups/{pk}/members/{app}/remove/", Status.SUBMITTED, Status.WITHDRAWN, REASON
        ),
        LOGIN,
        act(LEADS, GROUP_SEERS, 302),
    ),
    ("applications:group_endorse", "post"): (
        member_move(A + "groups/{pk}/endorse/", Status.SUBMITTED, Status.ENDORSED),
        LOGIN,
        act({"organizer_a1"}, GROUP_SEERS, 302),
    ),
    ("applications:group_resize", "post"): (
        group_write(A + "groups/{pk}/resize/", {"seats": 6}, lambda g, t: g.seats == 6),
        LOGIN,
        act(LEADS, GROUP_SEERS, 302),
    ),
    ("applications:group_invite", "post"): (
        group_write(A + "groups/{pk}/invite/", {"union": "A2"}, _invited),
        LOGIN,
        act(LEADS, GROUP_SEERS, 302),
    ),
    # Union B1 is invited: its organizer answers.
    ("applications:group_respond", "post"): (
        group_write(
            A + "groups/{pk}/respond/", {"accept": "1"}, _joined("union_b1"), invite="union_b1"
        ),
        LOGIN,
        act({"organizer_b1"}, GROUP_SEERS | {"organizer_b1"}, 302),
    ),
    ("applications:group_entrust", "post"): (
        group_write(
            A + "groups/{pk}/entrust/",
            lambda tree: {"agency": tree.agency.pk},
            lambda g, t: g.agency_id == t.agency.pk,
            agency=False,
        ),
        LOGIN,
        act(LEADS, GROUP_SEERS - {"agency"}, 302),
    ),
    ("applications:group_cancel", "post"): (
        group_write(A + "groups/{pk}/cancel/", REASON, lambda g, t: g.cancelled_at is not None),
        LOGIN,
        act(LEADS, GROUP_SEERS, 302),
    ),
    ("applications:group_import", "get"): (
        path(A + "groups/{pk}/import/", _group),
        LOGIN,
        act({"organizer_a1"}, GROUP_SEERS, 200),
    ),
    ("applications:group_import", "post"): (
        import_roster(A + "groups/{pk}/import/"),
        LOGIN,
        act({"organizer_a1"}, GROUP_SEERS, 302),
    ),
    ("applications:group_import_template", "get"): (
        path(A + "groups/{pk}/import/template/", _group),
        LOGIN,
        act({"organizer_a1"}, GROUP_SEERS, 200),
    ),
    ("applications:group_import_detail", "get"): (
        import_path(A + "groups/{group}/import/{pk}/"),
        LOGIN,
        act({"organizer_a1"}, GROUP_SEERS, 200),
    ),
    ("applications:group_import_status", "get"): (
        import_path(A + "groups/{group}/import/{pk}/status/"),
        LOGIN,
        act({"organizer_a1"}, GROUP_SEERS, 200),
    ),
    ("applications:group_settlement", "get"): (
        path(A + "groups/{pk}/settlement/", _group),
        LOGIN,
        act(RUNS, GROUP_SEERS, 200),
    ),
    ("applications:group_settlement", "post"): (
        group_settle(A + "groups/{pk}/settlement/"),
        LOGIN,
        act(RUNS, GROUP_SEERS, 302),
    ),
    ("applications:group_attendance", "post"): (
        member_move(
            A + "groups/{pk}/attendance/",
            Status.APPROVED,
            Status.COMPLETED,
            {"attended": "1", "application": None},
            departed=True,
        ),
        LOGIN,
        act(RUNS, GROUP_SEERS, 302),
    ),
    # --- Federation staff and auditors: approval queue, settlements ------------------------------
    ("applications:queue", "get"): (A + "queue/", LOGIN, only(SUPERVISORS)),
    # County B's staff naming county A's application: not found.
    ("applications:queue_bulk_approve", "post"): (
        approve(A + "queue/approve/", ids=True),
        LOGIN,
        roles((STAFF, 302), ({"county_b_staff"}, 404), default=403),
    ),
    ("applications:queue_approve", "post"): (
        approve(A + "queue/{pk}/approve/"),
        LOGIN,
        act(STAFF, APP_SEERS, 302),
    ),
    # Endorsed already: only the paying federation's staff reject now.
    ("applications:queue_reject", "post"): (
        move(A + "queue/{pk}/reject/", Status.ENDORSED, Status.REJECTED, REASON),
        LOGIN,
        act(STAFF, APP_SEERS, 302),
    ),
    ("applications:settlements", "get"): (A + "settlements/", LOGIN, only(SUPERVISORS)),
    ("applications:settlement_detail", "get"): (
        path(A + "settlements/{pk}/", _settlement),
        LOGIN,
        roles((SETTLEMENT_SEERS, 200), default=404),
    ),
    ("applications:settlement_pay", "post"): (
        decide(A + "settlements/{pk}/pay/", Settlement.State.PAID),
        LOGIN,
        act(STAFF, SETTLEMENT_SEERS, 302),
    ),
    ("applications:settlement_return", "post"): (
        decide(A + "settlements/{pk}/return/", Settlement.State.RETURNED, REASON),
        LOGIN,
        act(STAFF, SETTLEMENT_SEERS, 302),
    ),
    ("applications:invoice", "get"): (
        path(A + "settlements/{pk}/invoice/", _settlement),
        LOGIN,
        roles((SETTLEMENT_SEERS, 200), default=404),
    ),
    # --- Public batch and lottery pages; the lottery (staff over the base's county) --------------
    ("applications:batch", "get"): (path(A + "batches/{pk}/", _batch), 200, 200),
    ("applications:lottery", "get"): (path(A + "lotteries/{pk}/", _lottery), 200, 200),
    # A public batch: seen by all, run by staff over county A only (403 for the rest).
    ("applications:lottery_manage", "get"): (
        path(A + "batches/{pk}/lottery/", _batch),
        LOGIN,
        only(STAFF),
    ),
    ("applications:lottery_announce", "post"): (
        announce(A + "batches/{pk}/lottery/announce/"),
        LOGIN,
        only(STAFF, 302),
    ),
    ("applications:lottery_draw", "post"): (
        draw(A + "batches/{pk}/lottery/draw/"),
        LOGIN,
        only(STAFF, 302),
    ),
    # --- Operators (and staff, auditors): rosters and attendance; agencies ------------------------
    ("applications:rosters", "get"): (A + "rosters/", LOGIN, only(MANAGEMENT)),
    ("applications:roster", "get"): (
        path(A + "rosters/{pk}/", _batch),
        LOGIN,
        only(READERS | {"operator"}),
    ),
    ("applications:roster_attendance", "post"): (
        move(
            A + "rosters/attendance/{pk}/",
            Status.APPROVED,
            Status.COMPLETED,
            {"attended": "1"},
            departed=True,
        ),
        LOGIN,
        act(ATTENDANCE, APP_SEERS, 302),
    ),
    ("applications:entrusted", "get"): (
        A + "entrusted/",
        LOGIN,
        only({"admin", "agency", "agency_b"}),
    ),
    # --- Everyone's own notifications -------------------------------------------------------------
    ("applications:notifications", "get"): (A + "notifications/", LOGIN, 200),
    ("applications:notifications_read", "post"): (
        read_one(A + "notifications/read/"),
        LOGIN,
        roles(({"worker_a1"}, 302), default=404),
    ),
    ("applications:notifications_read_all", "post"): (
        read_all(A + "notifications/read-all/"),
        LOGIN,
        302,
    ),
    # === API ======================================================================================
    # --- Applications -----------------------------------------------------------------------------
    ("application-list", "get"): (API + "applications/", 401, 200),
    ("application-list", "post"): (apply_for(API + "applications/"), 401, only(WORKERS, 201)),
    ("application-detail", "get"): (
        path(API + "applications/{pk}/", _app),
        401,
        roles((APP_SEERS, 200), default=404),
    ),
    ("application-withdraw", "post"): (
        move(API + "applications/{pk}/withdraw/", Status.SUBMITTED, Status.WITHDRAWN),
        401,
        act(WITHDRAWERS, APP_SEERS, 200),
    ),
    ("application-endorse", "post"): (
        move(API + "applications/{pk}/endorse/", Status.SUBMITTED, Status.ENDORSED),
        401,
        act(LEADS, APP_SEERS, 200),
    ),
    ("application-approve", "post"): (
        approve(API + "applications/{pk}/approve/"),
        401,
        act(STAFF, APP_SEERS, 200),
    ),
    ("application-reject", "post"): (
        move(API + "applications/{pk}/reject/", Status.ENDORSED, Status.REJECTED, REASON),
        401,
        act(STAFF, APP_SEERS, 200),
    ),
    ("application-attendance", "post"): (
        move(
            API + "applications/{pk}/attendance/",
            Status.APPROVED,
            Status.COMPLETED,
            {"attended": True},
            departed=True,
        ),
        401,
        act(ATTENDANCE, APP_SEERS, 200),
    ),
    ("application-review", "post"): (
        review(API + "applications/{pk}/review/"),
        401,
        act({"worker_a1"}, APP_SEERS, 201),
    ),
    ("application-bulk-approve", "post"): (
        approve(API + "applications/bulk-approve/", ids=True),
        401,
        roles((STAFF, 200), ({"county_b_staff"}, 404), default=403),
    ),
    # --- Group trips and roster imports -----------------------------------------------------------
    ("group-trip-list", "get"): (API + "group-trips/", 401, 200),
    ("group-trip-list", "post"): (group_new(API + "group-trips/"), 401, only(ORGANIZERS, 201)),
    ("group-trip-detail", "get"): (
        path(API + "group-trips/{pk}/", _group),
        401,
        roles((GROUP_SEERS, 200), default=404),
    ),
    ("group-trip-detail", "patch"): (
        group_write(
            API + "group-trips/{pk}/", {"title": "矩阵改名"}, lambda g, t: g.title == "矩阵改名"
        ),
        401,
        act(LEADS, GROUP_SEERS, 200),
    ),
    ("group-trip-cancel", "post"): (
        group_write(
            API + "group-trips/{pk}/cancel/", REASON, lambda g, t: g.cancelled_at is not None
        ),
        401,
        act(LEADS, GROUP_SEERS, 200),
    ),
    ("group-trip-endorse", "post"): (
        member_move(API + "group-trips/{pk}/endorse/", Status.SUBMITTED, Status.ENDORSED),
        401,
        act({"organizer_a1"}, GROUP_SEERS, 200),
    ),
    ("group-trip-entrust", "post"): (
        group_write(
            API + "group-trips/{pk}/entrust/",
            {"agency": "AG"},
            lambda g, t: g.agency_id == t.agency.pk,
            agency=False,
        ),
        401,
        act(LEADS, GROUP_SEERS - {"agency"}, 200),
    ),
    ("group-trip-import", "post"): (
        import_roster(API + "group-trips/{pk}/import/"),
        401,
        act({"organizer_a1"}, GROUP_SEERS, 202),
    ),
    ("group-trip-invite", "post"): (
        group_write(API + "group-trips/{pk}/invite/", {"union": "A2"}, _invited),
        401,
        act(LEADS, GROUP_SEERS, 200),
    ),
    ("group-trip-join", "post"): (
        group_write(API + "group-trips/{pk}/join/", {}, _joined("union_b1")),
        401,
        only({"organizer_b1"}, 200),
    ),
    ("group-trip-members", "post"): (
        add_member(API + "group-trips/{pk}/members/"),
        401,
        act({"organizer_a1"}, GROUP_SEERS, 201),
    ),
    # Union B1's member named by union A1's organizer: refused on the field.
    ("group-trip-members", "post", "another union's member"): (
        add_member(API + "group-trips/{pk}/members/", "worker_b1"),
        401,
        act({"organizer_a1"}, GROUP_SEERS, 400),
    ),
    ("group-trip-respond", "post"): (
        group_write(
            API + "group-trips/{pk}/respond/",
            {"accept": True},
            _joined("union_b1"),
            invite="union_b1",
        ),
        401,
        act({"organizer_b1"}, GROUP_SEERS | {"organizer_b1"}, 200),
    ),
    ("group-trip-settlement", "post"): (
        group_settle(API + "group-trips/{pk}/settlement/"),
        401,
        act(RUNS, GROUP_SEERS, 201),
    ),
    ("roster-import-template", "get"): (API + "roster-imports/template/", 401, 200),
    # An upload's report names the union's members: only that union (and the superuser).
    ("roster-import-detail", "get"): (
        import_path(API + "roster-imports/{pk}/"),
        401,
        roles((LEADS, 200), default=404),
    ),
    # --- Settlements ------------------------------------------------------------------------------
    ("settlement-list", "get"): (API + "settlements/", 401, 200),
    # Union B1's organizer cannot claim union A1's member (a 400 naming the id, nothing more).
    ("settlement-list", "post"): (
        settle_alone,
        401,
        roles(({"organizer_a1"}, 201), ({"organizer_b1"}, 400), default=403),
    ),
    ("settlement-detail", "get"): (
        path(API + "settlements/{pk}/", _settlement),
        401,
        roles((SETTLEMENT_SEERS, 200), default=404),
    ),
    ("settlement-invoice", "get"): (
        path(API + "settlements/{pk}/invoice/", _settlement),
        401,
        roles((SETTLEMENT_SEERS, 200), default=404),
    ),
    ("settlement-pay", "post"): (
        decide(API + "settlements/{pk}/pay/", Settlement.State.PAID),
        401,
        act(STAFF, SETTLEMENT_SEERS, 200),
    ),
    ("settlement-return", "post"): (
        decide(API + "settlements/{pk}/return/", Settlement.State.RETURNED, REASON),
        401,
        act(STAFF, SETTLEMENT_SEERS, 200),
    ),
    # --- Lotteries: published to everyone; announced and drawn by staff over county A ------------
    ("lottery-list", "get"): (API + "lotteries/", 200, 200),
    ("lottery-detail", "get"): (path(API + "lotteries/{pk}/", _lottery), 200, 200),
    ("batch-lottery", "get"): (
        lambda tree: f"{API}batches/{_lottery(tree).batch_id}/lottery/",
        200,
        200,
    ),
    ("batch-lottery", "post"): (announce(API + "batches/{pk}/lottery/"), 401, only(STAFF, 201)),
    ("batch-lottery-draw", "post"): (
        draw(API + "batches/{pk}/lottery/draw/"),
        401,
        only(STAFF, 200),
    ),
    # --- Notifications ----------------------------------------------------------------------------
    ("notification-list", "get"): (API + "notifications/", 401, 200),
    ("notification-read", "post"): (
        read_one(API + "notifications/{pk}/read/", {}),
        401,
        roles(({"worker_a1"}, 200), default=404),
    ),
    ("notification-read-all", "post"): (read_all(API + "notifications/read-all/"), 401, 200),
}
