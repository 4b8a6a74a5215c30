"""What the applications app adds to the bases pages, through ``bases.hooks`` (bases never
imports this app): whether a logged-in worker may apply for each batch and, if not, why, with
an apply button where they may. Registered in ``ApplicationsConfig.ready``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from django.http import HttpRequest

from applications import selectors
from applications.selectors import Eligibility, Signup

# Reasons about the batch rather than the worker: the status column already says them.
BATCH_REASONS = {"batch_closed", "deadline_passed"}


def eligibility_for(request: HttpRequest) -> Eligibility | None:
    """The logged-in worker's ``Eligibility`` (shared with the page's pricing), or None."""
    return selectors.eligibility_of(request.user)


@dataclass
class Summary:
    """A worker and the batches of one itinerary, summed up for a card or the price panel."""

    applied: list[Signup] = field(default_factory=list)  # their own applications
    open: list[Signup] = field(default_factory=list)  # batches they may apply for
    reasons: list[str] = field(default_factory=list)  # why not, when they may apply for none
    signing_up: int = 0  # batches still taking sign-ups


def summarise(signups: Sequence[Signup]) -> Summary:
    summary = Summary()
    for signup in signups:
        if signup.trip is not None:
            summary.applied.append(signup)
        elif signup.may_apply:
            summary.open.append(signup)
        if not any(r.code in BATCH_REASONS for r in signup.refusals):
            summary.signing_up += 1
    if not summary.open:
        for signup in signups:
            if signup.trip is None:
                for refusal in signup.refusals:
                    if refusal.code not in BATCH_REASONS and refusal.message not in summary.reasons:
                        summary.reasons.append(refusal.message)
    return summary


def annotate_batches(request: HttpRequest, batches: Sequence) -> dict:
    """The itinerary page: ``batch.signup`` on each upcoming batch and a summary panel."""
    if not request.user.is_authenticated:
        return {"signup_panel_template": "applications/_signup_panel.html"}
    eligibility = eligibility_for(request)
    if eligibility is None:
        return {}
    signups = selectors.signups_for(eligibility, batches)
    for batch in batches:
        batch.signup = signups[batch.pk]
    return {
        "signup_batch_template": "applications/_signup_batch.html",
        "signup_panel_template": "applications/_signup_panel.html",
        "signup_summary": summarise(list(signups.values())),
    }


def annotate_cards(request: HttpRequest, itineraries: Sequence) -> dict:
    """The catalogue: ``itinerary.signup`` (a ``Summary``) on each card of the page."""
    eligibility = eligibility_for(request)
    if eligibility is None or not itineraries:
        return {}
    grouped = selectors.signup_batches_for_itineraries(itineraries, eligibility)
    signups = selectors.signups_for(eligibility, [b for rows in grouped.values() for b in rows])
    for itinerary in itineraries:
        itinerary.signup = summarise([signups[b.pk] for b in grouped[itinerary.pk]])
    return {"signup_card_template": "applications/_signup_card.html"}
