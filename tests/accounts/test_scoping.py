"""The scoping module answers for every role, including an outsider and an anonymous visitor."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser

from accounts import scoping
from accounts.models import Organization, Worker
from tests.factories import WorkerFactory

pytestmark = pytest.mark.django_db

ALL = {"P", "C", "CA", "CB", "A1", "A2", "B1", "OPA", "OPB", "AG", "AGB"}
COUNTY_B = {"CB", "B1", "OPB", "AGB"}

# role → (orgs it may see, orgs it may act on, workers it may see by union)
EXPECTED = {
    "admin": (ALL, ALL, {"A1", "B1"}),
    "city_staff": (ALL - {"P"}, ALL - {"P"}, {"A1", "B1"}),
    "county_a_staff": ({"CA", "A1", "A2", "OPA"}, {"CA", "A1", "A2", "OPA"}, {"A1"}),
    "county_b_staff": (COUNTY_B, COUNTY_B, {"B1"}),
    "auditor": (ALL - {"P"}, set(), {"A1", "B1"}),
    "organizer_a1": ({"A1"}, {"A1"}, {"A1"}),
    "organizer_b1": ({"B1"}, {"B1"}, {"B1"}),
    "operator": ({"OPA"}, {"OPA"}, set()),
    "agency": ({"AG"}, {"AG"}, set()),
    "operator_b": ({"OPB"}, {"OPB"}, set()),
    "agency_b": ({"AGB"}, {"AGB"}, set()),
    "worker_a1": ({"A1"}, set(), {"A1"}),
    "worker_b1": ({"B1"}, set(), {"B1"}),
    "outsider": (set(), set(), set()),
}


def codes(qs) -> set[str]:
    return set(qs.values_list("code", flat=True))


@pytest.mark.parametrize("role", sorted(EXPECTED))
def test_each_role_sees_and_acts_on_exactly_its_scope(tree, role):
    user = tree.user(role)
    visible, manageable, worker_unions = EXPECTED[role]
    assert codes(scoping.visible_orgs(user)) == visible
    orgs = Organization.objects.all()
    assert {o.code for o in orgs if scoping.can_view_org(user, o)} == visible
    assert {o.code for o in orgs if scoping.can_manage_org(user, o)} == manageable
    assert {w.union.code for w in scoping.visible_workers(user)} == worker_unions
    assert {w.union.code for w in Worker.objects.all() if scoping.can_view_worker(user, w)} == (
        worker_unions
    )


def test_scope_q_filters_any_model_by_its_organization_field(tree):
    WorkerFactory(union=tree.union_a2)
    county_a = tree.user("county_a_staff")
    qs = Worker.objects.filter(scoping.scope_q(county_a, "union"))
    assert {w.union.code for w in qs} == {"A1", "A2"}
    organizer = tree.user("organizer_a1")
    assert {w.union.code for w in Worker.objects.filter(scoping.scope_q(organizer, "union"))} == {
        "A1"
    }


def test_a_worker_sees_only_their_own_record_even_in_their_union(tree):
    colleague = WorkerFactory(union=tree.union_a1)
    me = tree.user("worker_a1")
    assert list(scoping.visible_workers(me)) == [me.worker]
    assert not scoping.can_view_worker(me, colleague)
    assert scoping.can_manage_worker(me, me.worker)
    assert not scoping.can_manage_worker(tree.user("auditor"), me.worker)
    assert scoping.can_manage_worker(tree.user("organizer_a1"), colleague)
    assert not scoping.can_manage_worker(tree.user("organizer_b1"), colleague)


def test_anonymous_and_inactive_users_see_nothing(tree):
    anonymous = AnonymousUser()
    assert not scoping.visible_orgs(anonymous).exists()
    assert not scoping.can_view_org(anonymous, tree.city)
    assert not scoping.visible_workers(anonymous).exists()
    staff = tree.user("city_staff")
    staff.is_active = False
    staff.save()
    assert not scoping.visible_orgs(staff).exists()
    assert not scoping.can_manage_org(staff, tree.union_a1)
    assert not scoping.can_view_org(tree.user("admin"), None)


@pytest.mark.parametrize(
    ("role", "allowed"),
    [
        ("admin", True),
        ("city_staff", True),
        ("auditor", True),
        ("organizer_a1", True),
        ("worker_a1", False),
        ("operator", False),
        ("agency", False),
        ("outsider", False),
    ],
)
def test_who_may_list_members(tree, role, allowed):
    assert scoping.can_list_members(tree.user(role)) is allowed
    assert not scoping.can_list_members(AnonymousUser())
