from __future__ import annotations

from django import template
from django.utils import timezone

from funds.calculator import Quote, quote
from portal import pricing

register = template.Library()


@register.simple_tag(takes_context=True)
def my_quote(context, itinerary) -> Quote | None:
    """``{% my_quote itinerary as q %}``: the logged-in worker's subsidy breakdown, else None.

    The worker and policy are looked up once per request, so a catalogue page of cards costs two
    queries in all, not two per card.
    """
    request = context.get("request")
    if request is None:
        return None
    if not hasattr(request, "_pricing"):
        worker = pricing.worker_of(request.user)
        policy = pricing.policy_for_catalogue() if worker else None
        used = pricing.subsidy_used_this_year(worker, timezone.localdate().year) if worker else 0
        request._pricing = (worker, policy, used)
    worker, policy, used = request._pricing
    if worker is None:
        return None
    return quote(
        policy=policy,
        category=worker.category,
        days=itinerary.days,
        in_province=itinerary.in_province,
        union_price=itinerary.union_price_fen,
        used_this_year=used,
    )
