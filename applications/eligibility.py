"""Who may apply for which batch, and why not (DESIGN §3 "eligibility at application time").

``refusals(...)`` is a pure function: given a worker, a batch and the worker's other trips it
returns every reason the application would be refused, each with its own message, so the
catalogue can tell a worker before they click and the service can refuse with the same words.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from accounts.models import Worker
from bases.models import Batch, BatchStatus
from funds.models import SubsidyPolicy

NEVER_BEEN = "never_been"


@dataclass(frozen=True)
class Trip:
    """One of the worker's live or past trips, as much as the rules need."""

    application_id: int
    batch_id: int
    title: str
    start_date: date
    end_date: date
    in_province: bool
    year: int
    status: str
    subsidy: int
    attended: bool


@dataclass(frozen=True)
class Refusal:
    code: str
    message: str

    def __str__(self) -> str:
        return self.message


def _day(value: date) -> str:
    return date_format(value, "Y-m-d")


def refusals(
    *,
    worker: Worker,
    batch: Batch,
    policy: SubsidyPolicy | None,
    trips: list[Trip],
    today: date,
    in_group: bool = False,
) -> list[Refusal]:
    """Every reason ``worker`` may not apply for ``batch`` today; empty when they may.

    ``trips`` are the worker's live applications (waiting, holding a seat, attended or settled).
    ``in_group``: added to a group trip's roster, where seats come from the group's block, so a
    full batch is no reason to refuse.
    """
    itinerary = batch.itinerary
    found: list[Refusal] = []
    if not worker.in_good_standing:
        found.append(
            Refusal(
                "not_in_good_standing",
                _(
                    "Only union members in good standing may apply: please ask your union "
                    "to check your membership and dues."
                ),
            )
        )
    if (
        batch.status != BatchStatus.OPEN
        or not itinerary.active
        or not itinerary.base.is_public
        or batch.start_date <= today
    ):
        found.append(Refusal("batch_closed", _("This batch is not taking sign-ups.")))
    elif today > batch.signup_deadline:
        found.append(
            Refusal(
                "deadline_passed",
                _("The sign-up deadline (%(date)s) has passed.")
                % {"date": _day(batch.signup_deadline)},
            )
        )
    age = worker.age_on(batch.start_date)
    if not itinerary.fits_age(age):
        found.append(
            Refusal(
                "age_group",
                _("This itinerary is for ages %(group)s; you will be %(age)s on departure.")
                % {"group": itinerary.age_group, "age": age},
            )
        )
    year = batch.start_date.year
    for trip in trips:
        if trip.batch_id == batch.pk:
            found.append(Refusal("already_applied", _("You have already applied for this batch.")))
            break
    for trip in trips:
        if trip.batch_id != batch.pk and (
            trip.start_date <= batch.end_date and batch.start_date <= trip.end_date
        ):
            found.append(
                Refusal(
                    "overlap",
                    _("You already have a trip at that time: %(title)s, %(start)s to %(end)s.")
                    % {
                        "title": trip.title,
                        "start": _day(trip.start_date),
                        "end": _day(trip.end_date),
                    },
                )
            )
            break
    if policy is not None:
        found += _frequency_refusals(policy=policy, year=year, batch=batch, trips=trips)
    return found


def _frequency_refusals(
    *, policy: SubsidyPolicy, year: int, batch: Batch, trips: list[Trip]
) -> list[Refusal]:
    """The policy's frequency windows (智能审核): trips per window, no repeat out of province."""
    found = []
    others = [t for t in trips if t.batch_id != batch.pk]
    # A window of N years around the trip's year, both ways: a trip already booked for a later
    # year is as much a repeat as an earlier one (else applying in reverse order slips through).
    in_window = [t for t in others if abs(t.year - year) < policy.frequency_window_years]
    if len(in_window) >= policy.trips_per_window:
        first = min(in_window, key=lambda t: t.start_date)
        if policy.frequency_window_years == 1:
            message = ngettext(
                "The policy allows %(n)s subsidised trip a year; you already have %(title)s "
                "in %(year)s.",
                "The policy allows %(n)s subsidised trips a year; you already have %(title)s "
                "in %(year)s.",
                policy.trips_per_window,
            )
        else:
            message = ngettext(
                "The policy allows %(n)s subsidised trip every %(years)s years; you already "
                "have %(title)s in %(year)s.",
                "The policy allows %(n)s subsidised trips every %(years)s years; you already "
                "have %(title)s in %(year)s.",
                policy.trips_per_window,
            )
        found.append(
            Refusal(
                "frequency",
                message
                % {
                    "n": policy.trips_per_window,
                    "years": policy.frequency_window_years,
                    "title": first.title,
                    "year": first.year,
                },
            )
        )
    if not batch.itinerary.in_province and policy.out_of_province_window_years:
        repeat = [
            t
            for t in others
            if not t.in_province and abs(t.year - year) < policy.out_of_province_window_years
        ]
        if repeat:
            found.append(
                Refusal(
                    "out_of_province_repeat",
                    _(
                        "No repeat out-of-province trip within %(years)s years: you already "
                        "have %(title)s in %(year)s."
                    )
                    % {
                        "years": policy.out_of_province_window_years,
                        "title": repeat[0].title,
                        "year": repeat[0].year,
                    },
                )
            )
    return found


def priority_rank(*, worker: Worker, policy: SubsidyPolicy | None, trips: list[Trip]) -> int:
    """0 for the policy's first priority group, 1 for the second, …; after all of them if none.

    "Never been" (从未参加) is derived: no trip attended before.
    """
    order = list(policy.priority_groups) if policy else []
    groups = set(worker.priority_groups)
    if not any(t.attended for t in trips):
        groups.add(NEVER_BEEN)
    ranks = [order.index(g) for g in groups if g in order]
    return min(ranks) if ranks else len(order)
