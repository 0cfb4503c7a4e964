"""What the email channel adds to the agent workspace: the undeliverable line of a bounce,
Cc/Bcc fields in the reply form of email conversations, and the inbox's email footer as the
fallback signature (the composer shows it and the reply carries it once, see
workspace/actions.chosen_signature)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from pydantic import ValidationError as SchemaError

from storedesk.connectors.email import participants
from storedesk.connectors.email.config import EmailConfig
from storedesk.events import EventKind
from storedesk.inbox.models import Inbox
from storedesk.workspace.registry import (
    ChannelSignature,
    ComposerTool,
    RenderContext,
    Slot,
    channel_signatures,
    composer_tools,
    timeline_renderers,
)


def _undeliverable(event: Any, ctx: RenderContext) -> str:
    data = event.data or {}
    recipients = ", ".join(str(r) for r in data.get("recipients") or []) or _("the recipient")
    return _("Undeliverable: %(recipients)s (%(reason)s)") % {
        "recipients": recipients, "reason": data.get("reason", "")}


def _is_email(slot: Slot) -> bool:
    return bool(slot.conversation.inbox.channel == "email")


def recipients_context(slot: Slot) -> dict[str, Any] | None:
    if not _is_email(slot):
        return None
    return {"cc_value": ", ".join(participants.remembered_cc(slot.conversation)),
            "bcc_value": ""}


def recipients_from_post(slot: Slot, post: Mapping[str, Any]) -> dict[str, list[str]] | None:
    """The reply's Cc and Bcc (checked addresses), or None when the form had no such fields."""
    if "cc" not in post and "bcc" not in post:
        return None
    found: dict[str, list[str]] = {}
    errors: list[str] = []
    for name, label in (("cc", _("Cc")), ("bcc", _("Bcc"))):
        try:
            found[name] = participants.parse_addresses(str(post.get(name, "")), label)
        except ValidationError as exc:
            errors.extend(exc.messages)
    if errors:
        raise ValidationError(errors)
    cc, bcc = found["cc"], found["bcc"]
    conversation = slot.conversation
    skip = participants.own_addresses(conversation.inbox) | {
        (conversation.contact.email or "").strip().lower(),
        (conversation.identity.source_id or "").strip().lower()}
    cc = [a for a in cc if a not in skip and not participants.is_own(a, skip)]
    bcc = [a for a in bcc if a not in skip and a not in cc and not participants.is_own(a, skip)]
    return {"cc": cc, "bcc": bcc}


def footer(inbox: Inbox) -> str:
    try:
        return EmailConfig.model_validate(inbox.config or {}).signature
    except SchemaError:
        return ""


def register() -> None:
    timeline_renderers.register(EventKind.EMAIL_UNDELIVERABLE, _undeliverable)
    composer_tools.register(ComposerTool(
        key="email_recipients", label=gettext_lazy("Cc and Bcc"),
        template="email_channel/_tool_recipients.html", context=recipients_context, order=5,
        on_reply=recipients_from_post))
    channel_signatures.register(ChannelSignature(key="email", signature=footer))
