"""Menu entries of the publicity app (see portal.navigation)."""

from django.utils.translation import gettext_lazy as _

from accounts.models import Role

MENU = [
    ("publicity:list", _("News and policy"), {"anyone"}),
    ("publicity:manage", _("Publicity"), {Role.FEDERATION_STAFF, Role.AUDITOR, "superuser"}),
]
