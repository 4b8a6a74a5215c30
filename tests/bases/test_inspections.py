"""Random inspections: a reproducible monthly draw, findings, rectification and its deadline."""

from __future__ import annotations

from datetime import timedelta
from io import StringIO

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from hypothesis import given
from hypothesis import strategies as st

from bases import services, tasks
from bases.models import BaseStatus, Inspection, InspectionDraw, InspectionStatus
from bases.selectors import overdue_inspections
from tests.bases.factories import BaseFactory, InspectionFactory
from tests.dates import THIS_YEAR

pytestmark = [pytest.mark.django_db, pytest.mark.dates]


@given(
    seed=st.integers(min_value=0, max_value=2**48),
    ids=st.lists(st.integers(min_value=1, max_value=10**6), unique=True, max_size=60),
    size=st.integers(min_value=0, max_value=80),
)
def test_the_same_seed_and_candidates_give_the_same_draw(seed, ids, size):
    first = services.draw_sample(seed, ids, size)
    assert services.draw_sample(seed, list(reversed(ids)), size) == first  # order does not matter
    assert len(first) == min(size, len(ids))
    assert len(set(first)) == len(first) and set(first) <= set(ids)


def test_a_draw_is_pinned_to_known_values():
    # Guards the algorithm itself: a published draw must re-run identically on any version.
    assert services.draw_sample(20261101, range(1, 31), 3) == services.draw_sample(
        20261101, list(range(30, 0, -1)), 3
    )
    assert services.draw_sample(42, [1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 3) == [7, 2, 5]


def test_different_seeds_usually_draw_differently():
    draws = {tuple(services.draw_sample(seed, range(100), 5)) for seed in range(20)}
    assert len(draws) == 20


def test_monthly_draw_records_seed_candidates_and_creates_inspections(tree, today):
    bases = [BaseFactory(county=tree.county_a, operator=tree.operator) for _ in range(6)]
    BaseFactory(county=tree.county_a, operator=tree.operator, status=BaseStatus.EXITED)
    BaseFactory(county=tree.county_a, operator=tree.operator, status=BaseStatus.WATCH)
    draw = services.inspections_draw(period=f"{THIS_YEAR}-11", seed=123, sample_size=3)
    assert draw.seed == 123 and len(draw.candidate_ids) == 7  # active + watch, not exited
    assert set(draw.candidate_ids) >= {b.pk for b in bases}
    assert draw.chosen_ids == services.draw_sample(123, draw.candidate_ids, 3)
    inspections = Inspection.objects.filter(draw=draw)
    assert sorted(inspections.values_list("base_id", flat=True)) == sorted(draw.chosen_ids)
    assert set(inspections.values_list("status", flat=True)) == {InspectionStatus.SCHEDULED}


def test_the_draw_happens_once_a_month(tree):
    for _ in range(4):
        BaseFactory(county=tree.county_a, operator=tree.operator)
    first = services.inspections_draw(period=f"{THIS_YEAR}-11", sample_size=2)
    again = services.inspections_draw(period=f"{THIS_YEAR}-11", sample_size=3, seed=1)
    assert again.pk == first.pk and again.seed == first.seed
    assert Inspection.objects.count() == 2
    assert InspectionDraw.objects.count() == 1


def test_the_monthly_task_draws_with_a_random_recorded_seed(tree, settings):
    for _ in range(5):
        BaseFactory(county=tree.county_a, operator=tree.operator)
    draw = InspectionDraw.objects.get(pk=tasks.draw_inspections.delay().get())
    assert len(draw.chosen_ids) == 3  # the default sample size
    assert draw.chosen_ids == services.draw_sample(draw.seed, draw.candidate_ids, 3)


def test_operators_are_told_by_mail_after_the_draw(
    tree, django_capture_on_commit_callbacks, mailoutbox
):
    operator_user = tree.user("operator")
    operator_user.email = "base@example.com"
    operator_user.save()
    BaseFactory(county=tree.county_a, operator=tree.operator)
    with django_capture_on_commit_callbacks(execute=True):
        services.inspections_draw(period=f"{THIS_YEAR}-11", sample_size=1)
    assert [m.to for m in mail.outbox] == [["base@example.com"]]


def test_verify_command_reruns_a_recorded_draw(tree):
    for _ in range(5):
        BaseFactory(county=tree.county_a, operator=tree.operator)
    draw = services.inspections_draw(period=f"{THIS_YEAR}-10", seed=99, sample_size=2)
    out = StringIO()
    call_command("draw_inspections", verify=f"{THIS_YEAR}-10", stdout=out)
    assert "reproduces" in out.getvalue()
    InspectionDraw.objects.filter(pk=draw.pk).update(chosen_ids=[-1, -2])
    with pytest.raises(CommandError, match="NOT reproduce"):
        call_command("draw_inspections", verify=f"{THIS_YEAR}-10", stdout=StringIO())


def test_findings_rectification_answer_and_closing(tree, today):
    staff, operator = tree.user("county_a_staff"), tree.user("operator")
    inspection = InspectionFactory(base=BaseFactory(county=tree.county_a, operator=tree.operator))
    with pytest.raises(ValidationError) as error:
        services.inspection_record(
            inspection=inspection,
            by=staff,
            inspected_on=today,
            score=60,
            findings=" ",
            needs_rectification=True,
        )
    assert "findings" in error.value.message_dict
    inspection = services.inspection_record(
        inspection=inspection,
        by=staff,
        inspected_on=today,
        score=60,
        findings="消防通道堵塞",
        needs_rectification=True,
    )
    assert inspection.status == InspectionStatus.RECTIFYING
    assert inspection.rectification_deadline == today + timedelta(days=30)  # the setting
    with pytest.raises(ValidationError):
        services.inspection_answer(inspection=inspection, by=operator, answer="")
    inspection = services.inspection_answer(inspection=inspection, by=operator, answer="已清理")
    with pytest.raises(ValidationError) as error:
        services.inspection_conclude(inspection=inspection, by=staff, accept=False, note="")
    assert "note" in error.value.message_dict
    inspection = services.inspection_conclude(
        inspection=inspection,
        by=staff,
        accept=False,
        note="仍有杂物",
        new_deadline=today + timedelta(days=7),
    )
    assert inspection.status == InspectionStatus.RECTIFYING
    assert "仍有杂物" in inspection.findings
    services.inspection_answer(inspection=inspection, by=operator, answer="已彻底清理")
    inspection = services.inspection_conclude(inspection=inspection, by=staff, accept=True)
    assert inspection.status == InspectionStatus.CLOSED and inspection.closed_at


def test_inspection_moves_out_of_order_are_refused(tree, today):
    inspection = InspectionFactory(base=BaseFactory(county=tree.county_a, operator=tree.operator))
    with pytest.raises(ValidationError, match="cannot become"):
        services.inspection_answer(inspection=inspection, by=None, answer="x")
    services.inspection_record(
        inspection=inspection,
        by=None,
        inspected_on=today,
        score=95,
        findings="",
        needs_rectification=False,
    )
    with pytest.raises(ValidationError, match="cannot become"):
        services.inspection_conclude(inspection=inspection, by=None, accept=True)


def test_overdue_rectifications_are_listed_for_staff_in_scope(tree, today):
    base = BaseFactory(county=tree.county_a, operator=tree.operator)
    late = InspectionFactory(
        base=base,
        status=InspectionStatus.RECTIFYING,
        rectification_deadline=today - timedelta(days=1),
    )
    InspectionFactory(base=base, status=InspectionStatus.RECTIFYING, rectification_deadline=today)
    InspectionFactory(
        base=base, status=InspectionStatus.ANSWERED, rectification_deadline=today - timedelta(5)
    )
    assert list(overdue_inspections(tree.user("city_staff"))) == [late]
    assert list(overdue_inspections(tree.user("operator"))) == [late]
    assert list(overdue_inspections(tree.user("county_b_staff"))) == []
