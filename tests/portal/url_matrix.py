"""The portal's rows of the URL × method × role matrix in tests/test_permissions.py (format:
tests/matrix.py): the priced catalogue's pages (which kept their ``/bases/…`` addresses when
they moved here from bases), the comparison, "recommended for you" and the staff dashboard; the
homes are in the main matrix. The objects belong to county A and its operator. What county B's
staff see on the dashboard (not county A's numbers) is checked by content in
tests/portal/test_dashboard.py.
"""

from __future__ import annotations

from tests.bases.factories import BaseFactory, BatchFactory, ItineraryFactory
from tests.matrix import LOGIN, SUPERVISORS, VIEWERS, only, roles

WORKERS = {"worker_a1", "worker_b1"}


def _itinerary(tree, **fields):
    base = BaseFactory(name="甲县矩阵基地", county=tree.county_a, operator=tree.operator)
    itinerary = ItineraryFactory(base=base, days=3, **fields)
    BatchFactory(itinerary=itinerary)
    return itinerary


MATRIX: dict = {
    # Public: everyone, no login (a worker sees their own cost and whether they may apply).
    ("trips:catalogue", "get"): ("/bases/", 200, 200),
    ("trips:itinerary_detail", "get"): (
        lambda t: f"/bases/itineraries/{_itinerary(t).pk}/",
        200,
        200,
    ),
    # An itinerary out of the catalogue: only those who manage its base (and auditors) see it.
    ("trips:itinerary_detail", "get", "inactive"): (
        lambda t: f"/bases/itineraries/{_itinerary(t, active=False).pk}/",
        404,
        roles((VIEWERS, 200), default=404),
    ),
    ("trips:compare", "get"): ("/bases/compare/", 200, 200),
    ("trips:compare", "get", "shared"): (
        lambda t: f"/bases/compare/?ids={_itinerary(t).pk}",
        200,
        200,
    ),
    # A visitor's own picks, in their session (no object written: SESSION_WRITES).
    ("trips:compare_toggle", "post"): ("/bases/compare/toggle/", 302, 302),
    ("recommendation-list", "get"): ("/api/v1/recommendations/", 401, only(WORKERS)),
    # Federation staff and auditors, each over their own subtree; everyone else 403.
    ("portal:dashboard", "get"): ("/dashboard/", LOGIN, only(SUPERVISORS)),
}
SESSION_WRITES = {"trips:compare_toggle"}
