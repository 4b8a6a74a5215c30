"""The address a request came from, as far as our own proxies vouch for it.

Login throttling keys on this address, so it must be one the client cannot choose. Without a
proxy (``TRUSTED_PROXY_COUNT = 0``) that is the socket's ``REMOTE_ADDR`` and any
``X-Forwarded-For`` header is the client's own invention. Behind N proxies, each proxy appends the
address it received the request from, so the N-th entry from the right was written by the
outermost proxy we run and everything left of it came from the client.

This is the rule DRF applies with ``NUM_PROXIES`` (settings give both the same count), so
django-axes (through ``AXES_CLIENT_IP_CALLABLE``) and the API throttle see the same client.
"""

from __future__ import annotations

import ipaddress

from django.conf import settings
from django.http import HttpRequest


def client_ip(request: HttpRequest) -> str | None:
    remote_addr = request.META.get("REMOTE_ADDR")
    proxies = settings.TRUSTED_PROXY_COUNT
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR")
    if proxies == 0 or not forwarded:
        return remote_addr
    hops = forwarded.split(",")
    candidate = hops[-min(proxies, len(hops))].strip()
    try:
        # axes stores the address in a GenericIPAddressField: a malformed hop (only possible
        # when the app is reached around the proxy) must not become a server error.
        return str(ipaddress.ip_address(candidate))
    except ValueError:
        return remote_addr
