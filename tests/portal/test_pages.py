from __future__ import annotations

import re
from unittest import mock

import pytest
from django.utils import timezone

pytestmark = pytest.mark.django_db


def test_healthz_reports_database_and_broker(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["database"] == "ok"
    assert body["broker"] in ("eager", "ok")


def test_healthz_is_503_when_the_database_fails(client):
    with mock.patch("portal.health.check_database", side_effect=RuntimeError("down")):
        response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["database"] == "error: RuntimeError"


def test_healthz_is_503_when_a_configured_broker_is_unreachable(client, settings):
    settings.CELERY_TASK_ALWAYS_EAGER = False
    with mock.patch("portal.health.celery_app.connection_for_write") as conn:
        conn.return_value.__enter__.return_value.ensure_connection.side_effect = OSError
        response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["broker"] == "error: OSError"


def test_home_is_in_chinese_by_default(client):
    html = client.get("/").content.decode()
    assert 'lang="zh-hans"' in html
    assert "职工疗休养服务平台" in html
    assert "登录" in html


def test_english_is_available_through_the_language_switcher(client):
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert response.status_code == 302
    html = client.get("/").content.decode()
    assert 'lang="en"' in html
    assert "Worker Recuperation Portal" in html


def test_pages_load_assets_only_from_this_site(client, tree):
    client.force_login(tree.user("city_staff"))
    for url in ("/", "/account/", "/login/", "/api/v1/docs/", "/bases/", "/funds/"):
        html = client.get(url).content.decode()
        assert "https://" not in html, url
        assert "http://" not in html.replace("http://testserver", ""), url
        for link in re.findall(r'(?:src|href)="([^"]*)"', html):
            assert link.startswith(("/", "?", "#", "http://testserver")), (url, link)


@pytest.mark.parametrize(
    ("role", "present", "absent"),
    [
        ("worker_a1", [], ["/account/members/", "/admin/"]),
        ("organizer_a1", ["/account/members/"], ["/admin/"]),
        ("city_staff", ["/account/members/", "/dashboard/"], ["/admin/", "/api/v1/docs/"]),
        ("admin", ["/account/members/", "/admin/"], []),
    ],
)
def test_navigation_depends_on_role(client, tree, role, present, absent):
    client.force_login(tree.user(role))
    html = client.get("/").content.decode()
    nav = html[html.index("<nav") : html.index("</nav>")]
    for url in present:
        assert f'href="{url}"' in nav
    for url in absent:
        assert f'href="{url}"' not in nav
    assert 'href="/api/v1/docs/"' in html  # in the footer, for everyone


def test_unknown_page_is_a_friendly_404(client, settings):
    settings.DEBUG = False
    response = client.get("/no/such/page/")
    assert response.status_code == 404
    assert "返回首页" in response.content.decode() or "home page" in response.content.decode()


def test_a_workers_home_shows_subsidy_left_and_their_trips(client, tree):
    from applications import services
    from tests.applications.conftest import fund
    from tests.bases.factories import BaseFactory, BatchFactory, ItineraryFactory
    from tests.funds.conftest import make_policy

    batch = BatchFactory(
        itinerary=ItineraryFactory(
            base=BaseFactory(county=tree.county_a, operator=tree.operator), title="森林康养五日"
        )
    )
    make_policy(batch.start_date.year)
    make_policy(timezone.localdate().year)
    fund(tree.county_a, batch.start_date.year)
    worker = tree.user("worker_a1").worker
    app = services.application_submit(worker=worker, batch=batch, by=None)
    services.application_endorse(application=app, by=None)
    services.application_approve(application=app, by=None)
    client.force_login(worker.user)
    html = client.get("/").content.decode()
    assert "森林康养五日" in html
    assert f"/applications/{app.pk}/" in html
    if batch.start_date.year == timezone.localdate().year:
        assert "¥2,000.00" in html  # ¥3,000 cap − ¥1,000 approved
    else:
        assert "¥3,000.00" in html
    client.force_login(tree.user("organizer_a1"))
    assert "森林康养五日" not in client.get("/").content.decode()
