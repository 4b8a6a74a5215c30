"""The benchmark's code on a tiny data set (the city-scale run itself is ``python -m bench run``,
outside the test suite; docs/PERFORMANCE.md)."""

from __future__ import annotations

import pytest
from django.test import override_settings

from bench import city
from bench.run import parse_wrk, table
from portal.checks import data_problems

WRK_OUTPUT = """Running 5s test @ http://127.0.0.1:8015/api/v1/itineraries/
  2 threads and 16 connections
  Latency Distribution
     50%   12.50ms
     75%   20.00ms
  1501 requests in 5.01s, 12.2MB read
  Non-2xx or 3xx responses: 3
  Socket errors: connect 0, read 1, write 0, timeout 2
Requests/sec:    299.60
"""


def test_wrk_output_is_read():
    assert parse_wrk(WRK_OUTPUT) == {"rps": 299.6, "p50_ms": 12.5, "errors": 6}
    assert parse_wrk(WRK_OUTPUT.replace("12.50ms", "1.20s"))["p50_ms"] == 1200.0


@pytest.mark.postgres
@pytest.mark.django_db
def test_the_tiny_city_is_built_by_the_services_rules_and_the_floor_shows_the_same_rows(client):
    counts = city.build(size=city.TINY)
    assert counts["applications"] == 12 * 10 * 10  # itineraries × batches × applications
    assert counts["entries"] > counts["applications"]
    assert data_problems() == []  # the builder checked too; a second look from here
    api = client.get("/api/v1/itineraries/").json()
    with override_settings(ROOT_URLCONF="bench.urls"):
        floor = client.get("/bench/floor/catalogue/").json()
    assert [row["id"] for row in floor["results"]] == [row["id"] for row in api["results"]]
    assert [row["union_price_fen"] / 100 for row in floor["results"]] == [
        float(row["union_price"]) for row in api["results"]
    ]


def test_the_report_table_has_every_figure():
    results = {
        "catalogue_1": {
            "floor_sql": 2.0,
            "bare_view": 4.0,
            "anonymous": 5.0,
            "uncached": 6.0,
            "worker": 9.0,
        },
        "catalogue_16": {
            "bare_view": 200.0,
            "anonymous": 300.0,
            "uncached": 150.0,
            "worker": 100.0,
            "page": 50.0,
        },
        "batches_page_50": {"bare_view": 4.0, "api": 6.0, "uncached": 7.0},
        "utilization": {
            "floor_entries_sql": 80.0,
            "floor_figures_sql": 2.0,
            "selector": 4.0,
            "api": 9.0,
            "entries_scanned": 1_000_000,
        },
        "rollover": {"accounts": 5_000, "seconds": 4.0},
        "funds_overview": {"p50_ms": 30.0, "queries": 12},
        "dashboard": {"present": False},
        "signups": {
            "portal_rps": 150.0,
            "floor_rps": 400.0,
            "exact": True,
            "portal_runs": [{"stored": {"submitted": 50, "waitlisted": 450}, "errors": 0}],
        },
        "signup_queries": 16,
        "build": {"total_seconds": 200.0, "entries": 1_100_000},
    }
    text = table(results)
    assert (
        "| catalogue API page of 20, anonymous, 1 client p50 | 5.0 ms | raw SQL 2.0 ms | 2.50× |"
        in text
    )
    assert "| 300 req/s | bare view 200 req/s | 1.50× |" in text
    assert "50/450/0" in text and "exact" in text
    assert "not on this branch" in text
    assert "200 s" in text
