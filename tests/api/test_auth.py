from __future__ import annotations

import pytest
from django.test import override_settings
from rest_framework.test import APIClient
from rest_framework.throttling import ScopedRateThrottle

from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db


TOKEN_URL = "/api/v1/auth/token/"
PROXY = "10.0.0.1"


@pytest.fixture
def api():
    return APIClient()


@pytest.fixture
def three_logins_a_minute(monkeypatch):
    # DRF copies the rates into the throttle class when it is imported, so patch them there.
    monkeypatch.setattr(ScopedRateThrottle, "THROTTLE_RATES", {"login": "3/min"})


@pytest.fixture
def behind_one_proxy(settings):
    settings.TRUSTED_PROXY_COUNT = 1
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "NUM_PROXIES": 1}


def token_login(forwarded: str, *, address: str = "127.0.0.1"):
    """A correct log-in, so only the request-rate throttle (never axes) can refuse it."""
    return APIClient().post(
        TOKEN_URL,
        {"username": "w_a1", "password": PASSWORD},
        REMOTE_ADDR=address,
        HTTP_X_FORWARDED_FOR=forwarded,
    )


def assert_throttled(response):
    assert response.status_code == 429
    assert "Retry-After" in response  # DRF's throttle; an axes lockout sends none


def test_token_login_then_token_header_authenticates(api, tree):
    response = api.post(
        "/api/v1/auth/token/", {"username": "w_a1", "password": PASSWORD}, format="json"
    )
    assert response.status_code == 200
    token = response.json()["token"]
    assert len(token) == 40
    api.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    me = api.get("/api/v1/me/").json()
    assert me["username"] == "w_a1"
    assert me["role"] == "worker"
    assert me["org"]["code"] == "A1"
    assert me["worker"]["real_name"] == "张三"


def test_wrong_password_gets_400_and_no_token(api, tree):
    response = api.post("/api/v1/auth/token/", {"username": "w_a1", "password": "nope"})
    assert response.status_code == 400
    assert "token" not in response.json()


def test_bad_token_is_refused(api, tree):
    api.credentials(HTTP_AUTHORIZATION="Token " + "0" * 40)
    response = api.get("/api/v1/me/")
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"


def test_session_auth_works_for_the_api(client, tree):
    client.force_login(tree.user("city_staff"))
    assert client.get("/api/v1/me/").json()["role"] == "federation_staff"


def test_me_needs_authentication(api):
    assert api.get("/api/v1/me/").status_code in (401, 403)


@override_settings(AXES_FAILURE_LIMIT=3)
def test_repeated_failed_token_logins_lock_the_account_out(api, tree):
    for _ in range(3):
        api.post("/api/v1/auth/token/", {"username": "w_a1", "password": "wrong"})
    response = api.post("/api/v1/auth/token/", {"username": "w_a1", "password": PASSWORD})
    assert response.status_code == 429
    assert "token" not in response.json()
    assert "Too many" in response.json()["detail"] or "过多" in response.json()["detail"]


@override_settings(AXES_FAILURE_LIMIT=3)
def test_repeated_failed_web_logins_lock_the_account_out(client, tree):
    for _ in range(3):
        client.post("/login/", {"username": "w_a1", "password": "wrong"})
    response = client.post("/login/", {"username": "w_a1", "password": PASSWORD})
    assert response.status_code in (403, 429)
    assert "_auth_user_id" not in client.session


def test_web_login_with_the_right_password_lands_on_home(client, tree):
    response = client.post("/login/", {"username": "w_a1", "password": PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == "/"


def test_rotating_x_forwarded_for_does_not_escape_the_token_throttle(tree, three_logins_a_minute):
    for i in range(3):
        assert token_login(f"198.51.100.{i}").status_code == 200
    assert_throttled(token_login("198.51.100.99"))


def test_behind_a_proxy_two_clients_are_throttled_separately(
    tree, three_logins_a_minute, behind_one_proxy
):
    for _ in range(3):
        assert token_login("203.0.113.1", address=PROXY).status_code == 200
    assert_throttled(token_login("203.0.113.1", address=PROXY))
    assert token_login("203.0.113.2", address=PROXY).status_code == 200


def test_behind_a_proxy_a_spoofed_extra_hop_does_not_escape_the_token_throttle(
    tree, three_logins_a_minute, behind_one_proxy
):
    for i in range(3):
        response = token_login(f"198.51.100.{i}, 203.0.113.1", address=PROXY)
        assert response.status_code == 200
    assert_throttled(token_login("198.51.100.99, 203.0.113.1", address=PROXY))
