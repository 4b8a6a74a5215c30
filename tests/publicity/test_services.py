"""Article services: the rules of each kind, scope on create and update, the workflow."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from accounts.models import AuditEvent
from publicity import services
from publicity.models import Article, Kind, Status
from tests.bases.factories import ItineraryFactory
from tests.publicity.factories import ArticleFactory

pytestmark = pytest.mark.django_db


def create(tree, who="county_a_staff", **fields):
    values = {"org": tree.county_a, "kind": Kind.NEWS, "title": "新闻", "summary": "摘要"}
    values.update(fields)
    return services.article_create(by=tree.user(who), **values)


def test_a_new_article_is_a_draft_written_by_its_author(tree):
    article = create(tree)
    assert article.status == Status.DRAFT
    assert article.created_by == tree.user("county_a_staff")
    assert article.published_at is None
    assert AuditEvent.objects.filter(action="article_created", target_id=str(article.pk)).exists()


def test_county_staff_write_for_their_own_county_only(tree):
    with pytest.raises(ValidationError) as error:
        create(tree, who="county_b_staff")
    assert "org" in error.value.message_dict
    with pytest.raises(ValidationError):
        create(tree, org=tree.city)  # county A's staff may not speak for the city
    with pytest.raises(ValidationError):
        create(tree, org=tree.union_a1)  # a grassroots union does not publish
    assert not Article.objects.exists()


def test_city_staff_write_city_wide_and_for_their_counties(tree):
    assert create(tree, who="city_staff", org=tree.city).org == tree.city
    assert create(tree, who="city_staff", org=tree.county_b).org == tree.county_b


@pytest.mark.parametrize("who", ["auditor", "organizer_a1", "worker_a1", "operator", "agency"])
def test_nobody_else_writes(tree, who):
    with pytest.raises(ValidationError):
        create(tree, who=who)
    assert not Article.objects.exists()


def test_an_update_may_not_move_the_article_out_of_the_writers_scope(tree):
    article = create(tree)
    with pytest.raises(ValidationError) as error:
        services.article_update(article=article, by=tree.user("county_a_staff"), org=tree.county_b)
    assert "org" in error.value.message_dict
    article.refresh_from_db()
    assert article.org == tree.county_a
    updated = services.article_update(
        article=article, by=tree.user("county_a_staff"), title="新标题"
    )
    assert updated.title == "新标题"


def test_a_featured_route_links_itineraries_and_only_routes_do(tree):
    with pytest.raises(ValidationError) as error:
        create(tree, kind=Kind.ROUTE)
    assert "itineraries" in error.value.message_dict
    itinerary = ItineraryFactory()
    route = create(tree, kind=Kind.ROUTE, itineraries=[itinerary], theme="green")
    assert list(route.itineraries.all()) == [itinerary]
    with pytest.raises(ValidationError) as error:
        create(tree, kind=Kind.NEWS, itineraries=[itinerary])
    assert "itineraries" in error.value.message_dict
    assert Article.objects.count() == 1


def test_a_promotion_event_needs_its_date_and_place(tree):
    with pytest.raises(ValidationError) as error:
        create(tree, kind=Kind.EVENT)
    assert {"event_date", "event_place"} <= set(error.value.message_dict)
    event = create(
        tree,
        kind=Kind.EVENT,
        event_date=timezone.localdate() + timedelta(days=30),
        event_place="职工服务中心",
        signup_url="https://signup.example/",
    )
    assert event.event_place == "职工服务中心"


def test_a_sign_up_link_is_a_web_address(tree):
    with pytest.raises(ValidationError) as error:
        create(
            tree,
            kind=Kind.EVENT,
            event_date=timezone.localdate(),
            event_place="礼堂",
            signup_url="javascript:alert(1)",
        )
    assert "signup_url" in error.value.message_dict


def test_publish_then_withdraw_then_publish_again_records_who_and_when(tree):
    staff = tree.user("county_a_staff")
    article = create(tree)
    published = services.article_publish(article=article, by=staff)
    assert published.status == Status.PUBLISHED
    assert published.published_by == staff
    assert abs(published.published_at - timezone.now()) < timedelta(minutes=1)
    withdrawn = services.article_withdraw(article=published, by=tree.user("city_staff"))
    assert withdrawn.status == Status.WITHDRAWN
    assert withdrawn.withdrawn_by == tree.user("city_staff")
    assert withdrawn.published_by == staff  # the history stays
    again = services.article_publish(article=withdrawn, by=staff)
    assert again.status == Status.PUBLISHED
    actions = list(
        AuditEvent.objects.filter(target_id=str(article.pk))
        .order_by("pk")
        .values_list("action", flat=True)
    )
    assert actions == [
        "article_created",
        "article_published",
        "article_withdrawn",
        "article_published",
    ]


def test_moves_the_workflow_does_not_allow_are_refused_with_a_message(tree):
    staff = tree.user("county_a_staff")
    draft = create(tree)
    with pytest.raises(ValidationError, match="only a published article"):
        services.article_withdraw(article=draft, by=staff)
    services.article_publish(article=draft, by=staff)
    stamp = Article.objects.get(pk=draft.pk).published_at
    with pytest.raises(ValidationError, match="cannot be published"):
        services.article_publish(article=draft, by=staff)  # a second click publishes once
    assert Article.objects.get(pk=draft.pk).published_at == stamp


def test_only_writers_of_the_articles_federation_publish_it(tree):
    article = ArticleFactory(org=tree.county_a, status=Status.DRAFT)
    for who in ("county_b_staff", "auditor", "worker_a1"):
        with pytest.raises(ValidationError):
            services.article_publish(article=article, by=tree.user(who))
    assert Article.objects.get(pk=article.pk).status == Status.DRAFT
