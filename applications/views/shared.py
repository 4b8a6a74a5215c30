"""Pages every audience shares: the public batch and lottery pages, the invoice download and the
notifications list; plus the small helpers the audience modules use.

Objects come only through ``applications.permissions`` getters (out of scope → 404, visible but
not allowed → 403); writes go through services; refusals become messages (POST-redirect-GET).
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from accounts.models import Notification
from accounts.notify import mark_read
from applications import lottery as rule
from applications import permissions, selectors
from applications.models import Lottery

# --- Helpers of the page modules -------------------------------------------------------------


def require(allowed: bool) -> None:
    if not allowed:
        raise PermissionDenied


def flash_refusal(request: HttpRequest, error: ValidationError, prefix: str = "") -> None:
    """A service's refusal, one message per reason."""
    for message in error.messages:
        messages.error(request, f"{prefix}{message}")


def redirect_back(request: HttpRequest, default: str) -> HttpResponseRedirect:
    """Back to the page the form was on (``next``, a path of this site), else ``default``."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target.startswith("/") and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return HttpResponseRedirect(target)
    return redirect(default)


def int_or_none(value) -> int | None:
    try:
        number = int(value)
    except (TypeError, ValueError):
        return None
    return number if 0 < number < 2**63 else None


# --- Public: a batch's seats and its lottery ---------------------------------------------------


def _visible_batch(request: HttpRequest, pk: int):
    from bases.selectors import batches_visible_to

    batch = (
        batches_visible_to(request.user)
        .select_related("itinerary__base__county")
        .filter(pk=int_or_none(pk) or 0)
        .first()
    )
    if batch is None:
        raise Http404
    return batch


@require_GET
def batch_page(request: HttpRequest, pk: int) -> HttpResponse:
    """A batch's sign-up state for everyone: seats, the waiting list, and its lottery if any."""
    batch = _visible_batch(request, pk)
    lottery = Lottery.objects.filter(batch=batch).first()
    user = request.user
    return render(
        request,
        "applications/shared/batch.html",
        {
            "batch": batch,
            "itinerary": batch.itinerary,
            "base": batch.itinerary.base,
            "waiting": selectors.waiting_count(batch),
            "lottery": lottery,
            "can_run_lottery": permissions.can_run_lottery(user, batch),
            "can_view_roster": permissions.can_view_batch_roster(user, batch),
        },
    )


@require_GET
def lottery_page(request: HttpRequest, pk: int) -> HttpResponse:
    """A lottery's published record: seed, inputs (application ids and priority ranks, no
    names), the drawn order and the winners, with the rule and how to check it."""
    lottery = Lottery.objects.filter(pk=int_or_none(pk) or 0).first()
    if lottery is None:
        raise Http404
    batch = _visible_batch(request, lottery.batch_id)
    rows = []
    if lottery.is_drawn:
        ranks = dict(lottery.candidates)
        rows = [
            {
                "position": position + 1,
                "id": pk,
                "rank": ranks.get(pk),
                "key": rule.draw_key(lottery.seed, pk),
                "won": position < (lottery.seats or 0),
            }
            for position, pk in enumerate(lottery.result)
        ]
    winners = lottery.result[: lottery.seats or 0] if lottery.is_drawn else []
    return render(
        request,
        "applications/shared/lottery.html",
        {
            "lottery": lottery,
            "batch": batch,
            "itinerary": batch.itinerary,
            "rows": rows,
            "winners": winners,
            "pool": selectors.waiting_count(batch) if not lottery.is_drawn else None,
            "published": {
                "seed": str(lottery.seed) if lottery.seed is not None else None,
                "seats": lottery.seats,
                "candidates": lottery.candidates,
                "result": lottery.result,
            },
            "can_run_lottery": permissions.can_run_lottery(request.user, batch),
        },
    )


# --- The invoice of a settlement ---------------------------------------------------------------

INVOICE_TYPES = (
    (b"%PDF-", "application/pdf", "pdf"),
    (b"\x89PNG\r\n\x1a\n", "image/png", "png"),
    (b"\xff\xd8\xff", "image/jpeg", "jpg"),
)


def invoice_type(head: bytes) -> tuple[str, str]:
    """Content type and extension from the file's first bytes (the upload was checked by
    content too, so the name a client gave it never decides)."""
    for magic, content_type, extension in INVOICE_TYPES:
        if head.startswith(magic):
            return content_type, extension
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp", "webp"
    return "application/octet-stream", "bin"


@login_required
@require_GET
def invoice(request: HttpRequest, pk: int) -> HttpResponse:
    """The private invoice file, only to those who see the settlement (others: 404)."""
    settlement = permissions.get_settlement(request.user, pk)
    if not permissions.can_view_invoice(request.user, settlement) or not settlement.invoice:
        raise Http404
    try:
        handle = settlement.invoice.open("rb")
    except (FileNotFoundError, OSError, ValueError):
        raise Http404 from None
    head = handle.read(16)
    handle.seek(0)
    content_type, extension = invoice_type(head)
    response = FileResponse(
        handle,
        content_type=content_type,
        as_attachment=extension == "bin",  # PDF and images open in the browser
        filename=f"invoice-{settlement.pk}.{extension}",
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


# --- Notifications ---------------------------------------------------------------------------


@login_required
@require_GET
def notifications(request: HttpRequest) -> HttpResponse:
    notes = Notification.objects.filter(user=request.user).order_by("-created_at", "-pk")
    page = Paginator(notes, 30).get_page(request.GET.get("page"))
    return render(
        request,
        "applications/shared/notifications.html",
        {"page": page, "unread": notes.filter(read_at__isnull=True).count()},
    )


@login_required
@require_POST
def notifications_read(request: HttpRequest) -> HttpResponse:
    """Mark the ticked notifications read; with ``open``, mark that one and follow its link."""
    opened = int_or_none(request.POST.get("open"))
    if opened is not None:
        note = Notification.objects.filter(user=request.user, pk=opened).first()
        if note is None:
            raise Http404
        mark_read(user=request.user, ids=[note.pk])
        if note.url.startswith("/") and url_has_allowed_host_and_scheme(
            note.url, allowed_hosts={request.get_host()}
        ):
            return HttpResponseRedirect(note.url)
        return redirect("applications:notifications")
    ids = [n for n in map(int_or_none, request.POST.getlist("id")) if n is not None]
    if ids:
        mark_read(user=request.user, ids=ids)
    return redirect_back(request, "applications:notifications")


@login_required
@require_POST
def notifications_read_all(request: HttpRequest) -> HttpResponse:
    count = mark_read(user=request.user)
    if count:
        messages.success(request, _("All notifications are marked read."))
    return redirect_back(request, "applications:notifications")
