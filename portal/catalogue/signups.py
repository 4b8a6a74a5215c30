"""Whether a logged-in worker may apply for each batch and, if not, why: the apply buttons and
the reasons on the catalogue's cards, the itinerary page and the comparison.

The rules are the applications app's (``applications.selectors.Eligibility``); this module only
sums them up per itinerary, for pages that show many at once, with a fixed number of queries.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from applications import selectors
from applications.selectors import Eligibility, Signup

# Reasons about the batch rather than the worker: the status column already says them.
BATCH_REASONS = {"batch_closed", "deadline_passed"}


@dataclass
class Summary:
    """A worker and the batches of one itinerary, summed up for a card or the price panel."""

    applied: list[Signup] = field(default_factory=list)  # their own applications
    open: list[Signup] = field(default_factory=list)  # batches they may apply for
    reasons: list[str] = field(default_factory=list)  # why not, when they may apply for none
    signing_up: int = 0  # batches still taking sign-ups

    @property
    def may_apply(self) -> bool:
        return bool(self.open)


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


def annotate_batches(eligibility: Eligibility | None, batches: Sequence) -> Summary | None:
    """The itinerary page: ``batch.signup`` on each upcoming batch, and their summary."""
    if eligibility is None:
        return None
    signups = selectors.signups_for(eligibility, batches)
    for batch in batches:
        batch.signup = signups[batch.pk]
    return summarise(list(signups.values()))


def annotate_itineraries(eligibility: Eligibility | None, itineraries: Sequence) -> None:
    """Cards and comparison columns: ``itinerary.signup`` (a ``Summary``) on each itinerary,
    from its batches still taking sign-ups and those the worker applied for (two queries)."""
    if eligibility is None or not itineraries:
        return
    grouped = selectors.signup_batches_for_itineraries(itineraries, eligibility)
    signups = selectors.signups_for(eligibility, [b for rows in grouped.values() for b in rows])
    for itinerary in itineraries:
        itinerary.signup = summarise([signups[b.pk] for b in grouped[itinerary.pk]])
