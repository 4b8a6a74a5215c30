"""Running utilization figures on each account, kept by the same trigger that keeps balances.

Utilization (DESIGN §4) used to scan every entry of the year (``people_served`` joined each
payment to its transaction to count distinct causes); at city scale that is a million rows per
question. Now the entry trigger of migration 0002 also keeps, on the account the entry lands on:

- ``received``: grant and allocation entries on an available account (an allocation inside a
  subtree adds up to zero there, so a subtree's sum is the money that crossed its edge);
- ``rolled_in`` / ``rolled_out``: rollover entries into / out of the account (both ≥ 0);
- ``served``: 1 for each positive payment leg on a spent account whose cause (the application)
  has no earlier positive payment leg on a spent account of the same organization and year, so
  a payment drawing two fund sources, or paid in two parts, counts its person once.

A subtree's year is then one aggregate over its accounts (a few thousand rows, not a million).
The figures obey the balance's rules: opened at zero (both engines), written only by the entry
trigger (PostgreSQL refuses any other write, as for the balance); existing accounts are filled
from their entries here. ``funds.checks`` recomputes them from the entries for the test suite,
the demo and the city-scale data.

Also (PostgreSQL): every entry rewrites its account's row, so a busy county's available account
gets a new row version per sign-up approved. ``fillfactor`` leaves room on each page for those
versions to be HOT updates (no indexed column changes), pruned in place without a vacuum, and
the table is vacuumed after 1,000 dead rows instead of 20 % of the table.

SQLite: adding non-null columns rebuilds ``funds_account``, which drops its triggers
(0004's caution); they are created again below, with the opened-empty rule covering the new
figures.
"""

import importlib

from django.db import migrations, models

rules = importlib.import_module("funds.migrations.0004_ledger_rules")

# Both engines: one UPDATE per entry. The NOT EXISTS runs only for a positive payment leg and
# reads the cause's few transactions through txn_cause_idx.
APPLY_UPDATE = """
  UPDATE funds_account SET
    balance = balance + NEW.amount,
    received = received + CASE
      WHEN NEW.kind IN ('grant', 'allocate') AND bucket = 'available' THEN NEW.amount ELSE 0 END,
    rolled_in = rolled_in + CASE
      WHEN NEW.kind = 'rollover' AND NEW.amount > 0 THEN NEW.amount ELSE 0 END,
    rolled_out = rolled_out + CASE
      WHEN NEW.kind = 'rollover' AND NEW.amount < 0 THEN -NEW.amount ELSE 0 END,
    served = served + CASE
      WHEN NEW.kind = 'pay' AND NEW.amount > 0 AND bucket = 'spent' AND NOT EXISTS (
        SELECT 1 FROM funds_transaction mine
          JOIN funds_transaction t
            ON t.cause_type = mine.cause_type AND t.cause_id = mine.cause_id AND t.kind = 'pay'
          JOIN funds_entry e ON e.transaction_id = t.id
          JOIN funds_account a ON a.id = e.account_id
         WHERE mine.id = NEW.transaction_id AND e.id < NEW.id AND e.amount > 0
           AND a.bucket = 'spent' AND a.org_id = funds_account.org_id
           AND a.year = funds_account.year)
      THEN 1 ELSE 0 END
  WHERE id = NEW.account_id;
"""

BACKFILL = """
UPDATE funds_account SET
  received = CASE WHEN bucket = 'available' THEN COALESCE((
    SELECT SUM(e.amount) FROM funds_entry e
     WHERE e.account_id = funds_account.id AND e.kind IN ('grant', 'allocate')), 0) ELSE 0 END,
  rolled_in = COALESCE((
    SELECT SUM(e.amount) FROM funds_entry e
     WHERE e.account_id = funds_account.id AND e.kind = 'rollover' AND e.amount > 0), 0),
  rolled_out = COALESCE((
    SELECT -SUM(e.amount) FROM funds_entry e
     WHERE e.account_id = funds_account.id AND e.kind = 'rollover' AND e.amount < 0), 0),
  served = CASE WHEN bucket = 'spent' THEN (
    SELECT COUNT(*) FROM funds_entry p JOIN funds_transaction pt ON pt.id = p.transaction_id
     WHERE p.account_id = funds_account.id AND p.kind = 'pay' AND p.amount > 0
       AND NOT EXISTS (
         SELECT 1 FROM funds_transaction t
           JOIN funds_entry e ON e.transaction_id = t.id
           JOIN funds_account a ON a.id = e.account_id
          WHERE t.cause_type = pt.cause_type AND t.cause_id = pt.cause_id AND t.kind = 'pay'
            AND e.id < p.id AND e.amount > 0 AND a.bucket = 'spent'
            AND a.org_id = funds_account.org_id AND a.year = funds_account.year)) ELSE 0 END
"""

FIGURES = ("balance", "received", "rolled_in", "rolled_out", "served")

POSTGRES_UP = f"""
CREATE OR REPLACE FUNCTION funds_entry_apply() RETURNS trigger AS $$
BEGIN
  {APPLY_UPDATE}
  RETURN NEW;
END $$ LANGUAGE plpgsql;

CREATE OR REPLACE FUNCTION funds_balance_guard() RETURNS trigger AS $$
BEGIN
  IF ({", ".join(f"NEW.{f}" for f in FIGURES)}) IS DISTINCT FROM
     ({", ".join(f"OLD.{f}" for f in FIGURES)}) AND pg_trigger_depth() < 2 THEN
    RAISE EXCEPTION 'account balances and running figures change only through ledger entries'
      USING ERRCODE = '23514';
  END IF;
  RETURN NEW;
END $$ LANGUAGE plpgsql;

CREATE OR REPLACE FUNCTION funds_account_guard() RETURNS trigger AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    IF ({", ".join(f"NEW.{f}" for f in FIGURES)}) IS DISTINCT FROM (0, 0, 0, 0, 0) THEN
      RAISE EXCEPTION 'a ledger account is opened with a zero balance and zero figures, not %',
        NEW.balance USING ERRCODE = '23514';
    END IF;
  ELSIF (NEW.id, NEW.org_id, NEW.year, NEW.source, NEW.bucket)
        IS DISTINCT FROM (OLD.id, OLD.org_id, OLD.year, OLD.source, OLD.bucket) THEN
    RAISE EXCEPTION 'an account''s organization, year, fund source and bucket never change'
      USING ERRCODE = '23514';
  END IF;
  RETURN NEW;
END $$ LANGUAGE plpgsql;

ALTER TABLE funds_account SET (
  fillfactor = 50,
  autovacuum_vacuum_scale_factor = 0,
  autovacuum_vacuum_threshold = 1000,
  autovacuum_analyze_scale_factor = 0.05
);
"""

POSTGRES_DOWN = """
ALTER TABLE funds_account SET (fillfactor = 70);  -- back to 0005's
CREATE OR REPLACE FUNCTION funds_entry_apply() RETURNS trigger AS $$
BEGIN
  UPDATE funds_account SET balance = balance + NEW.amount WHERE id = NEW.account_id;
  RETURN NEW;
END $$ LANGUAGE plpgsql;
CREATE OR REPLACE FUNCTION funds_balance_guard() RETURNS trigger AS $$
BEGIN
  IF NEW.balance <> OLD.balance AND pg_trigger_depth() < 2 THEN
    RAISE EXCEPTION 'account balances change only through ledger entries'
      USING ERRCODE = '23514';
  END IF;
  RETURN NEW;
END $$ LANGUAGE plpgsql;
"""

SQLITE_UP = [
    "DROP TRIGGER IF EXISTS funds_entry_apply",
    f"CREATE TRIGGER funds_entry_apply AFTER INSERT ON funds_entry BEGIN {APPLY_UPDATE} END",
    # Dropped by the table rebuild above; created again, covering the new figures.
    "DROP TRIGGER IF EXISTS funds_account_opened_empty",
    """CREATE TRIGGER funds_account_opened_empty BEFORE INSERT ON funds_account
       WHEN NEW.balance <> 0 OR NEW.received <> 0 OR NEW.rolled_in <> 0
         OR NEW.rolled_out <> 0 OR NEW.served <> 0 BEGIN
         SELECT RAISE(ABORT, 'a ledger account is opened with a zero balance and zero figures');
       END""",
    "DROP TRIGGER IF EXISTS funds_account_key_fixed",
    next(s for s in rules.SQLITE_UP if "funds_account_key_fixed" in s),
]

# Run after the rebuild that removes the columns (it dropped the account triggers).
SQLITE_DOWN = [
    """CREATE TRIGGER funds_entry_apply AFTER INSERT ON funds_entry BEGIN
         UPDATE funds_account SET balance = balance + NEW.amount WHERE id = NEW.account_id;
       END""",
    "DROP TRIGGER IF EXISTS funds_account_opened_empty",
    next(s for s in rules.SQLITE_UP if "funds_account_opened_empty" in s),
    "DROP TRIGGER IF EXISTS funds_account_key_fixed",
    next(s for s in rules.SQLITE_UP if "funds_account_key_fixed" in s),
]


def before(apps, schema_editor):
    # SQLite re-checks every trigger when the rebuilt table is renamed into place, and this one
    # names funds_account: it goes first and comes back (extended) in ``up``.
    if schema_editor.connection.vendor == "sqlite":
        schema_editor.execute("DROP TRIGGER IF EXISTS funds_entry_apply")


def before_down(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        for statement in SQLITE_DOWN:
            schema_editor.execute(statement)


def up(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    # Fill the figures first: the old guards let these columns change (the balance does not).
    schema_editor.execute(BACKFILL)
    if vendor == "postgresql":
        schema_editor.execute(POSTGRES_UP, params=None)
    elif vendor == "sqlite":
        for statement in SQLITE_UP:
            schema_editor.execute(statement)


def down(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(POSTGRES_DOWN, params=None)
    elif vendor == "sqlite":
        # Both name the new columns: SQLite would refuse to drop them (see ``before``).
        schema_editor.execute("DROP TRIGGER IF EXISTS funds_entry_apply")
        schema_editor.execute("DROP TRIGGER IF EXISTS funds_account_opened_empty")


class Migration(migrations.Migration):
    dependencies = [("funds", "0005_ledger_autovacuum")]

    operations = [
        migrations.RunPython(before, before_down),
        migrations.AddField(
            model_name="account",
            name="received",
            field=models.BigIntegerField(default=0, editable=False, verbose_name="received (fen)"),
        ),
        migrations.AddField(
            model_name="account",
            name="rolled_in",
            field=models.BigIntegerField(
                default=0, editable=False, verbose_name="rolled in (fen)"
            ),
        ),
        migrations.AddField(
            model_name="account",
            name="rolled_out",
            field=models.BigIntegerField(
                default=0, editable=False, verbose_name="rolled out (fen)"
            ),
        ),
        migrations.AddField(
            model_name="account",
            name="served",
            field=models.PositiveIntegerField(
                default=0, editable=False, verbose_name="people served"
            ),
        ),
        migrations.RunPython(up, down),
    ]
