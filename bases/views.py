"""Pages: the public bases pages, and the management pages of staff and base operators.

Views are thin: a permission function, a selector or a service, a template. Management views
fetch their object with the getter of ``bases.permissions`` for their action (the API uses the
same ones): an object outside the user's scope is a 404; one the user may see but not change is a
403.

The itinerary catalogue and the itinerary page price each trip for the worker looking at it, so
they live in the portal, above bases and funds (``portal.catalogue``), at the same addresses.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.forms import Form
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.models import Organization, OrgKind
from bases import selectors, services
from bases.filters import BaseFilter, labelled_errors
from bases.forms import (
    BaseForm,
    BatchForm,
    InspectionAnswerForm,
    InspectionConcludeForm,
    InspectionRecordForm,
    ItineraryForm,
    PhotoForm,
    QualitySettingsForm,
    StarRatingForm,
    TransitionForm,
)
from bases.models import (
    Addon,
    Base,
    BaseStatus,
    InspectionDraw,
    InspectionStatus,
    Itinerary,
    Product,
    QualitySettings,
    Theme,
)
from bases.permissions import (
    can_apply_for_base,
    can_decide_base,
    can_edit_base,
    can_manage_quality,
    get_base_for_decide,
    get_base_for_edit,
    get_base_for_view,
    get_batch_for_edit,
    get_inspection_for_step,
    get_inspection_for_view,
    get_itinerary_for_edit,
    get_itinerary_for_view,
    get_photo_for_edit,
    inspection_steps,
    is_supervisor,
    uses_management,
)

PAGE_SIZE = 20


def _apply_errors(form: Form, error: ValidationError) -> None:
    """Put a service's ValidationError on the form's fields (or on the form)."""
    if hasattr(error, "error_dict"):
        for field, errors in error.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error.messages)


def _flash(request: HttpRequest, error: ValidationError) -> None:
    for message in error.messages:
        messages.error(request, message)


def _filter_context() -> dict:
    return {
        "themes": Theme.choices,
        "products": Product.choices,
        "addons": Addon.choices,
        "counties": Organization.objects.filter(kind=OrgKind.COUNTY).order_by("path"),
    }


# --- Public pages --------------------------------------------------------------------------------


@require_GET
def base_list(request: HttpRequest) -> HttpResponse:
    filterset = BaseFilter(request.GET, queryset=Base.objects.none())
    valid = filterset.is_valid()
    qs = selectors.bases_for_catalogue(user=request.user, filters=request.GET if valid else None)
    if not valid:
        qs = qs.none()
    qs = qs.annotate(
        itinerary_count=Count("itineraries", filter=Q(itineraries__active=True))
    ).order_by("-stars", "name", "pk")
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "bases/base_list.html",
        {
            "page": page,
            "form": filterset.form,
            "errors": labelled_errors(filterset) if not valid else None,
            **_filter_context(),
        },
    )


@require_GET
def base_detail(request: HttpRequest, pk: int) -> HttpResponse:
    base = get_object_or_404(selectors.bases_visible_to(request.user), pk=pk)
    return render(
        request,
        "bases/base_detail.html",
        {
            "base": base,
            "can_manage": uses_management(request.user)
            and selectors.bases_managed_by(request.user).filter(pk=base.pk).exists(),
            **selectors.base_page_data(base),
        },
    )


@require_GET
def notice(request: HttpRequest) -> HttpResponse:
    """公示: bases in public notice with the day it ends, and recent suspensions and exits."""
    return render(
        request,
        "bases/notice.html",
        {
            "notices": selectors.public_notices(),
            "exits": selectors.recent_exits(),
            "today": timezone.localdate(),
        },
    )


# --- Management: guards ------------------------------------------------------------------------


def management_required(view: Callable) -> Callable:
    """Logged in, and a role that has management pages at all (staff, auditor, operator)."""

    @wraps(view)
    @login_required
    def wrapper(request: HttpRequest, *args, **kwargs):
        if not uses_management(request.user):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapper


def supervisor_required(view: Callable) -> Callable:
    """Logged in as federation staff, auditor or superuser."""

    @wraps(view)
    @login_required
    def wrapper(request: HttpRequest, *args, **kwargs):
        if not is_supervisor(request.user):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapper


def _require(allowed: bool) -> None:
    if not allowed:
        raise PermissionDenied


# --- Management: bases ---------------------------------------------------------------------------


@management_required
@require_GET
def manage(request: HttpRequest) -> HttpResponse:
    status = request.GET.get("status", "")
    q = request.GET.get("q", "").strip()[:50]
    qs = selectors.bases_for_management(user=request.user, status=status, q=q)
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "bases/manage/list.html",
        {
            "page": page,
            "status": status,
            "q": q,
            "statuses": BaseStatus.choices,
            "can_apply": can_apply_for_base(request.user),
            "overdue": selectors.overdue_inspections(request.user).count(),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def base_apply(request: HttpRequest) -> HttpResponse:
    """申报: an operator (or staff for an operator) submits a new base for accreditation."""
    user = request.user
    _require(can_apply_for_base(user))
    staff = not user.is_base_operator
    initial = {}
    if user.is_base_operator and user.org.parent and user.org.parent.kind == OrgKind.COUNTY:
        initial["county"] = user.org.parent_id
    form = BaseForm(request.POST or None, user=user, staff=staff, creating=True, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        data["operator"] = data.get("operator") if staff else user.org
        try:
            base = services.base_apply(by=user, **data)
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            messages.success(request, _("The application was submitted."))
            return redirect("bases:base_manage", pk=base.pk)
    return render(
        request,
        "bases/manage/form.html",
        {"form": form, "title": _("Apply for a new base"), "back": "bases:manage"},
    )


def _render_base_manage(
    request: HttpRequest, base: Base, transition_form: TransitionForm | None = None
) -> HttpResponse:
    user = request.user
    decide = can_decide_base(user, base)
    if decide and transition_form is None and base.allowed_moves():
        transition_form = TransitionForm(base=base)
    itineraries = base.itineraries.annotate(
        batch_count=Count("batches"),
        open_count=Count(
            "batches",
            filter=Q(batches__status="open", batches__end_date__gte=timezone.localdate()),
        ),
    ).order_by("-active", "days", "pk")
    return render(
        request,
        "bases/manage/base.html",
        {
            "base": base,
            "can_edit": can_edit_base(user, base),
            "can_decide": decide,
            "transition_form": transition_form if decide else None,
            "steps": base.steps.select_related("by").order_by("-at", "-pk"),
            "itineraries": itineraries,
            "ratings": base.star_ratings.select_related("rated_by")[:5],
            "inspections": base.inspections.select_related("draw")[:10],
            "photos": base.photos.all(),
            "today": timezone.localdate(),
        },
    )


@login_required
@require_GET
def base_manage(request: HttpRequest, pk: int) -> HttpResponse:
    return _render_base_manage(request, get_base_for_view(request.user, pk))


@login_required
@require_http_methods(["GET", "POST"])
def base_edit(request: HttpRequest, pk: int) -> HttpResponse:
    base = get_base_for_edit(request.user, pk)
    staff = can_decide_base(request.user, base)
    form = BaseForm(
        request.POST or None, instance=base, user=request.user, staff=staff, creating=False
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.base_update(base=base, by=request.user, staff=staff, **form.cleaned_data)
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            messages.success(request, _("The base was saved."))
            return redirect("bases:base_manage", pk=base.pk)
    return render(
        request,
        "bases/manage/form.html",
        {"form": form, "title": _("Edit %(base)s") % {"base": base.name}, "base": base},
    )


@login_required
@require_POST
def base_transition(request: HttpRequest, pk: int) -> HttpResponse:
    base = get_base_for_decide(request.user, pk)
    form = TransitionForm(request.POST, base=base)
    if form.is_valid():
        try:
            services.base_transition(
                base=base,
                by=request.user,
                to=form.cleaned_data["to"],
                reason=form.cleaned_data["reason"],
                notice_ends_on=form.cleaned_data.get("notice_ends_on"),
            )
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            messages.success(request, _("The status was changed."))
            return redirect("bases:base_manage", pk=base.pk)
    return _render_base_manage(request, base, transition_form=form)


@login_required
@require_http_methods(["GET", "POST"])
def base_photos(request: HttpRequest, pk: int) -> HttpResponse:
    if request.method == "POST":
        base = get_base_for_edit(request.user, pk)
    else:
        base = get_base_for_view(request.user, pk)
    editable = can_edit_base(request.user, base)
    form = PhotoForm(request.POST or None, request.FILES or None) if editable else None
    if request.method == "POST" and form.is_valid():  # a POST got an editable base
        try:
            services.base_photo_add(base=base, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            messages.success(request, _("The photo was added."))
            return redirect("bases:base_photos", pk=base.pk)
    return render(
        request,
        "bases/manage/photos.html",
        {"base": base, "form": form, "photos": base.photos.all(), "can_edit": editable},
    )


@login_required
@require_POST
def photo_delete(request: HttpRequest, pk: int) -> HttpResponse:
    photo = get_photo_for_edit(request.user, pk)
    services.base_photo_delete(photo=photo, by=request.user)
    messages.success(request, _("The photo was removed."))
    return redirect("bases:base_photos", pk=photo.base_id)


@login_required
@require_http_methods(["GET", "POST"])
def rating_new(request: HttpRequest, pk: int) -> HttpResponse:
    base = get_base_for_decide(request.user, pk)
    form = StarRatingForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            rating = services.star_rating_record(
                base=base, by=request.user, scores=form.scores(), note=form.cleaned_data["note"]
            )
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            messages.success(
                request,
                _("Rated %(total)s points: %(stars)s stars.")
                % {"total": rating.total, "stars": rating.stars},
            )
            return redirect("bases:base_manage", pk=base.pk)
    return render(
        request,
        "bases/manage/rating_form.html",
        {"base": base, "form": form, "previous": base.star_ratings.first()},
    )


# --- Management: itineraries and batches ----------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def itinerary_new(request: HttpRequest, pk: int) -> HttpResponse:
    base = get_base_for_edit(request.user, pk)
    form = ItineraryForm(request.POST or None, instance=Itinerary(base=base))
    if request.method == "POST" and form.is_valid():
        try:
            itinerary = services.itinerary_create(
                base=base, by=request.user, **form.service_fields()
            )
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            messages.success(request, _("The itinerary was created. Now add its batches."))
            return redirect("bases:batches", pk=itinerary.pk)
    return render(
        request,
        "bases/manage/form.html",
        {"form": form, "title": _("New itinerary at %(base)s") % {"base": base.name}, "base": base},
    )


@login_required
@require_http_methods(["GET", "POST"])
def itinerary_edit(request: HttpRequest, pk: int) -> HttpResponse:
    itinerary = get_itinerary_for_edit(request.user, pk)
    form = ItineraryForm(request.POST or None, instance=itinerary)
    if request.method == "POST" and form.is_valid():
        try:
            services.itinerary_update(itinerary=itinerary, by=request.user, **form.service_fields())
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            messages.success(request, _("The itinerary was saved."))
            return redirect("bases:batches", pk=itinerary.pk)
    return render(
        request,
        "bases/manage/form.html",
        {
            "form": form,
            "title": _("Edit %(itinerary)s") % {"itinerary": itinerary.title},
            "base": itinerary.base,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def batches(request: HttpRequest, pk: int) -> HttpResponse:
    """An itinerary's batches, and a form to add one."""
    if request.method == "POST":
        itinerary = get_itinerary_for_edit(request.user, pk)
    else:
        itinerary = get_itinerary_for_view(request.user, pk)
    editable = can_edit_base(request.user, itinerary.base)
    form = BatchForm(request.POST or None, itinerary=itinerary) if editable else None
    if request.method == "POST" and form.is_valid():  # a POST got an editable itinerary
        try:
            services.batch_create(
                itinerary=itinerary,
                by=request.user,
                **{k: form.cleaned_data[k] for k in services.BATCH_FIELDS},
            )
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            messages.success(request, _("The batch was added."))
            return redirect("bases:batches", pk=itinerary.pk)
    today = timezone.localdate()
    all_batches = list(selectors.batches_of(itinerary))
    return render(
        request,
        "bases/manage/batches.html",
        {
            "itinerary": itinerary,
            "base": itinerary.base,
            "upcoming": [b for b in all_batches if b.end_date >= today],
            "past": [b for b in all_batches if b.end_date < today][::-1],
            "form": form,
            "can_edit": editable,
            "today": today,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def batch_edit(request: HttpRequest, pk: int) -> HttpResponse:
    batch = get_batch_for_edit(request.user, pk)
    itinerary = batch.itinerary
    form = BatchForm(request.POST or None, instance=batch, itinerary=itinerary)
    if request.method == "POST" and form.is_valid():
        try:
            services.batch_update(
                batch=batch,
                by=request.user,
                **{k: form.cleaned_data[k] for k in services.BATCH_FIELDS},
            )
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            messages.success(request, _("The batch was saved."))
            return redirect("bases:batches", pk=itinerary.pk)
    return render(
        request,
        "bases/manage/form.html",
        {
            "form": form,
            "title": _("Batch of %(day)s, %(itinerary)s")
            % {"day": batch.start_date.isoformat(), "itinerary": itinerary.title},
            "base": itinerary.base,
            "batch": batch,
        },
    )


@login_required
@require_POST
def batch_close(request: HttpRequest, pk: int) -> HttpResponse:
    batch = get_batch_for_edit(request.user, pk)
    services.batch_close(batch=batch, by=request.user, reason=request.POST.get("reason", ""))
    messages.success(request, _("The batch is closed for sign-ups."))
    return redirect("bases:batches", pk=batch.itinerary_id)


@login_required
@require_POST
def batch_reopen(request: HttpRequest, pk: int) -> HttpResponse:
    batch = get_batch_for_edit(request.user, pk)
    try:
        services.batch_reopen(batch=batch, by=request.user)
    except ValidationError as error:
        _flash(request, error)
    else:
        messages.success(request, _("The batch takes sign-ups again."))
    return redirect("bases:batches", pk=batch.itinerary_id)


# --- Staff pages: accreditation, ratings, inspections, watch list, settings -------------------------


@supervisor_required
@require_GET
def accreditation(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "bases/manage/accreditation.html",
        {"queue": selectors.accreditation_queue(request.user), "today": timezone.localdate()},
    )


@supervisor_required
@require_GET
def ratings(request: HttpRequest) -> HttpResponse:
    page = Paginator(selectors.latest_ratings(request.user), 50).get_page(request.GET.get("page"))
    return render(request, "bases/manage/ratings.html", {"page": page})


@management_required
@require_GET
def inspections(request: HttpRequest) -> HttpResponse:
    status = request.GET.get("status", "")
    overdue = request.GET.get("overdue") == "1"
    qs = selectors.inspections_for(request.user, status=status, overdue=overdue)
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    draws = []
    if is_supervisor(request.user):
        for draw in InspectionDraw.objects.all()[:12]:
            again = services.draw_sample(draw.seed, draw.candidate_ids, draw.sample_size)
            draws.append({"draw": draw, "reproduces": again == draw.chosen_ids})
    return render(
        request,
        "bases/manage/inspections.html",
        {
            "page": page,
            "status": status,
            "overdue": overdue,
            "statuses": InspectionStatus.choices,
            "draws": draws,
            "can_draw": can_manage_quality(request.user),
            "this_month_drawn": InspectionDraw.objects.filter(
                period=f"{timezone.localdate():%Y-%m}"
            ).exists(),
            "overdue_count": selectors.overdue_inspections(request.user).count(),
            "today": timezone.localdate(),
        },
    )


@login_required
@require_POST
def inspection_new(request: HttpRequest, pk: int) -> HttpResponse:
    base = get_base_for_decide(request.user, pk)
    inspection = services.inspection_create(base=base, by=request.user)
    messages.success(request, _("An inspection was planned."))
    return redirect("bases:inspection_detail", pk=inspection.pk)


@supervisor_required
@require_POST
def inspection_draw(request: HttpRequest) -> HttpResponse:
    _require(can_manage_quality(request.user))
    draw = services.inspections_draw(by=request.user)
    messages.success(
        request,
        _("Draw for %(period)s: seed %(seed)s, %(n)s bases.")
        % {"period": draw.period, "seed": draw.seed, "n": len(draw.chosen_ids)},
    )
    return redirect("bases:inspections")


STEP_FORMS = {
    "record": InspectionRecordForm,
    "answer": InspectionAnswerForm,
    "conclude": InspectionConcludeForm,
}


@login_required
@require_http_methods(["GET", "POST"])
def inspection_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user, step = request.user, None
    if request.method == "POST":
        step = request.POST.get("step")
        inspection = get_inspection_for_step(user, pk, step)
    else:
        inspection = get_inspection_for_view(user, pk)
    base = inspection.base
    step_forms = {name: STEP_FORMS[name] for name in inspection_steps(user, inspection)}
    forms = {
        name: form_class(request.POST if name == step else None, prefix=name)
        for name, form_class in step_forms.items()
    }
    if step and forms[step].is_valid():
        data = forms[step].cleaned_data
        service = {
            "record": services.inspection_record,
            "answer": services.inspection_answer,
            "conclude": services.inspection_conclude,
        }[step]
        try:
            service(inspection=inspection, by=user, **data)
        except ValidationError as error:
            _apply_errors(forms[step], error)
        else:
            messages.success(request, _("The inspection was updated."))
            return redirect("bases:inspection_detail", pk=inspection.pk)
    return render(
        request,
        "bases/manage/inspection.html",
        {"inspection": inspection, "base": base, "forms": forms, "today": timezone.localdate()},
    )


@supervisor_required
@require_GET
def watch_list(request: HttpRequest) -> HttpResponse:
    settings = QualitySettings.load()
    bases = selectors.watch_list(request.user)
    return render(
        request,
        "bases/manage/watch_list.html",
        {
            "bases": bases,
            "settings": settings,
            "can_run": can_manage_quality(request.user),
            "today": timezone.localdate(),
            "deadline_of": {
                b.pk: b.watch_since + settings.watch_period for b in bases if b.watch_since
            },
        },
    )


@supervisor_required
@require_POST
def watch_list_run(request: HttpRequest) -> HttpResponse:
    _require(can_manage_quality(request.user))
    result = services.watch_list_update()
    messages.success(
        request,
        _(
            "Scores refreshed for %(n)s bases; %(watch)s put on the watch list; %(proposed)s "
            "proposed for suspension."
        )
        % {
            "n": result.scored,
            "watch": len(result.put_on_watch),
            "proposed": len(result.suspension_proposed),
        },
    )
    return redirect("bases:watch_list")


@supervisor_required
@require_http_methods(["GET", "POST"])
def quality_settings(request: HttpRequest) -> HttpResponse:
    settings = QualitySettings.load()
    editable = can_manage_quality(request.user)
    form = QualitySettingsForm(request.POST or None, instance=settings)
    if not editable:
        for field in form.fields.values():
            field.disabled = True
    if request.method == "POST":
        _require(editable)
        if form.is_valid():
            fields = {name: form.cleaned_data[name] for name in form.Meta.fields}
            try:
                services.quality_settings_update(by=request.user, **fields)
            except ValidationError as error:
                _apply_errors(form, error)
            else:
                messages.success(request, _("The settings were saved."))
                return redirect("bases:quality_settings")
    return render(
        request,
        "bases/manage/settings.html",
        {"form": form, "settings": settings, "can_edit": editable},
    )
