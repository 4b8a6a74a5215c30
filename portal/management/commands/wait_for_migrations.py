"""``manage.py wait_for_migrations``: block until the database is reachable and fully migrated.

The Celery worker and beat (and the web server) start with it in docker-compose.yml and
ops/prodstack: a job that ran against a half-migrated schema could write money under the old
rules, so nothing starts before ``migrate`` has finished. It only reads: the one-shot
``migrate`` service (or the operator) applies migrations. Exits 0 once nothing is left to apply
(as ``migrate --check`` would), 1 after ``--timeout`` seconds.
"""

from __future__ import annotations

import time

from django.core.management.base import BaseCommand, CommandError
from django.db import DEFAULT_DB_ALIAS, OperationalError, connections
from django.db.migrations.executor import MigrationExecutor


def unapplied(alias: str = DEFAULT_DB_ALIAS) -> list[str]:
    """Migrations not yet applied to the database (raises OperationalError when it is down)."""
    connection = connections[alias]
    executor = MigrationExecutor(connection)
    plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    return [f"{migration.app_label}.{migration.name}" for migration, _backwards in plan]


class Command(BaseCommand):
    help = "Wait until the database is reachable and every migration is applied."

    def add_arguments(self, parser):
        parser.add_argument("--timeout", type=float, default=600, help="seconds (default 600)")
        parser.add_argument("--interval", type=float, default=2, help="seconds between checks")
        parser.add_argument("--database", default=DEFAULT_DB_ALIAS)

    def handle(self, *args, timeout: float, interval: float, database: str, **options):
        deadline = time.monotonic() + timeout
        said = None
        while True:
            try:
                pending = unapplied(database)
                state = f"{len(pending)} migrations to apply, next {pending[0]}" if pending else ""
            except OperationalError as exc:
                connections[database].close()
                state = f"database not reachable ({str(exc).strip().splitlines()[0]})"
            if not state:
                self.stdout.write("Migrations are applied.")
                return
            if state != said:
                self.stdout.write(f"Waiting for migrations: {state}", ending="\n")
                self.stdout.flush()
                said = state
            if time.monotonic() >= deadline:
                raise CommandError(f"Gave up after {timeout:g} s waiting for migrations: {state}")
            time.sleep(interval)
