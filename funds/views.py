"""Fund pages for federation staff (auditors read-only): overview, movements, ledger, policies,
year closing. Every table can be downloaded as .xlsx with ``?export=xlsx``."""

from __future__ import annotations

from decimal import Decimal

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
from accounts.models import Organization
from funds import services
from funds.forms import (
    MONEY_FIELDS,
    PRIORITY_GROUP_CHOICES,
    AllocationForm,
    CloseYearForm,
    GrantForm,
    LedgerFilterForm,
    PolicyForm,
    YearChoiceForm,
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
from funds.selectors import (
    available_balances,
    breakdown,
    first_open_year,
    fiscal_years,
    ledger_entries,
    ledger_transactions,
)
from funds.services import MONEY_ORG_KINDS
from funds.years import in_window
from recuperation.xlsx import DATE, DATETIME, INT, MONEY, RATE, Column, xlsx_response


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
    if not in_window(year):
        raise Http404
    return year


def _tabs(request: HttpRequest) -> dict:
    """What every funds page's tabs need (templates/funds/_nav.html)."""
    return {
        "can_set_policy": can_set_policy(request.user),
        "can_record": can_record_movements(request.user),
    }


@login_required
@require_GET
def overview(request: HttpRequest) -> HttpResponse:
    root = _require_funds_user(request)
    year = _year(request)
    code = request.GET.get("org")
    org = get_funds_org_for_view(request.user, code) if code else root
    today = timezone.localdate()
    b = breakdown(org=org, year=year, today=today)
    if request.GET.get("export") == "xlsx":
        return _overview_xlsx(b)
    return render(
        request,
        "funds/overview.html",
        {
            **_tabs(request),
            "org": org,
            "root": root,
            "year": year,
            "years": fiscal_years(today),
            "b": b,
            "usage": b.total,
            "pace": b.total_pace if b.shows_pace else None,
            "can_move": can_move_funds(request.user, org),
            "breadcrumbs": [a for a in org.ancestors() if a.is_within(root)] if org != root else [],
        },
    )


def _overview_xlsx(b) -> HttpResponse:
    """The overview's table: one row per child, the organization's own accounts and the total,
    so every money column adds up to the total row."""

    def line(name, usage, pace=None) -> list:
        return [
            name,
            usage.received,
            usage.rolled_in,
            usage.reserved,
            usage.spent,
            usage.available,
            usage.rolled_out,
            usage.utilization_rate,
            usage.committed_rate,
            pace.projected_rate if pace and b.shows_pace else None,
            usage.people_served,
            _("yes") if pace and b.shows_pace and pace.is_behind else "",
        ]

    rows = [line(r.org.name, r.usage, r) for r in b.rows]
    if b.own_has_money:
        rows.append(line(_("%(org)s (own accounts)") % {"org": b.org.name}, b.own))
    rows.append(line(_("Total"), b.total, b.total_pace))
    return xlsx_response(
        filename=f"funds-{b.org.code}-{b.year}",
        title=str(b.year),
        headers=[
            Column(_("Organization"), width=24),
            Column(_("Received"), MONEY),
            Column(_("Rolled in"), MONEY),
            Column(_("Reserved"), MONEY),
            Column(_("Spent"), MONEY),
            Column(_("Available"), MONEY),
            Column(_("Rolled out"), MONEY),
            Column(_("Utilization"), RATE),
            Column(_("Committed"), RATE),
            Column(_("Projected"), RATE),
            Column(_("People served"), INT),
            _("Behind pace"),
        ],
        rows=rows,
    )


def _movement(request: HttpRequest, form_class, template: str, do_move) -> HttpResponse:
    """A grant or allocation; the form refuses organizations the user may not move money of.
    Beside it, the money available to the organizations it offers, for the form's year."""
    if not can_record_movements(request.user):
        raise PermissionDenied
    initial = {}
    if request.method == "GET" and request.GET.get("year"):
        initial["year"] = _year(request)  # the balances' year picker
    form = form_class(request.POST or None, user=request.user, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            do_move(form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Recorded in the ledger."))
            return redirect(f"{_overview_url()}?year={form.cleaned_data['year']}")
    year = _form_year(form)
    return render(
        request,
        template,
        {
            **_tabs(request),
            "form": form,
            "year": year,
            "balances": available_balances(orgs=form.offered_orgs(), year=year),
        },
    )


def _form_year(form) -> int:
    """The year the form is about: the one typed in (when it is a sane one), else its initial."""
    try:
        year = int(form.data.get("year") or form.initial.get("year"))
    except (TypeError, ValueError):
        return int(form.initial.get("year") or timezone.localdate().year)
    return year if in_window(year) else int(form.initial["year"])


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


def _ledger_orgs(request: HttpRequest, root: Organization):
    return (
        scoping.visible_orgs(request.user)
        .filter(path__startswith=root.path, kind__in=MONEY_ORG_KINDS)
        .order_by("path")
    )


@login_required
@require_GET
def ledger(request: HttpRequest) -> HttpResponse:
    root = _require_funds_user(request)
    today = timezone.localdate()
    orgs = _ledger_orgs(request, root)
    code = request.GET.get("org")
    if code and not orgs.filter(code=code).exists():
        get_funds_org_for_view(request.user, code)  # out of scope or unknown: 404
    form = LedgerFilterForm(request.GET or None, years=fiscal_years(today), orgs=orgs)
    filters = {}
    if form.is_bound and not form.is_valid():
        txns = ledger_transactions(orgs=orgs).none()
    else:
        data = form.cleaned_data if form.is_bound else {}
        within = orgs.filter(code=data["org"]).first() if data.get("org") else None
        filters = {
            "year": data.get("year") or None,
            "kind": data.get("kind", ""),
            "source": data.get("source", ""),
            "within": within,
        }
        txns = ledger_transactions(orgs=orgs, **filters)
    if request.GET.get("export") == "xlsx":
        return _ledger_xlsx(txns)
    page = Paginator(txns, 30).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    query.pop("export", None)
    return render(
        request,
        "funds/ledger.html",
        {**_tabs(request), "form": form, "page": page, "query": query.urlencode()},
    )


def _ledger_xlsx(txns) -> HttpResponse:
    """One row per entry, streamed: the ledger can be long."""
    system = _("system")
    return xlsx_response(
        filename="ledger",
        title=_("Ledger"),
        headers=[
            Column(_("No."), INT),
            Column(_("Value date"), DATE),
            _("Kind"),
            Column(_("Fiscal year"), INT),
            Column(_("Organization"), width=24),
            _("Fund source"),
            _("Bucket"),
            Column(_("Amount"), MONEY),
            _("Cause"),
            _("Recorded by"),
            Column(_("Recorded at"), DATETIME),
            Column(_("Memo"), width=30),
        ],
        rows=(
            [
                e.transaction_id,
                e.transaction.value_date,
                e.transaction.get_kind_display(),
                e.account.year,
                e.account.org.name,
                e.account.get_source_display(),
                e.account.get_bucket_display(),
                e.amount,
                f"{e.transaction.get_cause_type_display()} {e.transaction.cause_id}",
                e.transaction.actor.get_full_name() if e.transaction.actor else system,
                e.transaction.created_at,
                e.transaction.memo,
            ]
            for e in ledger_entries(txns).iterator(chunk_size=2000)
        ),
    )


@login_required
@require_GET
def policies(request: HttpRequest) -> HttpResponse:
    _require_funds_user(request)
    rows = SubsidyPolicy.objects.all()
    if request.GET.get("export") == "xlsx":
        return _policies_xlsx(rows)
    return render(request, "funds/policies.html", {**_tabs(request), "policies": rows})


PERCENT_FIELDS = ("unit_share_percent", "utilization_target_percent")


def _policies_xlsx(rows) -> HttpResponse:
    """One row per year's policy: money in yuan, the two percentages as rates."""
    fields = PolicyForm.Meta.fields

    def column(field) -> Column:
        if field.name in MONEY_FIELDS:
            return Column(yuan_label(field), MONEY)
        if field.name in PERCENT_FIELDS:
            return Column(str(field.verbose_name), RATE)
        if field.name == "year":
            return Column(str(field.verbose_name), INT)
        return Column(str(field.verbose_name), width=24 if field.name == "title" else None)

    def cell(policy: SubsidyPolicy, name: str):
        value = getattr(policy, name)
        if name in PERCENT_FIELDS:
            return Decimal(value) / 100
        if name == "priority_groups":
            labels = dict(PRIORITY_GROUP_CHOICES)
            return ", ".join(str(labels.get(code, code)) for code in value)
        return value

    return xlsx_response(
        filename="subsidy-policies",
        title=_("Subsidy policies"),
        headers=[column(SubsidyPolicy._meta.get_field(f)) for f in fields],
        rows=([cell(p, f) for f in fields] for p in rows),
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
    return render(
        request, "funds/policy_form.html", {**_tabs(request), "form": form, "policy": policy}
    )


@login_required
@require_http_methods(["GET", "POST"])
def close_year(request: HttpRequest) -> HttpResponse:
    """Preview and close a fiscal year; opens on the first year still open."""
    _require_funds_user(request)
    if not can_set_policy(request.user):
        raise PermissionDenied
    today = timezone.localdate()
    first_open = first_open_year(today)
    years = sorted({*fiscal_years(today), first_open}, reverse=True)
    try:
        year = int(request.POST.get("year") or request.GET.get("year") or first_open)
    except ValueError:
        raise Http404 from None
    if not in_window(year):
        raise Http404
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
            **_tabs(request),
            "form": form,
            "picker": YearChoiceForm(initial={"year": year}, years=years),
            "year": year,
            "years": years,
            "first_open": first_open,
            "preview": preview,
            "total": sum(line.amount for line in preview),
            "fiscal_year": fiscal_year,
            "not_ended": year >= today.year,
        },
    )
