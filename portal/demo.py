"""Demo data of this app for ``manage.py seed_demo`` (idempotent): where the demo city's
federations and bases are, so the comparison can say how far each base is.

The demo city is invented, and so are these coordinates: its seat, each county's seat (a rough
layout that fits the counties' stories: 青山 and 云岭 in the hills to the west, 临海 on the coast,
红石 in the old base area to the north, 东湖 and 南溪 the city's districts), and every base a few
to twenty kilometres from its county's seat, placed by a fixed seed from its name.
"""

from __future__ import annotations

import random
from decimal import Decimal
from math import cos, radians, sin

from accounts.demo import CITY, SeedReport
from accounts.models import Organization
from bases.models import Base
from portal.models import BaseLocation, OrgLocation

SEATS = {
    CITY[0]: (29.3000, 120.1000),
    "SFS-DH": (29.3100, 120.1600),
    "SFS-NX": (29.2200, 120.0800),
    "SFS-QS": (29.4500, 119.7200),
    "SFS-YL": (29.0500, 119.6500),
    "SFS-LH": (29.1200, 120.7500),
    "SFS-HS": (29.7000, 120.0200),
}
KM_PER_DEGREE = 111.0
Q = Decimal("0.0001")


def _near(seat: tuple[float, float], name: str) -> tuple[Decimal, Decimal]:
    rng = random.Random(f"demo-location:{name}")  # demo data: a fixed seed per base
    km, angle = rng.uniform(3, 20), radians(rng.uniform(0, 360))
    lat = seat[0] + km * cos(angle) / KM_PER_DEGREE
    lon = seat[1] + km * sin(angle) / (KM_PER_DEGREE * cos(radians(seat[0])))
    return Decimal(lat).quantize(Q), Decimal(lon).quantize(Q)


def seed(report: SeedReport) -> None:
    orgs = {o.code: o for o in Organization.objects.filter(code__in=list(SEATS))}
    for code, (lat, lon) in SEATS.items():
        if code in orgs:
            _, created = OrgLocation.objects.get_or_create(
                org=orgs[code],
                defaults={
                    "latitude": Decimal(lat).quantize(Q),
                    "longitude": Decimal(lon).quantize(Q),
                },
            )
            report.add("federation locations", created)
    for base in Base.objects.select_related("county").filter(county__code__in=list(SEATS)):
        lat, lon = _near(SEATS[base.county.code], base.name)
        _, created = BaseLocation.objects.get_or_create(
            base=base, defaults={"latitude": lat, "longitude": lon}
        )
        report.add("base locations", created)
