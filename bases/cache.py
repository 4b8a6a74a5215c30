"""Cached anonymous catalogue pages of the API, invalidated by version numbers.

The public lists (``/api/v1/bases/``, ``/itineraries/``, ``/batches/``) are the same for every
anonymous visitor, and most of their cost is Python (filters, serializers), not SQL. A page is
cached under a key made of the view, the full query string, the host, the language, today's
date and version numbers; any write that can change what a page shows bumps a version, so the
next request builds the page afresh. Nothing is ever invalidated by deleting keys: an old key
is simply never asked for again and expires.

Two versions, so that the busiest write (a seat taken) does not throw away what it cannot
change: ``catalogue`` (bases, itineraries, batches, organizations: names, prices, statuses,
dates) and ``seats`` (a batch's seats held: the batches list and the itineraries'
``available`` filter).

A version is bumped at once and again after the commit: at once so that this connection's
next read sees its own write, after the commit so that a page another connection built from
the data before the commit, in between, is not served afterwards. A reader takes the version
before it queries, so a page can only ever be stored under a version older than the data it
shows, never newer.
"""

from __future__ import annotations

import hashlib
import time

from django.core.cache import cache
from django.db import transaction
from django.utils import timezone, translation

TIMEOUT = 300  # seconds: also bounds the life of anything a bump could miss
CATALOGUE, SEATS = "catalogue", "seats"


def _key(name: str) -> str:
    return f"bases:cache-version:{name}"


def version(name: str) -> int:
    value = cache.get(_key(name))
    if value is None:
        # A fresh number (not 1): pages cached under an evicted version are never reused.
        cache.add(_key(name), time.time_ns(), timeout=None)
        value = cache.get(_key(name)) or 0
    return value


def _bump_now(name: str) -> None:
    try:
        cache.incr(_key(name))
    except ValueError:  # missing (evicted, or never read): any fresh value will do
        cache.set(_key(name), time.time_ns(), timeout=None)


def bump(*names: str) -> None:
    """Something the catalogue shows changed (call inside the writing transaction)."""
    for name in names:
        _bump_now(name)
        transaction.on_commit(lambda name=name: _bump_now(name))


def page_key(view: str, request, *, depends_on: tuple[str, ...]) -> str:
    parts = [
        view,
        request.get_host(),
        request.get_full_path(),
        translation.get_language() or "",
        timezone.localdate().isoformat(),
        *(f"{name}={version(name)}" for name in depends_on),
    ]
    digest = hashlib.sha256("\n".join(parts).encode()).hexdigest()
    return f"bases:page:{digest}"


def count_key(view: str, query: str, *, depends_on: tuple[str, ...]) -> str:
    parts = [
        view,
        query,
        timezone.localdate().isoformat(),
        *(f"{name}={version(name)}" for name in depends_on),
    ]
    return "bases:count:" + hashlib.sha256("\n".join(parts).encode()).hexdigest()


def get(key: str):
    return cache.get(key)


def put(key: str, data) -> None:
    cache.set(key, data, timeout=TIMEOUT)
