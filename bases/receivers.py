"""Every save or delete of what the public catalogue shows bumps its cache version
(``bases.cache``); querysets' ``update()`` calls bump it themselves (``bases.services``)."""

from __future__ import annotations

from django.db.models.signals import post_delete, post_save

from accounts.models import Organization
from bases import cache as page_cache
from bases.models import Base, BasePhoto, Batch, Itinerary


def _changed(sender, **kwargs) -> None:
    names = [page_cache.CATALOGUE]
    if sender is Batch:
        names.append(page_cache.SEATS)
    page_cache.bump(*names)


def connect() -> None:
    for model in (Base, BasePhoto, Itinerary, Batch, Organization):
        post_save.connect(_changed, sender=model, dispatch_uid=f"bases-cache-{model.__name__}")
        post_delete.connect(_changed, sender=model, dispatch_uid=f"bases-cache-d-{model.__name__}")
