from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError
from django.utils import timezone

from accounts.models import Organization, OrgKind, Role, User
from accounts.validators import (
    mask_id_number,
    mask_phone,
    validate_id_number,
    validate_phone,
)
from tests.dates import LAST_YEAR, years_ago
from tests.factories import WorkerFactory, valid_id_number

pytestmark = pytest.mark.django_db


def test_path_and_depth_follow_the_tree(tree):
    assert tree.province.path == "/P/"
    assert tree.union_a1.path == "/P/C/CA/A1/"
    assert (tree.province.depth, tree.city.depth, tree.union_a1.depth) == (0, 1, 3)
    assert set(tree.county_a.subtree().values_list("code", flat=True)) == {"CA", "A1", "A2", "OPA"}
    assert tree.union_a1.is_within(tree.city)
    assert not tree.union_a1.is_within(tree.county_b)
    assert list(tree.union_a1.ancestors().values_list("code", flat=True)) == ["P", "C", "CA"]
    assert tree.union_a1.county() == tree.county_a


def test_moving_an_organization_rewrites_descendant_paths(tree):
    tree.county_a.parent = tree.province
    tree.county_a.kind = OrgKind.CITY
    tree.county_a.save()
    assert Organization.objects.get(code="A1").path == "/P/CA/A1/"


@pytest.mark.parametrize(
    ("kind", "parent_code", "ok"),
    [
        (OrgKind.COUNTY, "C", True),
        (OrgKind.GRASSROOTS, "CA", True),
        (OrgKind.GRASSROOTS, "C", True),
        (OrgKind.GRASSROOTS, "P", False),
        (OrgKind.COUNTY, "A1", False),
        (OrgKind.GRASSROOTS, None, False),
        (OrgKind.AGENCY, "A1", False),
    ],
)
def test_organization_kind_must_fit_its_parent(tree, kind, parent_code, ok):
    parent = Organization.objects.get(code=parent_code) if parent_code else None
    org = Organization(code="NEW", name="新组织", kind=kind, parent=parent)
    if ok:
        org.full_clean()
    else:
        with pytest.raises(ValidationError) as err:
            org.full_clean()
        assert "parent" in err.value.message_dict


def test_role_requires_an_organization_of_the_right_kind(tree):
    with pytest.raises(ValidationError, match="needs an organization"):
        User(username="x", role=Role.WORKER).clean()
    with pytest.raises(ValidationError, match="does not fit"):
        User(username="x", role=Role.FEDERATION_STAFF, org=tree.union_a1).clean()
    User(username="x", role=Role.FEDERATION_STAFF, org=tree.county_a).clean()
    User(username="x", role=Role.BASE_OPERATOR, org=tree.operator).clean()


def test_valid_id_number_passes_and_bad_ones_are_refused():
    good = valid_id_number(years_ago(36, month=3, day=7))
    validate_id_number(good)
    validate_id_number(good.lower())  # a trailing x is accepted in either case
    wrong_check = good[:17] + ("0" if good[17] != "0" else "1")
    with pytest.raises(ValidationError, match="check digit"):
        validate_id_number(wrong_check)
    with pytest.raises(ValidationError, match="17 digits"):
        validate_id_number("12345")
    born = years_ago(36, month=1, day=1)
    with pytest.raises(ValidationError, match="impossible birth date"):
        validate_id_number(valid_id_number(born).replace(f"{born:%Y%m%d}", f"{born:%Y}1399"))
    future = timezone.localdate() + timedelta(days=400)
    with pytest.raises(ValidationError, match="impossible birth date"):
        validate_id_number(valid_id_number(future))


@pytest.mark.parametrize("phone", ["12345678901", "1381234567", "138123456789", "2381234567a"])
def test_invalid_phone_numbers_are_refused(phone):
    with pytest.raises(ValidationError):
        validate_phone(phone)


def test_masks_hide_the_middle_of_sensitive_values():
    assert mask_id_number("33990119900307123X") == "3399**********123X"
    assert mask_phone("13812345678") == "138****5678"
    assert mask_id_number("") == mask_phone("") == ""


def test_worker_birth_date_in_future_is_refused():
    worker = WorkerFactory.build(birth_date=timezone.localdate() + timedelta(days=1))
    with pytest.raises(ValidationError) as err:
        worker.full_clean(exclude=["union", "user"])
    assert "birth_date" in err.value.message_dict


def test_worker_id_number_must_match_birth_date(tree):
    worker = WorkerFactory(union=tree.union_a1, birth_date=years_ago(41))
    worker.id_number = valid_id_number(years_ago(40))
    with pytest.raises(ValidationError) as err:
        worker.full_clean()
    assert "id_number" in err.value.message_dict


def test_worker_must_belong_to_a_grassroots_union(tree):
    worker = WorkerFactory.build(union=tree.county_a, user=None)
    with pytest.raises(ValidationError) as err:
        worker.full_clean()
    assert "union" in err.value.message_dict


def test_id_numbers_are_unique_but_blank_is_allowed_many_times(tree):
    born = years_ago(41)
    WorkerFactory(union=tree.union_a1, id_number="")
    WorkerFactory(union=tree.union_a1, id_number="")
    WorkerFactory(union=tree.union_a1, id_number=valid_id_number(born, 7))
    with pytest.raises(IntegrityError):
        WorkerFactory(union=tree.union_a2, id_number=valid_id_number(born, 7))


def test_age_and_priority_groups(tree):
    worker = WorkerFactory(
        union=tree.union_a1,
        birth_date=date(LAST_YEAR - 55, 12, 31),
        category="senior_technician",
        hazardous_job=True,
    )
    assert worker.age_on(date(LAST_YEAR, 12, 30)) == 54  # the day before the birthday
    assert worker.age_on(date(LAST_YEAR, 12, 31)) == 55
    assert worker.priority_groups == ["skilled", "hazardous_job"]
    assert len(worker.priority_labels) == 2
