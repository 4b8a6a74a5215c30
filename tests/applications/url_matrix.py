"""This app's rows of the URL × role matrix in tests/test_permissions.py.

Format: ``"namespace:url-name": (method, path, anonymous status, status or {role: status})``
where ``path`` may be a callable ``(tree) -> str`` that creates the objects the URL needs from
the ``tree`` fixture (tests/conftest.py) and the roles are ``test_permissions.ROLES``.

The objects belong to county A: a batch at a base run by ``tree.operator``, worker A1's
application on it, and a group trip of union A1 (joint, with worker A1 on its roster). POSTs
carry no data, so an allowed role usually gets a redirect back with a message (302).
"""

from __future__ import annotations

from applications import services
from applications.models import GroupTrip, RosterImport
from tests.bases.factories import BaseFactory, BatchFactory, ItineraryFactory

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
DONE = 302  # the action ran (or was refused with a message) and the page redirects
STAFF_A = {"admin", "city_staff", "county_a_staff"}  # staff over county A (pays worker A1)
IN_SCOPE = STAFF_A | {"auditor"}


def roles(*pairs: tuple[set[str], int], default: int) -> dict[str, int]:
    """``(group of roles, status)`` pairs, with ``default`` for every other role."""
    result = dict.fromkeys(ROLES, default)
    for group, code in pairs:
        for role in group:
            result[role] = code
    return result


def _batch(tree):
    base = BaseFactory(name="甲县报名基地", county=tree.county_a, operator=tree.operator)
    return BatchFactory(itinerary=ItineraryFactory(base=base, title="矩阵线路"))


def _application(tree):
    worker = tree.user("worker_a1").worker
    return services.application_submit(worker=worker, batch=_batch(tree), by=None)


def _group(tree) -> GroupTrip:
    return services.group_trip_create(
        batch=_batch(tree), organizer=tree.union_a1, seats=5, by=None, joint=True
    )


def _group_with_member(tree) -> tuple[GroupTrip, int]:
    group = _group(tree)
    member = services.roster_add(
        group_trip=group, worker=tree.user("worker_a1").worker, union=tree.union_a1, by=None
    )
    return group, member.pk


def application_path(suffix: str = ""):
    return lambda tree: f"/applications/{_application(tree).pk}/{suffix}"


def group_path(suffix: str = ""):
    return lambda tree: f"/applications/groups/{_group(tree).pk}/{suffix}"


def _remove_path(tree) -> str:
    group, member = _group_with_member(tree)
    return f"/applications/groups/{group.pk}/members/{member}/remove/"


def _import_path(suffix: str = ""):
    def make(tree) -> str:
        group = _group(tree)
        job = RosterImport.objects.create(
            group_trip=group, union=tree.union_a1, file="rosters/x.xlsx", filename="x.xlsx"
        )
        return f"/applications/groups/{group.pk}/import/{job.pk}/{suffix}"

    return make


# Who sees a group trip of union A1 at county A's base: its organizer, staff and auditors over
# county A, the base's operator (and the admin); the agency only once entrusted.
GROUP_VIEWERS = IN_SCOPE | {"organizer_a1", "operator"}
# Visible but not theirs to manage: 403; everyone else: 404.
MANAGE = roles(
    ({"organizer_a1", "admin"}, DONE), (GROUP_VIEWERS - {"organizer_a1", "admin"}, 403), default=404
)
ROSTER = roles(({"organizer_a1"}, DONE), (GROUP_VIEWERS - {"organizer_a1"}, 403), default=404)
ROSTER_PAGE = roles(({"organizer_a1"}, 200), (GROUP_VIEWERS - {"organizer_a1"}, 403), default=404)
WORKER_ONLY = roles(({"worker_a1"}, 200), default=403)
ORGANIZER_ONLY = roles(({"organizer_a1"}, 200), default=403)

MATRIX: dict = {
    # Workers
    "applications:apply": (
        "get",
        lambda tree: f"/applications/apply/{_batch(tree).pk}/",
        LOGIN,
        WORKER_ONLY,
    ),
    "applications:mine": ("get", "/applications/mine/", LOGIN, WORKER_ONLY),
    "applications:detail": (
        "get",
        application_path(),
        LOGIN,
        roles((IN_SCOPE | {"organizer_a1", "operator", "worker_a1"}, 200), default=404),
    ),
    "applications:withdraw": (
        "post",
        application_path("withdraw/"),
        LOGIN,
        roles(
            ({"worker_a1", "organizer_a1", "admin"}, DONE),
            ({"city_staff", "county_a_staff", "auditor", "operator"}, 403),
            default=404,
        ),
    ),
    "applications:review": (
        "post",
        application_path("review/"),
        LOGIN,  # nobody reviews a trip that has not happened
        roles((IN_SCOPE | {"organizer_a1", "operator", "worker_a1"}, 403), default=404),
    ),
    # One application: the union endorses, staff over the paying county reject, attendance
    "applications:endorse": (
        "post",
        application_path("endorse/"),
        LOGIN,
        roles(
            ({"organizer_a1", "admin"}, DONE),
            ({"city_staff", "county_a_staff", "auditor", "operator", "worker_a1"}, 403),
            default=404,
        ),
    ),
    "applications:reject": (
        "post",
        application_path("reject/"),
        LOGIN,
        roles(
            (STAFF_A | {"organizer_a1"}, DONE),
            ({"auditor", "operator", "worker_a1"}, 403),
            default=404,
        ),
    ),
    "applications:attendance": (
        "post",
        application_path("attendance/"),
        LOGIN,
        roles(
            (STAFF_A | {"organizer_a1", "operator"}, DONE),
            ({"auditor", "worker_a1"}, 403),
            default=404,
        ),
    ),
    # The union's pages
    "applications:union": ("get", "/applications/union/", LOGIN, ORGANIZER_ONLY),
    "applications:union_endorse": (
        "post",
        "/applications/union/endorse/",
        LOGIN,
        roles(({"organizer_a1"}, DONE), default=403),
    ),
    "applications:members": ("get", "/applications/members/", LOGIN, ORGANIZER_ONLY),
    # Group trips
    "applications:groups": (
        "get",
        "/applications/groups/",
        LOGIN,
        roles(({"worker_a1", "outsider"}, 403), default=200),
    ),
    "applications:group_new": ("get", "/applications/groups/new/", LOGIN, ORGANIZER_ONLY),
    "applications:board": ("get", "/applications/groups/board/", 200, 200),
    "applications:board_join": (
        "post",
        group_path("join/"),
        LOGIN,
        403,  # its own organizer is in already; only other organizers join
    ),
    "applications:group_detail": (
        "get",
        group_path(),
        LOGIN,
        roles((GROUP_VIEWERS, 200), default=404),
    ),
    "applications:group_add_member": ("post", group_path("members/add/"), LOGIN, ROSTER),
    "applications:group_remove_member": (
        "post",
        _remove_path,
        LOGIN,
        roles(
            ({"organizer_a1", "admin"}, DONE),
            ({"city_staff", "county_a_staff", "auditor", "operator"}, 403),
            default=404,
        ),
    ),
    "applications:group_endorse": ("post", group_path("endorse/"), LOGIN, ROSTER),
    "applications:group_resize": ("post", group_path("resize/"), LOGIN, MANAGE),
    "applications:group_invite": ("post", group_path("invite/"), LOGIN, MANAGE),
    "applications:group_entrust": ("post", group_path("entrust/"), LOGIN, MANAGE),
    "applications:group_cancel": ("post", group_path("cancel/"), LOGIN, MANAGE),
    "applications:group_respond": (
        "post",
        group_path("respond/"),
        LOGIN,
        roles((GROUP_VIEWERS, 403), default=404),  # nobody here is invited
    ),
    "applications:group_import": ("get", group_path("import/"), LOGIN, ROSTER_PAGE),
    "applications:group_import_template": (
        "get",
        group_path("import/template/"),
        LOGIN,
        ROSTER_PAGE,
    ),
    "applications:group_import_detail": ("get", _import_path(), LOGIN, ROSTER_PAGE),
    "applications:group_import_status": ("get", _import_path("status/"), LOGIN, ROSTER_PAGE),
    "applications:group_settlement": (
        "get",
        group_path("settlement/"),
        LOGIN,
        roles((GROUP_VIEWERS, 403), ({"organizer_a1", "admin"}, 200), default=404),
    ),
    "applications:group_attendance": (
        "post",
        group_path("attendance/"),
        LOGIN,
        # The lead may record attendance, but the POST names no application: not found.
        roles((GROUP_VIEWERS, 403), ({"organizer_a1", "admin"}, 404), default=404),
    ),
}
