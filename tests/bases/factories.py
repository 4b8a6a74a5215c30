"""factory_boy factories of the bases app (people and organizations: tests/factories.py)."""

from __future__ import annotations

from datetime import timedelta

import factory
from django.utils import timezone

from accounts.models import OrgKind
from bases.models import Base, BaseStatus, Batch, Inspection, Itinerary, Review
from tests.factories import OrganizationFactory, UserFactory


class BaseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Base

    name = factory.Sequence(lambda n: f"基地{n}")
    county = factory.SubFactory(OrganizationFactory, kind=OrgKind.COUNTY)
    operator = factory.SubFactory(
        OrganizationFactory, kind=OrgKind.BASE_OPERATOR, parent=factory.SelfAttribute("..county")
    )
    themes = factory.LazyFunction(lambda: ["green"])
    products = factory.LazyFunction(lambda: ["forest"])
    stars = 3
    status = BaseStatus.ACTIVE
    address = "某县某路1号"


class ItineraryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Itinerary

    base = factory.SubFactory(BaseFactory)
    title = factory.Sequence(lambda n: f"线路{n}")
    days = 5
    standard_price_fen = 240000
    union_price_fen = 200000
    programme = factory.LazyAttribute(lambda o: [f"第{d}天" for d in range(1, o.days + 1)])


class BatchFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Batch

    itinerary = factory.SubFactory(ItineraryFactory)
    start_date = factory.LazyFunction(lambda: timezone.localdate() + timedelta(days=30))
    end_date = factory.LazyAttribute(lambda o: o.start_date + timedelta(days=o.itinerary.days - 1))
    signup_deadline = factory.LazyAttribute(lambda o: o.start_date - timedelta(days=7))
    capacity = 30


class ReviewFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Review

    base = factory.SubFactory(BaseFactory)
    author = factory.SubFactory(UserFactory)
    rating = 5
    text = "很好"
    application_ref = factory.Sequence(lambda n: f"test:{n}")


class InspectionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Inspection

    base = factory.SubFactory(BaseFactory)
