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
    event = audit_event(target, action, by=by, org=org, reason=reason, **data)
    event.save(force_insert=True)
    return event


def audit_event(
    target: models.Model,
    action: str,
    *,
    by: User | None,
    org: Organization | None = None,
    reason: str = "",
    target_id: Any = None,
    **data: Any,
) -> AuditEvent:
    """``audit``'s row, not saved (for a service that inserts its rows together);
    ``target_id`` stands for the target's id when it has none yet."""
    return AuditEvent(
        actor=by if by is not None and by.is_authenticated else None,
        action=action,
        target_type=target._meta.label_lower,
        target_id=str(target.pk) if target_id is None else target_id,
        org=org,
        reason=reason,
        data=data,
    )
