"""bases.permissions per role: who sees, edits and decides about which base."""

from __future__ import annotations

import pytest

from bases import permissions as p
from bases.models import BaseStatus
from bases.selectors import bases_managed_by, bases_visible_to
from tests.bases.factories import BaseFactory, InspectionFactory

pytestmark = pytest.mark.django_db

ROLES = [
    "admin",
    "city_staff",
    "county_a_staff",
    "county_b_staff",
    "auditor",
    "organizer_a1",
    "operator",
    "agency",
    "worker_a1",
    "outsider",
]


@pytest.fixture
def bases(tree, other_base):
    own = BaseFactory(name="甲", county=tree.county_a, operator=tree.operator)
    hidden = BaseFactory(
        name="甲申报", county=tree.county_a, operator=tree.operator, status=BaseStatus.APPLIED
    )
    return own, hidden, other_base


def allowed(tree, check) -> set[str]:
    return {role for role in ROLES if check(tree.user(role))}


def test_who_sees_a_base_in_management(tree, bases):
    own, hidden, other = bases
    viewers = {"admin", "city_staff", "county_a_staff", "auditor", "operator"}
    assert allowed(tree, lambda u: p.can_view_base_management(u, own)) == viewers
    assert allowed(tree, lambda u: p.can_view_base_management(u, hidden)) == viewers
    assert allowed(tree, lambda u: p.can_view_base_management(u, other)) == {
        "admin",
        "city_staff",
        "county_b_staff",
        "auditor",
    }


def test_everyone_sees_catalogue_bases_and_only_managers_see_others(tree, bases):
    own, hidden, _other = bases
    assert allowed(tree, lambda u: p.can_view_base(u, own)) == set(ROLES)
    assert allowed(tree, lambda u: p.can_view_base(u, hidden)) == {
        "admin",
        "city_staff",
        "county_a_staff",
        "auditor",
        "operator",
    }
    for role in ROLES:
        user = tree.user(role)
        visible = set(bases_visible_to(user))
        assert own in visible
        assert (hidden in visible) == p.can_view_base(user, hidden), role


def test_who_edits_and_who_decides(tree, bases):
    own, _hidden, other = bases
    assert allowed(tree, lambda u: p.can_edit_base(u, own)) == {
        "admin",
        "city_staff",
        "county_a_staff",
        "operator",
    }
    assert allowed(tree, lambda u: p.can_decide_base(u, own)) == {
        "admin",
        "city_staff",
        "county_a_staff",
    }
    assert allowed(tree, lambda u: p.can_edit_base(u, other)) == {
        "admin",
        "city_staff",
        "county_b_staff",
    }


def test_an_exited_base_is_no_longer_edited(tree, bases):
    own, _hidden, _other = bases
    own.status = BaseStatus.EXITED
    assert allowed(tree, lambda u: p.can_edit_base(u, own)) == set()
    assert "county_a_staff" in allowed(tree, lambda u: p.can_decide_base(u, own))


def test_the_managed_scope_matches_the_permission_functions(tree, bases):
    for role in ROLES:
        user = tree.user(role)
        managed = set(bases_managed_by(user))
        for base in bases:
            assert (base in managed) == p.can_view_base_management(user, base), (role, base)


def test_who_answers_inspections_and_who_runs_city_wide_quality(tree, bases):
    own, _hidden, _other = bases
    inspection = InspectionFactory(base=own)
    assert allowed(tree, lambda u: p.can_answer_inspection(u, inspection)) == {
        "admin",
        "operator",
    }
    assert allowed(tree, p.can_manage_quality) == {"admin", "city_staff"}
    assert allowed(tree, p.can_apply_for_base) == {
        "admin",
        "city_staff",
        "county_a_staff",
        "county_b_staff",
        "operator",
    }
    assert allowed(tree, p.is_supervisor) == {
        "admin",
        "city_staff",
        "county_a_staff",
        "county_b_staff",
        "auditor",
    }


def test_an_inactive_user_loses_everything(tree, bases):
    own, _hidden, _other = bases
    staff = tree.user("city_staff")
    staff.is_active = False
    assert not p.can_edit_base(staff, own)
    assert not p.uses_management(staff)
    assert not bases_managed_by(staff).exists()
