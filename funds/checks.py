"""The ledger's invariants, checked from the raw entries: one function for tests, the demo and
the city-scale data set (``manage.py check_ledger``).

The selectors read running figures that the database keeps (``Account``); these checks
recompute everything from the entries instead, with set-based queries, so they are the
independent witness that the figures, the balances and the money rules hold.
"""

from __future__ import annotations

from collections import defaultdict

from django.db import connection
from django.db.models import Count, F, Q, Sum
from django.db.models.functions import Coalesce

from accounts.models import Organization
from funds.models import Account, Bucket, Entry, FiscalYear, Kind, Rollover, Transaction
from funds.selectors import Utilization, utilization


def utilization_from_entries(*, org: Organization, year: int) -> Utilization:
    """``funds.selectors.utilization`` computed the slow way: by scanning the year's entries."""
    accounts = Account.objects.filter(year=year, org__path__startswith=org.path)
    balances = accounts.aggregate(
        available=Sum("balance", filter=Q(bucket=Bucket.AVAILABLE), default=0),
        reserved=Sum("balance", filter=Q(bucket=Bucket.RESERVED), default=0),
        spent=Sum("balance", filter=Q(bucket=Bucket.SPENT), default=0),
    )
    entries = Entry.objects.filter(account__year=year, account__org__path__startswith=org.path)
    flows = entries.filter(kind__in=[Kind.GRANT, Kind.ALLOCATE, Kind.ROLLOVER]).aggregate(
        received=Sum(
            "amount",
            filter=Q(kind__in=[Kind.GRANT, Kind.ALLOCATE], account__bucket=Bucket.AVAILABLE),
            default=0,
        ),
        rolled_in=Sum("amount", filter=Q(kind=Kind.ROLLOVER, amount__gt=0), default=0),
        rolled_out=Sum("amount", filter=Q(kind=Kind.ROLLOVER, amount__lt=0), default=0),
    )
    people = entries.filter(kind=Kind.PAY, amount__gt=0, account__bucket=Bucket.SPENT).aggregate(
        n=Count("transaction__cause_id", distinct=True)
    )
    return Utilization(
        org=org.code,
        year=year,
        received=flows["received"],
        rolled_in=flows["rolled_in"],
        rolled_out=-flows["rolled_out"],
        reserved=balances["reserved"],
        spent=balances["spent"],
        available=balances["available"],
        people_served=people["n"],
    )


def _figure_drift() -> list[str]:
    """Accounts whose running figures differ from the sums of their entries."""
    problems = []
    drifted = (
        Account.objects.annotate(
            sum_balance=Coalesce(Sum("entries__amount"), 0),
            sum_received=Coalesce(
                Sum(
                    "entries__amount",
                    filter=Q(entries__kind__in=[Kind.GRANT, Kind.ALLOCATE], bucket="available"),
                ),
                0,
            ),
            sum_in=Coalesce(
                Sum(
                    "entries__amount", filter=Q(entries__kind=Kind.ROLLOVER, entries__amount__gt=0)
                ),
                0,
            ),
            sum_out=Coalesce(
                Sum(
                    "entries__amount", filter=Q(entries__kind=Kind.ROLLOVER, entries__amount__lt=0)
                ),
                0,
            ),
        )
        .exclude(
            balance=F("sum_balance"),
            received=F("sum_received"),
            rolled_in=F("sum_in"),
            rolled_out=-F("sum_out"),
        )
        .values_list("pk", flat=True)[:10]
    )
    problems += [f"account {pk}: running figures differ from its entries" for pk in drifted]
    # People served: distinct paid causes per (organization, year) against the served counts.
    paid = defaultdict(int)
    rows = (
        Entry.objects.filter(kind=Kind.PAY, amount__gt=0, account__bucket=Bucket.SPENT)
        .values_list("account__org_id", "account__year")
        .annotate(n=Count("transaction__cause_id", distinct=True))
    )
    for org_id, year, n in rows:
        paid[(org_id, year)] = n
    served = defaultdict(int)
    for org_id, year, n in (
        Account.objects.filter(bucket=Bucket.SPENT)
        .values_list("org_id", "year")
        .annotate(n=Sum("served"))
    ):
        served[(org_id, year)] = n
    for key in sorted(set(paid) | set(served)):
        if paid.get(key, 0) != served.get(key, 0):
            problems.append(
                f"organization {key[0]}, {key[1]}: {served.get(key, 0)} people served counted, "
                f"{paid.get(key, 0)} paid"
            )
    return problems


def ledger_problems(*, orgs: list[Organization] | None = None) -> list[str]:
    """Everything wrong with the ledger, as sentences; an empty list when every rule holds.

    Balanced transactions of two or more entries, entry kinds equal to their transaction's,
    balances and running figures equal to the entries, no negative available or reserved
    money, closed years empty and rolled over once per account, and for each given
    organization and year: the figures equal a scan of the entries, money is conserved and
    each closed year's ``rolled_out`` is the next year's ``rolled_in``.
    """
    problems: list[str] = []
    unbalanced = (
        Entry.objects.values("transaction")
        .annotate(total=Sum("amount"), legs=Count("pk"))
        .exclude(total=0, legs__gte=2)
        .values_list("transaction", flat=True)[:10]
    )
    problems += [f"transaction {pk} is unbalanced" for pk in unbalanced]
    empty = Transaction.objects.filter(entries__isnull=True).values_list("pk", flat=True)[:10]
    problems += [f"transaction {pk} has no entries" for pk in empty]
    wrong_kind = Entry.objects.exclude(kind=F("transaction__kind")).values_list("pk", flat=True)
    problems += [f"entry {pk}: its kind is not its transaction's" for pk in wrong_kind[:10]]
    problems += _figure_drift()
    negative = Account.objects.filter(
        bucket__in=[Bucket.AVAILABLE, Bucket.RESERVED], balance__lt=0
    ).values_list("pk", flat=True)
    problems += [f"account {pk} is negative" for pk in negative[:10]]
    last_closed = FiscalYear.objects.filter(closed_at__isnull=False).order_by("-year").first()
    if last_closed is not None:
        available = Account.objects.filter(year__lte=last_closed.year, bucket=Bucket.AVAILABLE)
        left = available.exclude(balance=0).values_list("pk", flat=True)
        problems += [f"account {pk}: money left in a closed year" for pk in left[:10]]
        unrolled = available.filter(year=last_closed.year, rollover__isnull=True)
        problems += [
            f"account {pk} of closed {last_closed.year} was not rolled over"
            for pk in unrolled.values_list("pk", flat=True)[:10]
        ]
    doubled = (
        Rollover.objects.values("account").annotate(n=Count("pk")).filter(n__gt=1).values("account")
    )
    problems += [f"account {row['account']} rolled over twice" for row in doubled[:10]]
    years = sorted(set(Account.objects.values_list("year", flat=True).distinct()))
    for org in orgs or []:
        for year in years:
            fast = utilization(org=org, year=year)
            slow = utilization_from_entries(org=org, year=year)
            if fast != slow:
                problems.append(f"{org.code} {year}: utilization {fast} but the entries say {slow}")
            if fast.received + fast.rolled_in != (
                fast.spent + fast.reserved + fast.available + fast.rolled_out
            ):
                problems.append(f"{org.code} {year}: money is not conserved")
            if (
                year + 1 in years
                and FiscalYear.objects.filter(year=year, closed_at__isnull=False).exists()
            ):
                following = utilization(org=org, year=year + 1)
                if fast.rolled_out != following.rolled_in:
                    problems.append(
                        f"{org.code} {year}: rolled out {fast.rolled_out}, "
                        f"but {year + 1} rolled in {following.rolled_in}"
                    )
    if connection.vendor == "postgresql":
        problems += _moves_outside_the_whitelist()
    return problems


def _moves_outside_the_whitelist() -> list[str]:
    """PostgreSQL: the commit-time whitelist (``funds_check_moves``, migration 0004) re-run as
    set-based queries over every transaction, for data that was loaded in bulk."""
    checks = {
        "a leg on a bucket its kind never moves money out of or into": """
            SELECT t.id FROM funds_transaction t
              JOIN funds_entry e ON e.transaction_id = t.id
              JOIN funds_account a ON a.id = e.account_id
             WHERE NOT EXISTS (
               SELECT 1 FROM funds_allowed_move m
                WHERE m.kind = t.kind AND m.cause_type = t.cause_type
                  AND a.bucket = CASE WHEN e.amount < 0 THEN m.from_bucket ELSE m.to_bucket END)
             LIMIT 10""",
        "legs that do not net to zero per organization, source and year of origin": """
            SELECT t.id FROM funds_transaction t
              JOIN (SELECT DISTINCT kind, cause_type, year_step FROM funds_allowed_move
                     WHERE orgs = 'same') m ON m.kind = t.kind AND m.cause_type = t.cause_type
              JOIN funds_entry e ON e.transaction_id = t.id
              JOIN funds_account a ON a.id = e.account_id
             GROUP BY t.id, a.org_id, a.source,
                      a.year - CASE WHEN e.amount > 0 THEN m.year_step ELSE 0 END
            HAVING SUM(e.amount) <> 0
             LIMIT 10""",
        "an allocation that is not one move between a parent and its direct child": """
            SELECT t.id FROM funds_transaction t
              JOIN funds_entry e ON e.transaction_id = t.id
              JOIN funds_account a ON a.id = e.account_id
             WHERE t.kind = 'allocate'
             GROUP BY t.id
            HAVING COUNT(*) <> 2 OR SUM(e.amount) <> 0 OR COUNT(DISTINCT a.year) <> 1
                OR COUNT(DISTINCT a.source) <> 1 OR NOT EXISTS (
                  SELECT 1 FROM accounts_organization o
                   WHERE (o.id = MIN(a.org_id) AND o.parent_id = MAX(a.org_id))
                      OR (o.id = MAX(a.org_id) AND o.parent_id = MIN(a.org_id)))
             LIMIT 10""",
        "a kind and cause no service writes": """
            SELECT t.id FROM funds_transaction t
             WHERE NOT EXISTS (SELECT 1 FROM funds_allowed_move m
                                WHERE m.kind = t.kind AND m.cause_type = t.cause_type)
             LIMIT 10""",
        "a rollover out of an open year": """
            SELECT t.id FROM funds_transaction t
              JOIN funds_entry e ON e.transaction_id = t.id
              JOIN funds_account a ON a.id = e.account_id
             WHERE t.kind = 'rollover' AND e.amount < 0
               AND NOT EXISTS (SELECT 1 FROM funds_fiscalyear fy
                                WHERE fy.year >= a.year AND fy.closed_at IS NOT NULL)
             LIMIT 10""",
        "a year that is not its earliest leg's": """
            SELECT t.id FROM funds_transaction t
              JOIN funds_entry e ON e.transaction_id = t.id
              JOIN funds_account a ON a.id = e.account_id
             GROUP BY t.id, t.year HAVING t.year <> MIN(a.year)
             LIMIT 10""",
    }
    problems = []
    with connection.cursor() as cursor:
        for what, sql in checks.items():
            cursor.execute(sql)
            problems += [f"transaction {row[0]}: {what}" for row in cursor.fetchall()]
    return problems
