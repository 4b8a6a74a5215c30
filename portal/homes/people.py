"""Homes of the people who take and run trips: workers, organizers, operators and agencies.

Each answers "what should I do now" on the first screen after login, from the selectors of the
apps below (mostly ``applications.selectors``), in a fixed number of queries whatever the
number of trips, members, batches or inspections (tests/portal/test_homes.py pins it).
"""

from __future__ import annotations

from datetime import timedelta

from django.db.models import F, OuterRef, Subquery
from django.http import HttpRequest
from django.utils import timezone

import applications.selectors as app_selectors
import bases.selectors as bases_selectors
from accounts.models import Worker
from applications.models import Application, Settlement, Status
from bases.models import InspectionStatus, Review
from portal import compare
from portal.catalogue.recommendations import recommendations_for
from portal.homes import public

SHOWN = 5  # rows of each list on a home; each links to the full page
RECOMMENDED_ON_HOME = 4
REVIEW_WITHIN_DAYS = 180  # attended trips a worker is asked to review
RECENT_DAYS = 30  # departed trips that stay on an agency's home (attendance, settlement)


def worker(request: HttpRequest) -> tuple[str, dict]:
    """This year's subsidy left, my trips and their status, trips to review, recommended."""
    eligibility = app_selectors.eligibility_of(request.user)
    if eligibility is None:  # a worker account without a member record
        return public.signed_in(request)
    today = timezone.localdate()
    me = eligibility.worker
    attended = list(
        Application.objects.filter(
            worker=me,
            status__in=[Status.COMPLETED, Status.SETTLED],
            batch__end_date__gte=today - timedelta(days=REVIEW_WITHIN_DAYS),
        )
        .select_related("batch__itinerary__base")
        .order_by("-batch__end_date", "pk")
    )
    reviewed = set(
        Review.objects.filter(application_ref__in=[a.cause_id for a in attended]).values_list(
            "application_ref", flat=True
        )
    )
    return "portal/home/worker.html", {
        "show_work": True,
        "me": me,
        "subsidy": app_selectors.subsidy_left(eligibility, today.year),
        "trips": list(app_selectors.upcoming_trips(me, today=today)[:SHOWN]),
        "to_review": [a for a in attended if a.cause_id not in reviewed][:SHOWN],
        "recommended": recommendations_for(request.user, limit=RECOMMENDED_ON_HOME),
        "compare_ids": compare.picks(request.session),
        "compare_max": compare.MAX_ITEMS,
        "today": today,
    }


def organizer(request: HttpRequest) -> tuple[str, dict]:
    """Applications to endorse, my group trips, members who may still go this year, joint-group
    invitations and open seats on the board."""
    user = request.user
    today = timezone.localdate()
    union_id = user.org_id
    waiting = app_selectors.union_applications(user, status=Status.SUBMITTED)
    groups = (
        app_selectors.group_trips_visible_to(user)
        .filter(cancelled_at__isnull=True, batch__end_date__gte=today)
        .order_by("batch__start_date", "pk")
    )
    members = list(Worker.objects.filter(union_id=union_id).order_by("real_name", "pk"))
    rows = app_selectors.member_rows(members, today=today)
    free = [r for r in rows if r.may_apply and r.this_year is None]
    invitations = list(app_selectors.invitations_for(union_id))
    board = list(app_selectors.open_seat_board(today=today)[: SHOWN * 4])
    taking_part = app_selectors.board_group_ids_of(union_id, [g.pk for g in board])
    open_groups = [g for g in board if g.pk not in taking_part]
    return "portal/home/organizer.html", {
        "show_work": True,
        "union": user.org,
        "waiting": list(waiting[:SHOWN]),
        "waiting_count": waiting.count(),
        "groups": list(groups[:SHOWN]),
        "members_count": len(rows),
        "free_members": free[: SHOWN * 2],
        "free_count": len(free),
        "gone_count": sum(1 for r in rows if r.this_year is not None),
        "invitations": invitations[:SHOWN],
        "invitations_count": len(invitations),
        "board": open_groups[:SHOWN],
        "today": today,
    }


def operator(request: HttpRequest) -> tuple[str, dict]:
    """Upcoming batches with their rosters, and inspections waiting for the operator's answer."""
    user = request.user
    today = timezone.localdate()
    batches = app_selectors.roster_batches(user, since=today).filter(start_date__gte=today)
    to_answer = bases_selectors.inspections_for(user, status=InspectionStatus.RECTIFYING).order_by(
        F("rectification_deadline").asc(nulls_last=True), "pk"
    )
    return "portal/home/operator.html", {
        "show_work": True,
        "batches": list(batches[: SHOWN * 2]),
        "batches_count": batches.count(),
        "to_answer": list(to_answer[:SHOWN]),
        "to_answer_count": to_answer.count(),
        "bases": list(bases_selectors.bases_managed_by(user).order_by("name", "pk")[:SHOWN]),
        "today": today,
    }


def agency(request: HttpRequest) -> tuple[str, dict]:
    """The group trips entrusted to the agency: coming up, and those just back (to settle)."""
    user = request.user
    today = timezone.localdate()
    entrusted = app_selectors.group_trips_visible_to(user).filter(cancelled_at__isnull=True)
    upcoming = entrusted.filter(batch__start_date__gt=today).order_by("batch__start_date", "pk")
    last_settlement = Settlement.objects.filter(group_trip=OuterRef("pk")).order_by(
        "-submitted_at", "-pk"
    )
    recent = (
        entrusted.filter(
            batch__start_date__lte=today, batch__end_date__gte=today - timedelta(days=RECENT_DAYS)
        )
        .annotate(settlement_state=Subquery(last_settlement.values("state")[:1]))
        .order_by("-batch__start_date", "pk")
    )
    return "portal/home/agency.html", {
        "show_work": True,
        "upcoming": list(upcoming[: SHOWN * 2]),
        "upcoming_count": upcoming.count(),
        "recent": list(recent[:SHOWN]),
        "today": today,
    }
