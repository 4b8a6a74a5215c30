"""Recommended for you: a worker's ranked list of the itineraries they may apply for.

A pure function of plain data (no database, no request): ``rank(candidates, profile)``. The
catalogue's glue (``portal.catalogue.recommendations``) turns itineraries, the worker's own
net cost and eligibility into ``Candidate`` rows and the worker into a ``Profile``; everything
that decides the order is here, so it can be read, computed by hand and tested on its
properties (``tests/portal/test_recommend.py``).

Only candidates the worker may apply for (at least one batch open to them: ``open_dates``) are
ranked; the others never appear. Each is scored in points:

========  ==========================================================================  =====
cost      40 × (1 − min(net cost, ¥1,000) ÷ ¥1,000): free → 40, ¥1,000 or more → 0     0–40
quality   0.3 × the base's service score (0–100); 6 × its stars while it has no score   0–30
theme     a theme of the base is one of the worker's (bases of the trips they went        15
          on, or rated 4★ or 5★)
dates     a batch open to them starts within the dates they are free (when given)         10
care      a health check-up for a worker near retirement or in a heavy/hazardous job;      5
          a skills add-on for a model worker, a skilled worker or a competition winner
age       the itinerary is made for an age group, and the worker is in it                  5
========  ==========================================================================  =====

More points first; on equal points the lower net cost, then the earlier departure, then the
lower id. So, all else equal, the cheaper trip always ranks higher: cost points never rise with
the net cost, and the net cost breaks ties.

Each recommendation names its reasons, one for each factor that earned points (the cost always;
quality only when the score is 85 or more, or 4 stars or more without a score, since every
base earns some), joined into one line in the active language.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from fractions import Fraction

from django.utils.formats import date_format
from django.utils.translation import gettext as _

from bases.models import Addon, Theme
from recuperation.money import format_yuan

COST_SCALE = 100_000  # fen: ¥1,000 or more earns no cost points
COST_POINTS = 40
QUALITY_PER_SCORE = Fraction(3, 10)  # 100 → 30 points
QUALITY_PER_STAR = 6  # 5 stars → 30 points, while a base has no service score
THEME_POINTS = 15
DATES_POINTS = 10
CARE_POINTS = 5
AGE_POINTS = 5
QUALITY_NAMED_SCORE = 85  # a service score this high is worth a reason of its own
QUALITY_NAMED_STARS = 4

CHECKUP_GROUPS = frozenset({"near_retirement", "hazardous_job"})
SKILLS_GROUPS = frozenset({"model_worker", "skilled", "competition_winner"})
SKILLS_ADDONS = frozenset({Addon.SKILLS_TRAINING, Addon.SKILLS_CONTEST})


@dataclass(frozen=True)
class Candidate:
    """One itinerary as the ranking sees it. Money in fen."""

    id: int
    title: str
    net_cost: int  # what this worker pays after the subsidy (and the unit's share)
    open_dates: tuple[date, ...]  # start dates of the batches this worker may apply for
    service_score: Decimal | None = None  # 0–100; None until the base has enough evidence
    stars: int = 0
    themes: frozenset[str] = frozenset()
    addons: frozenset[str] = frozenset()
    includes_checkup: bool = False
    min_age: int | None = None
    max_age: int | None = None


@dataclass(frozen=True)
class Profile:
    """The worker, as far as fit goes."""

    birth_date: date
    priority_groups: frozenset[str] = frozenset()
    themes: frozenset[str] = frozenset()  # of bases they went to or rated 4★ or more
    free_from: date | None = None  # the dates they are free (either end optional)
    free_until: date | None = None


@dataclass(frozen=True)
class Recommendation:
    candidate: Candidate
    points: Fraction
    factors: dict[str, Fraction]  # points per factor: cost, quality, theme, dates, care, age
    reasons: tuple[str, ...]

    @property
    def reason(self) -> str:
        return _("; ").join(self.reasons)

    @property
    def score(self) -> Decimal:
        """The points, to one decimal (for display and the API)."""
        return (Decimal(self.points.numerator) / Decimal(self.points.denominator)).quantize(
            Decimal("0.1")
        )


def age_on(birth_date: date, day: date) -> int:
    return day.year - birth_date.year - ((day.month, day.day) < (birth_date.month, birth_date.day))


def _cost(candidate: Candidate) -> Fraction:
    spent = min(max(candidate.net_cost, 0), COST_SCALE)
    return Fraction(COST_POINTS * (COST_SCALE - spent), COST_SCALE)


def _quality(candidate: Candidate) -> tuple[Fraction, str | None]:
    if candidate.service_score is not None:
        score = Fraction(candidate.service_score)
        named = candidate.service_score >= QUALITY_NAMED_SCORE
        reason = _("service score %(score)s") % {"score": candidate.service_score}
        return QUALITY_PER_SCORE * score, reason if named else None
    reason = _("%(stars)s-star base") % {"stars": candidate.stars}
    named = candidate.stars >= QUALITY_NAMED_STARS
    return Fraction(QUALITY_PER_STAR * candidate.stars), reason if named else None


def _in_free_dates(day: date, profile: Profile) -> bool:
    return (profile.free_from is None or day >= profile.free_from) and (
        profile.free_until is None or day <= profile.free_until
    )


def _age_group(candidate: Candidate) -> str:
    if candidate.max_age is None:
        return _("%(min)s and over") % {"min": candidate.min_age}
    if candidate.min_age is None:
        return _("up to %(max)s") % {"max": candidate.max_age}
    return _("%(min)s–%(max)s") % {"min": candidate.min_age, "max": candidate.max_age}


def score(candidate: Candidate, profile: Profile) -> Recommendation:
    """The points of one candidate the worker may apply for, factor by factor, and why."""
    factors: dict[str, Fraction] = {}
    reasons: list[str] = []
    factors["cost"] = _cost(candidate)
    reasons.append(_("you pay %(amount)s") % {"amount": format_yuan(candidate.net_cost)})
    factors["quality"], quality_reason = _quality(candidate)
    shared = sorted(candidate.themes & profile.themes)
    if shared:
        factors["theme"] = Fraction(THEME_POINTS)
        labels = _(", ").join(str(Theme(code).label) for code in shared)
        reasons.append(_("%(themes)s, like trips you chose before") % {"themes": labels})
    if profile.free_from or profile.free_until:
        fitting = [d for d in candidate.open_dates if _in_free_dates(d, profile)]
        if fitting:
            factors["dates"] = Fraction(DATES_POINTS)
            reasons.append(
                _("departs %(date)s, when you are free") % {"date": date_format(min(fitting))}
            )
    groups = profile.priority_groups
    if candidate.includes_checkup and groups & CHECKUP_GROUPS:
        factors["care"] = Fraction(CARE_POINTS)
        reasons.append(_("includes a health check-up"))
    elif candidate.addons & SKILLS_ADDONS and groups & SKILLS_GROUPS:
        factors["care"] = Fraction(CARE_POINTS)
        reasons.append(_("with skills training or a skills contest"))
    if (candidate.min_age is not None or candidate.max_age is not None) and candidate.open_dates:
        age = age_on(profile.birth_date, min(candidate.open_dates))
        if (candidate.min_age is None or age >= candidate.min_age) and (
            candidate.max_age is None or age <= candidate.max_age
        ):
            factors["age"] = Fraction(AGE_POINTS)
            reasons.append(_("made for ages %(group)s") % {"group": _age_group(candidate)})
    if quality_reason:
        reasons.insert(1, quality_reason)
    return Recommendation(candidate, sum(factors.values(), Fraction(0)), factors, tuple(reasons))


def rank(candidates: Iterable[Candidate], profile: Profile) -> list[Recommendation]:
    """The candidates the worker may apply for, best first (see the module docstring)."""
    scored = [score(c, profile) for c in candidates if c.open_dates]
    return sorted(
        scored,
        key=lambda r: (
            -r.points,
            r.candidate.net_cost,
            min(r.candidate.open_dates),
            r.candidate.id,
        ),
    )
