"""A backup made with pg_dump restores with pg_restore into a fresh database, ledger and all.

The commands are docs/OPERATIONS.md's, run here as they are written there (the test checks the
document still says them): dump the database in pg_dump's custom format, restore into a new
database owned by the application's role (not a superuser), then, as the superuser, clear the
ledger transactions' commit stamps (see ``POST_RESTORE``). On the copy: every table has the
same rows, every balance is the sum of its entries and equals the original's, every transaction
is balanced, the ledger's triggers are all there and still refuse what they refuse, the
autovacuum settings came along, and Django finds nothing left to migrate.

The ledger's triggers refuse some writes (funds migrations 0002 and 0004), and a data-only
restore into a migrated database would fire them (every entry added to its balance a second
time). A whole restore does not: pg_restore loads the rows before it creates the triggers and
constraints (they are in the dump's post-data section), which is why the documented restore
is of the whole database into an empty one.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import psycopg
import pytest
from django.db import connection
from django.utils import timezone

from funds import services as funds
from tests.ops.test_worker_crash import build_money, build_waiting_list

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

ROOT = Path(__file__).resolve().parents[2]
DOCS = (ROOT / "docs/OPERATIONS.md").read_text()

# docs/OPERATIONS.md, "Backups": the commands, with NAME, COPY, ROLE and FILE filled in below.
DUMP = "pg_dump --format=custom --file=FILE NAME"
CREATE = "createdb --owner=ROLE COPY"
RESTORE = (
    "pg_restore --exit-on-error --single-transaction --no-owner --role=ROLE --dbname=COPY FILE"
)
POST_RESTORE = (
    'psql --dbname=COPY --command="SET session_replication_role = replica; '
    'UPDATE funds_transaction SET db_xact = NULL WHERE db_xact IS NOT NULL"'
)


def libpq_env() -> dict[str, str]:
    s = connection.settings_dict
    env = os.environ | {"PGHOST": s["HOST"] or "127.0.0.1", "PGPORT": str(s["PORT"] or 5432)}
    env["PGUSER"] = s["USER"] or "postgres"
    if s["PASSWORD"]:
        env["PGPASSWORD"] = s["PASSWORD"]
    return env


def sh(command: str, **names: str) -> None:
    for name, value in names.items():
        command = command.replace(name, value)
    result = subprocess.run(
        ["/bin/sh", "-c", command], env=libpq_env(), capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, f"{command}\n{result.stdout}\n{result.stderr}"


def connect(name: str) -> psycopg.Connection:
    env = libpq_env()
    return psycopg.connect(
        host=env["PGHOST"],
        port=env["PGPORT"],
        user=env["PGUSER"],
        password=env.get("PGPASSWORD"),
        dbname=name,
        autocommit=True,
    )


def one(conn: psycopg.Connection, sql: str):
    return conn.execute(sql).fetchone()[0]


def table_rows(conn: psycopg.Connection) -> dict[str, int]:
    tables = [
        row[0]
        for row in conn.execute(
            "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY 1"
        )
    ]
    return {table: one(conn, f'SELECT count(*) FROM "{table}"') for table in tables}  # noqa: S608


def ledger_triggers(conn: psycopg.Connection) -> list[tuple[str, str]]:
    return conn.execute(
        "SELECT c.relname, t.tgname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid"
        " WHERE NOT t.tgisinternal AND c.relname LIKE 'funds_%' ORDER BY 1, 2"
    ).fetchall()


@pytest.fixture
def copy_name():
    """A fresh database and the application role that will own it, both dropped afterwards."""
    name = f"{connection.settings_dict['NAME']}_restored"[:60]
    role = f"{name}_app"
    admin = connect("postgres")
    admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    admin.execute(f'DROP ROLE IF EXISTS "{role}"')
    admin.execute(f'CREATE ROLE "{role}" LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE')
    yield name, role
    admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    admin.execute(f'DROP ROLE IF EXISTS "{role}"')
    admin.close()


def test_the_documented_commands_are_the_ones_tested():
    for command in (DUMP, CREATE, RESTORE, POST_RESTORE):
        assert command in DOCS, command


def test_a_dump_restores_into_a_fresh_database_with_the_ledger_intact(tmp_path, copy_name):
    money = build_money()
    funds.rollover(year=money.year)
    build_waiting_list()
    funds.reserve(
        org=money_org("CCA"),
        year=timezone.localdate().year,
        amount=30_000,
        cause_id="app-9",
        by=None,
    )

    name = connection.settings_dict["NAME"]
    copy, role = copy_name
    dump = str(tmp_path / "recuperation.dump")
    sh(DUMP, FILE=dump, NAME=name)
    sh(CREATE, ROLE=role, COPY=copy)
    sh(RESTORE, ROLE=role, COPY=copy, FILE=dump)
    sh(POST_RESTORE, COPY=copy)

    with connect(name) as original, connect(copy) as restored:
        rows = table_rows(original)
        assert rows["funds_entry"] > 20 and rows["applications_application"] == 6
        assert table_rows(restored) == rows
        balances = (
            "SELECT org_id, year, source, bucket, balance FROM funds_account ORDER BY 1, 2, 3, 4"
        )
        assert restored.execute(balances).fetchall() == original.execute(balances).fetchall()
        # balances are the sums of their entries (no entry applied twice by a trigger) ...
        assert not one(
            restored,
            "SELECT count(*) FROM funds_account a WHERE a.balance <> COALESCE("
            "(SELECT sum(e.amount) FROM funds_entry e WHERE e.account_id = a.id), 0)",
        )
        # ... and every transaction is balanced, with two entries or more
        assert not one(
            restored,
            "SELECT count(*) FROM funds_transaction t WHERE (SELECT count(*) FROM funds_entry e"
            " WHERE e.transaction_id = t.id) < 2 OR (SELECT sum(amount) FROM funds_entry e"
            " WHERE e.transaction_id = t.id) <> 0",
        )
        assert (
            one(restored, "SELECT count(*) FROM funds_transaction WHERE db_xact IS NOT NULL") == 0
        )
        assert ledger_triggers(restored) == ledger_triggers(original)
        assert len(ledger_triggers(restored)) >= 15
        assert one(restored, "SELECT reloptions FROM pg_class WHERE relname = 'funds_account'") == [
            "fillfactor=50",
            "autovacuum_vacuum_scale_factor=0",
            "autovacuum_vacuum_threshold=1000",
            "autovacuum_analyze_scale_factor=0.05",
        ]
        assert one(restored, "SELECT pg_get_userbyid(relowner) FROM pg_class WHERE relname = 'funds_entry'") == role  # fmt: skip

    # The restored ledger still refuses what the original refuses, to the application's role.
    env = libpq_env()
    with psycopg.connect(
        host=env["PGHOST"], port=env["PGPORT"], user=role, dbname=copy, autocommit=True
    ) as app_conn:
        with pytest.raises(psycopg.errors.CheckViolation, match="only through ledger entries"):
            app_conn.execute("UPDATE funds_account SET balance = balance + 1")
        with pytest.raises(psycopg.errors.CheckViolation, match="committed earlier"):
            app_conn.execute(
                "INSERT INTO funds_entry (transaction_id, account_id, amount, kind)"
                " SELECT t.id, e.account_id, 1, t.kind FROM funds_transaction t"
                " JOIN funds_entry e ON e.transaction_id = t.id LIMIT 1"
            )
        with pytest.raises(psycopg.errors.CheckViolation, match="append-only"):
            app_conn.execute("TRUNCATE funds_entry CASCADE")
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            app_conn.execute("SET session_replication_role = replica")

    url = f"postgres://{role}@{env['PGHOST']}:{env['PGPORT']}/{copy}"
    result = subprocess.run(
        [sys.executable, "manage.py", "migrate", "--check"],
        cwd=ROOT,
        env=os.environ | {"DATABASE_URL": url},
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def money_org(code: str):
    from accounts.models import Organization

    return Organization.objects.get(code=code)
