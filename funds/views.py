"""Fund pages for federation staff (auditors read-only): overview, movements, ledger, policies,
year closing. Every table can be downloaded as .xlsx with ``?export=xlsx``."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from accounts import scoping
from accounts.models import Organization, OrgKind
from funds import services
from funds.forms import (
    MONEY_FIELDS,
    AllocationForm,
    CloseYearForm,
    GrantForm,
    LedgerFilterForm,
    PolicyForm,
    yuan_label,
)
from funds.models import FiscalYear, SubsidyPolicy
from funds.permissions import (
    can_move_funds,
    can_record_movements,
    can_set_policy,
    funds_root,
    get_funds_org_for_view,
    get_policy_for_edit,
)
from funds.selectors import early_warnings, fiscal_years, ledger_transactions, utilization
from recuperation.money import fen_to_yuan
from recuperation.xlsx import xlsx_response


def _require_funds_user(request: HttpRequest) -> Organization:
    root = funds_root(request.user)
    if root is None:
        raise PermissionDenied
    return root


def _year(request: HttpRequest) -> int:
    try:
        year = int(request.GET.get("year") or timezone.localdate().year)
    except ValueError:
        raise Http404 from None
    if not 2000 <= year <= 2100:
        raise Http404
    return year


@login_required
@require_GET
def overview(request: HttpRequest) -> HttpResponse:
    root = _require_funds_user(request)
    year = _year(request)
    code = request.GET.get("org")
    org = get_funds_org_for_view(request.user, code) if code else root
    usage = utilization(org=org, year=year)
    children = Organization.objects.filter(
        parent=org, kind__in=[OrgKind.CITY, OrgKind.COUNTY, OrgKind.GRASSROOTS]
    ).order_by("path")
    today = timezone.localdate()
    rows = early_warnings(orgs=children, year=year, today=today)
    own = next(iter(early_warnings(orgs=[org], year=year, today=today)), None)
    if request.GET.get("export") == "xlsx":
        return xlsx_response(
            filename=f"funds-{org.code}-{year}",
            title=str(year),
            headers=[
                _("Organization"),
                _("Received"),
                _("Rolled in"),
                _("Reserved"),
                _("Spent"),
                _("Available"),
                _("Rolled out"),
                _("Utilization"),
                _("Committed"),
                _("Projected"),
                _("People served"),
                _("Behind pace"),
            ],
            rows=[
                [
                    r.org.name,
                    fen_to_yuan(r.usage.received),
                    fen_to_yuan(r.usage.rolled_in),
                    fen_to_yuan(r.usage.reserved),
                    fen_to_yuan(r.usage.spent),
                    fen_to_yuan(r.usage.available),
                    fen_to_yuan(r.usage.rolled_out),
                    float(r.usage.utilization_rate),
                    float(r.usage.committed_rate),
                    float(r.projected_rate),
                    r.usage.people_served,
                    _("yes") if r.is_behind else "",
                ]
                for r in rows
            ],
        )
    fiscal_year = FiscalYear.objects.filter(year=year).first()
    return render(
        request,
        "funds/overview.html",
        {
            "org": org,
            "root": root,
            "year": year,
            "years": fiscal_years(today),
            "usage": usage,
            "rows": rows,
            "own": own,
            "behind": [r for r in rows if r.is_behind],
            "closed": fiscal_year is not None and fiscal_year.is_closed,
            "can_move": can_move_funds(request.user, org),
            "can_set_policy": can_set_policy(request.user),
            "breadcrumbs": [a for a in org.ancestors() if a.is_within(root)] if org != root else [],
        },
    )


def _movement(request: HttpRequest, form_class, template: str, do_move) -> HttpResponse:
    """A grant or allocation; the form refuses organizations the user may not move money of."""
    if not can_record_movements(request.user):
        raise PermissionDenied
    form = form_class(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            do_move(form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Recorded in the ledger."))
            return redirect(f"{_overview_url()}?year={form.cleaned_data['year']}")
    return render(request, template, {"form": form})


def _overview_url() -> str:
    return reverse("funds:overview")


@login_required
@require_http_methods(["GET", "POST"])
def grant(request: HttpRequest) -> HttpResponse:
    def do_move(data):
        services.grant(
            org=data["org"],
            year=data["year"],
            source=data["source"],
            amount=data["amount"],
            by=request.user,
            key=f"web:{data['key']}",
            memo=data["memo"],
        )

    return _movement(request, GrantForm, "funds/grant.html", do_move)


@login_required
@require_http_methods(["GET", "POST"])
def allocate(request: HttpRequest) -> HttpResponse:
    def do_move(data):
        services.allocate(
            from_org=data["from_org"],
            to_org=data["to_org"],
            year=data["year"],
            source=data["source"],
            amount=data["amount"],
            by=request.user,
            key=f"web:{data['key']}",
            memo=data["memo"],
        )

    return _movement(request, AllocationForm, "funds/allocate.html", do_move)


@login_required
@require_GET
def ledger(request: HttpRequest) -> HttpResponse:
    root = _require_funds_user(request)
    form = LedgerFilterForm(request.GET or None)
    orgs = scoping.visible_orgs(request.user)
    txns = ledger_transactions(orgs=orgs.filter(path__startswith=root.path))
    if form.is_valid():
        data = form.cleaned_data
        if data["year"]:
            txns = txns.filter(year=data["year"])
        if data["kind"]:
            txns = txns.filter(kind=data["kind"])
        if data["source"]:
            txns = txns.filter(entries__account__source=data["source"])
        if data["org"]:
            org = get_funds_org_for_view(request.user, data["org"])
            txns = txns.filter(entries__account__org__path__startswith=org.path)
    if request.GET.get("export") == "xlsx":
        return xlsx_response(
            filename="ledger",
            title=_("Ledger"),
            headers=[
                _("No."),
                _("Value date"),
                _("Kind"),
                _("Fiscal year"),
                _("Organization"),
                _("Fund source"),
                _("Bucket"),
                _("Amount"),
                _("Cause"),
                _("Actor"),
                _("Memo"),
            ],
            rows=[
                [
                    t.pk,
                    t.value_date,
                    t.get_kind_display(),
                    e.account.year,
                    e.account.org.name,
                    e.account.get_source_display(),
                    e.account.get_bucket_display(),
                    fen_to_yuan(e.amount),
                    f"{t.get_cause_type_display()} {t.cause_id}",
                    t.actor.get_full_name() if t.actor else "",
                    t.memo,
                ]
                for t in txns[:20000]
                for e in t.entries.all()
            ],
        )
    page = Paginator(txns, 30).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request, "funds/ledger.html", {"form": form, "page": page, "query": query.urlencode()}
    )


@login_required
@require_GET
def policies(request: HttpRequest) -> HttpResponse:
    _require_funds_user(request)
    rows = SubsidyPolicy.objects.all()
    if request.GET.get("export") == "xlsx":
        fields = PolicyForm.Meta.fields

        def cell(policy: SubsidyPolicy, name: str):
            value = getattr(policy, name)
            if name in MONEY_FIELDS:
                return fen_to_yuan(value)  # the sheet shows yuan, like the pages
            return ", ".join(value) if isinstance(value, list) else value

        return xlsx_response(
            filename="subsidy-policies",
            title=_("Subsidy policies"),
            headers=[
                yuan_label(field) if field.name in MONEY_FIELDS else str(field.verbose_name)
                for field in map(SubsidyPolicy._meta.get_field, fields)
            ],
            rows=[[cell(p, f) for f in fields] for p in rows],
        )
    return render(
        request,
        "funds/policies.html",
        {"policies": rows, "can_set_policy": can_set_policy(request.user)},
    )


@login_required
@require_http_methods(["GET", "POST"])
def policy_edit(request: HttpRequest, year: int | None = None) -> HttpResponse:
    policy = get_policy_for_edit(request.user, year)
    form = PolicyForm(request.POST or None, instance=policy)
    if request.method == "POST" and form.is_valid():
        services.save_policy(policy=form.save(commit=False), by=request.user)
        messages.success(request, _("The subsidy policy was saved."))
        return redirect("funds:policies")
    return render(request, "funds/policy_form.html", {"form": form, "policy": policy})


@login_required
@require_http_methods(["GET", "POST"])
def close_year(request: HttpRequest) -> HttpResponse:
    _require_funds_user(request)
    if not can_set_policy(request.user):
        raise PermissionDenied
    default_year = timezone.localdate().year - 1
    try:
        year = int(request.POST.get("year") or request.GET.get("year") or default_year)
    except ValueError:
        raise Http404 from None
    form = CloseYearForm(request.POST or None, initial={"year": year})
    if request.method == "POST" and form.is_valid():
        try:
            moved = services.rollover(year=form.cleaned_data["year"], by=request.user)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request,
                _("Fiscal year %(year)s is closed; %(n)s accounts were carried forward.")
                % {"year": form.cleaned_data["year"], "n": len(moved)},
            )
            return redirect(f"{_overview_url()}?year={form.cleaned_data['year'] + 1}")
    preview = services.rollover_preview(year=year)
    fiscal_year = FiscalYear.objects.filter(year=year).first()
    return render(
        request,
        "funds/close_year.html",
        {
            "form": form,
            "year": year,
            "preview": preview,
            "total": sum(line.amount for line in preview),
            "fiscal_year": fiscal_year,
            "not_ended": year >= timezone.localdate().year,
        },
    )
