"""Every write of the workspace's own rows (drafts, signatures)."""

from __future__ import annotations

from django.db import models, transaction
from django.utils.translation import gettext_lazy as _

from storedesk.accounts.models import Membership
from storedesk.core.errors import ActionError
from storedesk.inbox.actions import MAX_TEXT_CHARS
from storedesk.inbox.models import Conversation, Inbox
from storedesk.workspace.models import Draft, DraftMode, Signature
from storedesk.workspace.registry import channel_signatures

MAX_SIGNATURE_CHARS = 2000


def save_draft(membership: Membership, conversation: Conversation, mode: str, text: str) -> None:
    """Keep what the agent typed; an empty text removes the draft."""
    if mode not in DraftMode.values:
        raise ActionError("Unknown composer mode.")
    if conversation.account_id != membership.account_id:
        raise ActionError("Not your account's conversation.")
    text = text[:MAX_TEXT_CHARS]
    if not text.strip():
        clear_draft(membership, conversation, mode)
        return
    Draft.objects.update_or_create(
        account_id=membership.account_id, membership=membership, conversation=conversation,
        mode=mode, defaults={"text": text},
    )


def clear_draft(membership: Membership, conversation: Conversation, mode: str) -> None:
    Draft.objects.filter(
        account_id=membership.account_id, membership=membership, conversation=conversation,
        mode=mode,
    ).delete()


@transaction.atomic
def set_signature(
    account_id: int, text: str, *, membership: Membership | None = None,
    inbox: Inbox | None = None,
) -> None:
    """An agent's own signature (membership) or an inbox's; empty text removes it."""
    if (membership is None) == (inbox is None):
        raise ActionError("A signature belongs to an agent or to an inbox.")
    owner = membership or inbox
    if owner is None or owner.account_id != account_id:
        raise ActionError("Not your account's agent or inbox.")
    text = text.strip()
    if len(text) > MAX_SIGNATURE_CHARS:
        raise ActionError(f"A signature is at most {MAX_SIGNATURE_CHARS} characters.")
    key = {"membership": membership} if membership else {"inbox": inbox}
    if not text:
        Signature.objects.filter(account_id=account_id, **key).delete()
        return
    Signature.objects.update_or_create(account_id=account_id, **key, defaults={"text": text})


class SignatureSource(models.TextChoices):
    AGENT = "agent", _("Your signature")
    INBOX = "inbox", _("The inbox's signature")
    CHANNEL = "channel", _("The inbox's email footer")


def chosen_signature(
    membership: Membership, conversation: Conversation
) -> tuple[str, SignatureSource | None]:
    """The one signature a reply gets, and where it comes from.

    The agent's own wins; else the inbox's (set on the signatures page); else the channel's own
    setting (the email inbox's footer, registered as a channel signature). A reply sent from
    the composer carries only this one: the channel adds nothing of its own to it.
    """
    rows: dict[int | None, str] = dict(
        Signature.objects.filter(account_id=membership.account_id)
        .filter(models.Q(membership=membership) | models.Q(inbox_id=conversation.inbox_id))
        .values_list("membership_id", "text")
    )
    if rows.get(membership.pk):
        return rows[membership.pk], SignatureSource.AGENT
    if rows.get(None):
        return rows[None], SignatureSource.INBOX
    channel = channel_signatures.get(conversation.inbox.channel)
    text = channel.signature(conversation.inbox).strip() if channel else ""
    return (text, SignatureSource.CHANNEL) if text else ("", None)


def signature_for(membership: Membership, conversation: Conversation) -> str:
    """The signature a reply gets (see `chosen_signature`), or ""."""
    return chosen_signature(membership, conversation)[0]


def with_signature(text: str, signature: str) -> str:
    """The reply text with the signature below it (once: not again when it is already there)."""
    if not signature or text.rstrip().endswith(signature):
        return text
    return f"{text.rstrip()}\n\n{signature}"
