"""Pages of federation staff (approval queue, settlements, lotteries), auditors (the same, read
only), base operators (rosters and attendance) and travel agencies (entrusted group trips).

Thin views: a permission function or getter, a selector or a service, a template. Every object
comes through ``applications.permissions`` (out of scope → 404, seen but not allowed → 403).
"""

from __future__ import annotations

from collections import defaultdict
from datetime import timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, F, Sum
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_POST

from accounts.models import Organization
from applications import permissions, selectors, services
from applications.forms_staff import (
    AttendanceForm,
    BulkApproveForm,
    LotteryDrawForm,
    QueueFilterForm,
    ReasonForm,
)
from applications.models import Application, Lottery, Settlement, Status
from applications.services.reminders import WAITING_DAYS
from applications.views.shared import flash_refusal, redirect_back, require
from funds.selectors import utilizations
from recuperation.money import format_yuan
from recuperation.xlsx import DATE, INT, MONEY, Column, xlsx_response

QUEUE_PAGE = 50
LIST_PAGE = 30
ROSTER_GRACE_DAYS = 30  # departed batches stay on the rosters list this long (attendance)
BULK_NAMES = 20  # approved names listed in the message after a bulk approval


def _label(app: Application) -> str:
    """``张三（森林康养五日 6月1日）``: how a refusal names the application."""
    batch = app.batch
    return _("%(name)s (%(trip)s %(date)s)") % {
        "name": app.worker.real_name,
        "trip": batch.itinerary.title,
        "date": date_format(batch.start_date, "Y-m-d"),
    }


# --- Approval queue --------------------------------------------------------------------------


def _queue_filters(request: HttpRequest) -> tuple[QueueFilterForm, object]:
    base = selectors.funded_applications(request.user)
    recent = timezone.localdate() - timedelta(days=365)
    form = QueueFilterForm(
        request.GET, user=request.user, queryset=base.filter(batch__start_date__gte=recent)
    )
    form.is_valid()
    return form, form.apply(base).order_by("updated_at", "pk")


def _money_panel(queue) -> list[dict]:
    """Per paying federation and year: what waits in the (filtered) queue, and what is
    available to reserve (``funds.selectors.utilizations``, three queries per year)."""
    waiting = (
        queue.filter(status=Status.ENDORSED)
        .order_by()
        .values("funding_org", "year")
        .annotate(n=Count("pk"), subsidy=Sum("subsidy_fen", default=0))
    )
    by_year: dict[int, dict[int, dict]] = defaultdict(dict)
    for row in waiting:
        by_year[row["year"]][row["funding_org"]] = row
    orgs = Organization.objects.in_bulk({org for rows in by_year.values() for org in rows})
    panel = []
    for year, rows in sorted(by_year.items()):
        usage = utilizations(orgs=[orgs[pk] for pk in rows], year=year)
        for org_pk, row in rows.items():
            available = usage[org_pk].available if org_pk in usage else 0
            panel.append(
                {
                    "org": orgs[org_pk],
                    "year": year,
                    "count": row["n"],
                    "subsidy": row["subsidy"],
                    "available": available,
                    "short": row["subsidy"] > available,
                }
            )
    panel.sort(key=lambda r: (r["year"], r["org"].path))
    return panel


def _queue_xlsx(queue) -> HttpResponse:
    """The (filtered) queue, streamed in chunks: money in yuan, dates as dates."""
    now = timezone.now()
    rows = (
        [
            app.pk,
            app.worker.real_name,
            app.union.name,
            app.batch.itinerary.title,
            app.batch.itinerary.base.name,
            app.batch.start_date,
            app.group_trip.title if app.group_trip_id else "",
            app.get_status_display(),
            app.price_fen,
            app.subsidy_fen,
            app.net_cost_fen,
            app.funding_org.name,
            app.updated_at,
            (now - app.updated_at).days,
        ]
        for app in queue.iterator(chunk_size=500)
    )
    return xlsx_response(
        filename="approval-queue",
        title=_("Approval queue"),
        headers=[
            Column(_("Application"), INT),
            _("Worker"),
            _("Union"),
            Column(_("Itinerary"), width=24),
            Column(_("Base"), width=20),
            Column(_("Departure"), DATE),
            _("Group trip"),
            _("Status"),
            Column(_("Union price"), MONEY),
            Column(_("Subsidy"), MONEY),
            Column(_("Net cost"), MONEY),
            _("Funded by"),
            Column(_("Since"), DATE),
            Column(_("Days waiting"), INT),
        ],
        rows=rows,
    )


@login_required
@require_GET
def queue(request: HttpRequest) -> HttpResponse:
    """Applications waiting for the user's federation, with filters, bulk approval and export."""
    user = request.user
    require(permissions.can_view_queue(user))
    form, items = _queue_filters(request)
    if request.GET.get("export") == "xlsx":
        return _queue_xlsx(items)
    page = Paginator(items, QUEUE_PAGE).get_page(request.GET.get("page"))
    overdue_before = timezone.now() - timedelta(days=WAITING_DAYS)
    now = timezone.now()
    for app in page:
        app.days_waiting = (now - app.updated_at).days
        app.overdue = app.status == Status.ENDORSED and app.updated_at < overdue_before
        app.may_approve = app.status == Status.ENDORSED and permissions.can_approve(user, app)
        app.may_reject = app.status in (
            Status.ENDORSED,
            Status.SUBMITTED,
            Status.WAITLISTED,
            Status.APPROVED,
        ) and permissions.can_reject(user, app)
    money = _money_panel(items)
    query = request.GET.copy()
    query.pop("page", None)
    query.pop("export", None)
    return render(
        request,
        "applications/staff/queue.html",
        {
            "form": form,
            "page": page,
            "query": query.urlencode(),
            "money": money,
            "money_short": sum(1 for m in money if m["short"]),
            "can_decide": permissions.can_decide_in_queue(user),
            "waiting_days": WAITING_DAYS,
            "reject_form": ReasonForm(),
        },
    )


@login_required
@require_POST
def queue_bulk_approve(request: HttpRequest) -> HttpResponse:
    """Approve every ticked application that may be approved; report each refusal by name
    (none of them in the user's scope: 404, as for one)."""
    user = request.user
    require(permissions.can_decide_in_queue(user))
    form = BulkApproveForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return redirect_back(request, "applications:queue")
    permissions.require_some_visible(user, form.cleaned_data["ids"])
    approved, refused = [], []
    for pk in form.cleaned_data["ids"]:
        try:
            app = permissions.get_application(user, pk, action="approve")
        except (Http404, PermissionDenied):
            refused.append(
                _("Application %(id)s: it is not in your queue.") % {"id": pk},
            )
            continue
        try:  # each approval is its own transaction: one refusal leaves the others standing
            services.application_approve(application=app, by=user)
        except ValidationError as error:
            refused.append(f"{_label(app)}: {' '.join(error.messages)}")
        else:
            approved.append(app.worker.real_name)
    if approved:
        names = "、".join(approved[:BULK_NAMES]) + ("…" if len(approved) > BULK_NAMES else "")
        messages.success(
            request,
            ngettext(
                "Approved %(count)s application: %(names)s.",
                "Approved %(count)s applications: %(names)s.",
                len(approved),
            )
            % {"count": len(approved), "names": names},
        )
    if refused:
        messages.warning(
            request,
            ngettext(
                "%(count)s application was not approved:",
                "%(count)s applications were not approved:",
                len(refused),
            )
            % {"count": len(refused)},
        )
        for line in refused:
            messages.error(request, line)
    return redirect_back(request, "applications:queue")


@login_required
@require_POST
def queue_approve(request: HttpRequest, pk: int) -> HttpResponse:
    app = permissions.get_application(request.user, pk, action="approve")
    try:
        services.application_approve(application=app, by=request.user)
    except ValidationError as error:
        flash_refusal(request, error, prefix=f"{_label(app)}: ")
    else:
        messages.success(
            request,
            _("Approved: %(label)s, subsidy %(subsidy)s reserved.")
            % {"label": _label(app), "subsidy": format_yuan(app.subsidy_fen)},
        )
    return redirect_back(request, "applications:queue")


@login_required
@require_POST
def queue_reject(request: HttpRequest, pk: int) -> HttpResponse:
    app = permissions.get_application(request.user, pk, action="reject")
    form = ReasonForm(request.POST)
    if not form.is_valid():
        messages.error(request, f"{_label(app)}: {_('Please give a reason.')}")
        return redirect_back(request, "applications:queue")
    try:
        services.application_reject(
            application=app, by=request.user, reason=form.cleaned_data["reason"]
        )
    except ValidationError as error:
        flash_refusal(request, error, prefix=f"{_label(app)}: ")
    else:
        messages.success(request, _("Rejected: %(label)s.") % {"label": _label(app)})
    return redirect_back(request, "applications:queue")


# --- Settlements -----------------------------------------------------------------------------

SETTLEMENT_STATES = {"", "all", *Settlement.State.values}


@login_required
@require_GET
def settlements(request: HttpRequest) -> HttpResponse:
    require(permissions.can_view_queue(request.user))
    state = request.GET.get("state", "")
    if state not in SETTLEMENT_STATES:
        state = ""
    qs = selectors.with_settlement_totals(permissions.settlements_visible_to(request.user))
    if state != "all":
        qs = qs.filter(state=state or Settlement.State.SUBMITTED)
    page = Paginator(qs.order_by("submitted_at", "pk"), LIST_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "applications/staff/settlements.html",
        {
            "page": page,
            "state": state,
            "states": [
                ("", _("Waiting for payment")),
                (Settlement.State.PAID, Settlement.State.PAID.label),
                (Settlement.State.RETURNED, Settlement.State.RETURNED.label),
                ("all", _("All")),
            ],
        },
    )


@login_required
@require_GET
def settlement_detail(request: HttpRequest, pk: int) -> HttpResponse:
    settlement = permissions.get_settlement(request.user, pk)
    preview = selectors.settlement_preview(settlement)
    open_ = settlement.state == Settlement.State.SUBMITTED
    return render(
        request,
        "applications/staff/settlement_detail.html",
        {
            "settlement": settlement,
            "preview": preview,
            "can_decide": open_ and permissions.can_pay_settlement(request.user, settlement),
            "return_form": ReasonForm(),
            "funders": sorted({app.funding_org.name for app, _paid in preview.rows}),
        },
    )


@login_required
@require_POST
def settlement_pay(request: HttpRequest, pk: int) -> HttpResponse:
    settlement = permissions.get_settlement(request.user, pk, action="decide")
    try:
        settlement = services.settlement_pay(settlement=settlement, by=request.user)
    except ValidationError as error:
        flash_refusal(request, error)
    else:
        messages.success(
            request,
            _("Paid %(amount)s to %(count)s participants.")
            % {
                "amount": format_yuan(settlement.paid_fen),
                "count": settlement.applications.count(),
            },
        )
    return redirect("applications:settlement_detail", pk=settlement.pk)


@login_required
@require_POST
def settlement_return(request: HttpRequest, pk: int) -> HttpResponse:
    settlement = permissions.get_settlement(request.user, pk, action="decide")
    form = ReasonForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Please give a reason."))
        return redirect("applications:settlement_detail", pk=settlement.pk)
    try:
        services.settlement_return(
            settlement=settlement, by=request.user, reason=form.cleaned_data["reason"]
        )
    except ValidationError as error:
        flash_refusal(request, error)
    else:
        messages.success(request, _("The settlement was returned for correction."))
    return redirect("applications:settlement_detail", pk=settlement.pk)


# --- Lottery (staff over the base's county) ------------------------------------------------------


@login_required
@require_GET
def lottery_manage(request: HttpRequest, pk: int) -> HttpResponse:
    batch = permissions.get_batch_for(request.user, pk, action="lottery")
    lottery = Lottery.objects.filter(batch=batch).first()
    today = timezone.localdate()
    return render(
        request,
        "applications/staff/lottery_manage.html",
        {
            "batch": batch,
            "lottery": lottery,
            "pool": selectors.waiting_count(batch),
            "free": max(batch.capacity - batch.seats_held, 0),
            "may_announce": lottery is None
            and batch.status == "open"
            and today <= batch.signup_deadline,
            "may_draw": lottery is not None
            and not lottery.is_drawn
            and batch.signup_deadline < today < batch.start_date,
            "draw_form": LotteryDrawForm(),
        },
    )


@login_required
@require_POST
def lottery_announce(request: HttpRequest, pk: int) -> HttpResponse:
    batch = permissions.get_batch_for(request.user, pk, action="lottery")
    try:
        services.lottery_announce(batch=batch, by=request.user)
    except ValidationError as error:
        flash_refusal(request, error)
    else:
        messages.success(
            request,
            _("The lottery is announced: sign-ups now join the pool, drawn after %(date)s.")
            % {"date": date_format(batch.signup_deadline, "Y-m-d")},
        )
    return redirect("applications:lottery_manage", pk=batch.pk)


@login_required
@require_POST
def lottery_draw(request: HttpRequest, pk: int) -> HttpResponse:
    batch = permissions.get_batch_for(request.user, pk, action="lottery")
    lottery = Lottery.objects.filter(batch=batch).first()
    if lottery is None:
        messages.error(request, _("Announce the lottery first."))
        return redirect("applications:lottery_manage", pk=batch.pk)
    form = LotteryDrawForm(request.POST)
    if not form.is_valid():
        for error in form.errors.get("seed", []):
            messages.error(request, error)
        return redirect("applications:lottery_manage", pk=batch.pk)
    try:
        lottery = services.lottery_draw(
            lottery=lottery, by=request.user, seed=form.cleaned_data["seed"]
        )
    except ValidationError as error:
        flash_refusal(request, error)
        return redirect("applications:lottery_manage", pk=batch.pk)
    messages.success(
        request,
        _("Drawn with seed %(seed)s: %(seats)s seats among %(count)s candidates.")
        % {"seed": lottery.seed, "seats": lottery.seats, "count": len(lottery.candidates)},
    )
    return redirect("applications:lottery", pk=lottery.pk)


# --- Rosters (operators; staff and auditors in scope) --------------------------------------------


@login_required
@require_GET
def rosters(request: HttpRequest) -> HttpResponse:
    user = request.user
    require(permissions.can_view_rosters(user))
    today = timezone.localdate()
    batches = selectors.roster_batches(user, since=today - timedelta(days=ROSTER_GRACE_DAYS))
    page = Paginator(batches, LIST_PAGE).get_page(request.GET.get("page"))
    for batch in page:
        batch.departed = batch.start_date <= today
        batch.may_run_lottery = not batch.departed and permissions.can_run_lottery(user, batch)
    return render(request, "applications/staff/rosters.html", {"page": page, "today": today})


def _roster_xlsx(batch, rows) -> HttpResponse:
    return xlsx_response(
        filename=f"roster-{batch.pk}",
        title=date_format(batch.start_date, "Y-m-d"),
        headers=[
            _("Name"),
            _("Union"),
            _("Mobile phone"),
            _("ID card number"),
            _("Group trip"),
            _("Status"),
        ],
        rows=(
            [
                app.worker.real_name,
                app.union.name,
                app.worker.masked_phone,
                app.worker.masked_id_number,
                app.group_trip.title if app.group_trip_id else "",
                app.get_status_display(),
            ]
            for app in rows
        ),
    )


@login_required
@require_GET
def roster(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    batch = permissions.get_batch_for(user, pk, action="roster")
    rows = selectors.batch_roster(batch)
    if request.GET.get("export") == "xlsx":
        return _roster_xlsx(batch, rows)
    today = timezone.localdate()
    departed = batch.start_date <= today
    rows = list(rows)
    for app in rows:
        app.may_record = (
            departed
            and app.status == Status.APPROVED
            and permissions.can_record_attendance(user, app)
        )
    return render(
        request,
        "applications/staff/roster.html",
        {
            "batch": batch,
            "rows": rows,
            "departed": departed,
            "waiting": selectors.waiting_count(batch),
            "attendance_form": AttendanceForm(),
            "can_run_lottery": not departed and permissions.can_run_lottery(user, batch),
        },
    )


@login_required
@require_POST
def roster_attendance(request: HttpRequest, pk: int) -> HttpResponse:
    """Attended or absent, for one participant of a departed batch."""
    app = permissions.get_application(request.user, pk, action="attendance")
    form = AttendanceForm(request.POST)
    back = reverse("applications:roster", args=[app.batch_id])
    if not form.is_valid():
        messages.error(request, _("Choose attended or did not attend."))
        return redirect(back)
    attended = form.cleaned_data["attended"]
    try:
        services.application_attendance(application=app, by=request.user, attended=attended)
    except ValidationError as error:
        flash_refusal(request, error, prefix=f"{_label(app)}: ")
    else:
        messages.success(
            request,
            (_("%(name)s attended.") if attended else _("%(name)s did not attend."))
            % {"name": app.worker.real_name},
        )
    return redirect(back)


# --- Travel agencies -------------------------------------------------------------------------


@login_required
@require_GET
def entrusted(request: HttpRequest) -> HttpResponse:
    """The group trips entrusted to the user's agency (their rosters and settlements)."""
    require(permissions.can_view_entrusted(request.user))
    groups = selectors.group_trips_visible_to(request.user).order_by(
        F("cancelled_at").asc(nulls_first=True), "batch__start_date", "pk"
    )
    page = Paginator(groups, LIST_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "applications/staff/entrusted.html",
        {"page": page, "today": timezone.localdate()},
    )
