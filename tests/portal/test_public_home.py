"""The public home: themes into the catalogue, featured routes, the latest policy explanations,
news and events, this year's subsidy in short, how to apply, the disclosure; few queries."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from publicity.models import Kind, Status
from tests.bases.factories import ItineraryFactory
from tests.funds.conftest import make_policy
from tests.publicity.factories import ArticleFactory, image_upload

pytestmark = pytest.mark.django_db


def home(client) -> str:
    response = client.get("/")
    assert response.status_code == 200
    return response.content.decode()


def test_each_theme_card_opens_the_catalogue_filtered_by_it(client):
    page = home(client)
    for theme in ("red", "green", "blue"):
        assert f'href="/bases/?theme={theme}"' in page
    # and the catalogue understands the parameter
    assert client.get("/bases/?theme=red").status_code == 200


def test_featured_routes_link_to_their_articles(client, tree):
    itinerary = ItineraryFactory()
    route = ArticleFactory(
        org=tree.city, kind=Kind.ROUTE, title="蓝色精品线路", theme="blue", itineraries=[itinerary]
    )
    draft = ArticleFactory(
        org=tree.city,
        kind=Kind.ROUTE,
        title="未发布线路",
        status=Status.DRAFT,
        itineraries=[itinerary],
    )
    page = home(client)
    routes = page[page.index('id="routes-title"') : page.index('id="news-title"')]
    assert f'href="/publicity/{route.pk}/"' in routes and "蓝色精品线路" in routes
    assert "未发布线路" not in page and f"/publicity/{draft.pk}/" not in page
    assert 'href="/publicity/?kind=route"' in routes


def test_the_latest_news_and_events_come_newest_and_soonest_first(client, tree):
    now, today = timezone.now(), timezone.localdate()
    for i in range(4):
        ArticleFactory(
            org=tree.city, kind=Kind.NEWS, title=f"新闻{i}", published_at=now - timedelta(days=i)
        )
    for i in range(3):
        ArticleFactory(
            org=tree.city,
            kind=Kind.POLICY,
            title=f"解读{i}",
            published_at=now - timedelta(days=i, hours=12),
        )
    ArticleFactory(
        org=tree.county_a,
        kind=Kind.EVENT,
        title="下月推介会",
        event_date=today + timedelta(days=30),
        event_place="礼堂",
    )
    ArticleFactory(
        org=tree.county_a,
        kind=Kind.EVENT,
        title="下周推介会",
        event_date=today + timedelta(days=7),
        event_place="礼堂",
    )
    ArticleFactory(
        org=tree.county_a,
        kind=Kind.EVENT,
        title="上月推介会",
        event_date=today - timedelta(days=30),
        event_place="礼堂",
    )
    page = home(client)
    news = page[page.index('id="news-title"') : page.index('id="events-title"')]
    positions = [news.index(t) for t in ("新闻0", "解读0", "新闻1", "解读1", "新闻2")]
    assert positions == sorted(positions)
    assert "新闻3" not in news and "解读2" not in news  # five items
    events = page[page.index('id="events-title"') : page.index('id="policy-title"')]
    assert events.index("下周推介会") < events.index("下月推介会") < events.index("上月推介会")


@pytest.mark.dates
def test_the_subsidy_in_short_links_the_policy_page(client):
    make_policy(timezone.localdate().year)  # ¥200 to ¥400 a day, 5/7 days, ¥3,000 a year
    page = home(client)
    box = page[page.index('id="policy-title"') : page.index('id="apply-title"')]
    assert "按职工类别，每人每天补助 ¥200.00 至 ¥400.00" in box
    assert "省内最多补助 5 天，省外最多 7 天" in box
    assert "每人每年最多补助 ¥3,000.00" in box
    assert 'href="/policy/"' in box


def test_no_policy_yet_says_so(client):
    page = home(client)
    assert "尚未发布补助标准。" in page


def test_how_to_apply_and_the_disclosure_are_linked(client):
    page = home(client)
    assert "如何报名" in page and "在线报名" in page
    assert 'href="/disclosure/"' in page


def _queries(client) -> int:
    with CaptureQueriesContext(connection) as queries:
        home(client)
    return len(queries)


def test_the_query_count_does_not_grow_with_the_articles(client, tree, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    itinerary = ItineraryFactory()
    make_policy(timezone.localdate().year)

    def add(n):
        for i in range(n):
            route = ArticleFactory(org=tree.city, kind=Kind.ROUTE, itineraries=[itinerary])
            route.images.create(image=image_upload(f"r{i}.png"), caption="图")
            ArticleFactory(org=tree.city, kind=Kind.NEWS)
            ArticleFactory(org=tree.city, kind=Kind.POLICY)
            ArticleFactory(
                org=tree.city,
                kind=Kind.EVENT,
                event_date=timezone.localdate() + timedelta(days=i),
                event_place="礼堂",
            )

    add(1)
    few = _queries(client)
    add(8)
    assert _queries(client) == few
    assert few <= 8


def test_a_worker_gets_their_own_home_not_the_public_page(client, tree):
    client.force_login(tree.user("worker_a1"))
    page = home(client)
    assert "我的行程" in page  # portal/home/worker.html
    assert 'href="/bases/?theme=green"' not in page


def test_the_home_in_english(client, tree):
    ArticleFactory(org=tree.city, kind=Kind.NEWS)
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    page = home(client)
    assert "Policy explanations and news" in page and "How to apply" in page
