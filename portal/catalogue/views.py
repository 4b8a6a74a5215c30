"""Pages of the priced catalogue: the itinerary catalogue, an itinerary, the comparison.

Thin: a selector of ``portal.catalogue.selectors`` and a template. They keep the addresses the
catalogue always had under ``/bases/`` (``portal.catalogue.urls``).
"""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_POST

from bases.selectors import itineraries_visible_to
from portal import compare
from portal.catalogue import selectors


@require_GET
def catalogue(request: HttpRequest) -> HttpResponse:
    data = selectors.catalogue_page(user=request.user, params=request.GET, session=request.session)
    return render(
        request,
        "portal/catalogue/list.html",
        {
            "data": data,
            "page": data.page,
            "compare_ids": data.compare_ids,
            "compare_max": compare.MAX_ITEMS,
            **selectors.filter_context(),
        },
    )


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
