"""Writes on organizations and people."""

from __future__ import annotations

from django.db import transaction

from accounts.audit import audit
from accounts.models import User, Worker


@transaction.atomic
def worker_update_contact(*, worker: Worker, by: User, phone: str, id_number: str) -> Worker:
    """Change a worker's sensitive contact data; values are validated, the change is audited.

    The audit row names the changed fields but never their values.
    """
    worker = Worker.objects.select_for_update().get(pk=worker.pk)
    changed = [
        field
        for field, value in (("phone", phone), ("id_number", id_number.upper()))
        if getattr(worker, field) != value
    ]
    worker.phone = phone
    worker.id_number = id_number.upper()
    worker.full_clean()
    if changed:
        worker.save(update_fields=[*changed, "updated_at"])
        audit(worker, "contact_updated", by=by, org=worker.union, fields=changed)
    return worker
