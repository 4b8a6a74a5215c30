"""lock_batch and the seat counter the applications app will use."""

from __future__ import annotations

import threading

import pytest
from django.db import close_old_connections, connection, transaction

from bases.models import Batch
from bases.services import batch_release_seats, batch_take_seats, lock_batch
from tests.bases.factories import BatchFactory


@pytest.mark.django_db
def test_taking_and_releasing_seats_keeps_the_counter_within_capacity():
    batch = BatchFactory(capacity=3)
    with transaction.atomic():
        locked = lock_batch(batch.pk)
        assert batch_take_seats(batch=locked, seats=2)
        assert not batch_take_seats(batch=locked, seats=2)  # only one left
        assert batch_take_seats(batch=locked)
        assert locked.seats_left == 0
    batch.refresh_from_db()
    assert batch.seats_held == 3
    with transaction.atomic():
        locked = lock_batch(batch.pk)
        batch_release_seats(batch=locked, seats=5)  # never below zero
    batch.refresh_from_db()
    assert batch.seats_held == 0


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_sign_ups_never_take_more_seats_than_capacity():
    batch = BatchFactory(capacity=10)
    results: list[bool] = []
    barrier = threading.Barrier(24)

    def sign_up() -> None:
        try:
            barrier.wait()
            with transaction.atomic():
                locked = lock_batch(batch.pk)
                results.append(batch_take_seats(batch=locked))
        finally:
            close_old_connections()
            connection.close()

    threads = [threading.Thread(target=sign_up) for _ in range(24)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results.count(True) == 10 and results.count(False) == 14
    assert Batch.objects.get(pk=batch.pk).seats_held == 10
