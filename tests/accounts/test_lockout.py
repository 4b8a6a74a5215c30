"""Failed log-ins lock out by username and address, and by address alone, on the web login and the
API token endpoint alike; the address is one the client cannot choose (recuperation.client_ip)."""

from __future__ import annotations

import pytest
from axes.models import AccessAttempt
from django.test import Client, RequestFactory, override_settings
from rest_framework.test import APIClient
from rest_framework.throttling import BaseThrottle, ScopedRateThrottle

from recuperation.client_ip import client_ip
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db

PROXY = "10.0.0.1"  # our TLS proxy, as the app sees it: REMOTE_ADDR of every proxied request
CLIENT_A = "203.0.113.1"
CLIENT_B = "203.0.113.2"

OUTCOMES = {
    "web": {302: "in", 200: "refused", 429: "locked"},
    "api": {200: "in", 400: "refused", 429: "locked"},
}


@pytest.fixture(params=["web", "api"])
def how(request, monkeypatch):
    # These tests are about axes; the API's request-rate throttle has tests of its own.
    monkeypatch.setattr(ScopedRateThrottle, "THROTTLE_RATES", {"login": "1000/min"})
    return request.param


@pytest.fixture
def behind_one_proxy(settings):
    settings.TRUSTED_PROXY_COUNT = 1
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "NUM_PROXIES": 1}


def log_in(
    how: str,
    username: str,
    password: str = PASSWORD,
    *,
    address: str = "127.0.0.1",
    forwarded: str | None = None,
) -> str | int:
    """Try to log in with a fresh client; "in", "refused" (wrong password) or "locked"."""
    meta = {"REMOTE_ADDR": address}
    if forwarded is not None:
        meta["HTTP_X_FORWARDED_FOR"] = forwarded
    data = {"username": username, "password": password}
    if how == "web":
        response = Client().post("/login/", data, **meta)
    else:
        response = APIClient().post("/api/v1/auth/token/", data, **meta)
    return OUTCOMES[how].get(response.status_code, response.status_code)


@override_settings(AXES_FAILURE_LIMIT=3)
def test_rotating_x_forwarded_for_does_not_escape_the_lockout(how, tree):
    for i in range(2):
        assert log_in(how, "w_a1", "wrong", forwarded=f"198.51.100.{i}") == "refused"
    assert log_in(how, "w_a1", "wrong", forwarded="198.51.100.2") == "locked"  # the 3rd failure
    assert log_in(how, "w_a1", forwarded="198.51.100.99") == "locked"
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {"127.0.0.1"}


@override_settings(AXES_FAILURE_LIMIT=3)
def test_behind_a_proxy_clients_are_locked_out_separately(how, tree, behind_one_proxy):
    for _ in range(2):
        assert log_in(how, "w_a1", "wrong", address=PROXY, forwarded=CLIENT_A) == "refused"
    assert log_in(how, "w_a1", "wrong", address=PROXY, forwarded=CLIENT_A) == "locked"
    assert log_in(how, "w_a1", address=PROXY, forwarded=CLIENT_A) == "locked"
    assert log_in(how, "w_a1", address=PROXY, forwarded=CLIENT_B) == "in"
    assert AccessAttempt.objects.get().ip_address == CLIENT_A


@override_settings(AXES_FAILURE_LIMIT=3)
def test_behind_a_proxy_a_spoofed_extra_hop_does_not_escape_the_lockout(
    how, tree, behind_one_proxy
):
    for i in range(3):
        spoofed = f"198.51.100.{i}, {CLIENT_A}"  # the client's own header, then the proxy's hop
        log_in(how, "w_a1", "wrong", address=PROXY, forwarded=spoofed)
    assert AccessAttempt.objects.get().failures_since_start == 3
    assert log_in(how, "w_a1", address=PROXY, forwarded=f"198.51.100.99, {CLIENT_A}") == "locked"


@override_settings(AXES_IP_FAILURE_LIMIT=4)
def test_many_usernames_from_one_address_lock_the_address_but_not_another(how, tree):
    for i in range(3):
        assert log_in(how, f"guess{i}", "wrong", address=CLIENT_A) == "refused"
    assert log_in(how, "guess3", "wrong", address=CLIENT_A) == "locked"  # the 4th failure
    assert log_in(how, "w_a1", address=CLIENT_A) == "locked"
    assert log_in(how, "w_b1", address=CLIENT_A) == "locked"
    assert log_in(how, "w_a1", address=CLIENT_B) == "in"


@override_settings(AXES_IP_FAILURE_LIMIT=4)
def test_below_the_address_cap_other_usernames_still_log_in(how, tree):
    for i in range(3):
        assert log_in(how, f"guess{i}", "wrong", address=CLIENT_A) == "refused"
    assert log_in(how, "w_a1", address=CLIENT_A) == "in"


@override_settings(AXES_IP_FAILURE_LIMIT=4)
def test_a_successful_log_in_does_not_clear_the_address_count(how, tree):
    for i in range(3):
        assert log_in(how, f"guess{i}", "wrong", address=CLIENT_A) == "refused"
    # The guesser logs in to an account of their own: that clears w_a1's failures, not the guesses.
    assert log_in(how, "w_a1", address=CLIENT_A) == "in"
    assert log_in(how, "w_b1", "wrong", address=CLIENT_A) == "locked"  # the 4th guess
    # w_a1's own failure is cleared by a success; the guesses at other usernames are not.
    assert log_in(how, "w_a1", address=CLIENT_A) == "locked"


@override_settings(AXES_IP_FAILURE_LIMIT=4)
def test_the_address_cap_counts_behind_a_proxy_per_forwarded_client(how, tree, behind_one_proxy):
    for i in range(4):
        spoofed = f"198.51.100.{i}, {CLIENT_A}"
        log_in(how, f"guess{i}", "wrong", address=PROXY, forwarded=spoofed)
    assert log_in(how, "w_a1", address=PROXY, forwarded=CLIENT_A) == "locked"
    assert log_in(how, "w_a1", address=PROXY, forwarded=CLIENT_B) == "in"


def test_a_malformed_forwarded_hop_counts_against_the_proxy_address(how, tree, behind_one_proxy):
    assert log_in(how, "w_a1", "wrong", address=PROXY, forwarded="not-an-address") == "refused"
    assert AccessAttempt.objects.get().ip_address == PROXY


@pytest.mark.parametrize(
    ("proxies", "remote_addr", "forwarded", "expected"),
    [
        (0, "192.0.2.9", None, "192.0.2.9"),
        (0, "192.0.2.9", "198.51.100.1", "192.0.2.9"),  # no proxy: the header is the client's
        (1, PROXY, None, PROXY),
        (1, PROXY, CLIENT_A, CLIENT_A),
        (1, PROXY, f"198.51.100.1, {CLIENT_A}", CLIENT_A),
        (2, PROXY, f"198.51.100.1,{CLIENT_A}, 10.0.0.2", CLIENT_A),
        (2, PROXY, CLIENT_A, CLIENT_A),  # fewer hops than proxies: the furthest one
        (1, PROXY, "2001:db8::1", "2001:db8::1"),
    ],
)
def test_client_ip_follows_the_same_rule_as_the_api_throttle(
    settings, proxies, remote_addr, forwarded, expected
):
    settings.TRUSTED_PROXY_COUNT = proxies
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "NUM_PROXIES": proxies}
    meta = {"REMOTE_ADDR": remote_addr}
    if forwarded is not None:
        meta["HTTP_X_FORWARDED_FOR"] = forwarded
    request = RequestFactory().get("/", **meta)
    assert client_ip(request) == expected
    assert BaseThrottle().get_ident(request) == expected
