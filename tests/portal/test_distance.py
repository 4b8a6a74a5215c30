"""How far a base is from a worker's home federation (portal.distance), by hand."""

from __future__ import annotations

import pytest
from django.db import IntegrityError

from portal.distance import distances_km, home_of, straight_line_km
from portal.models import BaseLocation, OrgLocation
from tests.bases.factories import BaseFactory
from tests.factories import OrganizationFactory, WorkerFactory


@pytest.mark.parametrize(
    ("a", "b", "km"),
    [
        ((30.0, 120.0), (30.0, 120.0), 0),
        ((30.0, 120.0), (30.1, 120.0), 11),  # 6371 × 0.1 × π/180 = 11.12
        ((30.0, 120.0), (31.0, 120.0), 111),  # 111.19
        ((0.0, 0.0), (0.0, 1.0), 111),  # on the equator a degree of longitude is as long
        ((60.0, 10.0), (60.0, 11.0), 56),  # at 60° N it is half as long: 55.6
        ((0.0, 0.0), (0.0, 180.0), 20015),  # half the circumference: π × 6371
    ],
)
def test_straight_line_distances_by_hand(a, b, km):
    assert straight_line_km(a, b) == km
    assert straight_line_km(b, a) == km


@pytest.mark.django_db
def test_home_is_the_county_seat_else_the_citys(tree):
    worker_a = tree.user("worker_a1").worker
    assert home_of(worker_a) is None
    city = OrgLocation.objects.create(org=tree.city, latitude="29.3000", longitude="120.1000")
    assert home_of(worker_a) == city  # county A has no location yet: the city's
    county = OrgLocation.objects.create(org=tree.county_a, latitude="29.4500", longitude="119.7200")
    assert home_of(worker_a) == county
    direct = OrganizationFactory(code="C-UNIT", parent=tree.city)  # a union under the city
    assert home_of(WorkerFactory(union=direct, user=None)) == city


@pytest.mark.django_db
def test_distances_only_for_bases_with_a_location(tree):
    home = OrgLocation.objects.create(org=tree.county_a, latitude="30.0000", longitude="120.0000")
    near = BaseFactory(county=tree.county_a, operator=tree.operator)
    unknown = BaseFactory(county=tree.county_a, operator=tree.operator)
    BaseLocation.objects.create(base=near, latitude="30.1000", longitude="120.0000")
    assert distances_km(home, [near.pk, unknown.pk]) == {near.pk: 11}
    assert distances_km(None, [near.pk]) == {}


@pytest.mark.django_db
def test_coordinates_are_held_to_the_globe(tree):
    with pytest.raises(IntegrityError):
        OrgLocation.objects.create(org=tree.county_b, latitude="91.0000", longitude="120.0000")
