"""Notifications: an in-portal message and an e-mail, both after the caller's commit."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone, translation

from accounts.models import Notification, User


def notify(
    user: User | None,
    *,
    subject: Any,
    body: Any = "",
    params: dict[str, Any] | None = None,
    url: str = "",
    key: str = "",
) -> Notification | None:
    """Tell ``user`` something (call inside the service's transaction).

    ``subject`` and ``body`` are lazy translatable texts with ``%(name)s`` placeholders filled
    from ``params``; they are written in the portal's language (zh-hans), whoever's request
    caused them. With a ``key`` a second call is a no-op, so reminders can run twice safely.
    """
    note = notification(user, subject=subject, body=body, params=params, url=url, key=key)
    if note is None:
        return None
    if key and Notification.objects.filter(user=user, key=key).exists():
        return None
    if not key:
        note.save(force_insert=True)
    else:
        try:
            with transaction.atomic():
                note.save(force_insert=True)
        except IntegrityError:  # the same reminder written by a concurrent run
            return None
    notification_saved(note)
    return note


def notification(
    user: User | None,
    *,
    subject: Any,
    body: Any = "",
    params: dict[str, Any] | None = None,
    url: Any = "",
    key: str = "",
) -> Notification | None:
    """``notify``'s row, not saved (for a service that inserts its rows together; call
    ``notification_saved`` once it is). None for nobody or an inactive user."""
    if user is None or not user.is_active:
        return None
    params = params or {}
    with translation.override(settings.LANGUAGE_CODE):
        values = {k: str(v) for k, v in params.items()}
        subject_text = str(subject) % values if params else str(subject)
        body_text = (str(body) % values if params else str(body)) if body else ""
    return Notification(
        user=user,
        subject=subject_text[:200],
        body=body_text,
        url=url if not isinstance(url, str) else url[:200],
        key=key[:120],
    )


def notification_saved(note: Notification) -> None:
    """After a notification is written: its e-mail is sent once the transaction commits."""
    if note.user.email:
        from accounts.tasks import email_notification

        transaction.on_commit(lambda: email_notification.delay(note.pk))


def mark_read(*, user: User, ids: list[int] | None = None) -> int:
    """Mark the user's notifications (all, or those ``ids``) read; returns how many changed."""
    unread = Notification.objects.filter(user=user, read_at__isnull=True)
    if ids is not None:
        unread = unread.filter(pk__in=ids)
    return unread.update(read_at=timezone.now())
