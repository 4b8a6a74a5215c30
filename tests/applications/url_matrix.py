"""This app's rows of the URL × method × role matrix in tests/test_permissions.py (format:
tests/matrix.py)."""

from __future__ import annotations

from tests.applications import staff_pages as build

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
LOGIN = 302


def roles(*pairs: tuple[set[str], int], default: int) -> dict[str, int]:
    """``(group of roles, status)`` pairs, with ``default`` for every other role."""
    result = dict.fromkeys(ROLES, default)
    for group, code in pairs:
        for role in group:
            result[role] = code
    return result


# --- Staff, auditors, operators, agencies; public batch and lottery pages; notifications ---------
# The objects belong to county A (its base is run by ``tree.operator``; its workers are in union
# A1 and their subsidy is paid by county A). The worker of an application is never worker_a1.
PAYING_STAFF = {"admin", "city_staff", "county_a_staff"}
QUEUE_READERS = PAYING_STAFF | {"auditor"}
ROSTER_READERS = QUEUE_READERS | {"operator"}


def _queue_item(suffix: str):
    return lambda tree: (
        f"/applications/queue/{build.endorsed(tree, build.build_trip(tree).batch).pk}/{suffix}"
    )


def _settlement(suffix: str = ""):
    return lambda tree: f"/applications/settlements/{build.settlement_id(tree)}/{suffix}"


def _batch(suffix: str = ""):
    return lambda tree: f"/applications/batches/{build.build_trip(tree).batch.pk}/{suffix}"


def _lottery(tree) -> str:
    from applications import services

    batch = build.build_trip(tree).batch
    return f"/applications/lotteries/{services.lottery_announce(batch=batch, by=None).pk}/"


def _attendance(tree) -> str:
    app = build.approved(tree, build.build_trip(tree).batch)
    return f"/applications/rosters/attendance/{app.pk}/"


MATRIX: dict = {
    "applications:queue": (
        "get",
        "/applications/queue/",
        LOGIN,
        roles((QUEUE_READERS, 200), default=403),
    ),
    "applications:queue_bulk_approve": (
        "post",
        "/applications/queue/approve/",
        LOGIN,
        roles((PAYING_STAFF, 302), default=403),
    ),
    # The organizer and the operator see the application (their union's, their base's).
    "applications:queue_approve": (
        "post",
        _queue_item("approve/"),
        LOGIN,
        roles((PAYING_STAFF, 302), ({"auditor", "organizer_a1", "operator"}, 403), default=404),
    ),
    "applications:queue_reject": (
        "post",
        _queue_item("reject/"),
        LOGIN,
        roles((PAYING_STAFF, 302), ({"auditor", "organizer_a1", "operator"}, 403), default=404),
    ),
    "applications:settlements": (
        "get",
        "/applications/settlements/",
        LOGIN,
        roles((QUEUE_READERS, 200), default=403),
    ),
    # The organizer submitted it (its union's members); operators never see settlements.
    "applications:settlement_detail": (
        "get",
        _settlement(),
        LOGIN,
        roles((QUEUE_READERS | {"organizer_a1"}, 200), default=404),
    ),
    "applications:settlement_pay": (
        "post",
        _settlement("pay/"),
        LOGIN,
        roles((PAYING_STAFF, 302), ({"auditor", "organizer_a1"}, 403), default=404),
    ),
    "applications:settlement_return": (
        "post",
        _settlement("return/"),
        LOGIN,
        roles((PAYING_STAFF, 302), ({"auditor", "organizer_a1"}, 403), default=404),
    ),
    "applications:invoice": (
        "get",
        _settlement("invoice/"),
        LOGIN,
        roles((QUEUE_READERS | {"organizer_a1"}, 200), default=404),
    ),
    # A public batch: everyone sees it; only staff over its county run the lottery.
    "applications:batch": ("get", _batch(), 200, 200),
    "applications:lottery": ("get", _lottery, 200, 200),
    "applications:lottery_manage": (
        "get",
        _batch("lottery/"),
        LOGIN,
        roles((PAYING_STAFF, 200), default=403),
    ),
    "applications:lottery_announce": (
        "post",
        _batch("lottery/announce/"),
        LOGIN,
        roles((PAYING_STAFF, 302), default=403),
    ),
    "applications:lottery_draw": (
        "post",
        _batch("lottery/draw/"),
        LOGIN,
        roles((PAYING_STAFF, 302), default=403),
    ),
    "applications:rosters": (
        "get",
        "/applications/rosters/",
        LOGIN,
        roles((ROSTER_READERS, 200), default=403),
    ),
    "applications:roster": (
        "get",
        lambda tree: f"/applications/rosters/{build.build_trip(tree).batch.pk}/",
        LOGIN,
        roles((ROSTER_READERS, 200), default=403),
    ),
    # Before departure the move is refused with a message (302); the union records it too.
    "applications:roster_attendance": (
        "post",
        _attendance,
        LOGIN,
        roles((PAYING_STAFF | {"organizer_a1", "operator"}, 302), ({"auditor"}, 403), default=404),
    ),
    "applications:entrusted": (
        "get",
        "/applications/entrusted/",
        LOGIN,
        roles(({"admin", "agency"}, 200), default=403),
    ),
    "applications:notifications": ("get", "/applications/notifications/", LOGIN, 200),
    "applications:notifications_read": ("post", "/applications/notifications/read/", LOGIN, 302),
    "applications:notifications_read_all": (
        "post",
        "/applications/notifications/read-all/",
        LOGIN,
        302,
    ),
}
