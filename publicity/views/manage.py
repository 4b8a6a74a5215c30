"""Staff pages: the list of every article of one's scope (drafts too), writing, changing,
publishing and withdrawing. Each fetches its article through ``get_article`` for its action."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from publicity import selectors, services
from publicity.forms import ArticleForm, ManageFilterForm
from publicity.models import Status
from publicity.permissions import (
    articles_managed_by,
    can_edit_article,
    can_write_articles,
    get_article,
    uses_publicity_management,
)

PAGE_SIZE = 20


def management_required(view: Callable) -> Callable:
    """Logged in as federation staff, an auditor or a superuser."""

    @wraps(view)
    @login_required
    def wrapper(request: HttpRequest, *args, **kwargs):
        if not uses_publicity_management(request.user):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapper


def _apply_errors(form, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for field, errors in error.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error.messages)


@management_required
@require_http_methods(["GET"])
def manage(request: HttpRequest) -> HttpResponse:
    filters = ManageFilterForm(request.GET or None)
    kind = status = ""
    if filters.is_valid():
        kind, status = filters.cleaned_data["kind"], filters.cleaned_data["status"]
    qs = selectors.articles_for_management(user=request.user, kind=kind, status=status)
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    counts = articles_managed_by(request.user).aggregate(
        **{s: Count("pk", filter=Q(status=s)) for s in Status.values}
    )
    rows = [(article, can_edit_article(request.user, article)) for article in page.object_list]
    return render(
        request,
        "publicity/manage/list.html",
        {
            "page": page,
            "rows": rows,
            "filters": filters,
            "counts": counts,
            "can_write": can_write_articles(request.user),
        },
    )


@management_required
@require_http_methods(["GET", "POST"])
def article_new(request: HttpRequest) -> HttpResponse:
    if not can_write_articles(request.user):
        raise PermissionDenied
    form = ArticleForm(
        request.POST or None,
        request.FILES or None,
        user=request.user,
        initial={"org": request.user.org_id} if request.user.org_id else None,
    )
    if request.method == "POST" and form.is_valid():
        try:
            article = services.article_create(by=request.user, **form.service_kwargs())
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            messages.success(request, _("The draft was saved. Publish it when it is ready."))
            return redirect("publicity:detail", pk=article.pk)
    return render(request, "publicity/manage/form.html", {"form": form, "article": None})


@management_required
@require_http_methods(["GET", "POST"])
def article_edit(request: HttpRequest, pk: int) -> HttpResponse:
    article = get_article(request.user, pk, action="edit")
    form = ArticleForm(
        request.POST or None, request.FILES or None, user=request.user, instance=article
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.article_update(article=article, by=request.user, **form.service_kwargs())
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            messages.success(request, _("The article was saved."))
            return redirect("publicity:detail", pk=article.pk)
    return render(
        request,
        "publicity/manage/form.html",
        {"form": form, "article": article, "images": list(article.images.all())},
    )


def _move(request: HttpRequest, pk: int, *, action: str, service, done: str) -> HttpResponse:
    article = get_article(request.user, pk, action=action)
    try:
        service(article=article, by=request.user)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(request, done)
    return redirect("publicity:detail", pk=article.pk)


@management_required
@require_POST
def article_publish(request: HttpRequest, pk: int) -> HttpResponse:
    return _move(
        request,
        pk,
        action="publish",
        service=services.article_publish,
        done=_("The article is published: everyone can read it now."),
    )


@management_required
@require_POST
def article_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    return _move(
        request,
        pk,
        action="withdraw",
        service=services.article_withdraw,
        done=_("The article was withdrawn: it is no longer public."),
    )
