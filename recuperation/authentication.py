"""The API's token authentication: DRF's, with its lookup compiled once (its own module:
DRF imports authentication classes while ``rest_framework.views`` is still loading)."""

from __future__ import annotations

from django.utils.translation import gettext as _
from rest_framework import authentication, exceptions
from rest_framework.authtoken.models import Token

from recuperation.prepared import Prepared

_TOKEN = Prepared(
    lambda key: Token.objects.select_related("user").filter(key=key)[:1],
    samples=("prepared-sample-token",),
)


class TokenAuthentication(authentication.TokenAuthentication):
    """DRF's token authentication, the same answers; a sign-up burst (DESIGN §8) authenticates
    every request by token, so its one query is not compiled again each time."""

    def authenticate_credentials(self, key):
        token = _TOKEN.first(key)
        if token is None:
            raise exceptions.AuthenticationFailed(_("Invalid token."))
        if not token.user.is_active:
            raise exceptions.AuthenticationFailed(_("User inactive or deleted."))
        return (token.user, token)
