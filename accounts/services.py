"""Writes on organizations and people."""

from __future__ import annotations

from django.db import transaction

from accounts.audit import audit
from accounts.models import User, Worker


@transaction.atomic
def worker_update_contact(
    *, worker: Worker, by: User, phone: str | None = None, id_number: str | None = None
) -> Worker:
    """Change a worker's sensitive contact data (None or "" keeps a value as it is).

    Values are validated by the model (format, checksum, match with the birth date); a refused
    change raises ``ValidationError`` and writes nothing. The audit row names the changed fields
    but never their values.
    """
    worker = Worker.objects.select_for_update().get(pk=worker.pk)
    changed = []
    for field, value in (("phone", phone), ("id_number", (id_number or "").upper())):
        if value and getattr(worker, field) != value:
            setattr(worker, field, value)
            changed.append(field)
    if changed:
        worker.full_clean()
        worker.save(update_fields=[*changed, "updated_at"])
        audit(worker, "contact_updated", by=by, org=worker.union, fields=changed)
    return worker
