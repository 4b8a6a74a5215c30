"""django-axes with a second, higher limit: failures from one address across all usernames.

axes counts failures per lockout parameter set but compares every set with the one
``AXES_FAILURE_LIMIT``. We want a few tries per username and address (a person mistyping) and
many more per address alone (an office behind one NAT), so the address count is checked here
against its own ``AXES_IP_FAILURE_LIMIT``. It reads the rows axes already writes, so the web
login and the API token endpoint (both go through ``authenticate``) share it, and a successful
log-in, which clears only that username's rows, does not clear it.
"""

from __future__ import annotations

from axes.attempts import get_cool_off_threshold
from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_failure_limit
from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import Sum


def address_failures(request) -> int:
    """Failed log-ins from the request's address within the cool-off window, any username."""
    address = request.axes_ip_address
    if not address:
        return 0
    recent = AccessAttempt.objects.filter(
        ip_address=address, attempt_time__gte=get_cool_off_threshold(request)
    )
    return recent.aggregate(total=Sum("failures_since_start"))["total"] or 0


class LoginAttemptHandler(AxesDatabaseHandler):
    def get_failures(self, request, credentials: dict | None = None) -> int:
        failures = super().get_failures(request, credentials)
        if address_failures(request) >= settings.AXES_IP_FAILURE_LIMIT:
            # Report the address as at the per-username limit: axes then refuses and reports
            # the lockout exactly as for a single username.
            return max(failures, get_failure_limit(request, credentials))
        return failures
