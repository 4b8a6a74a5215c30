"""The public home: what anyone sees before logging in (and accounts without a role).

It answers the source's complaint that workers did not know what they could get: the three
themes (each a link into the catalogue), the featured routes, the latest policy explanations,
news and promotion events, what this year's subsidy gives, how to apply, and where the money
went (the fund-use disclosure). ``highlights()`` builds those sections in a fixed handful of
queries; another role's home may add it to its own context to show them too.
"""

from __future__ import annotations

from django.http import HttpRequest

from accounts.models import WorkerCategory
from publicity import selectors
from publicity.models import Kind

NEWS_ITEMS = 5


def highlights() -> dict:
    """The home's public sections: about five queries, whatever the number of articles."""
    latest = selectors.latest_by_kind(per_kind=NEWS_ITEMS)
    news = sorted(
        [*latest[Kind.POLICY], *latest[Kind.NEWS]],
        key=lambda a: (a.published_at, a.pk),
        reverse=True,
    )[:NEWS_ITEMS]
    policy = selectors.policy_in_force()
    rates = [policy.daily_rate(c) for c in WorkerCategory.values] if policy else []
    return {
        "featured_routes": latest[Kind.ROUTE],
        "latest_news": news,
        "events": latest[Kind.EVENT],
        "policy": policy,
        "policy_rates": (min(rates), max(rates)) if rates else None,
        "show_highlights": True,
    }


def anonymous(request: HttpRequest) -> tuple[str, dict]:
    return "portal/home/public.html", highlights()


def signed_in(request: HttpRequest) -> tuple[str, dict]:
    """A superuser or an account without a role: the public page and the menu's work."""
    return "portal/home/public.html", {**highlights(), "show_work": True}
