"""Extension points for the layers above bases (which bases itself never imports).

``catalogue_annotators``: functions ``(queryset, user) -> queryset`` that add per-user
annotations to the catalogue's itineraries. The portal registers one that annotates each
worker's ``net_cost`` (it needs the funds app), so the catalogue page can sort by it.

``card_annotators`` and ``batch_annotators``: functions ``(request, objects) -> dict`` that the
catalogue page calls with the itineraries of its page of cards, and the itinerary page with its
upcoming batches. They may set per-user attributes on the objects (the applications app tells a
worker whether they may apply, and why not) and return extra template context, such as the names
of templates of their own that the bases pages then include. Each is called once per request
with the whole list, so a page costs the same number of queries whatever its length.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from django.db.models import QuerySet
from django.http import HttpRequest

catalogue_annotators: list[Callable[[QuerySet, object], QuerySet]] = []
card_annotators: list[Callable[[HttpRequest, Sequence], dict]] = []
batch_annotators: list[Callable[[HttpRequest, Sequence], dict]] = []


def annotate_catalogue(queryset: QuerySet, user) -> QuerySet:
    for annotate in catalogue_annotators:
        queryset = annotate(queryset, user)
    return queryset


def annotate_cards(request: HttpRequest, itineraries: Sequence) -> dict:
    context: dict = {}
    for annotate in card_annotators:
        context.update(annotate(request, itineraries) or {})
    return context


def annotate_batches(request: HttpRequest, batches: Sequence) -> dict:
    context: dict = {}
    for annotate in batch_annotators:
        context.update(annotate(request, batches) or {})
    return context
