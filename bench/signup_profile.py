"""One worker's sign-up over the API, measured in process on the city data (DESIGN §8):

    BENCH_DB=recuperation_city .venv/bin/python -m bench.signup_profile [--n 200] [--profile]
        [--http ROUNDS]

Each of ``n`` bench workers signs up once for a fresh 50-seat batch (50 hold a seat, the rest
wait) through the whole Django stack (middleware, DRF, token authentication), as the HTTP
burst does; prints the queries of one sign-up and the CPU time (``time.process_time``) per
sign-up, median and mean. The batch and everything written for it are removed afterwards
(``bench.run.drop_bench_batch``). ``--profile`` prints the top of a ``cProfile`` of the run.
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import statistics
import time

from bench import run


def _server_cpu(master: int) -> float:
    """CPU milliseconds used so far by gunicorn's workers (Linux /proc)."""
    import os
    from pathlib import Path

    total = 0.0
    children = Path(f"/proc/{master}/task/{master}/children").read_text().split()
    for pid in children:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK") * 1000
    return total


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=200)
    parser.add_argument("--profile", action="store_true")
    parser.add_argument("--show-queries", action="store_true")
    parser.add_argument(
        "--http",
        type=int,
        default=0,
        metavar="ROUNDS",
        help="then ROUNDS bursts of 500 sign-ups over HTTP (gunicorn), each beside the bare "
        "locked insert's burst (bench.run's signup_round and signup_floor_round)",
    )
    args = parser.parse_args()
    run.setup_django(run.DB)

    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from rest_framework.test import APIClient

    ctx = run.prepare()
    tokens = ctx["bench_tokens"][: args.n]
    batch = run.fresh_batch(ctx["itinerary"], 50, 998)
    client = APIClient()  # one client, so one handler with its middleware, as in a server
    floor_batch = run.fresh_batch(ctx["itinerary"], 50, 997)
    body = {"batch": batch.pk}
    times = []
    floor_times = []
    floor = APIClient()
    profiler = cProfile.Profile(time.process_time) if args.profile else None
    try:
        client.credentials(HTTP_AUTHORIZATION=f"Token {tokens[0]}")
        with CaptureQueriesContext(connection) as queries:
            answer = client.post("/api/v1/applications/", body, format="json")
        assert answer.status_code == 201, answer.content
        print(f"queries in one sign-up: {len(queries)}")
        if args.show_queries:
            for q in queries:
                print("  ", q["sql"][:300])
        for token in tokens[1:]:
            client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
            started = time.process_time()
            if profiler:
                profiler.enable()
            answer = client.post("/api/v1/applications/", body, format="json")
            if profiler:
                profiler.disable()
            times.append((time.process_time() - started) * 1000)
            assert answer.status_code == 201, answer.content
            # The bare locked insert of bench.urls, interleaved: the same machine's floor.
            started = time.process_time()
            answer = floor.post(
                "/bench/floor/signup/",
                {"batch": floor_batch.pk, "worker": len(floor_times)},
                format="json",
            )
            floor_times.append((time.process_time() - started) * 1000)
            assert answer.status_code == 201, answer.content
        batch.refresh_from_db()
        print(
            f"{len(times)} sign-ups: CPU per sign-up median {statistics.median(times):.2f} ms,"
            f" mean {statistics.mean(times):.2f} ms; seats held {batch.seats_held};"
            f" bare locked insert median {statistics.median(floor_times):.2f} ms"
            f" ({statistics.median(times) / statistics.median(floor_times):.1f}×)"
        )
    finally:
        run.drop_bench_batch(batch)
        from accounts.models import AuditEvent

        AuditEvent.objects.filter(action="bench.signup", target_id=str(floor_batch.pk)).delete()
        floor_batch.delete()
    if args.http:
        import itertools

        counter = itertools.count(900)
        with run.Server() as server:
            for _ in range(args.http):
                before = _server_cpu(server.process.pid)
                floor = run.signup_floor_round(ctx, next(counter))
                middle = _server_cpu(server.process.pid)
                portal = run.signup_round(ctx, next(counter))
                after = _server_cpu(server.process.pid)
                n = len(ctx["bench_tokens"])
                print(
                    f"HTTP burst: portal {portal['rps']} req/s (exact: {portal['exact']},"
                    f" {portal['stored']}, errors {portal['errors']};"
                    f" gunicorn CPU {(after - middle) / n:.2f} ms a sign-up),"
                    f" bare locked insert {floor['rps']} req/s"
                    f" ({(middle - before) / n:.2f} ms)"
                )
    if profiler:
        stats = pstats.Stats(profiler)
        stats.sort_stats("cumulative").print_stats(45)
        stats.sort_stats("tottime").print_stats(25)
        stats.print_callees("applications.py.*create|_submit|_record|notify|audit|authenticate$")


if __name__ == "__main__":
    main()
