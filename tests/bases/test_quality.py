"""Service score from reviews and inspections, the daily watch-list job, star ratings, reviews."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from accounts.models import AuditEvent
from bases import services, tasks
from bases.models import INDICATORS, AccreditationStep, Base, BaseStatus, QualitySettings, Review
from tests.bases.factories import BaseFactory, InspectionFactory, ReviewFactory

pytestmark = [pytest.mark.django_db, pytest.mark.dates]


def reviews(base, *ratings, days_ago: int = 10):
    when = timezone.make_aware(
        datetime.combine(timezone.localdate() - timedelta(days=days_ago), time(12))
    )
    for rating in ratings:
        ReviewFactory(base=base, rating=rating, created_at=when)


def inspected(base, score: int, days_ago: int = 10):
    return InspectionFactory(
        base=base,
        score=score,
        status="passed",
        inspected_on=timezone.localdate() - timedelta(days=days_ago),
    )


def test_score_from_reviews_counts_once_there_are_enough(tree):
    base = BaseFactory(county=tree.county_a, operator=tree.operator)
    reviews(base, 5, 4)
    assert services.compute_service_scores()[base.pk] is None  # 2 < min_reviews (3)
    reviews(base, 3)
    assert services.compute_service_scores()[base.pk] == Decimal("80.0")  # 4.0 ÷ 5 × 100


def test_score_from_inspections_alone_and_weighted_with_reviews(tree):
    base = BaseFactory(county=tree.county_a, operator=tree.operator)
    inspected(base, 90)
    inspected(base, 70)
    assert services.compute_service_scores()[base.pk] == Decimal("80.0")
    reviews(base, 5, 5, 5)  # 100
    # 60 % reviews, 40 % inspections by default.
    assert services.compute_service_scores()[base.pk] == Decimal("92.0")
    QualitySettings.objects.filter(pk=1).update(review_weight_percent=25)
    assert services.compute_service_scores()[base.pk] == Decimal("85.0")


def test_old_evidence_and_non_public_bases_do_not_count(tree):
    base = BaseFactory(county=tree.county_a, operator=tree.operator)
    reviews(base, 1, 1, 1, days_ago=400)
    inspected(base, 10, days_ago=400)
    exited = BaseFactory(county=tree.county_a, operator=tree.operator, status=BaseStatus.EXITED)
    reviews(exited, 1, 1, 1)
    scores = services.compute_service_scores()
    assert scores[base.pk] is None
    assert exited.pk not in scores


def test_daily_job_puts_bases_under_the_threshold_on_the_watch_list(tree, today):
    poor = BaseFactory(name="差", county=tree.county_a, operator=tree.operator)
    good = BaseFactory(name="好", county=tree.county_a, operator=tree.operator)
    unknown = BaseFactory(name="新", county=tree.county_a, operator=tree.operator)
    reviews(poor, 3, 3, 3)  # 60 < 70
    reviews(good, 4, 4, 4)  # 80
    result = tasks.update_watch_list.delay().get()
    assert result == {"scored": 2, "put_on_watch": [poor.pk], "suspension_proposed": []}
    statuses = dict(Base.objects.values_list("pk", "status"))
    assert statuses == {poor.pk: "watch", good.pk: "active", unknown.pk: "active"}
    poor.refresh_from_db()
    assert poor.watch_since == today
    assert poor.service_score == Decimal("60.0")
    step = AccreditationStep.objects.get(base=poor)
    assert step.by is None and "60.0" in step.reason and "70" in step.reason
    # Idempotent: the second run the same day changes nothing.
    events = AuditEvent.objects.count()
    assert services.watch_list_update().as_dict() == {
        "scored": 2,
        "put_on_watch": [],
        "suspension_proposed": [],
    }
    assert AuditEvent.objects.count() == events


def test_threshold_is_data_staff_can_change(tree):
    base = BaseFactory(county=tree.county_a, operator=tree.operator)
    reviews(base, 4, 4, 4)  # 80
    services.quality_settings_update(by=tree.user("city_staff"), watch_threshold=85)
    assert services.watch_list_update().put_on_watch == [base.pk]
    assert AuditEvent.objects.filter(action="quality_settings_updated").exists()


def test_suspension_is_proposed_after_the_watch_period_and_staff_confirm(tree, today):
    base = BaseFactory(
        county=tree.county_a,
        operator=tree.operator,
        status=BaseStatus.WATCH,
        watch_since=today - timedelta(days=89),
    )
    reviews(base, 2, 2, 3)
    assert services.watch_list_update().suspension_proposed == []
    result = services.watch_list_update(today=today + timedelta(days=1))
    assert result.suspension_proposed == [base.pk]
    base.refresh_from_db()
    assert base.status == BaseStatus.WATCH  # proposed, not done
    assert base.suspension_proposed_on == today + timedelta(days=1)
    assert services.watch_list_update(today=today + timedelta(days=2)).suspension_proposed == []
    assert AuditEvent.objects.filter(action="suspension_proposed").count() == 1
    services.base_transition(
        base=base, to=BaseStatus.SUSPENDED, by=tree.user("city_staff"), reason="观察期满"
    )
    base.refresh_from_db()
    assert base.status == BaseStatus.SUSPENDED and base.suspension_proposed_on is None


def test_a_recovered_base_on_the_watch_list_is_not_proposed(tree, today):
    base = BaseFactory(
        county=tree.county_a,
        operator=tree.operator,
        status=BaseStatus.WATCH,
        watch_since=today - timedelta(days=200),
    )
    reviews(base, 5, 5, 4)
    assert services.watch_list_update().suspension_proposed == []
    base.refresh_from_db()
    assert base.status == BaseStatus.WATCH  # staff restore it


def test_settings_refuse_values_out_of_range(tree):
    with pytest.raises(ValidationError) as error:
        services.quality_settings_update(by=None, watch_threshold=120, review_weight_percent=101)
    assert {"watch_threshold", "review_weight_percent"} <= set(error.value.message_dict)
    assert QualitySettings.load().watch_threshold == 70


FULL = {code: maximum for code, _l, _g, maximum in INDICATORS}


def test_star_rating_scores_every_indicator_and_sets_the_stars(tree):
    base = BaseFactory(county=tree.county_a, operator=tree.operator, stars=1)
    scores = dict(FULL, food=0, lodging=0)  # 84 points
    rating = services.star_rating_record(base=base, by=tree.user("city_staff"), scores=scores)
    assert (rating.total, rating.stars) == (84, 4)
    base.refresh_from_db()
    assert base.stars == 4
    event = AuditEvent.objects.get(action="stars_rated")
    assert (event.data["before"], event.data["stars"]) == (1, 4)


@pytest.mark.parametrize(
    ("scores", "field"),
    [
        ({k: v for k, v in FULL.items() if k != "safety"}, "safety"),
        (dict(FULL, food=9), "food"),
        (dict(FULL, basic=-1), "basic"),
        (dict(FULL, staff="7"), "staff"),
    ],
)
def test_star_rating_refuses_missing_or_out_of_range_scores(tree, scores, field):
    base = BaseFactory(county=tree.county_a, operator=tree.operator, stars=2)
    with pytest.raises(ValidationError) as error:
        services.star_rating_record(base=base, by=None, scores=scores)
    assert field in error.value.message_dict
    base.refresh_from_db()
    assert base.stars == 2


def test_one_review_per_application(tree):
    base = BaseFactory(county=tree.county_a, operator=tree.operator)
    author = tree.user("worker_a1")
    services.review_create(base=base, author=author, rating=5, text="好", application_ref=7)
    with pytest.raises(ValidationError) as error:
        services.review_create(base=base, author=author, rating=1, text="差", application_ref="7")
    assert "already been reviewed" in str(error.value.message_dict["application_ref"])
    assert Review.objects.get().rating == 5


@pytest.mark.parametrize("rating", [0, 6])
def test_a_rating_outside_one_to_five_is_refused(tree, rating):
    base = BaseFactory(county=tree.county_a, operator=tree.operator)
    with pytest.raises(ValidationError) as error:
        services.review_create(
            base=base, author=tree.user("worker_a1"), rating=rating, text="", application_ref=1
        )
    assert "rating" in error.value.message_dict
    assert not Review.objects.exists()
