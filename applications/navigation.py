"""Menu entries this app adds: (url name, label, roles that see it). See portal.navigation."""

from django.utils.translation import gettext_lazy as _

from accounts.models import Role

MENU: list = []

# Staff and auditors: the approval queue and settlements; operators: rosters; agencies: trips.
MENU += [
    ("applications:queue", _("Approvals"), {Role.FEDERATION_STAFF, Role.AUDITOR, "superuser"}),
    ("applications:settlements", _("Settlements"), {Role.FEDERATION_STAFF, Role.AUDITOR}),
    ("applications:rosters", _("Rosters"), {Role.BASE_OPERATOR}),
    ("applications:entrusted", _("Entrusted trips"), {Role.AGENCY}),
]
