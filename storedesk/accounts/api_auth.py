"""Bearer-token authentication for the REST API.

`Authorization: Bearer sd_...`: `request.auth` becomes the token's active Membership; a missing,
unknown, revoked or expired token (or a deactivated seat) makes Ninja answer 401
{"detail": "Unauthorized"}.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.http import HttpRequest
from ninja.security import HttpBearer

from storedesk.accounts.queries import membership_for_token

if TYPE_CHECKING:
    from storedesk.accounts.models import Membership


class TokenAuth(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> Membership | None:
        return membership_for_token(token.strip())


token_auth = TokenAuth()
