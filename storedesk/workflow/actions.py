"""Writes for workflow objects: macros (create, update, delete, apply)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils.translation import gettext_noop

from storedesk.accounts.actions import audit
from storedesk.accounts.actor import Actor
from storedesk.accounts.models import Account, Agent
from storedesk.core.errors import ActionError, NotFound
from storedesk.events import EventKind
from storedesk.inbox.models import Conversation, Message, Priority, Status
from storedesk.inbox.storage import IncomingFile, StoredFile, staged_files
from storedesk.workflow.models import Macro

# Statuses a macro may move a conversation to (snoozing needs a time, so it is not offered).
MACRO_STATUSES = (Status.OPEN, Status.PENDING, Status.RESOLVED, Status.CLOSED)
MAX_MACRO_TAGS = 10


def clean_macro_actions(raw: dict[str, Any] | None) -> dict[str, Any]:
    """Validate the follow-up actions of a macro: {"status", "priority", "tags"}."""
    from storedesk.inbox.actions import TAG_RE

    raw = raw or {}
    unknown = set(raw) - {"status", "priority", "tags"}
    if unknown:
        raise ActionError(gettext_noop("Unknown macro action."))
    cleaned: dict[str, Any] = {}
    status = raw.get("status") or ""
    if status:
        if status not in MACRO_STATUSES:
            raise ActionError(gettext_noop("A macro cannot set that status."))
        cleaned["status"] = status
    priority = raw.get("priority") or ""
    if priority:
        if priority not in Priority.values:
            raise ActionError(gettext_noop("Unknown priority."))
        cleaned["priority"] = priority
    tags: list[str] = []
    for name in raw.get("tags") or []:
        name = str(name).strip().lower()
        if not name:
            continue
        if not TAG_RE.match(name):
            raise ActionError(gettext_noop("A tag is 1-64 letters, digits, spaces or . : / - _"))
        if name not in tags:
            tags.append(name)
    if len(tags) > MAX_MACRO_TAGS:
        raise ActionError(gettext_noop("A macro can add at most 10 tags."))
    if tags:
        cleaned["tags"] = tags
    return cleaned


def _clean_fields(name: str, text: str, language: str) -> tuple[str, str, str]:
    name, text, language = name.strip()[:120], text.strip(), language.strip().lower()[:8]
    if not name:
        raise ActionError(gettext_noop("A macro needs a name."))
    if not text:
        raise ActionError(gettext_noop("A macro needs a text."))
    if len(text) > 20_000:
        raise ActionError(gettext_noop("The macro text is too long."))
    return name, text, language


@transaction.atomic
def create_macro(
    account: Account, *, name: str, text: str, actions: dict[str, Any] | None = None,
    language: str = "", by: Agent | None = None,
) -> Macro:
    name, text, language = _clean_fields(name, text, language)
    cleaned = clean_macro_actions(actions)
    if Macro.objects.filter(account=account, name=name).exists():
        raise ActionError(gettext_noop("There is already a macro with that name."))
    try:
        with transaction.atomic():
            macro = Macro.objects.create(account=account, name=name, text=text, actions=cleaned,
                                         language=language, created_by=by)
    except IntegrityError as exc:
        raise ActionError(gettext_noop("There is already a macro with that name.")) from exc
    audit("macro.created", account=account, actor=by, obj=macro, name=name)
    return macro


@transaction.atomic
def update_macro(
    macro: Macro, *, name: str, text: str, actions: dict[str, Any] | None = None,
    language: str = "", by: Agent | None = None,
) -> Macro:
    name, text, language = _clean_fields(name, text, language)
    cleaned = clean_macro_actions(actions)
    if Macro.objects.filter(account_id=macro.account_id, name=name).exclude(pk=macro.pk).exists():
        raise ActionError(gettext_noop("There is already a macro with that name."))
    macro.name, macro.text, macro.actions, macro.language = name, text, cleaned, language
    macro.save(update_fields=["name", "text", "actions", "language", "updated_at"])
    audit("macro.updated", account=macro.account_id, actor=by, obj=macro, name=name)
    return macro


@transaction.atomic
def delete_macro(macro: Macro, *, by: Agent | None = None) -> None:
    audit("macro.deleted", account=macro.account_id, actor=by, obj=macro, name=macro.name)
    macro.delete()


@transaction.atomic
def apply_macro(conversation: Conversation, actor: Actor, macro: Macro) -> Conversation:
    """Apply a macro's follow-up actions (priority, tags, then status) and count the use.

    The reply itself is sent by the caller through `inbox.actions.send_reply` with the text from
    `workflow.macros.render_macro`. Each follow-up goes through the inbox action that owns it,
    so the timeline and realtime events are the same as when an agent does it by hand.
    """
    from storedesk.inbox import actions as inbox_actions

    if macro.account_id != conversation.account_id:
        raise NotFound("Macro not found.")
    follow_up = clean_macro_actions(macro.actions)
    if follow_up.get("priority"):
        conversation = inbox_actions.set_priority(conversation, actor, follow_up["priority"])
    for name in follow_up.get("tags", []):
        inbox_actions.tag(conversation, actor, name)
    status = follow_up.get("status")
    if status and status != Conversation.objects.values_list("status", flat=True).get(
        pk=conversation.pk
    ):
        conversation = inbox_actions.change_status(conversation, actor, status)
    Macro.objects.filter(pk=macro.pk).update(usage_count=F("usage_count") + 1)
    inbox_actions.add_timeline_event(
        conversation, actor, EventKind.MACRO_APPLIED, macro_id=macro.pk, macro=macro.name
    )
    return Conversation.objects.get(pk=conversation.pk)


def reply_with_macro(
    conversation: Conversation,
    actor: Actor,
    text: str,
    macro: Macro | None,
    *,
    attachments: Sequence[IncomingFile] = (),
    html: str | None = None,
    send_after: timedelta | None = None,
    metadata: dict[str, Any] | None = None,
) -> Message:
    """Send the (edited) macro text as a reply and apply the macro's follow-ups, all or nothing.

    The files are staged outside the transaction, so they are deleted if any part fails."""
    with staged_files(attachments) as stored:
        return _reply_with_macro(conversation, actor, text, macro, stored, html, send_after,
                                 metadata)


@transaction.atomic
def _reply_with_macro(
    conversation: Conversation,
    actor: Actor,
    text: str,
    macro: Macro | None,
    stored: Sequence[StoredFile],
    html: str | None,
    send_after: timedelta | None,
    metadata: dict[str, Any] | None = None,
) -> Message:
    from storedesk.inbox import actions as inbox_actions

    message = inbox_actions.send_reply(
        conversation, actor, text, html=html, staged=stored, send_after=send_after,
        metadata=metadata,
    )
    if macro is not None:
        apply_macro(conversation, actor, macro)
    return message
