"""The applications' side of the data invariants, as set-based queries (for the demo, the
city-scale data set and ``manage.py check_ledger``): seats are the applications', and the
ledger's reserved, spent and people served are the applications' money."""

from __future__ import annotations

from collections import defaultdict

from django.db.models import Count, F, IntegerField, OuterRef, Q, Subquery, Sum, Value
from django.db.models.functions import Coalesce

from applications.models import MONEY_RESERVED, SEAT_HOLDING, Application, GroupTrip, Status
from bases.models import Batch
from funds.models import Account, Bucket, Kind, Transaction


def seat_problems() -> list[str]:
    """Batches whose ``seats_held`` is not their seat holders outside groups plus their active
    group blocks (``applications.selectors.seats_accounted``, for every batch at once)."""
    alone = (
        Application.objects.filter(
            batch=OuterRef("pk"), status__in=SEAT_HOLDING, group_trip__isnull=True
        )
        .order_by()
        .values("batch")
        .annotate(n=Count("pk"))
        .values("n")
    )
    blocks = (
        GroupTrip.objects.filter(batch=OuterRef("pk"), cancelled_at__isnull=True)
        .order_by()
        .values("batch")
        .annotate(n=Sum("seats"))
        .values("n")
    )
    wrong = (
        Batch.objects.annotate(
            alone=Coalesce(Subquery(alone, output_field=IntegerField()), Value(0)),
            blocks=Coalesce(Subquery(blocks, output_field=IntegerField()), Value(0)),
        )
        .exclude(seats_held=F("alone") + F("blocks"))
        .values_list("pk", "seats_held", "alone", "blocks")[:10]
    )
    return [
        f"batch {pk}: {held} seats held, {alone} applications and {blocks} in group blocks"
        for pk, held, alone, blocks in wrong
    ]


def money_problems() -> list[str]:
    """Per funding organization and year, the ledger's spent, reserved and people served are
    exactly the applications' (settled: paid; approved or attended: the subsidy reserved)."""
    apps = defaultdict(lambda: [0, 0, 0])
    rows = (
        Application.objects.values_list("funding_org_id", "year")
        .annotate(
            spent=Sum("paid_fen", filter=Q(status=Status.SETTLED), default=0),
            reserved=Sum("subsidy_fen", filter=Q(status__in=MONEY_RESERVED), default=0),
            people=Count("pk", filter=Q(status=Status.SETTLED, paid_fen__gt=0)),
        )
        .order_by()
    )
    for org_id, year, spent, reserved, people in rows:
        apps[(org_id, year)] = [spent, reserved, people]
    ledger = defaultdict(lambda: [0, 0, 0])
    accounts = (
        Account.objects.values_list("org_id", "year")
        .annotate(
            spent=Sum("balance", filter=Q(bucket=Bucket.SPENT), default=0),
            reserved=Sum("balance", filter=Q(bucket=Bucket.RESERVED), default=0),
            people=Sum("served", default=0),
        )
        .order_by()
    )
    for org_id, year, spent, reserved, people in accounts:
        if spent or reserved or people:
            ledger[(org_id, year)] = [spent, reserved, people]
    problems = [
        f"organization {key[0]}, {key[1]}: the ledger says spent, reserved, people "
        f"{ledger.get(key, [0, 0, 0])}, the applications {apps.get(key, [0, 0, 0])}"
        for key in sorted(set(apps) | set(ledger))
        if ledger.get(key, [0, 0, 0]) != apps.get(key, [0, 0, 0])
    ]
    others = Transaction.objects.filter(kind__in=[Kind.RESERVE, Kind.PAY]).exclude(
        cause_id__startswith="application:"
    )
    problems += [f"transaction {pk}: money moved for no application" for pk in others[:10]]
    return problems
