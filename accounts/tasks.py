"""Jobs of the accounts app: load by id, do one thing."""

from __future__ import annotations

from celery import shared_task
from django.conf import settings
from django.core.mail import send_mail
from django.utils import timezone

from accounts.models import Notification


@shared_task(acks_late=True, max_retries=3, default_retry_delay=60)
def email_notification(notification_id: int) -> bool:
    """Send one notification by e-mail, once (a redelivered task finds it already sent)."""
    claimed = Notification.objects.filter(pk=notification_id, emailed_at__isnull=True).update(
        emailed_at=timezone.now()
    )
    if not claimed:
        return False
    note = Notification.objects.select_related("user").get(pk=notification_id)
    body = note.body
    if note.url:
        body = f"{body}\n\n{note.url}" if body else note.url
    send_mail(note.subject, body, settings.DEFAULT_FROM_EMAIL, [note.user.email])
    return True
