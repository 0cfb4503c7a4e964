"""The widget's credentials: the inbox's public key, visitor tokens, and verified identities.

* The **public key** names a chat inbox in the embed snippet. It is not a secret (every page
  that embeds the widget shows it): ``<inbox id>.<16 hex of HMAC(inbox secret, ...)>``, checked
  in constant time, so it needs no column and changes when the inbox secret is rotated.
* A **visitor token** is a Django-signed ``{"i": inbox id, "v": visitor id, "e": verified
  email or "", "c": verified customer id or "", "l": the browser's language or ""}``. The
  widget keeps it in localStorage and sends it with every request and socket; nobody can mint
  one for another visitor.
* A **verified identity**: the store's backend computes ``HMAC-SHA256(inbox secret, value)`` (hex)
  over the customer's id (or, without one, their email) and hands it to the widget with the
  claim. Only a matching hash turns a claim into a verified identity; an unverified claim is
  shown to agents as such and never links the chat to a customer's orders.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass

from django.core import signing

from storedesk.core.sealing import Unreadable
from storedesk.inbox.models import Inbox

SALT = "storedesk.webchat.visitor"
PUBLIC_KEY_LABEL = b"storedesk-widget-public-key"
# A visitor token stays valid this long after it was last renewed (each session start renews).
TOKEN_MAX_AGE_SECONDS = 180 * 24 * 3600


def _secret(inbox: Inbox) -> bytes | None:
    """The inbox's plain secret, or None when no configured key opens it (then no public key
    and no identity hash matches anything: fail closed)."""
    try:
        return inbox.signing_secret().encode()
    except Unreadable:
        return None


def public_key(inbox: Inbox) -> str:
    secret = _secret(inbox)
    if secret is None:
        return ""
    digest = hmac.new(secret, PUBLIC_KEY_LABEL, hashlib.sha256).hexdigest()
    return f"{inbox.pk}.{digest[:16]}"


def inbox_for_key(key: str) -> Inbox | None:
    """The active chat inbox named by a public key, or None (unknown, wrong, inactive)."""
    if not isinstance(key, str) or len(key) > 64:
        return None
    raw_id, _, _digest = key.partition(".")
    if not raw_id.isdigit() or len(raw_id) > 18:
        return None
    inbox = Inbox.objects.filter(pk=int(raw_id), channel="webchat", is_active=True).first()
    if inbox is None:
        return None
    expected = public_key(inbox)
    if not expected or not hmac.compare_digest(expected, key):
        return None
    return inbox


@dataclass(frozen=True)
class Visitor:
    inbox_id: int
    visitor_id: str
    email: str = ""  # verified only
    customer_id: str = ""  # verified only
    # The browser's first language ("pl" of navigator.languages' "pl-PL"), as the widget sent
    # it at session start: a hint for the assistant's language detection, never an identity.
    language: str = ""

    @property
    def verified(self) -> bool:
        return bool(self.email or self.customer_id)

    @property
    def source_id(self) -> str:
        """Who the visitor is on the inbox (ContactIdentity.source_id)."""
        if self.customer_id:
            return f"customer:{self.customer_id}"
        if self.email:
            return f"email:{self.email}"
        return self.visitor_id


def new_visitor_id() -> str:
    return "v_" + secrets.token_urlsafe(18)


def sign_visitor(visitor: Visitor) -> str:
    return signing.dumps(
        {"i": visitor.inbox_id, "v": visitor.visitor_id, "e": visitor.email,
         "c": visitor.customer_id, "l": visitor.language},
        salt=SALT, compress=False,
    )


def read_visitor(token: str, inbox: Inbox) -> Visitor | None:
    """The visitor a token names on this inbox, or None (forged, expired, other inbox)."""
    if not isinstance(token, str) or not token or len(token) > 1024:
        return None
    try:
        data = signing.loads(token, salt=SALT, max_age=TOKEN_MAX_AGE_SECONDS)
    except signing.BadSignature:
        return None
    if not isinstance(data, dict) or data.get("i") != inbox.pk:
        return None
    visitor_id = data.get("v")
    if not isinstance(visitor_id, str) or not visitor_id.startswith("v_"):
        return None
    return Visitor(inbox_id=inbox.pk, visitor_id=visitor_id, email=str(data.get("e") or ""),
                   customer_id=str(data.get("c") or ""),
                   language=browser_language([str(data.get("l") or "")]))


def browser_language(tags: list[str]) -> str:
    """The primary subtag of the first well-formed language tag ("pt-BR" -> "pt"), or ""."""
    for tag in tags[:10]:
        primary = str(tag).strip().replace("_", "-").split("-", 1)[0].lower()
        if 2 <= len(primary) <= 3 and primary.isascii() and primary.isalpha():
            return primary
    return ""


def identity_hash(inbox: Inbox, value: str) -> str:
    """What the store's backend computes: hex HMAC-SHA256 of the value under the inbox secret
    ("" when the secret cannot be opened)."""
    secret = _secret(inbox)
    if secret is None:
        return ""
    return hmac.new(secret, value.encode(), hashlib.sha256).hexdigest()


def verify_identity(inbox: Inbox, *, customer_id: str, email: str, signature: str) -> bool:
    """True only when the signature matches the customer id (or the email when no id is given)."""
    value = customer_id or email
    if not value or not signature or len(signature) > 128:
        return False
    expected = identity_hash(inbox, value)
    return bool(expected) and hmac.compare_digest(expected, signature.strip().lower())
