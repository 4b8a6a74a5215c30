"""How far a base is from a worker's home federation, in a straight line (see portal.models)."""

from __future__ import annotations

from collections.abc import Iterable
from math import asin, cos, radians, sin, sqrt

from accounts.models import Worker
from portal.models import BaseLocation, OrgLocation

EARTH_RADIUS_KM = 6371.0


def straight_line_km(a: tuple[float, float], b: tuple[float, float]) -> int:
    """Great-circle distance between two (latitude, longitude) points, to the nearest km."""
    lat1, lon1, lat2, lon2 = map(radians, (*a, *b))
    h = sin((lat2 - lat1) / 2) ** 2 + cos(lat1) * cos(lat2) * sin((lon2 - lon1) / 2) ** 2
    return round(2 * EARTH_RADIUS_KM * asin(min(1.0, sqrt(h))))


def home_of(worker: Worker) -> OrgLocation | None:
    """The location of the nearest federation above the worker's union that has one (their
    county, else the city): one query."""
    codes = [c for c in worker.union.path.split("/") if c]
    found = {
        loc.org.code: loc
        for loc in OrgLocation.objects.filter(org__code__in=codes).select_related("org")
    }
    for code in reversed(codes):  # deepest first
        if code in found:
            return found[code]
    return None


def distances_km(home: OrgLocation | None, base_ids: Iterable[int]) -> dict[int, int]:
    """Straight-line km from ``home`` to each base that has a location: one query."""
    if home is None:
        return {}
    return {
        loc.base_id: straight_line_km(home.point, loc.point)
        for loc in BaseLocation.objects.filter(base_id__in=list(base_ids))
    }
