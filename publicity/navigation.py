"""Menu entries of the publicity app (see portal.navigation)."""

from django.utils.translation import gettext_lazy as _

from accounts.models import Role

# The public pages for those who read them; staff get their management page instead (it links
# the public list), which keeps their already long menu one entry shorter.
READERS = {"anonymous", Role.WORKER, Role.ORGANIZER, Role.BASE_OPERATOR, Role.AGENCY}
MENU = [
    ("publicity:list", _("News and policy"), READERS),
    ("publicity:manage", _("Publicity"), {Role.FEDERATION_STAFF, Role.AUDITOR, "superuser"}),
]
