from __future__ import annotations

from django import template

from funds.calculator import Quote
from portal import pricing

register = template.Library()


@register.simple_tag(takes_context=True)
def my_quote(context, itinerary) -> Quote | None:
    """``{% my_quote itinerary as q %}``: the logged-in worker's subsidy breakdown, else None.

    The worker's pricing is looked up once per request, so a catalogue page of cards costs two
    queries in all, not two per card.
    """
    request = context.get("request")
    if request is None:
        return None
    if not hasattr(request, "_pricing"):
        request._pricing = pricing.pricing_for(request.user)
    return request._pricing.quote(itinerary) if request._pricing else None
