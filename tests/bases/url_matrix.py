"""This app's rows of the URL × role matrix in tests/test_permissions.py.

Format: ``"namespace:url-name": (method, path, anonymous status, status or {role: status})``
where ``path`` may be a callable ``(tree) -> str`` that creates the objects the URL needs from
the ``tree`` fixture (tests/conftest.py) and the roles are ``test_permissions.ROLES``.

The objects belong to county A and its operator (``tree.operator``): county B's staff is not
in the role list, but organizer, agency, worker and outsider are out of scope (404 on objects).
"""

from __future__ import annotations

from bases.models import BasePhoto, Inspection
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
STAFF = {"admin", "city_staff", "county_a_staff"}  # supervise county A's bases and may decide
SUPERVISORS = STAFF | {"auditor"}  # see the staff pages
EDITORS = STAFF | {"operator"}  # change county A's base, itineraries and batches
VIEWERS = EDITORS | {"auditor"}  # see county A's base in management
CITY = {"admin", "city_staff"}  # city-wide settings and the monthly draw


def roles(*pairs: tuple[set[str], int], default: int) -> dict[str, int]:
    """``(group of roles, status)`` pairs, with ``default`` for every other role."""
    result = dict.fromkeys(ROLES, default)
    for group, code in pairs:
        for role in group:
            result[role] = code
    return result


def _base(tree):
    return BaseFactory(name="甲县矩阵基地", county=tree.county_a, operator=tree.operator)


def base_path(suffix: str = ""):
    return lambda tree: f"/bases/manage/{_base(tree).pk}/{suffix}"


def _itinerary(tree):
    return ItineraryFactory(base=_base(tree))


def _batch(tree):
    return BatchFactory(itinerary=_itinerary(tree))


def _photo_delete(tree) -> str:
    # A row naming a file is enough: deleting it removes the file only after commit.
    photo = BasePhoto.objects.create(base=_base(tree), image="bases/none.png")
    return f"/bases/manage/photos/{photo.pk}/delete/"


def _inspection(tree) -> str:
    return f"/bases/manage/inspections/{Inspection.objects.create(base=_base(tree)).pk}/"


OBJECT_VIEW = roles((VIEWERS, 200), default=404)  # see it in management
OBJECT_EDIT = roles(
    (EDITORS, 200), ({"auditor"}, 403), default=404
)  # change it (operator or staff)
OBJECT_EDIT_POST = roles((EDITORS, 302), ({"auditor"}, 403), default=404)
OBJECT_DECIDE = roles((STAFF, 200), ({"auditor", "operator"}, 403), default=404)  # staff decisions
MANAGEMENT = roles((VIEWERS, 200), default=403)
STAFF_PAGES = roles((SUPERVISORS, 200), default=403)

MATRIX: dict = {
    # Public catalogue: everyone, no login.
    "bases:catalogue": ("get", "/bases/", 200, 200),
    "bases:base_list": ("get", "/bases/all/", 200, 200),
    "bases:notice": ("get", "/bases/notice/", 200, 200),
    "bases:base_detail": ("get", lambda t: f"/bases/{_base(t).pk}/", 200, 200),
    "bases:itinerary_detail": (
        "get",
        lambda t: f"/bases/itineraries/{_itinerary(t).pk}/",
        200,
        200,
    ),
    # Management of one base.
    "bases:manage": ("get", "/bases/manage/", LOGIN, MANAGEMENT),
    "bases:base_apply": (
        "get",
        "/bases/manage/apply/",
        LOGIN,
        roles((STAFF | {"operator"}, 200), default=403),
    ),
    "bases:base_manage": ("get", base_path(), LOGIN, OBJECT_VIEW),
    "bases:base_edit": ("get", base_path("edit/"), LOGIN, OBJECT_EDIT),
    "bases:base_transition": ("post", base_path("transition/"), LOGIN, OBJECT_DECIDE),
    "bases:base_photos": ("get", base_path("photos/"), LOGIN, OBJECT_VIEW),
    "bases:photo_delete": ("post", _photo_delete, LOGIN, OBJECT_EDIT_POST),
    "bases:rating_new": ("get", base_path("rating/"), LOGIN, OBJECT_DECIDE),
    "bases:itinerary_new": ("get", base_path("itineraries/new/"), LOGIN, OBJECT_EDIT),
    "bases:inspection_new": (
        "post",
        base_path("inspections/new/"),
        LOGIN,
        roles((STAFF, 302), ({"auditor", "operator"}, 403), default=404),
    ),
    "bases:batches": (
        "get",
        lambda t: f"/bases/manage/itineraries/{_itinerary(t).pk}/",
        LOGIN,
        OBJECT_VIEW,
    ),
    "bases:itinerary_edit": (
        "get",
        lambda t: f"/bases/manage/itineraries/{_itinerary(t).pk}/edit/",
        LOGIN,
        OBJECT_EDIT,
    ),
    "bases:batch_edit": (
        "get",
        lambda t: f"/bases/manage/batches/{_batch(t).pk}/edit/",
        LOGIN,
        OBJECT_EDIT,
    ),
    "bases:batch_close": (
        "post",
        lambda t: f"/bases/manage/batches/{_batch(t).pk}/close/",
        LOGIN,
        OBJECT_EDIT_POST,
    ),
    "bases:batch_reopen": (
        "post",
        lambda t: f"/bases/manage/batches/{_batch(t).pk}/reopen/",
        LOGIN,
        OBJECT_EDIT_POST,
    ),
    "bases:inspection_detail": ("get", _inspection, LOGIN, OBJECT_VIEW),
    # Staff pages.
    "bases:accreditation": ("get", "/bases/manage/accreditation/", LOGIN, STAFF_PAGES),
    "bases:ratings": ("get", "/bases/manage/ratings/", LOGIN, STAFF_PAGES),
    "bases:inspections": ("get", "/bases/manage/inspections/", LOGIN, MANAGEMENT),
    "bases:inspection_draw": (
        "post",
        "/bases/manage/inspections/draw/",
        LOGIN,
        roles((CITY, 302), default=403),
    ),
    "bases:watch_list": ("get", "/bases/manage/watch/", LOGIN, STAFF_PAGES),
    "bases:watch_list_run": (
        "post",
        "/bases/manage/watch/run/",
        LOGIN,
        roles((CITY, 302), default=403),
    ),
    "bases:quality_settings": ("get", "/bases/manage/settings/", LOGIN, STAFF_PAGES),
    # API: reads are public; writes need a login, scope (404) and the right (403).
    "base-list": ("get", "/api/v1/bases/", 200, 200),
    "base-detail": ("get", lambda t: f"/api/v1/bases/{_base(t).pk}/", 200, 200),
    "base-transition": (
        "post",
        lambda t: f"/api/v1/bases/{_base(t).pk}/transition/",
        401,
        roles((STAFF, 400), ({"auditor", "operator"}, 403), default=404),  # 400: no "to" given
    ),
    "itinerary-list": ("get", "/api/v1/itineraries/", 200, 200),
    "itinerary-detail": ("get", lambda t: f"/api/v1/itineraries/{_itinerary(t).pk}/", 200, 200),
    "batch-list": ("get", "/api/v1/batches/", 200, 200),
    "batch-detail": ("get", lambda t: f"/api/v1/batches/{_batch(t).pk}/", 200, 200),
    "batch-close": (
        "post",
        lambda t: f"/api/v1/batches/{_batch(t).pk}/close/",
        401,
        roles((EDITORS, 200), ({"auditor"}, 403), default=404),
    ),
    "batch-reopen": (
        "post",
        lambda t: f"/api/v1/batches/{_batch(t).pk}/reopen/",
        401,
        roles((EDITORS, 200), ({"auditor"}, 403), default=404),
    ),
}
