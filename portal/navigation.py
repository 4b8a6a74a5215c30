"""The menu each role sees: the portal's own entries plus each app's ``<app>.navigation.MENU``.

A missing URL name is skipped, so an app may list entries before their pages exist.
"""

from __future__ import annotations

from importlib import import_module

from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from accounts.models import Role

ANYONE = "anyone"
STAFF_AND_AUDITORS = {Role.FEDERATION_STAFF, Role.AUDITOR, "superuser"}
# Home, the priced catalogue and the dashboard come first, then each app's entries, then the rest.
LEADING = 3
ANONYMOUS = "anonymous"  # only visitors who have not logged in
MENU: list[tuple[str, object, set]] = [
    ("portal:home", _("Home"), {ANYONE}),
    ("trips:catalogue", pgettext_lazy("menu", "Trips"), {ANYONE}),
    ("portal:dashboard", _("Dashboard"), STAFF_AND_AUDITORS),
    (
        "accounts:members",
        _("Members"),
        {Role.ORGANIZER, Role.FEDERATION_STAFF, Role.AUDITOR, "superuser"},
    ),
    ("admin:index", _("Back office"), {"superuser"}),
]
# The API documentation is linked from every page's footer, not the menu (a staff menu is long).


APPS_WITH_MENUS = ("bases", "applications", "funds", "publicity")


def all_entries() -> list[tuple[str, object, set]]:
    entries = MENU[:LEADING]
    for app in APPS_WITH_MENUS:
        entries += import_module(f"{app}.navigation").MENU
    return entries + MENU[LEADING:]


def menu_for(user) -> list[dict]:
    keys = {ANYONE}
    if not user.is_authenticated:
        keys.add(ANONYMOUS)
    if user.is_authenticated:
        if user.is_superuser:
            keys.add("superuser")
        if user.role:
            keys.add(user.role)
    items = []
    for url_name, label, who in all_entries():
        if keys & who:
            try:
                items.append({"url": reverse(url_name), "label": label, "name": url_name})
            except NoReverseMatch:
                continue
    return items
