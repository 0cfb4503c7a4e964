"""Who may post shoppers' messages into an inbox: an integration key of that inbox, or an
admin's (or owner's) personal token. An agent's personal token is refused with a 403: a seat's
token must not write as a shopper into conversations that agent may not even see.
"""

from __future__ import annotations

from django.http import HttpRequest
from django.utils import timezone
from ninja.security import HttpBearer

from storedesk.accounts.models import Membership, hash_token
from storedesk.accounts.queries import membership_for_token
from storedesk.connectors.models import IntegrationKey
from storedesk.core.errors import NotFound, PermissionDenied
from storedesk.inbox.models import Inbox
from storedesk.inbox.queries import get_inbox

TOUCH_EVERY_SECONDS = 300
REFUSAL = (
    "An agent's personal token cannot post messages as a shopper. Use an integration key of "
    "this inbox (Settings > Inboxes, or POST /api/v1/inboxes/{id}/keys) or an admin's token."
)
AGENT_TOKEN_REFUSED = REFUSAL


def key_for_raw(raw: str) -> IntegrationKey | None:
    if not raw.startswith(IntegrationKey.PREFIX):
        return None
    key = (
        IntegrationKey.objects.select_related("inbox", "account")
        .filter(key_hash=hash_token(raw)).first()
    )
    if key is None or not key.is_usable:
        return None
    now = timezone.now()
    if key.last_used_at is None or (now - key.last_used_at).total_seconds() > TOUCH_EVERY_SECONDS:
        from storedesk.connectors.actions import touch_integration_key

        touch_integration_key(key.pk, now)
    return key


class InboundAuth(HttpBearer):
    """`request.auth` becomes an IntegrationKey or a Membership (checked per inbox below)."""

    def authenticate(self, request: HttpRequest, token: str) -> IntegrationKey | Membership | None:
        raw = token.strip()
        if raw.startswith(IntegrationKey.PREFIX):
            return key_for_raw(raw)
        return membership_for_token(raw)


inbound_auth = InboundAuth()


def inbox_for_inbound(caller: IntegrationKey | Membership, inbox_id: int) -> Inbox:
    """The inbox this caller may post shoppers' messages into, or NotFound / PermissionDenied."""
    if isinstance(caller, IntegrationKey):
        if caller.inbox_id != inbox_id:
            raise NotFound("Inbox not found.")
        return caller.inbox
    inbox = get_inbox(caller, inbox_id)  # another account's inbox: 404
    if not caller.is_admin:
        raise PermissionDenied(AGENT_TOKEN_REFUSED)
    return inbox
