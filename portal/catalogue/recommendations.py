"""The data behind "recommended for you": the catalogue as ``portal.recommend`` candidates.

Reads, in a fixed number of queries whatever the catalogue's size: the cheapest catalogue
itineraries for this worker that still have a batch taking sign-ups (at most
``CANDIDATE_LIMIT``, priced in SQL), their batches and the worker's eligibility for each (two
queries, ``portal.catalogue.signups``), and the themes of the bases the worker went to or rated
well (one). ``portal.recommend.rank`` decides the order.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db.models import Q
from django.utils.translation import gettext as _

import applications.selectors
from bases import selectors as bases_selectors
from bases.models import Base, Itinerary
from portal import recommend
from portal.catalogue import signups
from portal.pricing import Pricing, pricing_for

CANDIDATE_LIMIT = 300  # the cheapest for the worker; the ranking favours low cost anyway
LIKED_RATING = 4


@dataclass(frozen=True)
class Recommended:
    """One recommendation with the itinerary it is about (for pages and the API)."""

    itinerary: Itinerary
    recommendation: recommend.Recommendation

    @property
    def reason(self) -> str:
        return self.recommendation.reason

    @property
    def fit_reason(self) -> str:
        """The reasons after the cost (for lists that show the cost beside them)."""
        return _("; ").join(self.recommendation.reasons[1:])

    @property
    def next_start(self) -> date:
        return min(self.recommendation.candidate.open_dates)


def liked_themes(eligibility) -> frozenset[str]:
    """Themes of the bases of trips the worker went on, and of bases they rated 4★ or 5★: one
    query (their trips are already loaded with their eligibility)."""
    went = [t.batch_id for t in eligibility.trips if t.attended]
    liked = Q(itineraries__batches__pk__in=went)
    if eligibility.worker.user_id:
        liked |= Q(reviews__author_id=eligibility.worker.user_id, reviews__rating__gte=LIKED_RATING)
    themes: set[str] = set()
    for codes in Base.objects.filter(liked).values_list("themes", flat=True).distinct():
        themes.update(codes or [])
    return frozenset(themes)


def candidates(pricing: Pricing, eligibility) -> list[tuple[Itinerary, recommend.Candidate]]:
    upcoming = bases_selectors.upcoming_batches(eligibility.today).values("itinerary_id")
    rows = list(
        pricing.annotate(
            bases_selectors.itineraries_for_catalogue(user=pricing.worker.user).filter(
                Q(pk__in=upcoming)
            )
        ).order_by("net_cost", "-stars", "pk")[:CANDIDATE_LIMIT]
    )
    signups.annotate_itineraries(eligibility, rows)
    found = []
    for it in rows:
        base = it.base
        found.append(
            (
                it,
                recommend.Candidate(
                    id=it.pk,
                    title=it.title,
                    net_cost=it.net_cost,
                    open_dates=tuple(s.batch.start_date for s in it.signup.open),
                    service_score=base.service_score,
                    stars=base.stars,
                    themes=frozenset(base.themes),
                    addons=frozenset(it.addons),
                    includes_checkup=it.includes_checkup,
                    min_age=it.min_age,
                    max_age=it.max_age,
                ),
            )
        )
    return found


def recommendations_for(
    user, *, free_from: date | None = None, free_until: date | None = None, limit: int = 20
) -> list[Recommended] | None:
    """The worker's best ``limit`` itineraries, best first; None for anyone but a worker."""
    eligibility = applications.selectors.eligibility_of(user)
    pricing = pricing_for(user)
    if eligibility is None or pricing is None:
        return None
    worker = eligibility.worker
    pairs = candidates(pricing, eligibility)
    profile = recommend.Profile(
        birth_date=worker.birth_date,
        priority_groups=frozenset(worker.priority_groups),
        themes=liked_themes(eligibility),
        free_from=free_from,
        free_until=free_until,
    )
    by_id = {c.id: it for it, c in pairs}
    ranked = recommend.rank((c for _it, c in pairs), profile)[:limit]
    return [Recommended(by_id[r.candidate.id], r) for r in ranked]
