"""Public pages: articles, the subsidy policy explained, and the fund-use disclosure (资金使用公示).

None of them needs a login and none shows personal data: the disclosure is sums per county.
"""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from funds.models import SubsidyPolicy
from funds.years import in_window
from publicity import selectors
from publicity.models import Kind
from publicity.permissions import (
    articles_managed_by,
    can_edit_article,
    can_publish,
    can_withdraw,
    get_article,
    uses_publicity_management,
)
from recuperation.xlsx import INT, MONEY, RATE, Column, xlsx_response

PAGE_SIZE = 12


def _int_param(request: HttpRequest, name: str) -> int | None:
    raw = request.GET.get(name, "").strip()
    if not raw:
        return None
    try:
        value = int(raw)
    except ValueError:
        raise Http404 from None
    if not in_window(value):
        raise Http404
    return value


@require_GET
def article_list(request: HttpRequest) -> HttpResponse:
    kind = request.GET.get("kind", "")
    if kind and kind not in Kind.values:
        raise Http404
    page = Paginator(selectors.published_articles(kind=kind), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "publicity/list.html",
        {"page": page, "kind": kind, "kinds": Kind.choices, "today": timezone.localdate()},
    )


@require_GET
def article_detail(request: HttpRequest, pk: int) -> HttpResponse:
    article = get_article(request.user, pk)
    article = selectors.articles_visible_to(request.user).get(pk=article.pk)
    return render(
        request,
        "publicity/detail.html",
        {
            "article": article,
            "images": list(article.images.all()),
            "itineraries": list(article.itineraries.all()),
            "manages": uses_publicity_management(request.user)
            and articles_managed_by(request.user).filter(pk=article.pk).exists(),
            "can_edit": can_edit_article(request.user, article),
            "can_publish": can_publish(request.user, article),
            "can_withdraw": can_withdraw(request.user, article),
            "today": timezone.localdate(),
        },
    )


@require_GET
def policy(request: HttpRequest) -> HttpResponse:
    """What the subsidy policy in force gives each category of worker, and how to apply."""
    year = _int_param(request, "year")
    today = timezone.localdate()
    if year is None:
        chosen = selectors.policy_in_force(today.year)
    else:
        chosen = SubsidyPolicy.objects.filter(year=year).first()
        if chosen is None:
            raise Http404
    return render(
        request,
        "publicity/policy.html",
        {
            "summary": selectors.policy_summary(chosen) if chosen else None,
            "years": list(SubsidyPolicy.objects.order_by("-year").values_list("year", flat=True)),
            "this_year": today.year,
            "trips": selectors.TYPICAL_TRIPS,
            "kinds": Kind.choices,
        },
    )


@require_GET
def disclosure(request: HttpRequest) -> HttpResponse:
    """资金使用公示: each county's and the city's use of one fiscal year's money."""
    cities = list(selectors.disclosure_cities())
    code = request.GET.get("city", "").strip()
    city = next((c for c in cities if c.code == code), None) if code else None
    if code and city is None:
        raise Http404
    city = city or (cities[0] if cities else None)
    if city is None:
        return render(
            request,
            "publicity/disclosure.html",
            {"report": None, "years": [], "kinds": Kind.choices},
        )
    years = selectors.disclosure_years(city)
    year = _int_param(request, "year") or selectors.default_disclosure_year(years)
    report = selectors.disclosure(city=city, year=year)
    if request.GET.get("export") == "xlsx":
        return xlsx_response(
            filename=f"disclosure-{city.code}-{year}",
            title=f"{_('Fund-use disclosure')} {year}",
            headers=[
                Column(_("County / level"), width=24),
                Column(_("Received"), MONEY),
                Column(_("Rolled in from last year"), MONEY),
                Column(_("Spent"), MONEY),
                Column(_("Reserved"), MONEY),
                Column(_("Available"), MONEY),
                Column(_("Rolled over to next year"), MONEY),
                Column(_("Utilization"), RATE),
                Column(_("People served"), INT),
            ],
            rows=[
                [
                    row.name,
                    row.usage.received,
                    row.usage.rolled_in,
                    row.usage.spent,
                    row.usage.reserved,
                    row.usage.available,
                    row.usage.rolled_out,
                    row.usage.utilization_rate,
                    row.usage.people_served,
                ]
                for row in report.rows
            ],
        )
    return render(
        request,
        "publicity/disclosure.html",
        {
            "report": report,
            "years": years,
            "cities": cities,
            "has_money": year in years,
            "kinds": Kind.choices,
        },
    )
