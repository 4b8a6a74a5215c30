"""Where things are: the one kind of data the portal keeps of its own.

The comparison tells a worker roughly how far each base is from home. Home is the seat of the
worker's federation (their county's, or the city's for unions directly under the city); the
distance is a straight line between two points, so the pages say "about … km in a straight
line", never a road distance. The demo's coordinates are invented for its invented city.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from accounts.models import Organization, OrgKind
from bases.models import Base


class Coordinates(models.Model):
    latitude = models.DecimalField(_("latitude"), max_digits=7, decimal_places=4)
    longitude = models.DecimalField(_("longitude"), max_digits=7, decimal_places=4)

    class Meta:
        abstract = True

    @property
    def point(self) -> tuple[float, float]:
        return float(self.latitude), float(self.longitude)


def _bounds(name: str) -> list[models.CheckConstraint]:
    return [
        models.CheckConstraint(
            condition=Q(latitude__gte=-90) & Q(latitude__lte=90), name=f"{name}_latitude"
        ),
        models.CheckConstraint(
            condition=Q(longitude__gte=-180) & Q(longitude__lte=180), name=f"{name}_longitude"
        ),
    ]


class OrgLocation(Coordinates):
    """Where a county or city federation sits: the start of its members' trips."""

    org = models.OneToOneField(
        Organization,
        verbose_name=_("federation"),
        on_delete=models.CASCADE,
        related_name="location",
        limit_choices_to={"kind__in": [OrgKind.COUNTY, OrgKind.CITY]},
    )

    class Meta:
        verbose_name = _("federation location")
        verbose_name_plural = _("federation locations")
        constraints = _bounds("org_location")

    def __str__(self) -> str:
        return str(self.org)


class BaseLocation(Coordinates):
    """Where a base is."""

    base = models.OneToOneField(
        Base, verbose_name=_("base"), on_delete=models.CASCADE, related_name="location"
    )

    class Meta:
        verbose_name = _("base location")
        verbose_name_plural = _("base locations")
        constraints = _bounds("base_location")

    def __str__(self) -> str:
        return str(self.base)
