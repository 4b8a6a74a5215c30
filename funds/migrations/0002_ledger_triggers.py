"""Database-enforced ledger rules (see funds/models.py's docstring).

PostgreSQL: running balances, immutable entries and transactions, a deferred constraint trigger
that refuses an unbalanced transaction at commit (SQLSTATE 23514, as django-hordak does), and a
guard against writing Account.balance other than through an entry.
SQLite: running balances and immutable entries (it has no deferred triggers; the services check
the balance of every transaction before writing it).
"""

from django.db import migrations

POSTGRES_UP = """
CREATE OR REPLACE FUNCTION funds_entry_apply() RETURNS trigger AS $$
BEGIN
  UPDATE funds_account SET balance = balance + NEW.amount WHERE id = NEW.account_id;
  RETURN NEW;
END $$ LANGUAGE plpgsql;
CREATE TRIGGER funds_entry_apply AFTER INSERT ON funds_entry
  FOR EACH ROW EXECUTE FUNCTION funds_entry_apply();

CREATE OR REPLACE FUNCTION funds_immutable() RETURNS trigger AS $$
BEGIN
  RAISE EXCEPTION 'ledger rows are immutable: post a reversing transaction instead'
    USING ERRCODE = '23514';
END $$ LANGUAGE plpgsql;
CREATE TRIGGER funds_entry_immutable BEFORE UPDATE OR DELETE ON funds_entry
  FOR EACH ROW EXECUTE FUNCTION funds_immutable();
CREATE TRIGGER funds_transaction_immutable BEFORE UPDATE OR DELETE ON funds_transaction
  FOR EACH ROW EXECUTE FUNCTION funds_immutable();

CREATE OR REPLACE FUNCTION funds_balance_guard() RETURNS trigger AS $$
BEGIN
  IF NEW.balance <> OLD.balance AND pg_trigger_depth() < 2 THEN
    RAISE EXCEPTION 'account balances change only through ledger entries'
      USING ERRCODE = '23514';
  END IF;
  RETURN NEW;
END $$ LANGUAGE plpgsql;
CREATE TRIGGER funds_account_balance_guard BEFORE UPDATE ON funds_account
  FOR EACH ROW EXECUTE FUNCTION funds_balance_guard();

CREATE OR REPLACE FUNCTION funds_check_balanced() RETURNS trigger AS $$
DECLARE
  txn bigint;
  total bigint;
  legs integer;
BEGIN
  IF TG_TABLE_NAME = 'funds_transaction' THEN txn := NEW.id; ELSE txn := NEW.transaction_id; END IF;
  SELECT COALESCE(SUM(amount), 0), COUNT(*) INTO total, legs
    FROM funds_entry WHERE transaction_id = txn;
  IF total <> 0 OR legs < 2 THEN
    RAISE EXCEPTION 'ledger transaction % is unbalanced: % entries summing to %', txn, legs, total
      USING ERRCODE = '23514';
  END IF;
  RETURN NULL;
END $$ LANGUAGE plpgsql;
CREATE CONSTRAINT TRIGGER funds_entry_balanced AFTER INSERT ON funds_entry
  DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION funds_check_balanced();
CREATE CONSTRAINT TRIGGER funds_transaction_balanced AFTER INSERT ON funds_transaction
  DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION funds_check_balanced();
"""

POSTGRES_DOWN = """
DROP TRIGGER IF EXISTS funds_transaction_balanced ON funds_transaction;
DROP TRIGGER IF EXISTS funds_entry_balanced ON funds_entry;
DROP FUNCTION IF EXISTS funds_check_balanced();
DROP TRIGGER IF EXISTS funds_account_balance_guard ON funds_account;
DROP FUNCTION IF EXISTS funds_balance_guard();
DROP TRIGGER IF EXISTS funds_transaction_immutable ON funds_transaction;
DROP TRIGGER IF EXISTS funds_entry_immutable ON funds_entry;
DROP FUNCTION IF EXISTS funds_immutable();
DROP TRIGGER IF EXISTS funds_entry_apply ON funds_entry;
DROP FUNCTION IF EXISTS funds_entry_apply();
"""

SQLITE_UP = [
    """CREATE TRIGGER funds_entry_apply AFTER INSERT ON funds_entry BEGIN
         UPDATE funds_account SET balance = balance + NEW.amount WHERE id = NEW.account_id;
       END""",
    """CREATE TRIGGER funds_entry_no_update BEFORE UPDATE ON funds_entry BEGIN
         SELECT RAISE(ABORT, 'ledger rows are immutable: post a reversing transaction instead');
       END""",
    """CREATE TRIGGER funds_entry_no_delete BEFORE DELETE ON funds_entry BEGIN
         SELECT RAISE(ABORT, 'ledger rows are immutable: post a reversing transaction instead');
       END""",
]
SQLITE_DOWN = [
    "DROP TRIGGER IF EXISTS funds_entry_apply",
    "DROP TRIGGER IF EXISTS funds_entry_no_update",
    "DROP TRIGGER IF EXISTS funds_entry_no_delete",
]


def up(apps, schema_editor):
    vendor = schema_editor.connection.vendor
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
        for statement in SQLITE_DOWN:
            schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("funds", "0001_initial")]
    operations = [migrations.RunPython(up, down)]
