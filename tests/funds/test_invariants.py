"""Property-based: random sequences of movements never break the ledger's invariants.

Run the long profile with ``HYPOTHESIS_PROFILE=thorough .venv/bin/pytest tests/funds/test_invariants.py``
(≥ 1,000 sequences); CI runs the quick one.
"""

from __future__ import annotations

import os

import pytest
from django.db import connection, transaction
from django.db.models import F, Sum
from django.db.models.functions import Coalesce
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule

from accounts.models import OrgKind
from funds import services
from funds.checks import ledger_problems
from funds.models import Account, Bucket, Entry, FiscalYear, FundSource, Transaction
from funds.selectors import utilization
from tests.dates import LAST_YEAR, THIS_YEAR
from tests.factories import OrganizationFactory

settings.register_profile(
    "quick",
    max_examples=20,
    stateful_step_count=20,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.register_profile(
    "thorough",
    max_examples=1000,
    stateful_step_count=40,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
PROFILE = os.environ.get("HYPOTHESIS_PROFILE", "quick")

YEARS = (THIS_YEAR - 2, LAST_YEAR, THIS_YEAR)
SOURCES = (FundSource.PROVINCIAL_SPECIAL, FundSource.CITY_MATCHING)
amounts = st.integers(min_value=1, max_value=200_000)


def run_commit_time_checks() -> None:
    """This machine never commits: on PostgreSQL, run the deferred ledger checks (balance, the
    whitelist of moves) on what the movement just wrote, as a commit would."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")


class LedgerMachine(RuleBasedStateMachine):
    """A city with two counties; money is granted, allocated, reserved, released, paid, rolled."""

    def __init__(self):
        super().__init__()
        self.atomic = transaction.atomic()
        self.atomic.__enter__()
        city = OrganizationFactory(code="HC", kind=OrgKind.CITY)
        self.orgs = [
            city,
            OrganizationFactory(code="HC-A", kind=OrgKind.COUNTY, parent=city),
            OrganizationFactory(code="HC-B", kind=OrgKind.COUNTY, parent=city),
        ]
        self.granted = 0
        self.causes: list[str] = []
        self.n = 0

    def teardown(self):
        transaction.set_rollback(True)
        self.atomic.__exit__(None, None, None)

    def key(self) -> str:
        self.n += 1
        return f"k{self.n}"

    def attempt(self, fn, **kwargs):
        """Run a movement; a refusal must leave the ledger exactly as it was."""
        before = (Transaction.objects.count(), Entry.objects.count())
        try:
            with transaction.atomic():
                result = fn(**kwargs)
                run_commit_time_checks()
                return result
        except services.FundsError:
            assert (Transaction.objects.count(), Entry.objects.count()) == before
            return None

    @rule(
        org=st.integers(0, 2),
        year=st.sampled_from(YEARS),
        source=st.sampled_from(SOURCES),
        amount=amounts,
    )
    def grant(self, org, year, source, amount):
        if self.attempt(
            services.grant,
            org=self.orgs[org],
            year=year,
            source=source,
            amount=amount,
            by=None,
            key=self.key(),
        ):
            self.granted += amount

    @rule(
        child=st.integers(1, 2),
        up=st.booleans(),
        year=st.sampled_from(YEARS),
        source=st.sampled_from(SOURCES),
        amount=amounts,
    )
    def allocate(self, child, up, year, source, amount):
        parent, kid = self.orgs[0], self.orgs[child]
        self.attempt(
            services.allocate,
            from_org=kid if up else parent,
            to_org=parent if up else kid,
            year=year,
            source=source,
            amount=amount,
            by=None,
            key=self.key(),
        )

    @rule(org=st.integers(0, 2), year=st.sampled_from(YEARS), amount=amounts)
    def reserve(self, org, year, amount):
        cause = f"app{self.n}"
        if self.attempt(
            services.reserve, org=self.orgs[org], year=year, amount=amount, cause_id=cause, by=None
        ):
            self.causes.append(cause)

    @precondition(lambda self: self.causes)
    @rule(data=st.data())
    def release(self, data):
        cause = data.draw(st.sampled_from(self.causes))
        self.attempt(services.release, cause_id=cause, by=None, key=self.key())

    @precondition(lambda self: self.causes)
    @rule(data=st.data(), amount=st.integers(0, 250_000))
    def pay(self, data, amount):
        cause = data.draw(st.sampled_from(self.causes))
        self.attempt(services.pay, cause_id=cause, amount=amount, by=None, key=self.key())

    @rule(year=st.sampled_from(YEARS[:2]), twice=st.booleans())
    def rollover(self, year, twice):
        if self.attempt(services.rollover, year=year) is not None and twice:
            assert services.rollover(year=year) == []

    @invariant()
    def every_transaction_balances(self):
        sums = (
            Entry.objects.values("transaction")
            .annotate(total=Sum("amount"))
            .values_list("total", flat=True)
        )
        assert all(total == 0 for total in sums)
        counts = Transaction.objects.filter(entries__isnull=True).count()
        assert counts == 0

    @invariant()
    def balances_are_sums_of_entries_and_never_negative(self):
        drifted = Account.objects.annotate(total=Coalesce(Sum("entries__amount"), 0)).exclude(
            balance=F("total")
        )
        assert not drifted.exists()
        negative = Account.objects.filter(
            bucket__in=[Bucket.AVAILABLE, Bucket.RESERVED], balance__lt=0
        )
        assert not negative.exists()

    @invariant()
    def money_is_conserved(self):
        inside = Account.objects.exclude(bucket=Bucket.ISSUED).aggregate(s=Sum("balance"))["s"] or 0
        assert inside == self.granted
        for year in YEARS:
            u = utilization(org=self.orgs[0], year=year)
            assert u.received + u.rolled_in == u.spent + u.reserved + u.available + u.rolled_out
            if year + 1 in YEARS:
                assert u.rolled_out == utilization(org=self.orgs[0], year=year + 1).rolled_in

    @invariant()
    def running_figures_are_the_entries(self):
        # Utilization reads the figures the entry trigger keeps; the checks rescan the entries.
        assert ledger_problems(orgs=self.orgs) == []

    @invariant()
    def closed_years_are_empty_and_rolled_once(self):
        last_closed = FiscalYear.objects.filter(closed_at__isnull=False).order_by("-year").first()
        if last_closed is None:
            return
        available = Account.objects.filter(year__lte=last_closed.year, bucket=Bucket.AVAILABLE)
        assert not available.exclude(balance=0).exists()
        assert (
            not available.filter(rollover__isnull=True).exclude(year__lt=last_closed.year).exists()
        )


@pytest.mark.django_db
def test_ledger_invariants_hold_under_random_operations():
    LedgerMachine.TestCase.settings = settings.get_profile(PROFILE)
    LedgerMachine.TestCase("runTest").runTest()
