"""``recuperation.prepared``: a query compiled once gives what the ORM gives, every time."""

from __future__ import annotations

import pytest
from django.db import connection, transaction
from django.db.transaction import TransactionManagementError

from accounts.models import Worker
from applications.models import Application
from bases.models import Batch
from recuperation.prepared import Prepared
from tests.bases.factories import BatchFactory
from tests.factories import WorkerFactory

pytestmark = pytest.mark.django_db

BATCH = Prepared(lambda pk: Batch.objects.select_related("itinerary__base").filter(pk=pk))
WORKER_LOCKED = Prepared(
    lambda user_id: (
        Worker.objects.select_for_update(of=("self",))
        .select_related("union__parent")
        .filter(user_id=user_id)[:1]
    )
)


def test_objects_and_their_related_rows_equal_the_orms():
    batches = BatchFactory.create_batch(3)
    for batch in batches:
        got = BATCH.first(batch.pk)
        want = Batch.objects.select_related("itinerary__base").get(pk=batch.pk)
        assert got == want and got.__dict__.keys() == want.__dict__.keys()
        assert (got.start_date, got.capacity, got.status) == (
            want.start_date,
            want.capacity,
            want.status,
        )
        assert got.itinerary.base.name == want.itinerary.base.name
        assert got.itinerary.base.themes == want.itinerary.base.themes  # a converted JSON field
        assert not got._state.adding and got._state.db == "default"
    assert BATCH.first(max(b.pk for b in batches) + 1) is None


def test_each_run_is_one_counted_query_with_its_own_values(django_assert_num_queries):
    first, second = BatchFactory.create_batch(2)
    BATCH.first(first.pk)  # compiled here
    with django_assert_num_queries(1):
        assert BATCH.first(second.pk).pk == second.pk


@pytest.mark.django_db(transaction=True)  # outside the test's own transaction
def test_a_locking_query_is_refused_outside_a_transaction():
    worker = WorkerFactory()
    if connection.features.has_select_for_update:
        with pytest.raises(TransactionManagementError):
            WORKER_LOCKED.first(worker.user_id)
    with transaction.atomic():
        got = WORKER_LOCKED.first(worker.user_id)
    assert got == worker and got.union.parent == worker.union.parent


def test_a_value_the_sql_does_not_carry_verbatim_is_refused():
    # ``contains`` wraps its value in %…%: the sample is not among the parameters.
    bad = Prepared(
        lambda title: Application.objects.filter(batch__itinerary__title__contains=title),
        samples=("sample",),
    )
    with pytest.raises(ValueError, match="not one parameter"):
        bad.all("x")


def test_rows_inserted_together_get_their_ids_and_point_at_each_other():
    from accounts.audit import audit_event
    from accounts.models import AuditEvent, Notification
    from applications.models import StatusChange
    from recuperation.prepared import RowId, insert_rows
    from tests.applications.api_support import apply

    worker = WorkerFactory()
    app = apply(worker, BatchFactory())
    change = StatusChange(application=app, from_status="submitted", to_status="withdrawn")
    note = Notification(user=worker.user, subject="s", url=RowId(change, "/changes/{}/"))
    event = audit_event(change, "test.insert", by=None, target_id=RowId(change), n=1)
    insert_rows([change, note, event])
    assert change.pk and note.pk and event.pk
    assert StatusChange.objects.get(pk=change.pk).application_id == app.pk
    assert Notification.objects.get(pk=note.pk).url == f"/changes/{change.pk}/" == note.url
    stored = AuditEvent.objects.get(pk=event.pk)
    assert (stored.target_id, stored.data) == (str(change.pk), {"n": 1})
    assert event.target_id == str(change.pk)
