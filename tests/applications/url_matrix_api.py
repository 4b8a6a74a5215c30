"""The applications API's rows of the URL × role matrix (merged into ``url_matrix.MATRIX``).

Each row's object belongs to union A1 / county A (worker_a1's application, organizer_a1's joint
group trip, a batch at county A's base). POST rows send an empty body: a role allowed to act
gets the 400 of the missing field (or makes the move when nothing is needed), a role that sees
the object but may not act gets 403, a role outside its scope 404 and the anonymous visitor 401.
The full per-role behaviour, same-role outsiders included, is in ``test_api*.py``.
"""

from __future__ import annotations

from django.core.files.uploadedfile import SimpleUploadedFile

from accounts.models import Notification
from applications import services
from applications.models import Application, RosterImport, Settlement

ROLES = [
    "admin",
    "city_staff",
    "county_a_staff",
    "auditor",
    "organizer_a1",
    "operator",
    "agency",
    "worker_a1",
    "outsider",
]
PDF = b"%PDF-1.4\n%%EOF\n"


def roles(default: int, **codes: int) -> dict[str, int]:
    expected = dict.fromkeys(ROLES, default)
    expected.update(codes)
    return expected


def _trip(tree):
    from tests.applications.api_support import make_trip

    return make_trip(tree)


def _application(tree, *, endorse: bool = False) -> Application:
    trip = _trip(tree)
    worker = tree.user("worker_a1").worker
    app = services.application_submit(worker=worker, batch=trip.batch, by=None)
    if endorse:
        services.application_endorse(application=app, by=None)
    return app


def application(suffix: str = "", *, endorse: bool = False):
    return lambda tree: f"/api/v1/applications/{_application(tree, endorse=endorse).pk}/{suffix}"


def _group(tree):
    trip = _trip(tree)
    return services.group_trip_create(
        batch=trip.batch, organizer=tree.union_a1, seats=5, by=None, title="矩阵团", joint=True
    )


def group(suffix: str = ""):
    return lambda tree: f"/api/v1/group-trips/{_group(tree).pk}/{suffix}"


def roster_import(tree) -> str:
    job = RosterImport.objects.create(
        group_trip=_group(tree), union=tree.union_a1, file="rosters/x.xlsx", filename="x.xlsx"
    )
    return f"/api/v1/roster-imports/{job.pk}/"


def settlement(suffix: str = ""):
    def make(tree) -> str:
        app = _application(tree)
        claim = Settlement.objects.create(
            union=tree.union_a1,
            invoice=SimpleUploadedFile("invoice.pdf", PDF),
            invoice_amount_fen=80_000,
        )
        Application.objects.filter(pk=app.pk).update(settlement=claim)
        return f"/api/v1/settlements/{claim.pk}/{suffix}"

    return make


def lottery_batch(suffix: str = ""):
    def make(tree) -> str:
        batch = _trip(tree).batch
        services.lottery_announce(batch=batch, by=None)
        return f"/api/v1/batches/{batch.pk}/lottery/{suffix}"

    return make


def lottery(tree) -> str:
    lottery = services.lottery_announce(batch=_trip(tree).batch, by=None)
    return f"/api/v1/lotteries/{lottery.pk}/"


def notification(tree) -> str:
    note = Notification.objects.create(user=tree.user("worker_a1"), subject="测试")
    return f"/api/v1/notifications/{note.pk}/read/"


APP_READERS = {
    "admin": 200,
    "city_staff": 200,
    "county_a_staff": 200,
    "auditor": 200,
    "organizer_a1": 200,
    "operator": 200,
    "worker_a1": 200,
}
# Sees worker_a1's application but may not move it (varies per move).
STAFF_SEE = {"city_staff": 403, "county_a_staff": 403, "auditor": 403, "operator": 403}
GROUP_SEE = {"admin": 403, **STAFF_SEE}  # group roster moves are for organizers only
SETTLEMENT_READERS = {k: 200 for k in APP_READERS if k != "operator"}
SETTLEMENT_DECIDE = roles(
    404,
    admin=400,  # the participant has not attended: the payout is refused with a message
    city_staff=400,
    county_a_staff=400,
    auditor=403,
    organizer_a1=403,
    worker_a1=403,
)

API_MATRIX: dict = {
    "application-list": ("get", "/api/v1/applications/", 401, 200),
    "application-detail": ("get", application(), 401, roles(404, **APP_READERS)),
    "application-withdraw": (
        "post",
        application("withdraw/"),
        401,
        roles(404, admin=200, organizer_a1=200, worker_a1=200, **STAFF_SEE),
    ),
    "application-endorse": (
        "post",
        application("endorse/"),
        401,
        roles(404, admin=200, organizer_a1=200, worker_a1=403, **STAFF_SEE),
    ),
    "application-approve": (
        "post",
        application("approve/", endorse=True),
        401,
        roles(
            404,
            admin=200,
            city_staff=200,
            county_a_staff=200,
            auditor=403,
            organizer_a1=403,
            operator=403,
            worker_a1=403,
        ),
    ),
    "application-reject": (
        "post",
        application("reject/", endorse=True),
        401,
        roles(
            404,
            admin=400,  # no reason given
            city_staff=400,
            county_a_staff=400,
            auditor=403,
            organizer_a1=403,  # endorsed already: the union no longer rejects
            operator=403,
            worker_a1=403,
        ),
    ),
    "application-attendance": (
        "post",
        application("attendance/"),
        401,
        roles(
            404,
            admin=400,  # attended: true or false is required
            city_staff=400,
            county_a_staff=400,
            organizer_a1=400,
            operator=400,
            auditor=403,
            worker_a1=403,
        ),
    ),
    "application-review": (
        "post",
        application("review/"),
        401,
        roles(404, **dict.fromkeys(APP_READERS, 403)),  # nobody reviews before attending
    ),
    "application-bulk-approve": (
        "post",
        "/api/v1/applications/bulk-approve/",
        401,
        roles(403, admin=400, city_staff=400, county_a_staff=400),  # ids required
    ),
    "group-trip-list": ("get", "/api/v1/group-trips/", 401, 200),
    "group-trip-detail": (
        "get",
        group(),
        401,
        roles(
            404,
            admin=200,
            city_staff=200,
            county_a_staff=200,
            auditor=200,
            organizer_a1=200,
            operator=200,
        ),
    ),
    "group-trip-members": (
        "post",
        group("members/"),
        401,
        roles(404, organizer_a1=400, **GROUP_SEE),
    ),
    "group-trip-endorse": (
        "post",
        group("endorse/"),
        401,
        roles(404, organizer_a1=200, **GROUP_SEE),
    ),
    "group-trip-invite": (
        "post",
        group("invite/"),
        401,
        roles(404, organizer_a1=400, admin=400, **STAFF_SEE),
    ),
    "group-trip-respond": (
        "post",
        group("respond/"),
        401,
        roles(404, organizer_a1=403, **GROUP_SEE),  # nobody was invited
    ),
    # The board is public: everyone sees the group, only another union's organizer joins.
    "group-trip-join": ("post", group("join/"), 401, 403),
    "group-trip-entrust": (
        "post",
        group("entrust/"),
        401,
        roles(404, organizer_a1=400, admin=400, **STAFF_SEE),
    ),
    "group-trip-cancel": (
        "post",
        group("cancel/"),
        401,
        roles(404, organizer_a1=400, admin=400, **STAFF_SEE),
    ),
    "group-trip-import": ("post", group("import/"), 401, roles(404, organizer_a1=400, **GROUP_SEE)),
    "group-trip-settlement": (
        "post",
        group("settlement/"),
        401,
        roles(404, organizer_a1=400, admin=400, **STAFF_SEE),
    ),
    "roster-import-detail": (
        "get",
        roster_import,
        401,
        roles(404, organizer_a1=200, admin=200),
    ),
    "roster-import-template": ("get", "/api/v1/roster-imports/template/", 401, 200),
    "settlement-list": ("get", "/api/v1/settlements/", 401, 200),
    "settlement-detail": ("get", settlement(), 401, roles(404, **SETTLEMENT_READERS)),
    "settlement-invoice": ("get", settlement("invoice/"), 401, roles(404, **SETTLEMENT_READERS)),
    "settlement-pay": ("post", settlement("pay/"), 401, SETTLEMENT_DECIDE),
    "settlement-return": ("post", settlement("return/"), 401, SETTLEMENT_DECIDE),
    "lottery-list": ("get", "/api/v1/lotteries/", 200, 200),
    "lottery-detail": ("get", lottery, 200, 200),
    "batch-lottery": ("get", lottery_batch(), 200, 200),
    "batch-lottery-draw": (
        "post",
        lottery_batch("draw/"),
        401,
        # Staff over county A: refused with a message (the sign-up deadline has not passed).
        roles(403, admin=400, city_staff=400, county_a_staff=400),
    ),
    "notification-list": ("get", "/api/v1/notifications/", 401, 200),
    "notification-read": ("post", notification, 401, roles(404, worker_a1=200)),
    "notification-read-all": ("post", "/api/v1/notifications/read-all/", 401, 200),
}
