"""Workers' pages: the confirm page before applying, "my applications", and one application
(its timeline, cost, withdrawal and review), which also serves organizers and staff in scope.

Objects come only through ``applications.permissions`` getters (404 out of scope, 403 when
the action is not theirs); every write is one service call whose refusal becomes a message.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.models import Worker
from applications import permissions, selectors, services
from applications.forms import ReasonForm, ReviewForm, WithdrawForm
from applications.models import Status
from applications.views.common import back, flash, flash_form, may_move
from bases.models import Review


def _worker(request: HttpRequest) -> Worker:
    """The logged-in worker's member record; anyone else may not use the worker pages."""
    if not permissions.can_apply(request.user):
        raise PermissionDenied
    worker = Worker.objects.select_related("union").filter(user=request.user).first()
    if worker is None:
        raise PermissionDenied
    return worker


@login_required
@require_http_methods(["GET", "POST"])
def apply(request: HttpRequest, batch_id: int) -> HttpResponse:
    """GET: what applying means for this worker (cost, seat or waiting list, any refusal);
    POST: apply."""
    batch = permissions.get_batch_for(request.user, batch_id, action="apply")
    worker = _worker(request)
    eligibility = selectors.Eligibility(worker)
    signup = selectors.signups_for(eligibility, [batch])[batch.pk]
    if request.method == "POST":
        try:
            application = services.application_submit(
                worker=worker, batch=batch.pk, by=request.user
            )
        except ValidationError as error:
            flash(request, error)
            return redirect("applications:apply", batch.pk)
        if application.status == Status.SUBMITTED:
            messages.success(
                request,
                _(
                    "Application submitted: you hold a seat. Your union reviews it next, "
                    "then the federation approves the subsidy."
                ),
            )
        elif signup.outcome == selectors.LOTTERY:
            messages.info(
                request,
                _("You are in the lottery of this batch: seats are drawn after the deadline."),
            )
        else:
            messages.info(
                request,
                _("The batch is full: you are on the waiting list and move up when a seat frees."),
            )
        return redirect("applications:detail", application.pk)
    return render(
        request,
        "applications/apply.html",
        {
            "batch": batch,
            "itinerary": batch.itinerary,
            "base": batch.itinerary.base,
            "worker": worker,
            "signup": signup,
            "quote": eligibility.quote(batch),
        },
    )


@login_required
@require_GET
def mine(request: HttpRequest) -> HttpResponse:
    """我的报名: every application of the worker, and this year's subsidy used and left."""
    worker = _worker(request)
    today = timezone.localdate()
    eligibility = selectors.Eligibility(worker, today=today)
    subsidy = selectors.subsidy_left(eligibility, today.year)
    applications = (
        selectors.applications_visible_to(request.user)
        .filter(worker=worker)
        .order_by("-batch__start_date", "-pk")
    )
    return render(
        request,
        "applications/mine.html",
        {
            "page": Paginator(applications, 20).get_page(request.GET.get("page")),
            "year": today.year,
            "policy": eligibility.policy(today.year),
            "used": subsidy.used,
            "cap": subsidy.cap,
            "left": subsidy.left,
            "today": today,
        },
    )


def _actions(user, application, today) -> dict[str, bool]:
    """The buttons this user sees on the application page: permitted and possible now."""
    return {
        "withdraw": permissions.can_withdraw(user, application)
        and may_move(application, Status.WITHDRAWN, today),
        "endorse": permissions.can_endorse(user, application)
        and may_move(application, Status.ENDORSED, today),
        "approve": permissions.can_approve(user, application)
        and may_move(application, Status.APPROVED, today),
        "reject": permissions.can_reject(user, application)
        and may_move(application, Status.REJECTED, today),
        "attendance": permissions.can_record_attendance(user, application)
        and may_move(application, Status.COMPLETED, today),
        "review": permissions.can_review(user, application),
    }


@login_required
@require_GET
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    application = permissions.get_application(request.user, pk)
    today = timezone.localdate()
    actions = _actions(request.user, application, today)
    review = None
    if actions["review"]:
        review = Review.objects.filter(application_ref=application.cause_id).first()
    return render(
        request,
        "applications/detail.html",
        {
            "application": application,
            "batch": application.batch,
            "itinerary": application.batch.itinerary,
            "changes": application.changes.select_related("by"),
            "actions": actions,
            "own": permissions.is_own(request.user, application),
            "review": review,
            "withdraw_form": WithdrawForm(),
            "reject_form": ReasonForm(),
            "review_form": ReviewForm(),
            "today": today,
        },
    )


@login_required
@require_POST
def withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    application = permissions.get_application(request.user, pk, action="withdraw")
    form = WithdrawForm(request.POST)
    if not form.is_valid():
        flash_form(request, form)
        return back(request, "applications:detail", application.pk)
    try:
        services.application_withdraw(
            application=application, by=request.user, reason=form.cleaned_data["reason"]
        )
    except ValidationError as error:
        flash(request, error)
    else:
        messages.success(request, _("The application was withdrawn."))
    return back(request, "applications:detail", application.pk)


@login_required
@require_POST
def review(request: HttpRequest, pk: int) -> HttpResponse:
    application = permissions.get_application(request.user, pk, action="review")
    form = ReviewForm(request.POST)
    if not form.is_valid():
        flash_form(request, form)
        return redirect("applications:detail", application.pk)
    try:
        services.review_trip(
            application=application,
            by=request.user,
            rating=form.cleaned_data["rating"],
            text=form.cleaned_data["text"],
        )
    except ValidationError as error:
        flash(request, error)
    else:
        messages.success(request, _("Thank you: your review was published."))
    return redirect("applications:detail", application.pk)
