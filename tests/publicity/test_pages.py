"""The public article pages and the staff pages: who sees what, and what each does."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from publicity.models import Article, Kind, Status
from tests.bases.factories import ItineraryFactory
from tests.publicity.factories import ArticleFactory

pytestmark = pytest.mark.django_db


def html(response) -> str:
    assert response.status_code == 200, response.status_code
    return response.content.decode()


@pytest.fixture
def articles(tree):
    itinerary = ItineraryFactory(title="森林康养5日")
    return {
        "news": ArticleFactory(org=tree.county_a, title="甲县新闻", kind=Kind.NEWS),
        "policy": ArticleFactory(org=tree.city, title="补助政策解读", kind=Kind.POLICY),
        "route": ArticleFactory(
            org=tree.city,
            title="绿色精品线路",
            kind=Kind.ROUTE,
            theme="green",
            itineraries=[itinerary],
        ),
        "event": ArticleFactory(
            org=tree.county_b,
            title="乙县推介会",
            kind=Kind.EVENT,
            event_date=timezone.localdate() + timedelta(days=30),
            event_place="乙县工人文化宫",
            contact="乙县总工会",
        ),
        "draft": ArticleFactory(org=tree.county_a, title="甲县草稿", status=Status.DRAFT),
        "withdrawn": ArticleFactory(
            org=tree.county_a, title="已撤回的文章", status=Status.WITHDRAWN
        ),
        "itinerary": itinerary,
    }


@pytest.mark.parametrize("role", ["anonymous", "worker_a1", "organizer_a1", "operator", "agency"])
def test_the_public_list_shows_published_articles_only(client, tree, articles, role):
    if role != "anonymous":
        client.force_login(tree.user(role))
    page = html(client.get("/publicity/"))
    for title in ("甲县新闻", "补助政策解读", "绿色精品线路", "乙县推介会"):
        assert title in page
    assert "甲县草稿" not in page and "已撤回的文章" not in page
    assert "4 篇文章" in page


@pytest.mark.parametrize(
    ("kind", "shown", "hidden"),
    [
        ("policy", "补助政策解读", "甲县新闻"),
        ("news", "甲县新闻", "补助政策解读"),
        ("route", "绿色精品线路", "乙县推介会"),
        ("event", "乙县推介会", "绿色精品线路"),
    ],
)
def test_each_kind_has_its_tab(client, articles, kind, shown, hidden):
    page = html(client.get(f"/publicity/?kind={kind}"))
    assert shown in page and hidden not in page
    assert f'active" href="/publicity/?kind={kind}"' in page


def test_a_route_page_links_its_itineraries(client, articles):
    page = html(client.get(f"/publicity/{articles['route'].pk}/"))
    assert f'href="/bases/itineraries/{articles["itinerary"].pk}/"' in page
    assert "森林康养5日" in page and "¥2,000.00" in page  # the factory's union price


def test_an_event_page_shows_date_place_and_contact(client, articles):
    event = articles["event"]
    page = html(client.get(f"/publicity/{event.pk}/"))
    assert event.event_date.isoformat() in page
    assert "乙县工人文化宫" in page and "乙县总工会" in page


def test_a_draft_is_previewed_by_its_staff_with_the_actions(client, tree, articles):
    draft = articles["draft"]
    client.force_login(tree.user("county_a_staff"))
    page = html(client.get(f"/publicity/{draft.pk}/"))
    assert "草稿仅工作人员可见" in page
    assert f'action="/publicity/manage/{draft.pk}/publish/"' in page
    client.force_login(tree.user("auditor"))
    page = html(client.get(f"/publicity/{draft.pk}/"))
    assert "草稿仅工作人员可见" in page
    assert "/publish/" not in page and "/edit/" not in page  # read only


@pytest.mark.parametrize("role", ["anonymous", "worker_a1", "county_b_staff", "organizer_a1"])
def test_a_draft_or_withdrawn_article_is_not_found_by_others(client, tree, articles, role):
    if role != "anonymous":
        client.force_login(tree.user(role))
    for key in ("draft", "withdrawn"):
        assert client.get(f"/publicity/{articles[key].pk}/").status_code == 404


def test_a_published_article_of_another_county_shows_no_staff_actions(client, tree, articles):
    client.force_login(tree.user("county_b_staff"))
    page = html(client.get(f"/publicity/{articles['news'].pk}/"))
    assert "/withdraw/" not in page and "/edit/" not in page


def test_the_staff_list_shows_their_subtree_in_every_status(client, tree, articles):
    client.force_login(tree.user("county_a_staff"))
    page = html(client.get("/publicity/manage/"))
    assert "甲县新闻" in page and "甲县草稿" in page and "已撤回的文章" in page
    assert "乙县推介会" not in page and "补助政策解读" not in page  # county B's, the city's
    client.force_login(tree.user("city_staff"))
    page = html(client.get("/publicity/manage/"))
    for title in ("甲县新闻", "甲县草稿", "乙县推介会", "补助政策解读"):
        assert title in page
    page = html(client.get("/publicity/manage/?status=draft"))
    assert "甲县草稿" in page and "甲县新闻" not in page


def test_the_auditor_reads_the_staff_list_without_actions(client, tree, articles):
    client.force_login(tree.user("auditor"))
    page = html(client.get("/publicity/manage/"))
    assert "甲县草稿" in page
    assert "/publish/" not in page and "/edit/" not in page and "/manage/new/" not in page


def test_county_staff_write_publish_and_withdraw_through_the_pages(client, tree):
    itinerary = ItineraryFactory()
    client.force_login(tree.user("county_a_staff"))
    form = html(client.get("/publicity/manage/new/"))
    assert f'<option value="{tree.county_a.pk}"' in form
    assert f'<option value="{tree.county_b.pk}"' not in form  # only what they may set
    assert f'<option value="{tree.city.pk}"' not in form
    response = client.post(
        "/publicity/manage/new/",
        {
            "kind": Kind.ROUTE,
            "org": tree.county_a.pk,
            "title": "甲县红色线路",
            "summary": "一句话",
            "body": "## 行程\n\n- 第一天",
            "theme": "red",
            "itineraries": [itinerary.pk],
        },
    )
    article = Article.objects.get(title="甲县红色线路")
    assert response["Location"] == f"/publicity/{article.pk}/"
    assert article.status == Status.DRAFT and article.org == tree.county_a
    assert list(article.itineraries.all()) == [itinerary]
    assert client.get("/publicity/?kind=route").content.decode().count("甲县红色线路") == 0
    client.post(f"/publicity/manage/{article.pk}/publish/")
    assert "甲县红色线路" in html(client.get("/publicity/?kind=route"))
    client.post(f"/publicity/manage/{article.pk}/withdraw/")
    assert "甲县红色线路" not in html(client.get("/publicity/?kind=route"))


def test_a_forged_organization_is_a_field_error_and_writes_nothing(client, tree):
    client.force_login(tree.user("county_a_staff"))
    response = client.post(
        "/publicity/manage/new/",
        {"kind": Kind.NEWS, "org": tree.city.pk, "title": "冒充市总", "summary": "摘要"},
    )
    assert response.status_code == 200
    assert response.context["form"].errors["org"] == ["不在您的管理范围内。"]
    assert not Article.objects.filter(title="冒充市总").exists()


def test_an_update_cannot_hand_the_article_to_another_county(client, tree, articles):
    news = articles["news"]
    client.force_login(tree.user("county_a_staff"))
    response = client.post(
        f"/publicity/manage/{news.pk}/edit/",
        {"kind": Kind.NEWS, "org": tree.county_b.pk, "title": "改到乙县", "summary": "摘要"},
    )
    assert response.status_code == 200
    assert "org" in response.context["form"].errors
    news.refresh_from_db()
    assert news.org == tree.county_a and news.title == "甲县新闻"


def test_a_second_publish_is_refused_with_a_message(client, tree, articles):
    news = articles["news"]
    client.force_login(tree.user("county_a_staff"))
    response = client.post(f"/publicity/manage/{news.pk}/publish/", follow=True)
    assert "不能发布" in response.content.decode()


@pytest.mark.parametrize(
    "path", ["/publicity/0/", "/publicity/99999999999999999999/", "/publicity/x/"]
)
def test_junk_ids_are_not_found(client, path):
    assert client.get(path).status_code == 404


def test_pages_render_in_english(client, articles):
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    page = html(client.get("/publicity/"))
    assert "News and policy" in page and "Featured route" in page


@pytest.mark.parametrize(
    ("role", "present", "absent"),
    [
        ("anonymous", ["/publicity/"], ["/publicity/manage/"]),
        ("worker_a1", ["/publicity/"], ["/publicity/manage/"]),
        ("operator", ["/publicity/"], ["/publicity/manage/"]),
        ("city_staff", ["/publicity/manage/"], ["/publicity/"]),
        ("auditor", ["/publicity/manage/"], ["/publicity/"]),
    ],
)
def test_the_menu_offers_the_public_pages_or_their_management(client, tree, role, present, absent):
    if role != "anonymous":
        client.force_login(tree.user(role))
    page = html(client.get("/"))
    nav = page[page.index("<nav") : page.index("</nav>")]
    for url in present:
        assert f'href="{url}"' in nav
    for url in absent:
        assert f'href="{url}"' not in nav
