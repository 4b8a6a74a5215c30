"""Organizers' pages: their union's applications (endorse, reject), members with their
eligibility and last trip, group trips (wizard, roster, joint-group invitations, agency,
roster import), the open-seats board, and attendance and settlement after the trip.

The entrusted agency uses the group pages too (roster and settlement, nothing else): the
permission getters decide, by the action each view is about to take.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.models import Worker
from applications import permissions, selectors, services
from applications.forms import (
    AddMemberForm,
    AttendanceForm,
    BatchSearchForm,
    EntrustForm,
    GroupTripForm,
    InviteForm,
    ReasonForm,
    ResizeForm,
    RespondForm,
    RosterUploadForm,
    SettlementForm,
    UnionFilterForm,
)
from applications.models import (
    SEAT_HOLDING,
    Application,
    GroupParticipant,
    ParticipantStatus,
    RosterImport,
    Settlement,
    Status,
)
from applications.views.common import back, flash, flash_form, may_move

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _organizer(request: HttpRequest) -> None:
    if not permissions.is_organizer(request.user):
        raise PermissionDenied


# --- One application: endorse, reject, attendance ------------------------------------------------


@login_required
@require_POST
def endorse(request: HttpRequest, pk: int) -> HttpResponse:
    application = permissions.get_application(request.user, pk, action="endorse")
    try:
        services.application_endorse(application=application, by=request.user)
    except ValidationError as error:
        flash(request, error)
    else:
        messages.success(
            request,
            _("Endorsed: %(name)s goes to the federation for approval.")
            % {"name": application.worker.real_name},
        )
    return back(request, "applications:detail", application.pk)


@login_required
@require_POST
def reject(request: HttpRequest, pk: int) -> HttpResponse:
    application = permissions.get_application(request.user, pk, action="reject")
    form = ReasonForm(request.POST)
    if not form.is_valid():
        flash_form(request, form)
        return back(request, "applications:detail", application.pk)
    try:
        services.application_reject(
            application=application, by=request.user, reason=form.cleaned_data["reason"]
        )
    except ValidationError as error:
        flash(request, error)
    else:
        messages.success(
            request, _("Rejected: %(name)s is told why.") % {"name": application.worker.real_name}
        )
    return back(request, "applications:detail", application.pk)


@login_required
@require_POST
def attendance(request: HttpRequest, pk: int) -> HttpResponse:
    application = permissions.get_application(request.user, pk, action="attendance")
    form = AttendanceForm(request.POST)
    if not form.is_valid():
        flash_form(request, form)
        return back(request, "applications:detail", application.pk)
    _record_attendance(request, application, form.cleaned_data["attended"])
    return back(request, "applications:detail", application.pk)


def _record_attendance(request: HttpRequest, application: Application, attended: bool) -> None:
    try:
        services.application_attendance(application=application, by=request.user, attended=attended)
    except ValidationError as error:
        flash(request, error)
    else:
        messages.success(
            request,
            (_("%(name)s: attended.") if attended else _("%(name)s: did not attend."))
            % {"name": application.worker.real_name},
        )


# --- The union's applications and members ---------------------------------------------------------


@login_required
@require_GET
def union(request: HttpRequest) -> HttpResponse:
    """报名审核: the union's applications, filtered; endorse one or many, reject with a reason."""
    _organizer(request)
    form = UnionFilterForm(request.GET)
    filters = form.cleaned_data if form.is_valid() else {}
    qs = selectors.union_applications(
        request.user, status=filters.get("status") or "", batch_id=filters.get("batch")
    )
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    today = timezone.localdate()
    for application in page:
        application.can_endorse = may_move(application, Status.ENDORSED, today)
    return render(
        request,
        "applications/union.html",
        {
            "page": page,
            "form": form,
            "status": filters.get("status") or "",
            "batch_id": filters.get("batch"),
            "batches": selectors.union_batches(request.user.org_id)[:100],
            "statuses": Status.choices,
            "waiting": selectors.union_applications(request.user, status=Status.SUBMITTED).count(),
        },
    )


@login_required
@require_POST
def union_endorse(request: HttpRequest) -> HttpResponse:
    """Endorse the checked applications: the rest go through when one is refused, and each
    refusal is reported with the member's name (none of them in the union's scope: 404)."""
    _organizer(request)
    ids = request.POST.getlist("ids")[:500]
    if ids:
        permissions.require_some_visible(request.user, ids)
    endorsed, refused = 0, 0
    for raw in ids:
        try:
            application = permissions.get_application(request.user, raw, action="endorse")
        except (Http404, PermissionDenied):
            refused += 1
            messages.error(
                request, _("Application %(id)s is not one of your union's.") % {"id": raw}
            )
            continue
        try:
            services.application_endorse(application=application, by=request.user)
        except ValidationError as error:
            refused += 1
            messages.error(request, f"{application.worker.real_name}: {' '.join(error.messages)}")
        else:
            endorsed += 1
    if endorsed or not refused:
        messages.success(
            request,
            ngettext("%(n)s application endorsed.", "%(n)s applications endorsed.", endorsed)
            % {"n": endorsed},
        )
    return back(request, "applications:union")


@login_required
@require_GET
def members(request: HttpRequest) -> HttpResponse:
    """The union's members with this year's trip, their last trip and whether they may apply."""
    _organizer(request)
    q = request.GET.get("q", "").strip()[:50]
    workers = Worker.objects.filter(union_id=request.user.org_id).order_by("real_name", "pk")
    if q:
        workers = workers.filter(Q(real_name__contains=q) | Q(id_number=q.upper()))
    page = Paginator(workers, 30).get_page(request.GET.get("page"))
    return render(
        request,
        "applications/members.html",
        {"page": page, "rows": selectors.member_rows(list(page)), "q": q},
    )


# --- Group trips ----------------------------------------------------------------------------------


@login_required
@require_GET
def groups(request: HttpRequest) -> HttpResponse:
    if not permissions.can_list_group_trips(request.user):
        raise PermissionDenied
    qs = selectors.group_trips_visible_to(request.user).order_by("-batch__start_date", "-pk")
    organizer = permissions.is_organizer(request.user)
    return render(
        request,
        "applications/groups.html",
        {
            "page": Paginator(qs, 20).get_page(request.GET.get("page")),
            "invitations": selectors.invitations_for(request.user.org_id) if organizer else [],
            "can_create": permissions.can_create_group_trip(request.user),
            "today": timezone.localdate(),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def group_new(request: HttpRequest) -> HttpResponse:
    """The wizard: 1. find a batch still signing up; 2. the block, title, joint, agency."""
    if not permissions.can_create_group_trip(request.user):
        raise PermissionDenied
    batch_id = request.POST.get("batch") or request.GET.get("batch")
    if not batch_id:
        search = BatchSearchForm(request.GET)
        filters = search.cleaned_data if search.is_valid() else {}
        batches = selectors.batches_for_group_trips(
            q=(filters.get("q") or "").strip(),
            county=filters["county"].code if filters.get("county") else "",
            start_after=filters.get("start_after"),
        )
        return render(
            request,
            "applications/group_new.html",
            {
                "step": 1,
                "search": search,
                "page": Paginator(batches, 20).get_page(request.GET.get("page")),
            },
        )
    batch = permissions.get_batch_for(request.user, batch_id, action="group")
    form = GroupTripForm(
        request.POST if request.method == "POST" else None,
        seats_left=batch.seats_left,
        initial={"seats": min(max(batch.seats_left, 1), 10)},
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            group = services.group_trip_create(
                batch=batch,
                organizer=request.user.org,
                seats=data["seats"],
                by=request.user,
                title=data["title"],
                joint=data["joint"],
                agency=data["agency"],
                note=data["note"],
            )
        except ValidationError as error:
            form.add_error(None, error.messages)
        else:
            messages.success(
                request,
                _("Group trip created: %(seats)s seats are held for it. Now add the members.")
                % {"seats": group.seats},
            )
            return redirect("applications:group_detail", group.pk)
    return render(
        request,
        "applications/group_new.html",
        {"step": 2, "batch": batch, "itinerary": batch.itinerary, "form": form},
    )


def _roster_rows(request: HttpRequest, group, today) -> list[Application]:
    user = request.user
    rows = list(selectors.roster_of(group).select_related("batch__itinerary__base"))
    for row in rows:
        row.group_trip = group
        row.can_remove = permissions.can_withdraw(user, row) and may_move(
            row, Status.WITHDRAWN, today
        )
        row.can_endorse = permissions.can_endorse(user, row) and may_move(
            row, Status.ENDORSED, today
        )
    return rows


@login_required
@require_GET
def group_detail(request: HttpRequest, pk: int) -> HttpResponse:
    group = permissions.get_group_trip(request.user, pk)
    user = request.user
    today = timezone.localdate()
    lead = permissions.is_lead(user, group)
    takes_part = permissions.takes_part(user, group)
    started = group.batch.start_date <= today
    live = group.is_active and not started
    context = {
        "group": group,
        "batch": group.batch,
        "itinerary": group.batch.itinerary,
        "participants": selectors.participants_of(group),
        "roster": _roster_rows(request, group, today),
        "lead": lead,
        "takes_part": takes_part,
        "invited": permissions.is_invited(user, group),
        "runs": permissions.runs_trip(user, group),
        "started": started,
        "live": live,
        "today": today,
    }
    if takes_part and live:
        member_q = request.GET.get("member_q", "").strip()[:50]
        context["member_q"] = member_q
        context["addable"] = selectors.addable_members(group, user.org_id, q=member_q)[:10]
        context["submitted_own"] = sum(
            1 for r in context["roster"] if r.union_id == user.org_id and r.can_endorse
        )
    if lead and live:
        union_q = request.GET.get("union_q", "").strip()[:50]
        context["union_q"] = union_q
        context["invitable"] = selectors.invitable_unions(group, q=union_q)[:10] if union_q else []
        context["resize_form"] = ResizeForm(initial={"seats": group.seats})
        context["entrust_form"] = EntrustForm(initial={"agency": group.agency})
        context["cancel_form"] = ReasonForm()
    return render(request, "applications/group_detail.html", context)


def _to_group(group) -> HttpResponse:
    return redirect("applications:group_detail", group.pk)


@login_required
@require_POST
def group_add_member(request: HttpRequest, pk: int) -> HttpResponse:
    group = permissions.get_group_trip(request.user, pk, action="roster")
    # Only the organizer's own members not on the roster yet: another union's worker is no
    # choice at all.
    form = AddMemberForm(
        request.POST, workers=selectors.addable_members(group, request.user.org_id)
    )
    if not form.is_valid():
        messages.error(request, _("Choose a member of your union who is not on the roster."))
        return _to_group(group)
    worker = form.cleaned_data["worker"]
    try:
        services.roster_add(
            group_trip=group, worker=worker, union=request.user.org, by=request.user
        )
    except ValidationError as error:
        flash(request, error)
    else:
        messages.success(request, _("%(name)s is on the roster.") % {"name": worker.real_name})
    return _to_group(group)


@login_required
@require_POST
def group_remove_member(request: HttpRequest, pk: int, application_id: int) -> HttpResponse:
    """Taking a member off the roster withdraws their application (their union decides)."""
    group = permissions.get_group_trip(request.user, pk)
    application = permissions.get_application(request.user, application_id, action="withdraw")
    if application.group_trip_id != group.pk:
        raise Http404
    try:
        services.application_withdraw(
            application=application,
            by=request.user,
            reason=request.POST.get("reason", "").strip()[:500]
            or _("Taken off the group's roster."),
        )
    except ValidationError as error:
        flash(request, error)
    else:
        messages.success(
            request,
            _("%(name)s was taken off the roster.") % {"name": application.worker.real_name},
        )
    return _to_group(group)


@login_required
@require_POST
def group_endorse(request: HttpRequest, pk: int) -> HttpResponse:
    """Endorse every submitted member of the organizer's own union on this roster."""
    group = permissions.get_group_trip(request.user, pk, action="roster")
    try:
        done = services.group_endorse(group_trip=group, union=request.user.org, by=request.user)
    except ValidationError as error:
        flash(request, error)
    else:
        messages.success(
            request,
            ngettext("%(n)s member endorsed.", "%(n)s members endorsed.", len(done))
            % {"n": len(done)},
        )
    return _to_group(group)


@login_required
@require_POST
def group_resize(request: HttpRequest, pk: int) -> HttpResponse:
    group = permissions.get_group_trip(request.user, pk, action="manage")
    form = ResizeForm(request.POST)
    if not form.is_valid():
        flash_form(request, form)
        return _to_group(group)
    try:
        group = services.group_trip_resize(
            group_trip=group, seats=form.cleaned_data["seats"], by=request.user
        )
    except ValidationError as error:
        flash(request, error)
    else:
        messages.success(request, _("The block now has %(n)s seats.") % {"n": group.seats})
    return _to_group(group)


@login_required
@require_POST
def group_invite(request: HttpRequest, pk: int) -> HttpResponse:
    group = permissions.get_group_trip(request.user, pk, action="manage")
    form = InviteForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose a grassroots union from the search results."))
        return _to_group(group)
    union = form.cleaned_data["union"]
    try:
        services.group_invite(group_trip=group, union=union, by=request.user)
    except ValidationError as error:
        flash(request, error)
    else:
        messages.success(
            request,
            _("%(union)s is invited: its organizer sees the invitation.") % {"union": union.name},
        )
    return _to_group(group)


@login_required
@require_POST
def group_respond(request: HttpRequest, pk: int) -> HttpResponse:
    group = permissions.get_group_trip(request.user, pk, action="respond")
    form = RespondForm(request.POST)
    if not form.is_valid():
        flash_form(request, form)
        return _to_group(group)
    participant = GroupParticipant.objects.filter(
        group_trip=group, union_id=request.user.org_id, status=ParticipantStatus.INVITED
    ).first()
    if participant is None:  # answered meanwhile
        raise Http404
    accept = form.cleaned_data["accept"]
    try:
        services.group_respond(participant=participant, accept=accept, by=request.user)
    except ValidationError as error:
        flash(request, error)
    else:
        messages.success(
            request,
            _("Your union joined the group: add your members to the roster.")
            if accept
            else _("You declined the invitation."),
        )
    if not accept:
        return redirect("applications:groups")
    return _to_group(group)


@login_required
@require_POST
def group_entrust(request: HttpRequest, pk: int) -> HttpResponse:
    group = permissions.get_group_trip(request.user, pk, action="manage")
    form = EntrustForm(request.POST)
    if not form.is_valid():
        flash_form(request, form)
        return _to_group(group)
    agency = form.cleaned_data["agency"]
    try:
        services.group_trip_entrust(group_trip=group, agency=agency, by=request.user)
    except ValidationError as error:
        flash(request, error)
    else:
        messages.success(
            request,
            _("Entrusted to %(agency)s: it sees this trip's roster and settlement.")
            % {"agency": agency.name}
            if agency
            else _("The trip is no longer entrusted to an agency."),
        )
    return _to_group(group)


@login_required
@require_POST
def group_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    group = permissions.get_group_trip(request.user, pk, action="manage")
    form = ReasonForm(request.POST)
    if not form.is_valid():
        flash_form(request, form)
        return _to_group(group)
    try:
        services.group_trip_cancel(
            group_trip=group, by=request.user, reason=form.cleaned_data["reason"]
        )
    except ValidationError as error:
        flash(request, error)
    else:
        messages.success(
            request, _("The group trip was cancelled and its seats given back to the batch.")
        )
    return _to_group(group)


# --- Roster import ----------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def group_import(request: HttpRequest, pk: int) -> HttpResponse:
    group = permissions.get_group_trip(request.user, pk, action="roster")
    form = RosterUploadForm(
        request.POST if request.method == "POST" else None,
        request.FILES if request.method == "POST" else None,
    )
    if request.method == "POST" and form.is_valid():
        try:
            job = services.roster_import_start(
                group_trip=group,
                union=request.user.org,
                upload=form.cleaned_data["file"],
                by=request.user,
            )
        except ValidationError as error:
            form.add_error("file", error.messages)
        else:
            return redirect("applications:group_import_detail", group.pk, job.pk)
    return render(
        request,
        "applications/group_import.html",
        {
            "group": group,
            "form": form,
            "imports": group.imports.filter(union_id=request.user.org_id)[:10],
        },
    )


@login_required
@require_GET
def group_import_template(request: HttpRequest, pk: int) -> HttpResponse:
    permissions.get_group_trip(request.user, pk, action="roster")
    return HttpResponse(
        services.roster_template(),
        content_type=XLSX,
        headers={
            "Content-Disposition": content_disposition_header(True, _("roster-template") + ".xlsx")
        },
    )


def _import_state(job: RosterImport) -> dict:
    return {
        "state": job.state,
        "label": str(job.get_state_display()),
        "done_rows": job.done_rows,
        "total_rows": job.total_rows,
        "percent": job.progress_percent,
        "added": job.added,
        "errors": len(job.errors),
        "finished": job.state in (RosterImport.State.DONE, RosterImport.State.FAILED),
    }


@login_required
@require_GET
def group_import_detail(request: HttpRequest, pk: int, import_id: int) -> HttpResponse:
    """Progress while the file is checked, then the result or the row-by-row report."""
    job = permissions.get_group_roster_import(request.user, pk, import_id)
    return render(
        request,
        "applications/group_import_detail.html",
        {
            "group": job.group_trip,
            "job": job,
            "state": _import_state(job),
            "errors": sorted(job.errors, key=lambda e: (e.get("row", 0), e.get("message", ""))),
            "status_url": reverse("applications:group_import_status", args=[pk, job.pk]),
        },
    )


@never_cache
@login_required
@require_GET
def group_import_status(request: HttpRequest, pk: int, import_id: int) -> JsonResponse:
    job = permissions.get_group_roster_import(request.user, pk, import_id)
    return JsonResponse(_import_state(job))


# --- After the trip: attendance and settlement ---------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def group_settlement(request: HttpRequest, pk: int) -> HttpResponse:
    group = permissions.get_group_trip(request.user, pk, action="run")
    today = timezone.localdate()
    roster = list(
        selectors.roster_of(group)
        .filter(status__in=SEAT_HOLDING | {Status.NO_SHOW})
        .select_related("settlement", "batch")
    )
    for row in roster:
        row.group_trip = group
        row.can_attend = may_move(row, Status.COMPLETED, today)
    claimable = (
        selectors.roster_of(group)
        .filter(status=Status.COMPLETED)
        .filter(Q(settlement__isnull=True) | Q(settlement__state=Settlement.State.RETURNED))
    )
    form = SettlementForm(
        request.POST if request.method == "POST" else None,
        request.FILES if request.method == "POST" else None,
        claimable=claimable,
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            settlement = services.settlement_submit(
                applications=list(data["applications"]),
                union=group.organizer,
                invoice=data["invoice"],
                invoice_amount=data["invoice_amount"],
                by=request.user,
                group_trip=group,
                note=data["note"],
            )
        except ValidationError as error:
            form.add_error(None, error.messages)
        else:
            messages.success(
                request,
                ngettext(
                    "Settlement submitted for %(n)s participant: the federation pays the "
                    "subsidy after checking the invoice.",
                    "Settlement submitted for %(n)s participants: the federation pays the "
                    "subsidy after checking the invoice.",
                    settlement.applications.count(),
                )
                % {"n": settlement.applications.count()},
            )
            return redirect("applications:group_settlement", group.pk)
    return render(
        request,
        "applications/group_settlement.html",
        {
            "group": group,
            "batch": group.batch,
            "roster": roster,
            "started": group.batch.start_date <= today,
            "form": form,
            "has_claimable": claimable.exists(),
            "settlements": group.settlements.select_related("submitted_by").prefetch_related(
                "applications__worker"
            ),
        },
    )


@login_required
@require_POST
def group_attendance(request: HttpRequest, pk: int) -> HttpResponse:
    group = permissions.get_group_trip(request.user, pk, action="run")
    application = permissions.get_application(
        request.user, request.POST.get("application"), action="attendance"
    )
    if application.group_trip_id != group.pk:
        raise Http404
    form = AttendanceForm(request.POST)
    if form.is_valid():
        _record_attendance(request, application, form.cleaned_data["attended"])
    else:
        flash_form(request, form)
    return redirect("applications:group_settlement", group.pk)


# --- The open-seats board -------------------------------------------------------------------------


@require_GET
def board(request: HttpRequest) -> HttpResponse:
    """拼团广场: joint groups with free seats; organizers of small unions join one."""
    page = Paginator(selectors.open_seat_board(), 20).get_page(request.GET.get("page"))
    organizer = permissions.is_organizer(request.user)
    taking_part = (
        selectors.board_group_ids_of(request.user.org_id, [g.pk for g in page])
        if organizer
        else set()
    )
    for group in page:
        group.can_join = (
            organizer and group.organizer_id != request.user.org_id and group.pk not in taking_part
        )
        group.taking_part = group.pk in taking_part or (
            organizer and group.organizer_id == request.user.org_id
        )
    return render(request, "applications/board.html", {"page": page, "organizer": organizer})


@login_required
@require_POST
def board_join(request: HttpRequest, pk: int) -> HttpResponse:
    group = permissions.get_board_group_trip(request.user, pk)
    try:
        services.group_join(group_trip=group, union=request.user.org, by=request.user)
    except ValidationError as error:
        flash(request, error)
        return redirect("applications:board")
    messages.success(
        request,
        _("Your union joined %(title)s: add your members to the roster.") % {"title": group.title},
    )
    return _to_group(group)
