from __future__ import annotations

from typing import Any

from django.db import models

from accounts.models import AuditEvent, Organization, User


def audit(
    target: models.Model,
    action: str,
    *,
    by: User | None,
    org: Organization | None = None,
    reason: str = "",
    **data: Any,
) -> AuditEvent:
    """Record that ``by`` did ``action`` to ``target`` (call inside the service's transaction)."""
    return AuditEvent.objects.create(
        actor=by if by is not None and by.is_authenticated else None,
        action=action,
        target_type=target._meta.label_lower,
        target_id=str(target.pk),
        org=org,
        reason=reason,
        data=data,
    )
