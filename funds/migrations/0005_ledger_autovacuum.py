"""Autovacuum and fill factor for the ledger tables (PostgreSQL; docs/OPERATIONS.md says why).

- funds_account: the balance trigger (0002) rewrites one account row per entry, so a handful
  of busy accounts (a county's available and reserved money) leave a dead row version per
  movement. With room left on each page (fillfactor 70) the update stays on the page and is
  HOT (balance is in no index): no index grows, and the dead versions are pruned as the page is
  read. The table is small, so it is vacuumed after a fixed 1,000 dead rows rather than the
  default 20 % of its size, which on a large tree lets tens of thousands pile up first.
- funds_entry and funds_transaction are append-only (0002/0004 refuse updates and deletes):
  nothing to clean, but vacuuming them after each 5 % of new rows (not 20 %) keeps the
  visibility map current, so the utilization sums can use index-only scans, and freezes rows
  little by little instead of in one anti-wraparound pass over a million-row table; analysing
  them at the same pace keeps the planner's statistics for the growing year current.

A new fill factor applies to pages written from now on (VACUUM FULL rewrites old ones).
"""

from django.db import migrations

TABLES = {
    "funds_account": (
        "fillfactor = 70, autovacuum_vacuum_scale_factor = 0, "
        "autovacuum_vacuum_threshold = 1000, autovacuum_analyze_scale_factor = 0.05"
    ),
    "funds_entry": (
        "autovacuum_vacuum_insert_scale_factor = 0.05, autovacuum_analyze_scale_factor = 0.05"
    ),
    "funds_transaction": (
        "autovacuum_vacuum_insert_scale_factor = 0.05, autovacuum_analyze_scale_factor = 0.05"
    ),
}


def up(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for table, options in TABLES.items():
            schema_editor.execute(f"ALTER TABLE {table} SET ({options})")


def down(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for table, options in TABLES.items():
            names = ", ".join(option.split("=")[0].strip() for option in options.split(","))
            schema_editor.execute(f"ALTER TABLE {table} RESET ({names})")


class Migration(migrations.Migration):
    dependencies = [("funds", "0004_ledger_rules")]
    operations = [migrations.RunPython(up, down)]
