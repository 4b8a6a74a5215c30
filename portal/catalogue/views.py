"""Pages of the priced catalogue: the itinerary catalogue, an itinerary, the comparison.

Thin: a selector of ``portal.catalogue.selectors`` and a template. They keep the addresses the
catalogue always had under ``/bases/`` (``portal.catalogue.urls``).
"""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import get_token
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_POST

from bases import cache as page_cache
from bases.filters import ItineraryFilter
from bases.selectors import itineraries_visible_to
from portal import compare
from portal.catalogue import selectors

# What an anonymous catalogue page keeps in place of its CSRF token in the cache (a cached page
# must never carry one visitor's token to another): each answer puts its own in.
CSRF_PLACEHOLDER = "csrf-token-placeholder-0b1f6c2d"


def _cache_key(request: HttpRequest, picks: list[int]) -> str | None:
    """The key of an anonymous catalogue page, or None when it is not kept: a logged-in user's
    page is their own (prices, sign-ups), and a parameter the page does not know would let
    anyone fill the cache. Next departures and seats left show, so seats count too."""
    if request.user.is_authenticated:
        return None
    known = selectors.PAGE_PARAMS | set(ItineraryFilter.base_filters)
    if any(name not in known for name in request.GET):
        return None
    return page_cache.page_key(
        "CataloguePage:" + ",".join(map(str, picks)),
        request,
        depends_on=(page_cache.CATALOGUE, page_cache.SEATS),
    )


@require_GET
def catalogue(request: HttpRequest) -> HttpResponse:
    """The catalogue: its content is rendered apart from the page around it (menu, messages),
    so that an anonymous visitor's is served from the cache (``bases.cache``)."""
    picks = compare.picks(request.session)
    key = _cache_key(request, picks)
    content = page_cache.get(key) if key else None
    if content is None:
        data = selectors.catalogue_page(user=request.user, params=request.GET, picks=picks)
        content = render_to_string(
            "portal/catalogue/_content.html",
            {
                "request": request,
                "csrf_token": CSRF_PLACEHOLDER if key else get_token(request),
                "full_path": request.get_full_path(),
                "data": data,
                "page": data.page,
                "compare_ids": data.compare_ids,
                "compare_max": compare.MAX_ITEMS,
                **selectors.filter_context(),
            },
        )
        if key:
            page_cache.put(key, content)
    if key:
        content = content.replace(CSRF_PLACEHOLDER, get_token(request))
    # Our own template's output, escaped when it was rendered (the cache holds it as a str).
    content = mark_safe(content)  # noqa: S308
    return render(request, "portal/catalogue/list.html", {"content": content})


@require_GET
def itinerary_detail(request: HttpRequest, pk: int) -> HttpResponse:
    data = selectors.itinerary_page(user=request.user, pk=pk)
    return render(
        request,
        "portal/catalogue/detail.html",
        {
            "data": data,
            "itinerary": data.itinerary,
            "base": data.itinerary.base,
            "upcoming": data.upcoming,
            "past": data.past,
            "today": data.today,
            "signup_summary": data.signup_summary,
            "compare_ids": compare.picks(request.session),
            "compare_max": compare.MAX_ITEMS,
        },
    )


@require_GET
def compare_page(request: HttpRequest) -> HttpResponse:
    """The picks side by side; ``?ids=1,2`` shows those instead (a comparison shared as a link)."""
    shared = "ids" in request.GET
    if shared:
        ids = compare.parse_ids(request.GET["ids"])
        if ids is None:
            messages.error(request, _("The link to this comparison is not valid."))
            ids = []
        elif len(ids) > compare.MAX_ITEMS:
            messages.warning(
                request,
                _("At most %(n)s itineraries can be compared: the first %(n)s are shown.")
                % {"n": compare.MAX_ITEMS},
            )
    else:
        ids = compare.picks(request.session)
    data = selectors.comparison(user=request.user, ids=ids)
    if data.missing:
        messages.info(
            request,
            ngettext(
                "%(n)s itinerary you picked is no longer in the catalogue.",
                "%(n)s itineraries you picked are no longer in the catalogue.",
                data.missing,
            )
            % {"n": data.missing},
        )
    return render(
        request,
        "portal/catalogue/compare.html",
        {
            "data": data,
            "shared": shared,
            "compare_ids": compare.picks(request.session),
            "compare_max": compare.MAX_ITEMS,
        },
    )


def _next(request: HttpRequest, default: str) -> str:
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return default


@require_POST
def compare_toggle(request: HttpRequest) -> HttpResponse:
    """Add an itinerary to the comparison or take it out (``itinerary``; ``clear`` empties it)."""
    back = _next(request, "trips:compare")
    if request.POST.get("clear"):
        compare.clear(request.session)
        messages.success(request, _("The comparison is empty."))
        return redirect(back)
    raw = request.POST.get("itinerary", "")
    ids = compare.parse_ids(raw)
    itinerary = None
    if ids and len(ids) == 1:
        itinerary = itineraries_visible_to(request.user).filter(pk=ids[0]).first()
    if itinerary is None:
        messages.error(request, _("Choose an itinerary of the catalogue to compare."))
        return redirect(back)
    outcome = compare.toggle(request.session, itinerary.pk)
    if outcome == compare.FULL:
        messages.error(
            request,
            _(
                "You can compare at most %(n)s itineraries: take one out of the comparison "
                "before adding “%(title)s”."
            )
            % {"n": compare.MAX_ITEMS, "title": itinerary.title},
        )
    elif outcome == compare.ADDED:
        messages.success(
            request,
            _("“%(title)s” is in the comparison (%(count)s of %(n)s).")
            % {
                "title": itinerary.title,
                "count": len(compare.picks(request.session)),
                "n": compare.MAX_ITEMS,
            },
        )
    else:
        messages.success(
            request, _("“%(title)s” is out of the comparison.") % {"title": itinerary.title}
        )
    return redirect(back)
