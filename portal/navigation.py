"""The menu each role sees. Later apps add entries here; a missing URL name is skipped."""

from __future__ import annotations

from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _

from accounts.models import Role

ANYONE = "anyone"
MENU: list[tuple[str, object, set]] = [
    ("portal:home", _("Home"), {ANYONE}),
    (
        "accounts:members",
        _("Members"),
        {Role.ORGANIZER, Role.FEDERATION_STAFF, Role.AUDITOR, "superuser"},
    ),
    ("admin:index", _("Back office"), {"superuser"}),
    ("api-docs", _("API"), {Role.FEDERATION_STAFF, Role.AUDITOR, "superuser"}),
]


def menu_for(user) -> list[dict]:
    keys = {ANYONE}
    if user.is_authenticated:
        if user.is_superuser:
            keys.add("superuser")
        if user.role:
            keys.add(user.role)
    items = []
    for url_name, label, who in MENU:
        if keys & who:
            try:
                items.append({"url": reverse(url_name), "label": label, "name": url_name})
            except NoReverseMatch:
                continue
    return items
