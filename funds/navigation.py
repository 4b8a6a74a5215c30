"""Menu entries of the funds app (see portal.navigation)."""

from django.utils.translation import gettext_lazy as _

from accounts.models import Role

STAFF = {Role.FEDERATION_STAFF, Role.AUDITOR, "superuser"}
MENU = [
    ("funds:overview", _("Funds"), STAFF),
]
