"""factory_boy factories shared by every app's tests."""

from __future__ import annotations

from datetime import date

import factory

from accounts.models import Gender, Organization, OrgKind, Role, User, Worker, WorkerCategory
from accounts.validators import id_number_check_digit

PASSWORD = "secret-pass-123"


class OrganizationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organization
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"ORG{n:04d}")
    name = factory.Sequence(lambda n: f"组织{n}")
    kind = OrgKind.GRASSROOTS
    parent = None


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    full_name = factory.Sequence(lambda n: f"用户{n}")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def _save(obj, create, extracted, **kwargs):  # noqa: N805 - factory_boy hook
        if create:
            obj.save()


def valid_id_number(born: date, seq: int = 1) -> str:
    first17 = f"339901{born:%Y%m%d}{seq % 1000:03d}"
    return first17 + id_number_check_digit(first17)


class WorkerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Worker

    union = factory.SubFactory(OrganizationFactory, kind=OrgKind.GRASSROOTS)
    real_name = factory.Sequence(lambda n: f"职工{n}")
    gender = Gender.MALE
    birth_date = date(1985, 6, 15)
    category = WorkerCategory.MEMBER
    user = factory.SubFactory(
        UserFactory,
        role=Role.WORKER,
        org=factory.SelfAttribute("..union"),
    )
