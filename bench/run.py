"""City-scale benchmarks of DESIGN §8: ``python -m bench run`` (see docs/PERFORMANCE.md).

    .venv/bin/python -m bench build          # (re)build the city-scale data set, checked
    .venv/bin/python -m bench run [--rebuild] [--rounds 3] [--seconds 5]
    .venv/bin/python -m bench smoke          # the tiny data set and one pass of every step

``run`` reuses the data set when it is there (``--rebuild`` builds it again, timed), starts
gunicorn (4 sync workers, ``DJANGO_ENV=production``, DEBUG off, PostgreSQL, Redis cache and
broker) with the floor views of ``bench.urls`` mounted beside the portal, and measures every
figure beside its floor from the same run, floor and portal interleaved round by round (the
median of the rounds is reported). Load generators: ``wrk`` (C; Debian's package) for the
GET throughput and latency figures, and an asyncio client of our own in this process for the
burst of 500 concurrent sign-ups (wrk runs for a duration, not a count of distinct requests).
Results go to ``bench/results/latest.json`` and the table between the markers of
``docs/PERFORMANCE.md``.

Environment: ``BENCH_DB`` (default ``recuperation_h5_city``), ``BENCH_PG``
(``postgres://postgres@127.0.0.1:5432``), ``BENCH_PORT`` (8015), ``BENCH_REDIS``
(``redis://127.0.0.1:6379/5``).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import re
import secrets
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PG = os.environ.get("BENCH_PG", "postgres://postgres@127.0.0.1:5432")
DB = os.environ.get("BENCH_DB", "recuperation_h5_city")
SCRATCH_DB = f"{DB}_scratch"
PORT = int(os.environ.get("BENCH_PORT", "8015"))
REDIS = os.environ.get("BENCH_REDIS", "redis://127.0.0.1:6379/5")
BASE_URL = f"http://127.0.0.1:{PORT}"
SECRET = "bench-" + secrets.token_urlsafe(48)  # one per run: the bench signs the sessions it sends
RESULTS = ROOT / "bench" / "results"
DOC = ROOT / "docs" / "PERFORMANCE.md"


def server_env(db: str | None = None) -> dict[str, str]:
    db = db or DB
    return {
        **os.environ,
        "DATABASE_URL": f"{PG}/{db}",
        "DJANGO_ENV": "production",
        "DJANGO_DEBUG": "false",
        "DJANGO_SECRET_KEY": SECRET,
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost,testserver",
        "DJANGO_SECURE_SSL_REDIRECT": "false",
        "CELERY_BROKER_URL": REDIS,
        "CACHE_URL": REDIS,
        "DJANGO_SETTINGS_MODULE": "bench.settings",
        "PYTHONPATH": str(ROOT),
    }


def setup_django(db: str) -> None:
    os.environ.update(server_env(db))
    import django

    django.setup()


def psql(sql: str, db: str = "postgres") -> str:
    out = subprocess.run(
        ["psql", f"{PG}/{db}", "-Atqc", sql], capture_output=True, text=True, check=True
    )
    return out.stdout.strip()


def say(message: str) -> None:
    print(message, flush=True)


# --- Build -------------------------------------------------------------------------------------


def build(db: str, *, tiny: bool = False) -> dict:
    """Drop and create the database, migrate, load the data set and check it (timed)."""
    started = time.monotonic()
    psql(f'DROP DATABASE IF EXISTS "{db}"')
    psql(f'CREATE DATABASE "{db}"')
    env = server_env(db)
    subprocess.run([sys.executable, "manage.py", "migrate", "-v0"], cwd=ROOT, env=env, check=True)
    migrated = time.monotonic() - started
    code = (
        "import json, django; django.setup(); from bench import city; "
        f"print('RESULT', json.dumps(city.build(size=city.{'TINY' if tiny else 'CITY'})))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, check=True, capture_output=True, text=True
    )
    sys.stdout.write(
        "".join(line + "\n" for line in out.stdout.splitlines() if "RESULT" not in line)
    )
    counts = json.loads(out.stdout.split("RESULT ", 1)[1])
    counts["migrate_seconds"] = round(migrated, 1)
    counts["total_seconds"] = round(time.monotonic() - started, 1)
    say(f"Built {db} in {counts['total_seconds']} s (migrations {migrated:.0f} s).")
    return counts


def data_present(db: str) -> bool:
    exists = psql(f"SELECT 1 FROM pg_database WHERE datname = '{db}'")
    if not exists:
        return False
    try:
        return psql("SELECT count(*) FROM funds_entry", db) not in ("", "0")
    except subprocess.CalledProcessError:
        return False


# --- Load generators ---------------------------------------------------------------------------


# Every request a query string of its own (an unknown parameter, ignored by the filters; a
# nonce per run, the wrk thread and a counter): the same rows, never from the page cache.
UNCACHED_LUA = """
local threads = 0
function setup(thread)
  threads = threads + 1
  thread:set("id", threads)
end
counter = 0
request = function()
  counter = counter + 1
  local sep = string.find(wrk.path, "?", 1, true) and "&" or "?"
  return wrk.format(nil, wrk.path .. sep .. "nocache=" .. nonce .. "-" .. id .. "-" .. counter)
end
"""


def wrk(
    path: str,
    *,
    clients: int,
    seconds: float,
    headers: dict | None = None,
    uncached: bool = False,
) -> dict:
    """Requests/s, p50 and errors of ``wrk`` against one URL (each run its own connections)."""
    cmd = ["wrk", f"-c{clients}", f"-t{min(clients, 2)}", f"-d{seconds}s", "--latency"]
    if uncached:
        script = Path(tempfile.gettempdir()) / f"bench-uncached-{os.getpid()}.lua"
        # A nonce per run: the next round must not find this round's pages in the cache.
        script.write_text(f'nonce = "{time.time_ns()}"\n' + UNCACHED_LUA)
        cmd += ["-s", str(script)]
    cmd += ["--timeout", "30s"]  # a slow page is measured, not dropped
    for name, value in (headers or {}).items():
        cmd += ["-H", f"{name}: {value}"]
    out = subprocess.run([*cmd, BASE_URL + path], capture_output=True, text=True, check=True).stdout
    return parse_wrk(out)


def parse_wrk(out: str) -> dict:
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    p50 = re.search(r"50%\s+([\d.]+)(us|ms|s)", out)
    scale = {"us": 0.001, "ms": 1, "s": 1000}[p50.group(2)]
    errors = 0
    if m := re.search(r"Non-2xx or 3xx responses: (\d+)", out):
        errors += int(m.group(1))
    if m := re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out):
        errors += sum(int(g) for g in m.groups())
    return {"rps": rps, "p50_ms": float(p50.group(1)) * scale, "errors": errors}


async def _post(path: str, body: bytes, headers: dict) -> tuple[int, bytes]:
    reader, writer = await asyncio.open_connection("127.0.0.1", PORT)
    head = [
        f"POST {path} HTTP/1.1",
        "Host: 127.0.0.1",
        "Content-Type: application/json",
        f"Content-Length: {len(body)}",
        "Connection: close",
        *[f"{k}: {v}" for k, v in headers.items()],
    ]
    writer.write(("\r\n".join(head) + "\r\n\r\n").encode() + body)
    await writer.drain()
    data = await reader.read()
    writer.close()
    status = int(data.split(b" ", 2)[1])
    return status, data.split(b"\r\n\r\n", 1)[1]


def burst(path: str, requests: list[tuple[bytes, dict]]) -> dict:
    """Send every request at once (one connection each) and wait for all the answers."""

    async def run():
        started = time.perf_counter()
        answers = await asyncio.gather(
            *(_post(path, body, headers) for body, headers in requests), return_exceptions=True
        )
        return time.perf_counter() - started, answers

    elapsed, answers = asyncio.run(run())
    statuses: dict[str, int] = {}
    errors = 0
    for answer in answers:
        if isinstance(answer, BaseException) or answer[0] != 201:
            errors += 1
            continue
        status = json.loads(answer[1]).get("status", "?")
        statuses[status] = statuses.get(status, 0) + 1
    return {
        "rps": round(len(requests) / elapsed, 1),
        "seconds": round(elapsed, 3),
        "statuses": statuses,
        "errors": errors,
    }


def p50(fn, runs: int) -> float:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        fn()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def interleave(rounds: int, **measures) -> dict[str, list]:
    """Run each measure once per round, in turn, so a disturbance hits all of them alike."""
    results: dict[str, list] = {name: [] for name in measures}
    for _ in range(rounds):
        for name, measure in measures.items():
            results[name].append(measure())
    return results


def median_of(runs: list[dict], key: str) -> float:
    return round(statistics.median(run[key] for run in runs), 2)


# --- The portal under gunicorn -----------------------------------------------------------------


class Server:
    def __init__(self, workers: int = 4):
        self.workers = workers
        self.process: subprocess.Popen | None = None

    def __enter__(self) -> Server:
        # Production settings serve hashed static files (whitenoise's manifest).
        subprocess.run(
            [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"],
            cwd=ROOT,
            env=server_env(),
            check=True,
        )
        gunicorn = str(Path(sys.executable).parent / "gunicorn")
        self.process = subprocess.Popen(
            [
                gunicorn,
                "bench.wsgi:application",
                f"--workers={self.workers}",
                "--worker-class=sync",
                f"--bind=127.0.0.1:{PORT}",
                "--backlog=2048",
                "--log-level=warning",
            ],
            cwd=ROOT,
            env=server_env(),
        )
        deadline = time.monotonic() + 60
        import urllib.request

        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(BASE_URL + "/healthz", timeout=2) as answer:  # noqa: S310
                    if answer.status == 200:
                        break
            except OSError:
                time.sleep(0.5)
        else:
            raise RuntimeError("gunicorn did not answer /healthz")
        for _ in range(self.workers * 4):  # every worker loads its code and opens its connection
            subprocess.run(["curl", "-s", "-o", "/dev/null", BASE_URL + "/api/v1/itineraries/"])
        return self

    def __exit__(self, *exc) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.wait(timeout=30)


# --- The measures ------------------------------------------------------------------------------


def prepare() -> dict:
    """Tokens, a session for city staff, the batches the sign-up bursts use (fresh each run)."""
    from django.contrib.auth import get_user_model
    from django.contrib.sessions.backends.db import SessionStore
    from rest_framework.authtoken.models import Token

    from accounts.models import Organization, Worker
    from applications.models import Application, Status
    from bases.models import Batch, Itinerary
    from bench import city

    user_model = get_user_model()
    city_user = user_model.objects.get(username="city")
    session = SessionStore()
    session["_auth_user_id"] = str(city_user.pk)
    session["_auth_user_backend"] = "django.contrib.auth.backends.ModelBackend"
    session["_auth_user_hash"] = city_user.get_session_auth_hash()
    session.create()
    # A worker with a trip this year (pricing reads their trips and the yearly cap).
    priced = (
        Application.objects.filter(status=Status.SETTLED).order_by("-year", "pk").first().worker
    )
    size = city.CITY if Worker.objects.count() >= city.CITY.workers else city.TINY
    bench_workers = list(
        Worker.objects.filter(pk__gte=size.bench_workers_from)
        .order_by("pk")
        .select_related("user")[:500]
    )
    tokens = {
        w.pk: Token.objects.get_or_create(user=w.user)[0].key for w in [priced, *bench_workers]
    }
    return {
        "city_session": session.session_key,
        "city_token": Token.objects.get_or_create(user=city_user)[0].key,
        "priced_token": tokens[priced.pk],
        "bench_tokens": [tokens[w.pk] for w in bench_workers],
        "city_code": Organization.objects.get(kind="city").code,
        "itinerary": Itinerary.objects.filter(
            active=True, base__status="active", batches__signup_deadline__gte=_today()
        )
        .order_by("pk")
        .values_list("pk", flat=True)
        .first(),
        "batch_count": Batch.objects.count(),
    }


def _today():
    from django.utils import timezone

    return timezone.localdate()


def fresh_batch(itinerary_id: int, capacity: int, offset: int):
    """A new batch of 50 seats nobody applied for (start dates far in next year, unused)."""
    from bases.models import Batch

    today = _today()
    start = today.replace(month=1, day=1, year=today.year + 1) + timedelta(days=200 + offset)
    while Batch.objects.filter(itinerary_id=itinerary_id, start_date=start).exists():
        start += timedelta(days=1)
    return Batch.objects.create(
        itinerary_id=itinerary_id,
        start_date=start,
        end_date=start + timedelta(days=2),
        signup_deadline=start - timedelta(days=7),
        capacity=capacity,
    )


def drop_bench_batch(batch) -> None:
    from accounts.models import AuditEvent, Notification
    from applications.models import Application, StatusChange

    ids = list(Application.objects.filter(batch=batch).values_list("pk", flat=True))
    StatusChange.objects.filter(application_id__in=ids).delete()
    Notification.objects.filter(url__in=[f"/applications/{pk}/" for pk in ids]).delete()
    AuditEvent.objects.filter(
        target_type__in=["applications.application", "bases.batch", "application", "batch"],
        target_id__in=[str(pk) for pk in ids] + [str(batch.pk)],
    ).delete()
    Application.objects.filter(batch=batch).delete()
    batch.delete()


def signup_round(ctx: dict, offset: int) -> dict:
    """500 different workers sign up for one 50-seat batch at once; checked in the database."""
    from django.db.models import Count

    from applications.models import Application, Status
    from bases.models import Batch

    batch = fresh_batch(ctx["itinerary"], 50, offset)
    try:
        body = json.dumps({"batch": batch.pk}).encode()
        result = burst(
            "/api/v1/applications/",
            [(body, {"Authorization": f"Token {t}"}) for t in ctx["bench_tokens"]],
        )
        stored = dict(
            Application.objects.filter(batch=batch).values_list("status").annotate(n=Count("pk"))
        )
        result["stored"] = stored
        result["seats_held"] = Batch.objects.get(pk=batch.pk).seats_held
        result["exact"] = (
            stored.get(Status.SUBMITTED, 0) == 50
            and stored.get(Status.WAITLISTED, 0) == len(ctx["bench_tokens"]) - 50
            and result["seats_held"] == 50
            and result["errors"] == 0
        )
        return result
    finally:
        drop_bench_batch(batch)


def signup_floor_round(ctx: dict, offset: int) -> dict:
    from accounts.models import AuditEvent
    from bases.models import Batch

    batch = fresh_batch(ctx["itinerary"], 50, offset)
    try:
        result = burst(
            "/bench/floor/signup/",
            [
                (json.dumps({"batch": batch.pk, "worker": n}).encode(), {})
                for n in range(len(ctx["bench_tokens"]))
            ],
        )
        result["seats_held"] = Batch.objects.get(pk=batch.pk).seats_held
        return result
    finally:
        AuditEvent.objects.filter(action="bench.signup", target_id=str(batch.pk)).delete()
        batch.delete()


CATALOGUE_SQL = """
SELECT i.id, i.title, i.base_id, b.name, c.code, i.days, i.in_province, i.summary,
       i.union_price_fen, i.standard_price_fen, b.themes, b.products, b.stars,
       i.includes_health_lecture, i.includes_checkup, i.min_age, i.max_age, i.addons,
       i.programme, i.active, COUNT(*) OVER () AS total
  FROM bases_itinerary i
  JOIN bases_base b ON b.id = i.base_id
  JOIN accounts_organization c ON c.id = b.county_id
 WHERE i.active AND b.status IN ('active', 'watch')
 ORDER BY b.stars DESC, i.union_price_fen, i.id
 LIMIT 20
"""

UTILIZATION_SQL = """
SELECT COALESCE(SUM(e.amount) FILTER (WHERE e.kind IN ('grant', 'allocate')
                                       AND a.bucket = 'available'), 0) AS received,
       COALESCE(SUM(e.amount) FILTER (WHERE e.kind = 'rollover' AND e.amount > 0), 0),
       COALESCE(-SUM(e.amount) FILTER (WHERE e.kind = 'rollover' AND e.amount < 0), 0),
       COALESCE(SUM(e.amount) FILTER (WHERE a.bucket = 'reserved'), 0),
       COALESCE(SUM(e.amount) FILTER (WHERE a.bucket = 'spent'), 0),
       COALESCE(SUM(e.amount) FILTER (WHERE a.bucket = 'available'), 0),
       COUNT(*) AS entries
  FROM funds_entry e
  JOIN funds_account a ON a.id = e.account_id
  JOIN accounts_organization o ON o.id = a.org_id
 WHERE a.year = %s AND o.path LIKE %s
"""

FIGURES_SQL = """
SELECT SUM(a.received), SUM(a.rolled_in), SUM(a.rolled_out),
       SUM(a.balance) FILTER (WHERE a.bucket = 'reserved'),
       SUM(a.balance) FILTER (WHERE a.bucket = 'spent'),
       SUM(a.balance) FILTER (WHERE a.bucket = 'available'), SUM(a.served)
  FROM funds_account a JOIN accounts_organization o ON o.id = a.org_id
 WHERE a.year = %s AND o.path LIKE %s
"""

# The staff dashboard's figures for the city, each by one hand-written query: the subtree's and
# each child's money (running figures), the month-by-month payments, the bases by people who
# took trips and by service score, and the approvals waiting. Run one after the other.
DASHBOARD_SQL = [
    FIGURES_SQL,
    """
SELECT c.id, SUM(a.received), SUM(a.rolled_in), SUM(a.rolled_out),
       SUM(a.balance) FILTER (WHERE a.bucket = 'reserved'),
       SUM(a.balance) FILTER (WHERE a.bucket = 'spent'), SUM(a.served)
  FROM accounts_organization c
  JOIN accounts_organization o ON o.path LIKE c.path || '%%'
  JOIN funds_account a ON a.org_id = o.id
 WHERE c.parent_id = %s AND a.year = %s
 GROUP BY c.id
""",
    """
SELECT date_trunc('month', t.value_date) AS month, SUM(e.amount), COUNT(DISTINCT t.cause_id)
  FROM funds_entry e
  JOIN funds_account a ON a.id = e.account_id
  JOIN accounts_organization o ON o.id = a.org_id
  JOIN funds_transaction t ON t.id = e.transaction_id
 WHERE e.kind = 'pay' AND e.amount > 0 AND a.bucket = 'spent' AND a.year = %s
   AND o.path LIKE %s
 GROUP BY 1 ORDER BY 1
""",
    """
SELECT b.id, b.name, COUNT(*) AS people, COUNT(*) FILTER (WHERE p.status = 'settled'),
       COALESCE(SUM(p.paid_fen) FILTER (WHERE p.status = 'settled'), 0) AS paid
  FROM applications_application p
  JOIN bases_batch bt ON bt.id = p.batch_id
  JOIN bases_itinerary i ON i.id = bt.itinerary_id
  JOIN bases_base b ON b.id = i.base_id
 WHERE p.year = %s AND p.status IN ('completed', 'settled')
 GROUP BY b.id, b.name ORDER BY people DESC, paid DESC, b.name, b.id LIMIT 5
""",
    """
SELECT id, name, service_score FROM bases_base
 WHERE status IN ('active', 'watch') AND service_score IS NOT NULL
 ORDER BY service_score DESC, stars DESC, name, id LIMIT 5
""",
    """
SELECT COUNT(*), COALESCE(SUM(subsidy_fen), 0), MIN(updated_at)
  FROM applications_application WHERE status = 'endorsed'
""",
]


def measure(*, rounds: int, seconds: float) -> dict:
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from accounts.models import Organization
    from funds.selectors import utilization

    ctx = prepare()
    year = _today().year
    city_org = Organization.objects.get(code=ctx["city_code"])
    results: dict = {"rounds": rounds, "seconds_per_measure": seconds}
    worker = {"Authorization": f"Token {ctx['priced_token']}"}
    cursor = connection.cursor()

    def raw(sql, params=()):
        return lambda: (cursor.execute(sql, params), cursor.fetchall())

    with Server():
        say("catalogue API, one client (p50) …")
        runs = interleave(
            rounds,
            floor_sql=lambda: {"p50_ms": p50(raw(CATALOGUE_SQL), 200)},
            bare_view=lambda: wrk("/bench/floor/catalogue/", clients=1, seconds=seconds),
            anonymous=lambda: wrk("/api/v1/itineraries/", clients=1, seconds=seconds),
            uncached=lambda: wrk("/api/v1/itineraries/", clients=1, seconds=seconds, uncached=True),
            worker=lambda: wrk("/api/v1/itineraries/", clients=1, seconds=seconds, headers=worker),
        )
        results["catalogue_1"] = {k: median_of(v, "p50_ms") for k, v in runs.items()}
        say(f"  {results['catalogue_1']}")

        say("catalogue API and page, 16 clients (req/s) …")
        runs = interleave(
            rounds,
            bare_view=lambda: wrk("/bench/floor/catalogue/", clients=16, seconds=seconds),
            anonymous=lambda: wrk("/api/v1/itineraries/", clients=16, seconds=seconds),
            uncached=lambda: wrk(
                "/api/v1/itineraries/", clients=16, seconds=seconds, uncached=True
            ),
            worker=lambda: wrk("/api/v1/itineraries/", clients=16, seconds=seconds, headers=worker),
            page=lambda: wrk("/bases/", clients=16, seconds=seconds),
        )
        results["catalogue_16"] = {k: median_of(v, "rps") for k, v in runs.items()}
        results["catalogue_16_errors"] = {k: sum(r["errors"] for r in v) for k, v in runs.items()}
        say(f"  {results['catalogue_16']}")

        say("batches list, page 50 (p50) …")
        runs = interleave(
            rounds,
            bare_view=lambda: wrk("/bench/floor/batches/?page=50", clients=1, seconds=seconds),
            api=lambda: wrk("/api/v1/batches/?page=50", clients=1, seconds=seconds),
            uncached=lambda: wrk(
                "/api/v1/batches/?page=50", clients=1, seconds=seconds, uncached=True
            ),
        )
        results["batches_page_50"] = {k: median_of(v, "p50_ms") for k, v in runs.items()}
        say(f"  {results['batches_page_50']}")

        say("city utilization, one year …")
        path = city_org.path + "%"
        runs = interleave(
            rounds,
            floor_entries_sql=lambda: {"p50_ms": p50(raw(UTILIZATION_SQL, [year, path]), 5)},
            floor_figures_sql=lambda: {"p50_ms": p50(raw(FIGURES_SQL, [year, path]), 50)},
            selector=lambda: {"p50_ms": p50(lambda: utilization(org=city_org, year=year), 50)},
            api=lambda: wrk(
                f"/api/v1/funds/utilization/?org={ctx['city_code']}&year={year}",
                clients=1,
                seconds=seconds,
                headers={"Authorization": f"Token {ctx['city_token']}"},
            ),
        )
        results["utilization"] = {k: median_of(v, "p50_ms") for k, v in runs.items()}
        cursor.execute(UTILIZATION_SQL, [year, path])
        results["utilization"]["entries_scanned"] = cursor.fetchone()[-1]
        say(f"  {results['utilization']}")

        say("funds overview page as city …")
        cookie = {"Cookie": f"sessionid={ctx['city_session']}"}
        runs = interleave(
            rounds, page=lambda: wrk("/funds/", clients=1, seconds=seconds, headers=cookie)
        )
        results["funds_overview"] = {"p50_ms": median_of(runs["page"], "p50_ms")}
        client = Client()
        client.cookies["sessionid"] = ctx["city_session"]
        with CaptureQueriesContext(connection) as queries:
            answer = client.get("/funds/")
        results["funds_overview"]["queries"] = len(queries)
        results["funds_overview"]["status"] = answer.status_code
        say(f"  {results['funds_overview']}")

        say("staff dashboard as city …")
        dashboard_params = [
            [year, path],
            [city_org.pk, year],
            [year, path],
            [year],
            [],
            [],
        ]

        def dashboard_floor():
            for sql, params in zip(DASHBOARD_SQL, dashboard_params, strict=True):
                cursor.execute(sql, params)
                cursor.fetchall()

        runs = interleave(
            rounds,
            floor_sql=lambda: {"p50_ms": p50(dashboard_floor, 20)},
            page=lambda: wrk("/dashboard/", clients=1, seconds=seconds, headers=cookie),
        )
        results["dashboard"] = {k: median_of(v, "p50_ms") for k, v in runs.items()}
        with CaptureQueriesContext(connection) as queries:
            answer = client.get("/dashboard/")
        results["dashboard"]["queries"] = len(queries)
        results["dashboard"]["status"] = answer.status_code
        say(f"  {results['dashboard']}")

        say("500 concurrent sign-ups for 50 seats …")
        counter = iter(range(1000))
        runs = interleave(
            rounds,
            floor=lambda: signup_floor_round(ctx, next(counter)),
            portal=lambda: signup_round(ctx, next(counter)),
        )
        results["signups"] = {
            "floor_rps": median_of(runs["floor"], "rps"),
            "portal_rps": median_of(runs["portal"], "rps"),
            "portal_runs": runs["portal"],
            "floor_runs": runs["floor"],
            "exact": all(run["exact"] for run in runs["portal"]),
        }
        say(
            f"  floor {results['signups']['floor_rps']} req/s, portal "
            f"{results['signups']['portal_rps']} req/s, exact: {results['signups']['exact']}"
        )
    # One sign-up in this process: its queries (the CPU per request is the server's).
    results["signup_queries"] = count_signup_queries(ctx)
    cursor.close()
    connection.close()
    return results


def count_signup_queries(ctx: dict) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from rest_framework.test import APIClient

    batch = fresh_batch(ctx["itinerary"], 50, 999)
    try:
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Token {ctx['bench_tokens'][0]}")
        with CaptureQueriesContext(connection) as queries:
            answer = client.post("/api/v1/applications/", {"batch": batch.pk}, format="json")
        assert answer.status_code == 201, answer.content
        return len(queries)
    finally:
        drop_bench_batch(batch)


def measure_rollover() -> dict:
    """Close the current year on a scratch copy of the data set (the real one stays as it is)."""
    psql(f'DROP DATABASE IF EXISTS "{SCRATCH_DB}"')
    started = time.monotonic()
    psql(f'CREATE DATABASE "{SCRATCH_DB}" TEMPLATE "{DB}"')
    copied = time.monotonic() - started
    code = (
        "import json, time, django; django.setup()\n"
        "from django.utils import timezone\n"
        "from funds import services\n"
        "from funds.models import Account\n"
        "year = timezone.localdate().year\n"
        "n = Account.objects.filter(year=year, bucket='available').count()\n"
        "started = time.perf_counter()\n"
        "moved = services.rollover(year=year)\n"
        "seconds = time.perf_counter() - started\n"
        "from portal.checks import data_problems\n"
        "problems = data_problems()\n"
        "print('RESULT', json.dumps({'accounts': n, 'moved': len(moved), 'seconds': seconds,"
        " 'checks_pass': not problems, 'problems': problems[:5]}))\n"
    )
    env = server_env(SCRATCH_DB)
    env["DJANGO_SETTINGS_MODULE"] = "recuperation.settings"
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, check=True
    )
    result = json.loads(out.stdout.split("RESULT ", 1)[1])
    result["copy_seconds"] = round(copied, 1)
    psql(f'DROP DATABASE IF EXISTS "{SCRATCH_DB}"')
    return result


# --- Report ------------------------------------------------------------------------------------


def machine() -> dict:
    load = os.getloadavg()
    return {
        "cpu": platform.processor() or platform.machine(),
        "cores": os.cpu_count(),
        "python": platform.python_version(),
        "postgres": psql("SHOW server_version"),
        "load_before": [round(x, 2) for x in load],
        "date": time.strftime("%Y-%m-%d %H:%M"),
    }


def ratio(a: float, b: float) -> str:
    return f"{a / b:.2f}×" if b else "—"


def table(r: dict) -> str:
    c1, c16, u, s = r["catalogue_1"], r["catalogue_16"], r["utilization"], r["signups"]
    b = r["batches_page_50"]
    roll, built = r["rollover"], r.get("build")
    rows = [
        (
            "catalogue API page of 20, anonymous, 1 client p50",
            f"{c1['anonymous']:.1f} ms",
            f"raw SQL {c1['floor_sql']:.1f} ms",
            ratio(c1["anonymous"], c1["floor_sql"]),
            "≤ 30 ms and ≤ 3×",
        ),
        (
            "same, every request a new query string (never cached)",
            f"{c1['uncached']:.1f} ms",
            f"raw SQL {c1['floor_sql']:.1f} ms",
            ratio(c1["uncached"], c1["floor_sql"]),
            "≤ 30 ms and ≤ 3×",
        ),
        (
            "same, as a worker (net cost)",
            f"{c1['worker']:.1f} ms",
            f"raw SQL {c1['floor_sql']:.1f} ms",
            ratio(c1["worker"], c1["floor_sql"]),
            "≤ 30 ms and ≤ 3×",
        ),
        ("(bare view, 1 client p50, for scale)", f"{c1['bare_view']:.1f} ms", "", "", ""),
        (
            "catalogue API, 16 clients, anonymous",
            f"{c16['anonymous']:.0f} req/s",
            f"bare view {c16['bare_view']:.0f} req/s",
            ratio(c16["anonymous"], c16["bare_view"]),
            "≥ 0.75×",
        ),
        (
            "same, never cached",
            f"{c16['uncached']:.0f} req/s",
            f"bare view {c16['bare_view']:.0f} req/s",
            ratio(c16["uncached"], c16["bare_view"]),
            "≥ 0.75×",
        ),
        (
            "same, as a worker",
            f"{c16['worker']:.0f} req/s",
            f"bare view {c16['bare_view']:.0f} req/s",
            ratio(c16["worker"], c16["bare_view"]),
            "≥ 0.75×",
        ),
        (
            "`/bases/` catalogue page (HTML), 16 clients",
            f"{c16['page']:.0f} req/s",
            f"bare view {c16['bare_view']:.0f} req/s",
            ratio(c16["page"], c16["bare_view"]),
            "≥ 0.5×",
        ),
        (
            "`/api/v1/batches/?page=50`, 1 client p50",
            f"{b['api']:.1f} ms",
            f"bare view {b['bare_view']:.1f} ms",
            ratio(b["api"], b["bare_view"]),
            "bounded",
        ),
        (
            "same, never cached",
            f"{b['uncached']:.1f} ms",
            f"bare view {b['bare_view']:.1f} ms",
            ratio(b["uncached"], b["bare_view"]),
            "bounded",
        ),
        (
            "city utilization, one year (selector, in process)",
            f"{u['selector']:.1f} ms",
            f"raw SQL over the {u['entries_scanned']:,} entries {u['floor_entries_sql']:.1f} ms",
            ratio(u["selector"], u["floor_entries_sql"]),
            "≤ 1.5× and ≤ 100 ms",
        ),
        (
            "(same over the running figures: raw SQL)",
            f"{u['floor_figures_sql']:.1f} ms",
            "",
            ratio(u["selector"], u["floor_figures_sql"]) + " of it",
            "",
        ),
        ("utilization API as city staff, 1 client p50", f"{u['api']:.1f} ms", "", "", ""),
        (
            f"`rollover_funds` for {roll['accounts']:,} accounts",
            f"{roll['seconds']:.1f} s",
            "",
            f"{roll['seconds'] / max(roll['accounts'], 1) * 1000:.2f} ms/account",
            "≤ 10 s for 5,000",
        ),
        (
            "funds overview page as city, 1 client p50",
            f"{r['funds_overview']['p50_ms']:.0f} ms ({r['funds_overview']['queries']} queries)",
            "",
            "",
            "",
        ),
        (
            "staff dashboard `/dashboard/` as city, 1 client p50",
            f"{r['dashboard']['page']:.0f} ms ({r['dashboard']['queries']} queries)",
            f"its figures by {len(DASHBOARD_SQL)} raw SQL queries {r['dashboard']['floor_sql']:.1f} ms",
            ratio(r["dashboard"]["page"], r["dashboard"]["floor_sql"]),
            "(no bar)",
        ),
        (
            "500 concurrent sign-ups for 50 seats (HTTP)",
            f"{s['portal_rps']:.0f} req/s",
            f"bare locked insert {s['floor_rps']:.0f} req/s",
            ratio(s["portal_rps"], s["floor_rps"]),
            "≥ 300 req/s, exact",
        ),
        (
            "  exactness: seats held / waitlisted / errors, every round",
            "; ".join(
                f"{run['stored'].get('submitted', 0)}/{run['stored'].get('waitlisted', 0)}/"
                f"{run['errors']}"
                for run in s["portal_runs"]
            ),
            "",
            "exact" if s["exact"] else "NOT EXACT",
            "50/450/0",
        ),
        ("  queries per sign-up", str(r["signup_queries"]), "", "", ""),
    ]
    if built:
        rows.append(
            (
                "building the city-scale data set (migrate + load + checks)",
                f"{built['total_seconds']:.0f} s",
                "",
                f"{built['entries']:,} entries",
                "≤ 5 minutes",
            )
        )
    lines = [
        "| measure | portal | floor in the same run | ratio | DESIGN §8 |",
        "|---|---|---|---|---|",
    ]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(lines)  # fmt: skip


BEFORE = RESULTS / "before.json"


def load_before(path: Path = BEFORE) -> dict | None:
    """The figures the "after" of a run is set beside: ``bench/results/before.json`` holds the
    measurement that started the work (its day, what it was, one figure per row). Data, not
    code: to compare with another measurement, replace the file. Without it, no table."""
    try:
        return json.loads(path.read_text())
    except FileNotFoundError:
        return None


def before_after(r: dict, before: dict) -> str:
    """The recorded "before" figures (``load_before``) beside this run."""
    c1, c16, u, b, s = (
        r["catalogue_1"],
        r["catalogue_16"],
        r["utilization"],
        r["batches_page_50"],
        r["signups"],
    )
    roll, fo, built = r["rollover"], r["funds_overview"], r.get("build") or {}
    old = before.get("figures", {})
    rows = [
        (
            "catalogue API page, anonymous, 1 client p50",
            "catalogue_1_anonymous",
            f"{c1['anonymous']:.1f} ms cached ({ratio(c1['anonymous'], c1['floor_sql'])}), "
            f"{c1['uncached']:.1f} ms never cached ({ratio(c1['uncached'], c1['floor_sql'])}) "
            f"vs raw SQL {c1['floor_sql']:.1f} ms",
        ),
        (
            "same, as a worker (priced)",
            "catalogue_1_worker",
            f"{c1['worker']:.1f} ms ({ratio(c1['worker'], c1['floor_sql'])})",
        ),
        (
            "catalogue API, 16 clients, anonymous",
            "catalogue_16_anonymous",
            f"{c16['anonymous']:.0f} req/s cached ({ratio(c16['anonymous'], c16['bare_view'])}), "
            f"{c16['uncached']:.0f} never cached ({ratio(c16['uncached'], c16['bare_view'])}) "
            f"vs bare view {c16['bare_view']:.0f}",
        ),
        (
            "same, as a worker",
            "catalogue_16_worker",
            f"{c16['worker']:.0f} req/s ({ratio(c16['worker'], c16['bare_view'])})",
        ),
        (
            "`/bases/` HTML catalogue page, 16 clients",
            "catalogue_16_page",
            f"{c16['page']:.0f} req/s ({ratio(c16['page'], c16['bare_view'])})",
        ),
        (
            "city utilization, one year",
            "utilization",
            f"{u['selector']:.1f} ms vs {u['floor_entries_sql']:.0f} ms "
            f"({ratio(u['selector'], u['floor_entries_sql'])})",
        ),
        (
            "`rollover_funds`, every account of a year",
            "rollover",
            f"{roll['seconds']:.1f} s for {roll['accounts']:,} accounts "
            f"({roll['seconds'] / max(roll['accounts'], 1) * 1000:.2f} ms each)",
        ),
        (
            "funds overview page as city",
            "funds_overview",
            f"{fo['p50_ms']:.0f} ms, {fo['queries']} queries",
        ),
        (
            "`/api/v1/batches/?page=50`",
            "batches_page_50",
            f"{b['api']:.1f} ms cached, {b['uncached']:.1f} ms never cached "
            f"(bare view {b['bare_view']:.1f} ms)",
        ),
        (
            "500 concurrent sign-ups, 50 seats",
            "signups",
            f"{s['portal_rps']:.0f} req/s, {'exact' if s['exact'] else 'NOT exact'} "
            f"(bare locked insert {s['floor_rps']:.0f} req/s)",
        ),
        (
            "building the city-scale data set",
            "build",
            f"{built['total_seconds']:.0f} s" if built else "reused",
        ),
    ]
    lines = [f"| measure | before ({before['measured']}) | after (this run) |", "|---|---|---|"]
    lines += [f"| {label} | {old.get(key, '—')} | {after} |" for label, key, after in rows]
    return "\n".join(lines)


def write_report(results: dict, before: dict | None) -> None:
    """``bench/results/latest.json`` and the block between the markers of docs/PERFORMANCE.md:
    the run's table, then, when a "before" is recorded, the two side by side."""
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "latest.json").write_text(json.dumps(results, indent=2, ensure_ascii=False))
    m = results["machine"]
    comparison = (
        f'\n\nBefore and after ("before", measured {before["measured"]}: {before["what"]}):\n\n'
        + before_after(results, before)
        if before
        else ""
    )
    block = (
        "<!-- bench:begin (written by python -m bench run) -->\n"
        f"Run of {m['date']}: {m['cores']} cores ({m['cpu']}), Python {m['python']}, "
        f"PostgreSQL {m['postgres']}, load average before {m['load_before']}, after "
        f"{results['load_after']}; {results['rounds']} interleaved rounds of "
        f"{results['seconds_per_measure']} s per measure, medians.\n\n"
        + table(results)
        + comparison
        + "\n<!-- bench:end -->"
    )
    text = (
        DOC.read_text()
        if DOC.exists()
        else "# Performance\n\n<!-- bench:begin --><!-- bench:end -->\n"
    )
    text = re.sub(r"<!-- bench:begin.*?<!-- bench:end -->", lambda _: block, text, flags=re.S)
    DOC.write_text(text)
    print(table(results))


def main(argv: list[str] | None = None) -> None:
    global DB, SCRATCH_DB
    parser = argparse.ArgumentParser(prog="python -m bench")
    parser.add_argument("command", choices=["build", "run", "smoke"])
    parser.add_argument("--rebuild", action="store_true")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--seconds", type=float, default=5)
    args = parser.parse_args(argv)
    if not shutil.which("wrk"):
        sys.exit("wrk is missing: apt-get install wrk")
    if args.command == "build":
        build(DB)
        return
    if args.command == "smoke":
        DB = os.environ.get("BENCH_DB", "recuperation_h5")
        SCRATCH_DB = f"{DB}_scratch"
    results: dict = {"machine": machine()}
    if args.command == "smoke" or args.rebuild or not data_present(DB):
        results["build"] = build(DB, tiny=args.command == "smoke")
    setup_django(DB)
    results.update(
        measure(rounds=1 if args.command == "smoke" else args.rounds,
                seconds=1 if args.command == "smoke" else args.seconds)
    )  # fmt: skip
    results["rollover"] = measure_rollover()
    results["load_after"] = [round(x, 2) for x in os.getloadavg()]
    if args.command == "smoke":
        print(json.dumps(results, indent=2, default=str))
        return
    write_report(results, load_before())
