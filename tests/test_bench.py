"""The benchmark's code on a tiny data set (the city-scale run itself is ``python -m bench run``,
outside the test suite; docs/PERFORMANCE.md)."""

from __future__ import annotations

import json

import pytest
from django.test import override_settings

from bench import city
from bench import run as bench_run
from bench.run import DASHBOARD_SQL, before_after, load_before, parse_wrk, table
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
    dashboard_floor_shows_the_dashboards_figures()


def dashboard_floor_shows_the_dashboards_figures():
    """The dashboard's floor queries (bench.run.DASHBOARD_SQL) give the dashboard's figures."""
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.utils import timezone

    from accounts.models import Organization
    from applications.selectors import approvals_waiting, top_bases_by_volume
    from funds.selectors import breakdown, monthly_spend

    city_user = get_user_model().objects.get(username="city")
    org = Organization.objects.get(kind="city")
    today = timezone.localdate()
    year = today.year
    params = [[year, org.path + "%"], [org.pk, year], [year, org.path + "%"], [year], [], []]
    with connection.cursor() as cursor:
        answers = []
        for sql, args in zip(DASHBOARD_SQL, params, strict=True):
            cursor.execute(sql, args)
            answers.append(cursor.fetchall())
    total, children, months, volume, _score, waiting = answers
    b = breakdown(org=org, year=year, today=today)
    assert total[0][4] == b.total.spent and total[0][6] == b.total.people_served
    assert {row[0]: row[5] for row in children if row[5]} == {
        r.org.pk: r.usage.spent for r in b.rows if r.usage.spent
    }
    assert [(m[0].month, m[1], m[2]) for m in months] == [
        (m.month, m.spent, m.people) for m in monthly_spend(org=org, year=year) if m.spent
    ]
    assert [(r[0], r[2], r[4]) for r in volume] == [
        (r["base_id"], r["people"], r["paid"]) for r in top_bases_by_volume(city_user, year=year)
    ]
    assert waiting[0][0] == approvals_waiting(city_user).count


def fake_results() -> dict:
    """A run's results as ``bench.run`` records them, with round numbers."""
    return {
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
        "dashboard": {"page": 90.0, "floor_sql": 30.0, "queries": 14, "status": 200},
        "signups": {
            "portal_rps": 150.0,
            "floor_rps": 400.0,
            "exact": True,
            "portal_runs": [{"stored": {"submitted": 50, "waitlisted": 450}, "errors": 0}],
        },
        "signup_queries": 16,
        "build": {"total_seconds": 200.0, "entries": 1_100_000},
    }


def test_the_report_table_has_every_figure():
    text = table(fake_results())
    assert (
        "| catalogue API page of 20, anonymous, 1 client p50 | 5.0 ms | raw SQL 2.0 ms | 2.50× |"
        in text
    )
    assert "| 300 req/s | bare view 200 req/s | 1.50× |" in text
    assert "50/450/0" in text and "exact" in text
    assert "| 90 ms (14 queries) | its figures by 6 raw SQL queries 30.0 ms | 3.00× |" in text
    assert "200 s" in text


def test_the_before_figures_are_data_and_set_beside_each_row(tmp_path):
    before = load_before()  # the committed file: bench/results/before.json
    assert set(before) >= {"measured", "what", "figures"}
    text = before_after(fake_results(), before)
    header, rule, *rows = text.splitlines()
    assert header == f"| measure | before ({before['measured']}) | after (this run) |"
    assert len(rows) == 11 and all(row.count(" | ") == 2 for row in rows)
    assert f"| {before['figures']['utilization']} | 4.0 ms vs 80 ms (0.05×) |" in text
    partial = {"measured": "a day", "what": "x", "figures": {"signups": "12 req/s"}}
    text = before_after(fake_results(), partial)
    assert "| before (a day) |" in text and "| 12 req/s | 150 req/s, exact" in text
    assert "| city utilization, one year | — |" in text  # a figure not recorded then
    assert load_before(tmp_path / "missing.json") is None


def test_the_report_writes_the_comparison_only_when_a_before_is_recorded(tmp_path, monkeypatch):
    doc = tmp_path / "PERFORMANCE.md"
    doc.write_text("# Performance\n\n<!-- bench:begin --><!-- bench:end -->\n\nprose kept\n")
    monkeypatch.setattr(bench_run, "DOC", doc)
    monkeypatch.setattr(bench_run, "RESULTS", tmp_path / "results")
    results = fake_results() | {
        "machine": {
            "date": "the day",
            "cores": 2,
            "cpu": "x86_64",
            "python": "3.11",
            "postgres": "15",
            "load_before": [1, 1, 1],
        },
        "load_after": [1, 1, 1],
        "rounds": 3,
        "seconds_per_measure": 5,
    }
    bench_run.write_report(results, None)
    text = doc.read_text()
    assert "Run of the day" in text and "prose kept" in text and "Before and after" not in text
    assert json.loads((tmp_path / "results" / "latest.json").read_text())["rounds"] == 3
    bench_run.write_report(results, {"measured": "once", "what": "the first try", "figures": {}})
    text = doc.read_text()
    assert '("before", measured once: the first try)' in text and text.count("bench:begin") == 1
    assert "| measure | before (once) | after (this run) |" in text and "prose kept" in text
