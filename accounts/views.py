from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from accounts import scoping, services
from accounts.forms import WorkerContactForm
from accounts.models import WorkerCategory


@login_required
@require_http_methods(["GET", "POST"])
def account(request: HttpRequest) -> HttpResponse:
    worker = getattr(request.user, "worker", None)
    form = None
    if worker is not None:
        form = WorkerContactForm(request.POST if request.method == "POST" else None)
        if form.is_valid():
            try:
                services.worker_update_contact(worker=worker, by=request.user, **form.cleaned_data)
            except ValidationError as error:
                for field, errors in error.message_dict.items():
                    form.add_error(field if field in form.fields else None, errors)
            else:
                messages.success(request, _("Your contact details were saved."))
                return redirect("accounts:account")
    return render(request, "accounts/account.html", {"worker": worker, "form": form})


@login_required
@require_GET
def members(request: HttpRequest) -> HttpResponse:
    """Workers in the user's scope, sensitive fields masked."""
    if not scoping.can_list_members(request.user):
        raise PermissionDenied
    qs = scoping.visible_workers(request.user).order_by("union__path", "real_name", "pk")
    q = request.GET.get("q", "").strip()
    category = request.GET.get("category", "")
    if q:
        qs = qs.filter(Q(real_name__contains=q) | Q(union__name__contains=q))
    if category in WorkerCategory.values:
        qs = qs.filter(category=category)
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "accounts/members.html",
        {"page": page, "q": q, "category": category, "categories": WorkerCategory.choices},
    )
