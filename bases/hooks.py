"""Extension points for the layers above bases (which bases itself never imports).

``catalogue_annotators``: functions ``(queryset, user) -> queryset`` that add per-user
annotations to the catalogue's itineraries. The portal registers one that annotates each
worker's ``net_cost`` (it needs the funds app), so the catalogue page can sort by it.
"""

from __future__ import annotations

from collections.abc import Callable

from django.db.models import QuerySet

catalogue_annotators: list[Callable[[QuerySet, object], QuerySet]] = []


def annotate_catalogue(queryset: QuerySet, user) -> QuerySet:
    for annotate in catalogue_annotators:
        queryset = annotate(queryset, user)
    return queryset
