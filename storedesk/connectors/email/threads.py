"""Threading: which conversation an incoming mail belongs to, and the tokens we sign for it.

Our outgoing Message-IDs are ``<sd.{conversation}.{delivery}.{signature}@{domain}>`` and our
reply addresses (when the inbox turns on plus-addressing) ``{local}+sd-{conversation}-
{signature}@{domain}``; the signature is an HMAC (SHA-256, keyed from the secret key and its
fallbacks, so a key rotation keeps old threads working) over the conversation and delivery ids.
An incoming mail is threaded by, in order:

1. a signed token in In-Reply-To / References / the recipient addresses whose HMAC verifies
   (a token that does not verify is ignored and flagged: someone guessed our format);
2. In-Reply-To / References naming an earlier incoming mail of the same inbox (the shopper's
   own thread);
3. otherwise a new conversation.

The conversation found is only a candidate: `receive_message` files the mail there only when
the sender is that conversation's contact identity. A mail from anyone else that claims the
thread opens its own conversation and is flagged (`thread_claim_refused`), so a spoofed reply
never lands in, or is answered from, someone else's conversation.
"""

from __future__ import annotations

import hmac
import re
from dataclasses import dataclass
from hashlib import sha256
from typing import Literal

from django.conf import settings
from django.utils.encoding import force_bytes

SALT = b"storedesk.email.thread.v1"
SIGNATURE_CHARS = 20
ADDRESS_SIGNATURE_CHARS = 12
OUR_MESSAGE_ID = re.compile(r"^<sd\.(\d{1,19})\.(\d{1,19})\.([0-9a-f]{20})@[^<>\s]+>$")
LEGACY_MESSAGE_ID = re.compile(r"^<sd\.(\d{1,19})\.(\d{1,19})@[^<>\s]+>$")
OUR_ADDRESS = re.compile(r"^[^@+\s]+\+sd-(\d{1,19})-([0-9a-f]{12})@[^@\s]+$")


def _keys() -> list[bytes]:
    secrets = [settings.SECRET_KEY, *getattr(settings, "SECRET_KEY_FALLBACKS", [])]
    return [sha256(SALT + force_bytes(secret)).digest() for secret in secrets]


def _sign(key: bytes, text: str, length: int) -> str:
    return hmac.new(key, text.encode(), sha256).hexdigest()[:length]


def signature(conversation_id: int, delivery_id: int = 0, length: int = SIGNATURE_CHARS) -> str:
    return _sign(_keys()[0], f"{conversation_id}.{delivery_id}", length)


def _verify(conversation_id: int, delivery_id: int, given: str, length: int) -> bool:
    text = f"{conversation_id}.{delivery_id}"
    return any(hmac.compare_digest(_sign(key, text, length), given) for key in _keys())


def clean_domain(address: str) -> str:
    domain = address.rpartition("@")[2].strip().lower()
    return re.sub(r"[^a-z0-9.-]", "", domain) or "storedesk.local"


def message_id(conversation_id: int, delivery_id: int, domain: str) -> str:
    sig = signature(conversation_id, delivery_id)
    return f"<sd.{conversation_id}.{delivery_id}.{sig}@{clean_domain('@' + domain)}>"


def reply_address(address: str, conversation_id: int) -> str:
    """``support+sd-42-<sig>@shop.example`` for a conversation (plus-addressing)."""
    local, _, domain = address.partition("@")
    local = local.split("+")[0]
    sig = signature(conversation_id, 0, ADDRESS_SIGNATURE_CHARS)
    return f"{local}+sd-{conversation_id}-{sig}@{domain}"


@dataclass(frozen=True)
class ThreadClaim:
    """What the mail's headers say about its thread (before the sender is checked)."""

    conversation_id: int | None = None
    how: str = ""  # "token", "address", "reference", ""
    forged: bool = False  # carried a token of our format whose signature did not verify
    delivery_id: int | None = None  # our outgoing mail it answers, from a verified token


def verify_message_id(value: str) -> tuple[int, int] | Literal[False] | None:
    """(conversation, delivery) for our verified Message-ID; False for a forged one of our
    format; None for anyone else's id."""
    match = OUR_MESSAGE_ID.match(value.strip())
    if match is None:
        return None
    conversation_id, delivery_id, sig = int(match[1]), int(match[2]), match[3]
    if not _verify(conversation_id, delivery_id, sig, SIGNATURE_CHARS):
        return False
    return conversation_id, delivery_id


def verify_address(address: str) -> int | Literal[False] | None:
    match = OUR_ADDRESS.match(address.strip().lower())
    if match is None:
        return None
    conversation_id, sig = int(match[1]), match[2]
    if not _verify(conversation_id, 0, sig, ADDRESS_SIGNATURE_CHARS):
        return False
    return conversation_id


def claim(
    inbox_id: int, thread_ids: list[str], recipients: list[str]
) -> ThreadClaim:
    """The conversation the mail's headers point at (tokens verified, references looked up)."""
    from storedesk.inbox.models import Conversation, Delivery, Message

    forged = False
    for value in thread_ids:
        verified = verify_message_id(value)
        if verified is False:
            forged = True
            continue
        if verified:
            conversation_id, delivery_id = verified
            if Conversation.objects.filter(pk=conversation_id, inbox_id=inbox_id).exists():
                return ThreadClaim(conversation_id, "token", forged, delivery_id)
    for address in recipients:
        verified_address = verify_address(address)
        if verified_address is False:
            forged = True
            continue
        if verified_address and Conversation.objects.filter(
            pk=verified_address, inbox_id=inbox_id
        ).exists():
            return ThreadClaim(int(verified_address), "address", forged)
    if thread_ids:
        found = (
            Message.objects.filter(inbox_id=inbox_id, source_id__in=thread_ids)
            .order_by("-pk").values_list("conversation_id", flat=True).first()
        )
        if found is None:
            # Mail sent before signed ids (``<sd.{delivery}.{account}@…>``): our own record.
            legacy = [v for v in thread_ids if LEGACY_MESSAGE_ID.match(v)]
            found = (
                Delivery.objects.filter(message__inbox_id=inbox_id,
                                        provider_message_id__in=legacy)
                .order_by("-pk").values_list("message__conversation_id", flat=True).first()
            ) if legacy else None
        if found is not None:
            return ThreadClaim(int(found), "reference", forged)
    return ThreadClaim(None, "", forged)
