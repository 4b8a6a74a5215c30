"""Menu entries this app adds: (url name, label, roles that see it). See portal.navigation."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from accounts.models import Role

MENU: list[tuple[str, object, set]] = [
    (
        "bases:manage",
        pgettext_lazy("menu", "Bases"),
        {Role.FEDERATION_STAFF, Role.AUDITOR, "superuser"},
    ),
    ("bases:manage", _("My bases"), {Role.BASE_OPERATOR}),
]
