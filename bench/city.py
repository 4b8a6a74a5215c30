"""The city-scale data set of DESIGN §8, built with COPY on PostgreSQL in a few minutes.

10 counties, 5,000 grassroots unions, 500,000 workers (each with a login), 300 bases, 3,000
itineraries, 30,000 batches, 300,000 applications and over 1,000,000 ledger entries, told
relative to today like the demo: years Y-2 and Y-1 closed by rollover, Y in progress, Y+1's
batches open for sign-ups.

How it stays honest while skipping the services (which would take hours at this size):

- the money is simulated in Python by the services' own rules, in value-date order: grants
  (outside → available), allocations (city → counties → unions, a direct parent to its child),
  a reservation per approved application drawing the fund sources in ``SOURCE_ORDER`` on the
  balances of that moment, a release when an approved application is withdrawn or absent, a
  payment on settlement with the unspent rest released, and the year-end rollover of every
  available account of a closed year; every transaction balances and moves only what
  ``funds_allowed_move`` allows;
- rows are loaded with the triggers off (``session_replication_role = replica``, a
  superuser's right: the bench runs as ``postgres``), balances and running figures written as
  the triggers would have kept them, and then ``portal.checks.data_problems`` recomputes
  everything from the raw rows in the same transaction: balanced transactions, the move
  whitelist, balances and figures equal to the entries, closed years rolled over once, the
  ledger's reserved, spent and people served equal to the applications', and every batch's
  ``seats_held`` equal to its seat-holding applications. Any problem rolls the load back;
- statuses follow the workflow (a status change row per move, in date order), applications
  are made before their deadline, each worker has at most one trip a year, and a batch never
  holds more seats than its capacity (full batches have a waiting list).

Not built: audit rows, notifications, group trips, settlements' invoices, reviews (none of
the benchmarks reads them).
"""

from __future__ import annotations

import hashlib
import json
import random
import time
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from datetime import time as dtime
from functools import cache

from django.contrib.auth.hashers import make_password
from django.db import connection, transaction
from django.utils import timezone

from funds.demo import POLICY_BASE


@dataclass(frozen=True)
class Size:
    counties: int = 10
    unions: int = 5_000
    city_direct_unions: int = 50  # 市直单位: funded by the city
    workers: int = 500_000
    bases: int = 300
    itineraries_per_base: int = 10
    batches_per_itinerary: int = 10  # 3 a year in Y-2, Y-1 and Y, one in Y+1
    applications_per_batch: int = 10
    operators: int = 30

    @property
    def pool(self) -> int:
        """Workers per year: each worker applies in one year at most (one trip a year), and the
        last fifth never applied (the sign-up burst uses them)."""
        return self.workers // 5

    @property
    def bench_workers_from(self) -> int:
        return 4 * self.pool + 1


CITY = Size()
TINY = Size(
    counties=2,
    unions=20,
    city_direct_unions=2,
    workers=2_000,
    bases=6,
    itineraries_per_base=2,
    applications_per_batch=10,
    operators=2,
)

ONE_DAY = timedelta(days=1)
PS, CM, KM = "provincial_special", "city_matching", "county_matching"
SOURCE_ORDER = (PS, KM, CM)  # funds.services.SOURCE_ORDER
CATEGORIES = ("model_worker", "senior_technician", "technician", "senior_worker", "member")
CATEGORY_WEIGHTS = (1, 2, 3, 4, 10)
THEMES = ("red", "green", "blue")
PRODUCTS = ("forest", "seaside", "hot_spring", "medical", "tcm_diet", "tea")
RATES = {
    "model_worker": POLICY_BASE["rate_model_worker"],
    "senior_technician": POLICY_BASE["rate_senior_technician"],
    "technician": POLICY_BASE["rate_technician"],
    "senior_worker": POLICY_BASE["rate_senior_worker"],
    "member": POLICY_BASE["rate_member"],
}


def codes(values) -> str:
    return "," + ",".join(values) + "," if values else ""


def fingerprint(kind: str, cause_type: str, cause_id: str, legs) -> str:
    """funds.services._fingerprint, on (org, year, source, bucket, amount) tuples."""
    body = {
        "kind": kind,
        "cause": [cause_type, cause_id],
        "legs": sorted(list(leg) for leg in legs),
    }
    return hashlib.sha256(json.dumps(body, sort_keys=True).encode()).hexdigest()


def moved_on(step: str, applied: date, start: date, end: date, today: date) -> date:
    """The day of each move of an application, all on or before today."""
    if step in ("submitted", "waitlisted"):
        return applied
    if step == "endorsed":
        return min(applied + ONE_DAY, today)
    if step in ("approved", "rejected"):
        return min(applied + 2 * ONE_DAY, today)
    if step == "withdrawn":
        return min(applied + 3 * ONE_DAY, start - ONE_DAY)
    if step == "no_show":
        return start
    if step == "completed":
        return end
    return end + 7 * ONE_DAY  # settled


@cache
def noon(day: date) -> datetime:
    return datetime.combine(day, dtime(12, 0), tzinfo=timezone.get_current_timezone())


class Ids:
    """Explicit primary keys per table (the tables are empty: the data set owns its database)."""

    def __init__(self):
        self.next: dict[str, int] = defaultdict(lambda: 1)

    def __call__(self, table: str) -> int:
        value = self.next[table]
        self.next[table] = value + 1
        return value


@dataclass
class Ledger:
    """The money, simulated with the services' rules; rows are collected for COPY."""

    ids: Ids
    xact: int
    accounts: dict[tuple, list] = field(default_factory=dict)  # key → [id, balance, received,
    # rolled_in, rolled_out, served]
    transactions: list[tuple] = field(default_factory=list)
    entries: list[tuple] = field(default_factory=list)
    rollovers: list[tuple] = field(default_factory=list)
    reserved: dict[str, dict[tuple, int]] = field(default_factory=dict)  # cause → parts
    paid_causes: set = field(default_factory=set)  # (org, year, cause)

    def account(self, org: int, year: int, source: str, bucket: str) -> list:
        key = (org, year, source, bucket)
        if key not in self.accounts:
            self.accounts[key] = [self.ids("funds_account"), 0, 0, 0, 0, 0]
        return self.accounts[key]

    def post(self, *, kind, cause_type, cause_id, legs, key, day: date) -> None:
        assert sum(leg[4] for leg in legs) == 0 and len(legs) >= 2
        txn_id = self.ids("funds_transaction")
        self.transactions.append(
            (
                txn_id,
                kind,
                cause_type,
                cause_id,
                "",
                key,
                fingerprint(kind, cause_type, cause_id, legs),
                min(leg[1] for leg in legs),
                day,
                noon(day),
                None,
                self.xact,
            )
        )
        counted = False
        for org, year, source, bucket, amount in legs:
            row = self.account(org, year, source, bucket)
            row[1] += amount
            if bucket in ("available", "reserved"):
                assert row[1] >= 0, (org, year, source, bucket, row[1])
            if kind in ("grant", "allocate") and bucket == "available":
                row[2] += amount
            if kind == "rollover":
                row[3 if amount > 0 else 4] += abs(amount)
            if kind == "pay" and amount > 0 and bucket == "spent" and not counted:
                if (org, year, cause_id) not in self.paid_causes:
                    self.paid_causes.add((org, year, cause_id))
                    row[5] += 1
                counted = True
            self.entries.append((self.ids("funds_entry"), amount, kind, row[0], txn_id))

    def balance(self, org, year, source, bucket) -> int:
        row = self.accounts.get((org, year, source, bucket))
        return row[1] if row else 0

    # The movements, as funds.services writes them.
    def grant(self, org, year, source, amount, day, key):
        self.post(
            kind="grant",
            cause_type="grant",
            cause_id=str(org),
            legs=[(org, year, source, "issued", -amount), (org, year, source, "available", amount)],
            key=key,
            day=day,
        )

    def allocate(self, parent, child, year, source, amount, day, key):
        self.post(
            kind="allocate",
            cause_type="allocation",
            cause_id=f"{parent}>{child}",
            legs=[
                (parent, year, source, "available", -amount),
                (child, year, source, "available", amount),
            ],
            key=key,
            day=day,
        )

    def reserve(self, org, year, amount, cause, day) -> bool:
        legs, left, parts = [], amount, {}
        for source in SOURCE_ORDER:
            take = min(left, self.balance(org, year, source, "available"))
            if take > 0:
                legs += [
                    (org, year, source, "available", -take),
                    (org, year, source, "reserved", take),
                ]
                parts[(org, year, source)] = take
                left -= take
        if left > 0:
            return False
        for source in SOURCE_ORDER:  # touch every account the service locks and creates
            self.account(org, year, source, "available")
            self.account(org, year, source, "reserved")
        self.post(
            kind="reserve",
            cause_type="application",
            cause_id=cause,
            legs=legs,
            key=f"{cause}:approve",
            day=day,
        )
        self.reserved[cause] = parts
        return True

    def release(self, cause, day, key):
        parts = self.reserved.pop(cause)
        legs = []
        for (org, year, source), amount in sorted(parts.items()):
            legs += [
                (org, year, source, "reserved", -amount),
                (org, year, source, "available", amount),
            ]
        self.post(
            kind="release", cause_type="application", cause_id=cause, legs=legs, key=key, day=day
        )

    def pay(self, cause, amount, day):
        parts = self.reserved[cause]
        legs, left, rest = [], amount, {}
        for part in sorted(parts, key=lambda k: SOURCE_ORDER.index(k[2])):
            org, year, source = part
            self.account(org, year, source, "spent")
            take = min(left, parts[part])
            if take:
                legs += [(org, year, source, "reserved", -take), (org, year, source, "spent", take)]
                left -= take
            if parts[part] - take:
                rest[part] = parts[part] - take
        key = f"{cause}:pay"
        self.post(kind="pay", cause_type="application", cause_id=cause, legs=legs, key=key, day=day)
        self.reserved[cause] = rest
        if rest:
            self.release(cause, day, f"{key}:remainder")
        else:
            self.reserved.pop(cause)

    def rollover(self, year: int):
        for key in sorted(k for k in self.accounts if k[1] == year and k[3] == "available"):
            org, _, source, _ = key
            row = self.accounts[key]
            self.account(org, year + 1, source, "available")
            amount = row[1]
            txn_id = None
            if amount > 0:
                self.post(
                    kind="rollover",
                    cause_type="rollover",
                    cause_id=str(year),
                    legs=[
                        (org, year, source, "available", -amount),
                        (org, year + 1, source, "available", amount),
                    ],
                    key=f"rollover:{row[0]}",
                    day=date(year, 12, 31),
                )
                txn_id = self.transactions[-1][0]
            closing = noon(date(year + 1, 1, 1))
            self.rollovers.append((self.ids("funds_rollover"), amount, closing, row[0], txn_id))


def copy(cursor, table: str, columns: tuple[str, ...], rows) -> int:
    n = 0
    with cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as out:
        for row in rows:
            out.write_row(row)
            n += 1
    return n


def say(message: str, started: float) -> None:
    print(f"[{time.monotonic() - started:6.1f} s] {message}", flush=True)


@dataclass
class Plan:
    """What the data set holds, decided before anything is written (all in memory, ids set)."""

    today: date
    orgs: list[tuple] = field(default_factory=list)
    union_ids: list[int] = field(default_factory=list)
    union_county: dict[int, int] = field(default_factory=dict)  # union → funding org
    county_ids: list[int] = field(default_factory=list)
    city_id: int = 0
    province_id: int = 0
    operator_ids: list[int] = field(default_factory=list)
    agency_id: int = 0


def build(
    *, size: Size = CITY, today: date | None = None, seed: int = 8, check: bool = True
) -> dict:
    """Load the city into the current (empty, migrated) PostgreSQL database; returns counts.

    ``seed`` seeds the random draws (categories, capacities, outcomes): a number, not a year —
    the data's dates all derive from ``today``.
    """
    assert connection.vendor == "postgresql", "the city-scale data set is for PostgreSQL"
    today = today or timezone.localdate()
    started = time.monotonic()
    rng = random.Random(seed)
    ids = Ids()
    y = today.year
    now = timezone.now()
    counts: dict[str, int] = {}
    with transaction.atomic(), connection.cursor() as django_cursor:
        cursor = django_cursor.cursor  # psycopg's own, for COPY
        cursor.execute("SET LOCAL session_replication_role = replica")
        cursor.execute("SET LOCAL synchronous_commit = off")
        cursor.execute("SELECT txid_current()")
        xact = cursor.fetchone()[0]
        cursor.execute("SELECT 1 FROM accounts_organization LIMIT 1")
        if cursor.fetchone() is not None:
            raise RuntimeError("the database is not empty: the city data set needs its own")

        # --- Organizations -------------------------------------------------------------------
        plan = Plan(today=today)
        org_rows = []

        def org(code, name, kind, parent_id, path):
            pk = ids("accounts_organization")
            org_rows.append(
                (pk, code, name, kind, path, path.count("/") - 2, "", "", True, now, parent_id)
            )
            return pk

        plan.province_id = org("CP", "城市省总工会", "province", None, "/CP/")
        plan.city_id = org("CS", "城市市总工会", "city", plan.province_id, "/CP/CS/")
        county_paths = {}
        for c in range(1, size.counties + 1):
            code = f"C{c:02d}"
            pk = org(code, f"第{c}县(区)总工会", "county", plan.city_id, f"/CP/CS/{code}/")
            plan.county_ids.append(pk)
            county_paths[pk] = f"/CP/CS/{code}/"
        for u in range(1, size.unions + 1):
            code = f"U{u:05d}"
            if u <= size.city_direct_unions:
                parent, path = plan.city_id, f"/CP/CS/{code}/"
            else:
                parent = plan.county_ids[u % size.counties]
                path = f"{county_paths[parent]}{code}/"
            pk = org(code, f"基层工会{u:05d}", "grassroots", parent, path)
            plan.union_ids.append(pk)
            plan.union_county[pk] = parent
        for o in range(1, size.operators + 1):
            plan.operator_ids.append(
                org(
                    f"OP{o:02d}",
                    f"基地运营方{o:02d}",
                    "base_operator",
                    plan.city_id,
                    f"/CP/CS/OP{o:02d}/",
                )
            )
        plan.agency_id = org("AG1", "城市旅行社", "agency", plan.city_id, "/CP/CS/AG1/")
        counts["organizations"] = copy(
            cursor,
            "accounts_organization",
            (
                "id",
                "code",
                "name",
                "kind",
                "path",
                "depth",
                "contact_name",
                "contact_phone",
                "is_active",
                "created_at",
                "parent_id",
            ),
            org_rows,
        )
        say(f"{counts['organizations']:,} organizations", started)

        # --- Users and workers ----------------------------------------------------------------
        password = make_password("demo1234")
        user_cols = (
            "id",
            "password",
            "last_login",
            "is_superuser",
            "username",
            "first_name",
            "last_name",
            "email",
            "is_staff",
            "is_active",
            "date_joined",
            "full_name",
            "role",
            "org_id",
        )
        staff = [("admin", "", None, True), ("city", "federation_staff", plan.city_id, False)]
        staff.append(("auditor", "auditor", plan.city_id, False))
        staff += [
            (f"county{i + 1}", "federation_staff", pk, False)
            for i, pk in enumerate(plan.county_ids)
        ]
        staff += [(f"union{i + 1}", "organizer", pk, False) for i, pk in enumerate(plan.union_ids)]
        staff += [
            (f"base{i + 1}", "base_operator", pk, False) for i, pk in enumerate(plan.operator_ids)
        ]
        staff.append(("agency1", "agency", plan.agency_id, False))

        def users():
            for username, role, org_id, superuser in staff:
                yield (
                    ids("accounts_user"),
                    password,
                    None,
                    superuser,
                    username,
                    "",
                    "",
                    "",
                    superuser,
                    True,
                    now,
                    username,
                    role,
                    org_id,
                )
            for w in range(1, size.workers + 1):
                yield (
                    ids("accounts_user"),
                    password,
                    None,
                    False,
                    f"worker{w}",
                    "",
                    "",
                    "",
                    False,
                    True,
                    now,
                    f"职工{w}",
                    "worker",
                    plan.union_ids[(w - 1) % size.unions],
                )

        worker_user_from = len(staff) + 1
        counts["users"] = copy(cursor, "accounts_user", user_cols, users())
        categories = rng.choices(CATEGORIES, CATEGORY_WEIGHTS, k=size.workers)
        worker_category = {}

        def workers():
            for w in range(1, size.workers + 1):
                category = categories[w - 1]
                worker_category[w] = category
                age = 25 + (w * 7919) % 34  # 25–58: every itinerary's age group fits some
                born = date(y - age, 1 + w % 12, 1 + w % 28)
                yield (
                    w,
                    f"职工{w}",
                    "MF"[w % 2],
                    born,
                    category,
                    True,
                    date(y - 5, 3, 1),
                    "",
                    "",
                    w % 37 == 0,
                    w % 53 == 0,
                    age >= 57,
                    w % 97 == 0,
                    now,
                    now,
                    plan.union_ids[(w - 1) % size.unions],
                    worker_user_from + w - 1,
                )

        counts["workers"] = copy(
            cursor,
            "accounts_worker",
            (
                "id",
                "real_name",
                "gender",
                "birth_date",
                "category",
                "in_good_standing",
                "joined_union_on",
                "id_number",
                "phone",
                "hazardous_job",
                "hardship",
                "near_retirement",
                "competition_winner",
                "created_at",
                "updated_at",
                "union_id",
                "user_id",
            ),
            workers(),
        )
        for table in ("accounts_worker",):
            ids.next[table] = size.workers + 1
        say(f"{counts['users']:,} users, {counts['workers']:,} workers", started)

        # --- Policies --------------------------------------------------------------------------
        policy_cols = (
            "id",
            "year",
            "title",
            *[k for k in POLICY_BASE if k != "priority_groups"],
            "unit_share_percent",
            "priority_groups",
            "utilization_target_percent",
            "updated_at",
        )
        policies = []
        for year in range(y - 2, y + 2):
            values = [v for k, v in POLICY_BASE.items() if k != "priority_groups"]
            policies.append(
                (
                    ids("funds_subsidypolicy"),
                    year,
                    f"{year}年度职工疗休养补助标准",
                    *values,
                    20,
                    json.dumps(POLICY_BASE["priority_groups"]),
                    85,
                    now,
                )
            )
        copy(cursor, "funds_subsidypolicy", policy_cols, policies)

        # --- Bases, itineraries, batches -------------------------------------------------------
        base_rows, itinerary_rows = [], []
        itineraries = []  # (id, days, in_province, price)
        for b in range(size.bases):
            pk = ids("bases_base")
            themes = [THEMES[b % 3]] + ([THEMES[(b + 1) % 3]] if b % 4 == 0 else [])
            products = [PRODUCTS[b % 6], PRODUCTS[(b * 5 + 1) % 6]]
            products = list(dict.fromkeys(products))
            status = "watch" if b % 30 == 29 else "active"
            base_rows.append(
                (
                    pk,
                    f"{'红绿蓝'[b % 3]}色疗休养基地{b + 1:03d}",
                    f"第{b % size.counties + 1}县某路{b + 1}号",
                    "山水之间的疗休养基地",
                    "",
                    "",
                    "",
                    codes(themes),
                    codes(products),
                    1 + b % 5,
                    status,
                    now,
                    None,
                    today - timedelta(days=30) if status == "watch" else None,
                    None,
                    None,
                    now,
                    now,
                    plan.county_ids[b % size.counties],
                    plan.operator_ids[b % size.operators],
                )
            )
            for i in range(size.itineraries_per_base):
                ipk = ids("bases_itinerary")
                days = 2 + (b + i) % 6
                in_province = (b + i) % 5 != 0
                price = (600 + ((b * 37 + i * 101) % 1800)) * 100 * days // 3
                itinerary_rows.append(
                    (
                        ipk,
                        f"{'红绿蓝'[b % 3]}色线路{b + 1:03d}-{i + 1}",
                        days,
                        in_province,
                        "疗休养线路",
                        "[]",
                        i % 2 == 0,
                        i % 3 == 0,
                        None,
                        None,
                        codes(["social"] if i % 4 == 0 else []),
                        price * 6 // 5,
                        price,
                        True,
                        now,
                        now,
                        pk,
                    )
                )
                itineraries.append((ipk, days, in_province, price))
        copy(
            cursor,
            "bases_base",
            (
                "id",
                "name",
                "address",
                "summary",
                "description",
                "contact_name",
                "contact_phone",
                "themes",
                "products",
                "stars",
                "status",
                "status_changed_at",
                "notice_ends_on",
                "watch_since",
                "suspension_proposed_on",
                "service_score",
                "created_at",
                "updated_at",
                "county_id",
                "operator_id",
            ),
            base_rows,
        )
        copy(
            cursor,
            "bases_itinerary",
            (
                "id",
                "title",
                "days",
                "in_province",
                "summary",
                "programme",
                "includes_health_lecture",
                "includes_checkup",
                "min_age",
                "max_age",
                "addons",
                "standard_price_fen",
                "union_price_fen",
                "active",
                "created_at",
                "updated_at",
                "base_id",
            ),
            itinerary_rows,
        )
        # Ten departures per itinerary: three a year in Y-2, Y-1 and Y, one in Y+1, each year's
        # between 10 January and 5 December, so every trip of a closed year is settled in it.
        batches = []  # (id, itinerary tuple, start, end, deadline, capacity)
        for n, itinerary in enumerate(itineraries):
            ipk, days = itinerary[0], itinerary[1]
            slots = [(y - 2, k) for k in range(3)] + [(y - 1, k) for k in range(3)]
            slots += [(y, k) for k in range(3)] + [(y + 1, 0)]
            for year, k in slots:
                offset = 9 + k * 110 + (n * 7) % 100 + (0 if year <= y else n % 60)
                start = date(year, 1, 1) + timedelta(days=offset)
                end = start + timedelta(days=days - 1)
                deadline = start - timedelta(days=7)
                batches.append([ids("bases_batch"), itinerary, start, end, deadline, 0, 0])
        say(
            f"{len(base_rows)} bases, {len(itinerary_rows):,} itineraries, {len(batches):,} batches",
            started,
        )

        # --- Applications and their money ------------------------------------------------------
        ledger = Ledger(ids=ids, xact=xact)
        app_rows, change_rows = [], []
        per_year_worker = defaultdict(int)  # year → next worker index of that year's pool
        pool_start = {year: 1 + n * size.pool for n, year in enumerate(range(y - 2, y + 2))}
        events = []  # (day, order, callable-args) for the money, applied in date order
        staff_user = {pk: 4 + i for i, pk in enumerate(plan.county_ids)}  # county staff ids
        staff_user[plan.city_id] = 2
        statuses = defaultdict(int)
        for batch in batches:
            bpk, itinerary, start, end, deadline, _, _ = batch
            ipk, days, in_province, price = itinerary
            year = start.year
            open_for_signups = deadline >= today
            full = open_for_signups and rng.random() < 0.05
            capacity = 8 if full else rng.randint(11, 16)
            batch[5] = capacity
            held = 0
            for k in range(size.applications_per_batch):
                w = pool_start[year] + per_year_worker[year]
                per_year_worker[year] += 1
                union = plan.union_ids[(w - 1) % size.unions]
                funder = plan.union_county[union]
                category = worker_category[w]
                max_days = 5 if in_province else 7
                sub_days = min(days, max_days)
                subsidy = min(
                    sub_days * RATES[category],
                    price,
                    POLICY_BASE["yearly_cap_per_person"],
                    POLICY_BASE["cost_ceiling_per_day"] * sub_days,
                )
                rest = price - subsidy
                unit_share = rest * 20 // 100
                # Applied before the deadline, and not before the year's money arrived.
                applied = max(deadline - timedelta(days=1 + (k * 5) % 40), date(year, 1, 3))
                applied = min(applied, deadline, today)
                pk = ids("applications_application")
                cause = f"application:{pk}"
                path = ["submitted"]
                paid = None
                roll = rng.random()
                if held >= capacity:
                    path = ["waitlisted"]
                elif end < today - timedelta(days=7):
                    # A past trip: mostly settled, some absent, withdrawn or turned down.
                    if roll < 0.02:
                        path += ["endorsed", "rejected"]
                    elif roll < 0.05:
                        path += ["withdrawn"]
                    elif roll < 0.07:
                        path += ["endorsed", "approved", "no_show"]
                    else:
                        path += ["endorsed", "approved", "completed", "settled"]
                        paid = subsidy if rng.random() < 0.8 else subsidy * 4 // 5
                elif end < today:
                    path += ["endorsed", "approved", "completed"]
                elif start <= today or year <= y and deadline < today:
                    path += ["endorsed", "approved"]
                elif year <= y:
                    path += [["endorsed"], ["endorsed", "approved"], []][k % 3]
                else:
                    path += [["endorsed"], []][k % 2]
                # When each move happens (all on or before today).
                when = {step: moved_on(step, applied, start, end, today) for step in path}
                status = path[-1]
                statuses[status] += 1
                if status in ("submitted", "endorsed", "approved", "completed", "settled"):
                    held += 1
                if "approved" in path:
                    events.append((year, when["approved"], 0, "reserve", funder, subsidy, cause))
                    if status == "no_show":
                        events.append((year, when["no_show"], 1, "release", cause))
                    if status == "settled":
                        events.append((year, when["settled"], 2, "pay", cause, paid))
                app_rows.append(
                    (
                        pk,
                        status,
                        year,
                        price,
                        subsidy,
                        unit_share,
                        rest - unit_share,
                        "[]",
                        0,
                        None,
                        paid,
                        noon(applied),
                        noon(when[status]),
                        bpk,
                        worker_user_from + w - 1,
                        funder,
                        union,
                        w,
                        None,
                        None,
                    )
                )
                previous = ""
                # Who made each move, as the services record it: the worker applies and
                # withdraws, the union endorses, the funding federation decides and settles.
                worker_user = worker_user_from + w - 1
                organizer_user = 4 + size.counties + (w - 1) % size.unions
                for step in path:
                    by = {
                        "submitted": worker_user,
                        "waitlisted": worker_user,
                        "withdrawn": worker_user,
                        "endorsed": organizer_user,
                    }.get(step, staff_user[funder])
                    change_rows.append(
                        (
                            ids("applications_statuschange"),
                            previous,
                            step,
                            noon(when[step]),
                            "不符合本年度补助条件" if step == "rejected" else "",
                            pk,
                            by,
                        )
                    )
                    previous = step
            batch[6] = held
        say(f"{len(app_rows):,} applications planned", started)

        # Budgets: what each funder will reserve in a year, covered 1.3 times over by its three
        # sources (so late-year reservations draw a second source, as the service splits them).
        need = defaultdict(int)
        by_year = defaultdict(list)
        for event in events:
            by_year[event[0]].append(event[1:])
            if event[3] == "reserve":
                need[(event[4], event[0])] += event[5]
        for year in range(y - 2, y + 1):
            jan = date(year, 1, 2)
            city_need = sum(need[(f, year)] for f in [plan.city_id, *plan.county_ids])
            ps_total = city_need * 7 // 10 + 20_000 * size.unions
            ledger.grant(plan.city_id, year, PS, ps_total, jan, f"city:{year}:grant:ps")
            ledger.grant(plan.city_id, year, CM, city_need * 4 // 10, jan, f"city:{year}:grant:cm")
            for county in [plan.city_id, *plan.county_ids]:
                ps = need[(county, year)] * 7 // 10
                cm = need[(county, year)] * 4 // 10
                if county != plan.city_id:
                    ledger.allocate(
                        plan.city_id, county, year, PS, ps, jan, f"alloc:{year}:{county}:ps"
                    )
                    ledger.allocate(
                        plan.city_id, county, year, CM, cm, jan, f"alloc:{year}:{county}:cm"
                    )
                    ledger.grant(
                        county,
                        year,
                        KM,
                        need[(county, year)] * 2 // 10,
                        jan,
                        f"county:{year}:{county}:km",
                    )
                    unions = [u for u in plan.union_ids if plan.union_county[u] == county]
                    ledger.allocate(
                        plan.city_id, county, year, PS, 20_000 * len(unions), jan,
                        f"alloc:{year}:{county}:unions",
                    )  # fmt: skip
                else:
                    unions = [u for u in plan.union_ids if plan.union_county[u] == county]
                for union in unions:
                    # A small activity fund per union (never spent: it rolls over each year).
                    ledger.allocate(
                        county, union, year, PS, 20_000, date(year, 1, 10), f"alloc:{year}:{union}"
                    )
            # In value-date order, as the services would have run them.
            for event in sorted(by_year[year]):
                day, _, what = event[:3]
                if what == "reserve":
                    funder, subsidy, cause = event[3:]
                    assert ledger.reserve(funder, year, subsidy, cause, day), "budgets cover all"
                elif what == "release":
                    ledger.release(event[3], day, f"{event[3]}:release")
                else:
                    ledger.pay(event[3], event[4], day)
            if year < y:
                ledger.rollover(year)
        say(
            f"{len(ledger.transactions):,} ledger transactions, {len(ledger.entries):,} entries "
            "simulated",
            started,
        )

        # --- Write ---------------------------------------------------------------------------
        copy(
            cursor,
            "bases_batch",
            (
                "id",
                "start_date",
                "end_date",
                "signup_deadline",
                "capacity",
                "seats_held",
                "status",
                "closed_reason",
                "created_at",
                "updated_at",
                "itinerary_id",
            ),
            ((b[0], b[2], b[3], b[4], b[5], b[6], "open", "", now, now, b[1][0]) for b in batches),
        )
        counts["batches"] = len(batches)
        counts["applications"] = copy(
            cursor,
            "applications_application",
            (
                "id",
                "status",
                "year",
                "price_fen",
                "subsidy_fen",
                "unit_share_fen",
                "net_cost_fen",
                "quote_lines",
                "priority_rank",
                "lottery_rank",
                "paid_fen",
                "created_at",
                "updated_at",
                "batch_id",
                "created_by_id",
                "funding_org_id",
                "union_id",
                "worker_id",
                "group_trip_id",
                "settlement_id",
            ),
            app_rows,
        )
        counts["status_changes"] = copy(
            cursor,
            "applications_statuschange",
            ("id", "from_status", "to_status", "at", "reason", "application_id", "by_id"),
            change_rows,
        )
        say(f"{counts['applications']:,} applications, {counts['status_changes']:,} moves", started)
        closed = [
            (year, noon(date(year + 1, 1, 1)), noon(date(year + 1, 1, 1)), 2)
            for year in (y - 2, y - 1)
        ]
        copy(
            cursor,
            "funds_fiscalyear",
            ("year", "closed_at", "rollover_finished_at", "closed_by_id"),
            closed,
        )
        counts["accounts"] = copy(
            cursor,
            "funds_account",
            ("id", "org_id", "year", "source", "bucket", "balance", "received", "rolled_in",
             "rolled_out", "served"),
            ((row[0], *key, *row[1:]) for key, row in ledger.accounts.items()),
        )  # fmt: skip
        counts["transactions"] = copy(
            cursor,
            "funds_transaction",
            ("id", "kind", "cause_type", "cause_id", "memo", "idempotency_key", "fingerprint",
             "year", "value_date", "created_at", "actor_id", "db_xact"),
            ledger.transactions,
        )  # fmt: skip
        counts["entries"] = copy(
            cursor,
            "funds_entry",
            ("id", "amount", "kind", "account_id", "transaction_id"),
            ledger.entries,
        )
        counts["rollovers"] = copy(
            cursor,
            "funds_rollover",
            ("id", "amount", "created_at", "account_id", "transaction_id"),
            ledger.rollovers,
        )
        say(
            f"ledger: {counts['accounts']:,} accounts, {counts['transactions']:,} transactions, "
            f"{counts['entries']:,} entries, {counts['rollovers']:,} rollovers",
            started,
        )
        for table in ids.next:
            cursor.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "  # noqa: S608
                f"(SELECT MAX(id) FROM {table}))"
            )
        cursor.execute("SET LOCAL session_replication_role = origin")
        cursor.execute("ANALYZE")
        say("loaded and analysed", started)
        if check:
            from portal.checks import data_problems

            problems = data_problems()
            if problems:
                raise RuntimeError("the city data set breaks the rules:\n" + "\n".join(problems))
            say("every ledger, money and seat check passes", started)
    counts["statuses"] = dict(statuses)
    counts["seconds"] = round(time.monotonic() - started, 1)
    return counts
