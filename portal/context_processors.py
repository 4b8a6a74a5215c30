from __future__ import annotations

from django.http import HttpRequest

from portal.navigation import menu_for


def navigation(request: HttpRequest) -> dict:
    user = getattr(request, "user", None)
    if user is None:
        return {}
    return {"nav_items": menu_for(user)}
