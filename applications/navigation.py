"""Menu entries this app adds: (url name, label, roles that see it). See portal.navigation."""

from django.utils.translation import gettext_lazy as _

from accounts.models import Role

MENU: list = [
    ("applications:mine", _("My applications"), {Role.WORKER}),
    ("applications:union", _("Application review"), {Role.ORGANIZER}),
    ("applications:groups", _("Group trips"), {Role.ORGANIZER}),
    ("applications:board", _("Open seats board"), {Role.ORGANIZER}),
    # Staff and auditors: the approval queue and settlements; operators: rosters; agencies: trips.
    ("applications:queue", _("Approvals"), {Role.FEDERATION_STAFF, Role.AUDITOR, "superuser"}),
    ("applications:settlements", _("Settlements"), {Role.FEDERATION_STAFF, Role.AUDITOR}),
    ("applications:rosters", _("Rosters"), {Role.BASE_OPERATOR}),
    ("applications:entrusted", _("Entrusted trips"), {Role.AGENCY}),
]
