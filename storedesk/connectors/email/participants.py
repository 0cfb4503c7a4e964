"""Cc and Bcc on email conversations.

**Remembered Cc** (as Zendesk's and Front's tickets keep their CCs): the people copied on the
conversation are derived from its messages, so there is one source of truth and nothing to
keep in step:

- the latest reply that went out with an explicit Cc list (the composer's fields,
  `metadata.email_recipients.cc`) sets the list: who the agent removed there stays removed;
- every mail of the shopper after it adds the addresses it was copied to (its Cc, and To
  addresses other than the inbox's own);
- the inbox's own addresses (address, SMTP from, IMAP user, plus-addresses) and the shopper's
  are never in it.

The composer's Cc field starts with this list. A reply written elsewhere (API, macro rule) by
an agent goes to it too; automatic mail (bot, system) goes to the shopper only.

**Bcc** is per reply and never remembered: the addresses go into the SMTP envelope only, never
into a header, so neither the shopper nor the Cc recipients can see them.
"""

from __future__ import annotations

from email.utils import getaddresses
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext as _
from pydantic import ValidationError as SchemaError

from storedesk.connectors.email.config import EmailConfig

if TYPE_CHECKING:
    from storedesk.inbox.models import Conversation, Inbox

MAX_COPIES = 20
LOOKBACK = 200


def own_addresses(inbox: Inbox) -> set[str]:
    """The inbox's own addresses (its address, SMTP from and user, IMAP user), lower-cased."""
    try:
        config = EmailConfig.model_validate(inbox.config or {})
    except SchemaError:
        return set()
    found = {config.address}
    if config.smtp is not None:
        found |= {config.smtp.from_address, config.smtp.username}
    if config.imap is not None:
        found.add(config.imap.username)
    return {getaddresses([a])[0][1].strip().lower() for a in found if a and "@" in a}


def is_own(address: str, own: set[str]) -> bool:
    """One of the inbox's addresses, or a plus-address of one (support+sd-42-…@shop)."""
    if address in own:
        return True
    local, _, domain = address.partition("@")
    return any(
        local.startswith(mine.partition("@")[0] + "+") and domain == mine.partition("@")[2]
        for mine in own
    )


def _clean(values: Any) -> list[str]:
    if not isinstance(values, list):
        return []
    return [str(v).strip().lower() for v in values if isinstance(v, str) and "@" in v]


def remembered_cc(conversation: Conversation, *, before_message_id: int | None = None) -> list[str]:
    """Who is copied on the conversation now (or as of just before one of its messages)."""
    from storedesk.inbox.models import Direction

    rows = conversation.messages.filter(
        private=False, direction__in=[Direction.INCOMING, Direction.OUTGOING])
    if before_message_id is not None:
        rows = rows.filter(pk__lt=before_message_id)
    values = rows.order_by("-pk").values_list(
        "direction", "metadata__email__cc", "metadata__email__to",
        "metadata__email_recipients__cc")[:LOOKBACK]
    added: list[str] = []
    base: list[str] = []
    for direction, cc, to, chosen in values:
        if direction == Direction.OUTGOING:
            if chosen is not None:
                base = _clean(chosen)
                break
            continue
        added = _clean(cc) + _clean(to) + added
    own = own_addresses(conversation.inbox)
    shopper = {(conversation.contact.email or "").strip().lower(),
               (conversation.identity.source_id or "").strip().lower()}
    out: list[str] = []
    for address in [*base, *added]:
        if address in out or address in shopper or is_own(address, own):
            continue
        out.append(address)
    return out[:MAX_COPIES]


def parse_addresses(raw: str, label: str) -> list[str]:
    """Comma- or semicolon-separated addresses ("Name <a@b>" too); bare, lower-cased, checked.

    Raises ValidationError naming what is not an address (a CR/LF can never reach a header:
    only validated bare addresses are kept)."""
    raw = (raw or "").strip()
    if not raw:
        return []
    if "\r" in raw or "\n" in raw:
        raise ValidationError(_("%(field)s: one line of addresses, please.") % {"field": label})
    parts = [p for p in raw.replace(";", ",").split(",") if p.strip()]
    found: list[str] = []
    bad: list[str] = []
    for part in parts:
        pairs = getaddresses([part])
        address = pairs[0][1].strip().lower() if len(pairs) == 1 else ""
        try:
            validate_email(address)
        except ValidationError:
            bad.append(part.strip()[:80])
            continue
        if address not in found:
            found.append(address)
    if bad:
        raise ValidationError(_("%(field)s: not an email address: %(values)s") % {
            "field": label, "values": ", ".join(bad)})
    if len(found) > MAX_COPIES:
        raise ValidationError(_("%(field)s: at most %(count)s addresses.") % {
            "field": label, "count": MAX_COPIES})
    return found
