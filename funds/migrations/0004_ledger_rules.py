"""More ledger rules the database enforces, whatever SQL the application sends (PostgreSQL).

Migration 0002 made entries and transactions immutable, kept balances from entries and refused
an unbalanced transaction at commit. This one closes the remaining ways to bend the ledger:

1. Accounts are opened empty: an INSERT into funds_account with a non-zero balance is refused.
2. An account's key (id, org, year, source, bucket) never changes. Deleting an account that has
   entries (or a rollover) is refused by the foreign keys (Django's PROTECT is also a deferred
   NO ACTION foreign key in the database), so an account can only go while it is empty.
3. A ledger transaction's legs are fixed when it commits. Mechanism: a BEFORE INSERT trigger
   stamps every funds_transaction row with ``txid_current()`` in the column ``db_xact`` (not in
   the Django model; whatever the INSERT says is overwritten, and the row can never be updated).
   ``txid_current()`` is the id of the top-level database transaction, the same inside every
   savepoint (Django nests ``atomic`` blocks as savepoints), and never reused (it is 64-bit,
   epoch-extended). A BEFORE INSERT trigger on funds_entry refuses an entry unless its
   transaction row was written by the current database transaction, i.e. is not yet committed.
   The same trigger refuses an entry whose ``kind`` differs from its transaction's.
4. TRUNCATE of funds_entry, funds_transaction, funds_account, funds_rollover and funds_fiscalyear
   is refused by statement-level BEFORE TRUNCATE triggers (also when reached by CASCADE).
   Ordinary triggers do not fire under ``session_replication_role = replica``, which only a
   superuser may set: the test suite flushes the database that way (tests/conftest.py); the
   production role must not be a superuser (docs/funds.md).
5. A closed fiscal year stays closed: once ``closed_at`` is set, neither it, ``closed_by`` nor the
   year can change, and the row cannot be deleted.
   Rollover rows (the proof an account's year was closed) are immutable as well.
6. Every transaction moves money only the way a service does: a deferred constraint trigger
   checks at commit that its legs match the whitelist ``funds_allowed_move`` (a view over a
   VALUES list, so DML cannot change it) for its kind and cause:
   - each negative leg is on a "from" bucket, each positive leg on a "to" bucket;
   - moves within one organization ("same"): grouped by (org, source, year of the money's
     origin), the legs sum to zero, so the transaction is a sum of whitelisted moves, the
     destination being ``year_step`` years after the origin;
   - an allocation ("parent/child") is exactly two legs in one year and source, between an
     organization and its direct parent or child;
   - a rollover takes money only out of a closed year;
   - the transaction's ``year`` is its earliest leg's year.

SQLite (the embedded demo) gets the cheap ones: accounts opened empty, account keys immutable,
transactions immutable, a closed year's closing unchangeable. Caution: when a later migration
makes Django rebuild one of these tables on SQLite (most ALTERs do), the rebuild drops its
triggers; such a migration must create them again. tests/funds/test_ledger_rules.py fails if
one is missing.
"""

from django.db import migrations

POSTGRES_UP = """
CREATE OR REPLACE FUNCTION funds_account_guard() RETURNS trigger AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    IF NEW.balance <> 0 THEN
      RAISE EXCEPTION 'a ledger account is opened with a zero balance, not %', NEW.balance
        USING ERRCODE = '23514';
    END IF;
  ELSIF (NEW.id, NEW.org_id, NEW.year, NEW.source, NEW.bucket)
        IS DISTINCT FROM (OLD.id, OLD.org_id, OLD.year, OLD.source, OLD.bucket) THEN
    RAISE EXCEPTION 'an account''s organization, year, fund source and bucket never change'
      USING ERRCODE = '23514';
  END IF;
  RETURN NEW;
END $$ LANGUAGE plpgsql;
CREATE TRIGGER funds_account_guard BEFORE INSERT OR UPDATE ON funds_account
  FOR EACH ROW EXECUTE FUNCTION funds_account_guard();

ALTER TABLE funds_transaction ADD COLUMN db_xact bigint;
CREATE OR REPLACE FUNCTION funds_transaction_stamp() RETURNS trigger AS $$
BEGIN
  NEW.db_xact := txid_current();
  RETURN NEW;
END $$ LANGUAGE plpgsql;
CREATE TRIGGER funds_transaction_stamp BEFORE INSERT ON funds_transaction
  FOR EACH ROW EXECUTE FUNCTION funds_transaction_stamp();

CREATE OR REPLACE FUNCTION funds_entry_guard() RETURNS trigger AS $$
DECLARE
  stamp bigint;
  txn_kind text;
BEGIN
  SELECT db_xact, kind INTO stamp, txn_kind FROM funds_transaction WHERE id = NEW.transaction_id;
  IF stamp IS DISTINCT FROM txid_current() THEN
    RAISE EXCEPTION 'ledger transaction % was committed earlier: its entries are fixed',
      NEW.transaction_id USING ERRCODE = '23514';
  END IF;
  IF NEW.kind IS DISTINCT FROM txn_kind THEN
    RAISE EXCEPTION 'an entry''s kind (%) must be its transaction''s (%)', NEW.kind, txn_kind
      USING ERRCODE = '23514';
  END IF;
  RETURN NEW;
END $$ LANGUAGE plpgsql;
CREATE TRIGGER funds_entry_guard BEFORE INSERT ON funds_entry
  FOR EACH ROW EXECUTE FUNCTION funds_entry_guard();

CREATE OR REPLACE FUNCTION funds_no_truncate() RETURNS trigger AS $$
BEGIN
  RAISE EXCEPTION '% cannot be truncated: the ledger is append-only', TG_TABLE_NAME
    USING ERRCODE = '23514';
END $$ LANGUAGE plpgsql;
CREATE TRIGGER funds_entry_no_truncate BEFORE TRUNCATE ON funds_entry
  FOR EACH STATEMENT EXECUTE FUNCTION funds_no_truncate();
CREATE TRIGGER funds_transaction_no_truncate BEFORE TRUNCATE ON funds_transaction
  FOR EACH STATEMENT EXECUTE FUNCTION funds_no_truncate();
CREATE TRIGGER funds_account_no_truncate BEFORE TRUNCATE ON funds_account
  FOR EACH STATEMENT EXECUTE FUNCTION funds_no_truncate();
CREATE TRIGGER funds_rollover_no_truncate BEFORE TRUNCATE ON funds_rollover
  FOR EACH STATEMENT EXECUTE FUNCTION funds_no_truncate();
CREATE TRIGGER funds_fiscalyear_no_truncate BEFORE TRUNCATE ON funds_fiscalyear
  FOR EACH STATEMENT EXECUTE FUNCTION funds_no_truncate();

CREATE TRIGGER funds_rollover_immutable BEFORE UPDATE OR DELETE ON funds_rollover
  FOR EACH ROW EXECUTE FUNCTION funds_immutable();

CREATE OR REPLACE FUNCTION funds_fiscalyear_guard() RETURNS trigger AS $$
BEGIN
  IF OLD.closed_at IS NULL THEN
    IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
    RETURN NEW;
  END IF;
  IF TG_OP = 'DELETE' THEN
    RAISE EXCEPTION 'fiscal year % is closed: it cannot be deleted', OLD.year
      USING ERRCODE = '23514';
  END IF;
  IF (NEW.year, NEW.closed_at, NEW.closed_by_id)
     IS DISTINCT FROM (OLD.year, OLD.closed_at, OLD.closed_by_id) THEN
    RAISE EXCEPTION 'fiscal year % is closed: it cannot be reopened or its closing changed',
      OLD.year USING ERRCODE = '23514';
  END IF;
  RETURN NEW;
END $$ LANGUAGE plpgsql;
CREATE TRIGGER funds_fiscalyear_guard BEFORE UPDATE OR DELETE ON funds_fiscalyear
  FOR EACH ROW EXECUTE FUNCTION funds_fiscalyear_guard();

-- What each service writes (funds/services.py), one row per kind of move. A leg taking money
-- out (amount < 0) is on from_bucket, a leg putting it in (amount > 0) on to_bucket.
--   orgs: 'same' = within one organization; 'parent/child' = between an organization and its
--         direct parent or child, one move per transaction
--   year_step: the destination year minus the origin year
--   from_closed_year: the origin year must be closed
CREATE VIEW funds_allowed_move
  (kind, cause_type, from_bucket, to_bucket, orgs, year_step, from_closed_year) AS VALUES
  -- grant: money from outside the tree
  ('grant',    'grant',       'issued',    'available', 'same',         0, false),
  -- allocate: down to a direct child, or a recall up to the parent
  ('allocate', 'allocation',  'available', 'available', 'parent/child', 0, false),
  -- reserve: on approval, one move per fund source drawn
  ('reserve',  'application', 'available', 'reserved',  'same',         0, false),
  -- release: a reservation (or a payment's unspent rest) given back while its year is open
  ('release',  'application', 'reserved',  'available', 'same',         0, false),
  -- pay: on settlement
  ('pay',      'application', 'reserved',  'spent',     'same',         0, false),
  -- rollover at year end: a closed year's available money into the next year
  ('rollover', 'rollover',    'available', 'available', 'same',         1, true),
  -- a release (or payment rest) after the reservation's year closed: into the next year ...
  ('rollover', 'application', 'reserved',  'available', 'same',         1, true),
  -- ... and on, hop by hop, past every further closed year
  ('rollover', 'application', 'available', 'available', 'same',         1, true);

CREATE OR REPLACE FUNCTION funds_check_moves() RETURNS trigger AS $$
DECLARE
  txn_id bigint;
  t record;
  shape record;
  problem text;
  legs bigint;
  total bigint;
  org_a bigint;
  org_b bigint;
  years bigint;
  sources bigint;
BEGIN
  IF TG_TABLE_NAME = 'funds_transaction' THEN txn_id := NEW.id; ELSE txn_id := NEW.transaction_id; END IF;
  SELECT id, kind, cause_type, year INTO t FROM funds_transaction WHERE id = txn_id;
  SELECT orgs, year_step, from_closed_year INTO shape
    FROM funds_allowed_move WHERE kind = t.kind AND cause_type = t.cause_type LIMIT 1;
  IF NOT FOUND THEN
    RAISE EXCEPTION 'ledger transaction %: no service writes a % with cause %',
      t.id, t.kind, t.cause_type USING ERRCODE = '23514';
  END IF;

  -- Each leg is the origin or the destination side of a whitelisted move.
  SELECT format('%s %s on %s', CASE WHEN e.amount < 0 THEN 'out of' ELSE 'into' END,
                a.bucket, a.year)
    INTO problem
    FROM funds_entry e JOIN funds_account a ON a.id = e.account_id
   WHERE e.transaction_id = t.id
     AND NOT EXISTS (
       SELECT 1 FROM funds_allowed_move m
        WHERE m.kind = t.kind AND m.cause_type = t.cause_type
          AND a.bucket = CASE WHEN e.amount < 0 THEN m.from_bucket ELSE m.to_bucket END)
   LIMIT 1;
  IF problem IS NOT NULL THEN
    RAISE EXCEPTION 'ledger transaction %: a % (cause %) never moves money %',
      t.id, t.kind, t.cause_type, problem USING ERRCODE = '23514';
  END IF;

  IF shape.orgs = 'same' THEN
    -- Grouped by where the money came from, each group nets to zero: every move stays inside
    -- one organization and fund source and goes year_step years on.
    SELECT format('organization %s, source %s, from %s', a.org_id, a.source,
                  a.year - CASE WHEN e.amount > 0 THEN shape.year_step ELSE 0 END)
      INTO problem
      FROM funds_entry e JOIN funds_account a ON a.id = e.account_id
     WHERE e.transaction_id = t.id
     GROUP BY a.org_id, a.source, a.year - CASE WHEN e.amount > 0 THEN shape.year_step ELSE 0 END
    HAVING SUM(e.amount) <> 0
     LIMIT 1;
    IF problem IS NOT NULL THEN
      RAISE EXCEPTION 'ledger transaction %: a % moves money within one organization and fund source, % year(s) on; it does not for %',
        t.id, t.kind, shape.year_step, problem USING ERRCODE = '23514';
    END IF;
  ELSE
    -- parent/child: exactly two legs, one year, one source, netting to zero, and the two
    -- organizations are parent and direct child (either way round).
    SELECT COUNT(*), SUM(e.amount), MIN(a.org_id), MAX(a.org_id),
           COUNT(DISTINCT a.year), COUNT(DISTINCT a.source)
      INTO legs, total, org_a, org_b, years, sources
      FROM funds_entry e JOIN funds_account a ON a.id = e.account_id
     WHERE e.transaction_id = t.id;
    IF legs <> 2 OR total <> 0 OR years <> 1 OR sources <> 1 OR NOT EXISTS (
         SELECT 1 FROM accounts_organization o
          WHERE (o.id = org_a AND o.parent_id = org_b) OR (o.id = org_b AND o.parent_id = org_a))
    THEN
      RAISE EXCEPTION 'ledger transaction %: an allocation is one move, in one year and fund source, between an organization and its direct parent or child', t.id
        USING ERRCODE = '23514';
    END IF;
  END IF;

  IF shape.from_closed_year THEN
    SELECT a.year::text INTO problem
      FROM funds_entry e JOIN funds_account a ON a.id = e.account_id
     WHERE e.transaction_id = t.id AND e.amount < 0
       AND NOT EXISTS (SELECT 1 FROM funds_fiscalyear fy
                        WHERE fy.year >= a.year AND fy.closed_at IS NOT NULL)
     LIMIT 1;
    IF problem IS NOT NULL THEN
      RAISE EXCEPTION 'ledger transaction %: a rollover takes money only out of a closed year, and % is open',
        t.id, problem USING ERRCODE = '23514';
    END IF;
  END IF;

  IF t.year IS DISTINCT FROM (
       SELECT MIN(a.year) FROM funds_entry e JOIN funds_account a ON a.id = e.account_id
        WHERE e.transaction_id = t.id) THEN
    RAISE EXCEPTION 'ledger transaction %: its year (%) must be its earliest leg''s year',
      t.id, t.year USING ERRCODE = '23514';
  END IF;
  RETURN NULL;
END $$ LANGUAGE plpgsql;
-- Named to sort after 0002's funds_*_balanced: an unbalanced transaction is reported as such.
CREATE CONSTRAINT TRIGGER funds_transaction_moves AFTER INSERT ON funds_transaction
  DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION funds_check_moves();
CREATE CONSTRAINT TRIGGER funds_entry_moves AFTER INSERT ON funds_entry
  DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION funds_check_moves();
"""

POSTGRES_DOWN = """
DROP TRIGGER IF EXISTS funds_entry_moves ON funds_entry;
DROP TRIGGER IF EXISTS funds_transaction_moves ON funds_transaction;
DROP FUNCTION IF EXISTS funds_check_moves();
DROP VIEW IF EXISTS funds_allowed_move;
DROP TRIGGER IF EXISTS funds_fiscalyear_guard ON funds_fiscalyear;
DROP FUNCTION IF EXISTS funds_fiscalyear_guard();
DROP TRIGGER IF EXISTS funds_rollover_immutable ON funds_rollover;
DROP TRIGGER IF EXISTS funds_fiscalyear_no_truncate ON funds_fiscalyear;
DROP TRIGGER IF EXISTS funds_rollover_no_truncate ON funds_rollover;
DROP TRIGGER IF EXISTS funds_account_no_truncate ON funds_account;
DROP TRIGGER IF EXISTS funds_transaction_no_truncate ON funds_transaction;
DROP TRIGGER IF EXISTS funds_entry_no_truncate ON funds_entry;
DROP FUNCTION IF EXISTS funds_no_truncate();
DROP TRIGGER IF EXISTS funds_entry_guard ON funds_entry;
DROP FUNCTION IF EXISTS funds_entry_guard();
DROP TRIGGER IF EXISTS funds_transaction_stamp ON funds_transaction;
DROP FUNCTION IF EXISTS funds_transaction_stamp();
ALTER TABLE funds_transaction DROP COLUMN IF EXISTS db_xact;
DROP TRIGGER IF EXISTS funds_account_guard ON funds_account;
DROP FUNCTION IF EXISTS funds_account_guard();
"""

SQLITE_UP = [
    """CREATE TRIGGER funds_account_opened_empty BEFORE INSERT ON funds_account
       WHEN NEW.balance <> 0 BEGIN
         SELECT RAISE(ABORT, 'a ledger account is opened with a zero balance');
       END""",
    """CREATE TRIGGER funds_account_key_fixed BEFORE UPDATE ON funds_account
       WHEN NEW.id IS NOT OLD.id OR NEW.org_id IS NOT OLD.org_id OR NEW.year IS NOT OLD.year
         OR NEW.source IS NOT OLD.source OR NEW.bucket IS NOT OLD.bucket BEGIN
         SELECT RAISE(ABORT,
           'an account''s organization, year, fund source and bucket never change');
       END""",
    """CREATE TRIGGER funds_transaction_no_update BEFORE UPDATE ON funds_transaction BEGIN
         SELECT RAISE(ABORT, 'ledger rows are immutable: post a reversing transaction instead');
       END""",
    """CREATE TRIGGER funds_transaction_no_delete BEFORE DELETE ON funds_transaction BEGIN
         SELECT RAISE(ABORT, 'ledger rows are immutable: post a reversing transaction instead');
       END""",
    """CREATE TRIGGER funds_fiscalyear_stays_closed BEFORE UPDATE ON funds_fiscalyear
       WHEN OLD.closed_at IS NOT NULL AND (NEW.year IS NOT OLD.year
         OR NEW.closed_at IS NOT OLD.closed_at OR NEW.closed_by_id IS NOT OLD.closed_by_id) BEGIN
         SELECT RAISE(ABORT,
           'this fiscal year is closed: it cannot be reopened or its closing changed');
       END""",
]
SQLITE_DOWN = [
    "DROP TRIGGER IF EXISTS funds_account_opened_empty",
    "DROP TRIGGER IF EXISTS funds_account_key_fixed",
    "DROP TRIGGER IF EXISTS funds_transaction_no_update",
    "DROP TRIGGER IF EXISTS funds_transaction_no_delete",
    "DROP TRIGGER IF EXISTS funds_fiscalyear_stays_closed",
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
    dependencies = [("funds", "0003_policy_labels")]
    operations = [migrations.RunPython(up, down)]
