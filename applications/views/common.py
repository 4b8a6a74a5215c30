"""Small helpers shared by the page modules of this app."""

from __future__ import annotations

from datetime import date

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect
from django.utils.http import url_has_allowed_host_and_scheme

from applications import services
from applications.models import Application


def flash(request: HttpRequest, error: ValidationError) -> None:
    """A service's refusal as error messages (each reason its own line)."""
    for message in error.messages:
        messages.error(request, message)


def flash_form(request: HttpRequest, form) -> None:
    """An invalid form of a small inline action: its errors as messages."""
    for field, errors in form.errors.items():
        label = form.fields[field].label if field in form.fields else ""
        for error in errors:
            messages.error(request, f"{label}: {error}" if label else error)


def back(request: HttpRequest, default: str, *args) -> HttpResponse:
    """Redirect to ``next`` when it is a local path, else to the ``default`` URL name."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target.startswith("/") and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return HttpResponseRedirect(target)
    return redirect(default, *args)


def may_move(application: Application, to: str, today: date) -> bool:
    """Whether the workflow lets ``application`` move to ``to`` today (who may is a
    permission; this is the service's own check, which writes nothing)."""
    try:
        services.ensure_move(application, to, reason="-", today=today)
    except ValidationError:
        return False
    return True
