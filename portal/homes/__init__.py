"""The first screen after login: one home per role, answering "what should I do now".

``home(request)`` picks the builder of the user's role; each builder returns the template and its
context. The builders live by audience so that each can grow on its own:
``public`` (anonymous visitors), ``people`` (workers, organizers, operators, agencies) and
``staff`` (federation staff and auditors).
"""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest

from accounts.models import Role
from portal.homes import people, public, staff

Builder = Callable[[HttpRequest], tuple[str, dict]]

BUILDERS: dict[str, Builder] = {
    Role.WORKER: people.worker,
    Role.ORGANIZER: people.organizer,
    Role.BASE_OPERATOR: people.operator,
    Role.AGENCY: people.agency,
    Role.FEDERATION_STAFF: staff.federation_staff,
    Role.AUDITOR: staff.auditor,
}


def home(request: HttpRequest) -> tuple[str, dict]:
    user = request.user
    if not user.is_authenticated:
        return public.anonymous(request)
    builder = BUILDERS.get(user.role or "")
    if builder is None:  # a superuser or an account without a role
        return public.signed_in(request)
    return builder(request)
