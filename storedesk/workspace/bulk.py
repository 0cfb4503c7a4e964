"""Bulk actions on the inbox list: what they will do (for the confirmation), doing it through
inbox.actions one conversation at a time, and undoing it.

Undo needs no table: the applied step returns a signed token (django.core.signing, bound to
the agent's membership, valid UNDO_MINUTES) listing what each conversation was before; undoing
restores exactly that, again through inbox.actions, so every step is checked, evented and
audited like a click in the conversation.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.core import signing
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from storedesk.accounts.actions import actor_for
from storedesk.accounts.models import Membership
from storedesk.core.errors import ActionError, NotFound
from storedesk.inbox import actions
from storedesk.inbox.models import Conversation, Status
from storedesk.inbox.queries import get_membership, visible_conversations
from storedesk.workspace.forms_list import BulkForm

UNDO_SALT = "storedesk.workspace.bulk-undo"
UNDO_MINUTES = 15
NAMED = 8  # conversation numbers spelled out in the confirmation


@dataclass
class BulkResult:
    done: list[int] = field(default_factory=list)
    skipped: list[tuple[int, str]] = field(default_factory=list)  # (display_id, why)
    ignored: int = 0  # ids the agent cannot see (or that do not exist): never touched
    undo_token: str = ""
    undone: bool = False


def _assignee(membership: Membership, form: BulkForm) -> Membership | None:
    choice = form.cleaned_data["assignee"]
    if choice == "me":
        return membership
    if choice == "none":
        return None
    return get_membership(membership, int(choice))


def _targets(membership: Membership, ids: list[int]) -> list[Conversation]:
    found = {c.pk: c for c in visible_conversations(membership).filter(pk__in=ids)}
    return [found[i] for i in ids if i in found]


def describe(membership: Membership, form: BulkForm) -> str:
    """The confirmation: what will happen to which conversations ("Close 3 conversations:
    #12, #14, #15?"). Raises NotFound for an assignee outside the account."""
    targets = _targets(membership, form.conversation_ids)
    n = len(targets)
    numbers = ", ".join(f"#{c.display_id}" for c in targets[:NAMED])
    if n > NAMED:
        numbers += " " + _("and %(n)d more") % {"n": n - NAMED}
    action = form.cleaned_data["action"]
    if action == "assign":
        assignee = _assignee(membership, form)
        who = assignee.agent.display_name if assignee else _("nobody")
        text = ngettext(
            "Assign %(n)d conversation to %(who)s: %(numbers)s?",
            "Assign %(n)d conversations to %(who)s: %(numbers)s?", n,
        ) % {"n": n, "who": who, "numbers": numbers}
    elif action == "close":
        text = ngettext(
            "Resolve %(n)d conversation: %(numbers)s?",
            "Resolve %(n)d conversations: %(numbers)s?", n,
        ) % {"n": n, "numbers": numbers}
    else:
        text = ngettext(
            "Tag %(n)d conversation with “%(tag)s”: %(numbers)s?",
            "Tag %(n)d conversations with “%(tag)s”: %(numbers)s?", n,
        ) % {"n": n, "tag": form.cleaned_data["tag"], "numbers": numbers}
    return text


def apply(membership: Membership, form: BulkForm) -> BulkResult:
    actor = actor_for(membership)
    action = form.cleaned_data["action"]
    assignee = _assignee(membership, form) if action == "assign" else None
    ids = form.conversation_ids
    targets = _targets(membership, ids)
    result = BulkResult(ignored=len(ids) - len(targets))
    before: list[dict[str, Any]] = []
    for conversation in targets:
        was: dict[str, Any] = {"id": conversation.pk}
        try:
            if action == "assign":
                was["assignee"] = conversation.assignee_id
                actions.assign(conversation, actor, assignee=assignee)
            elif action == "close":
                was["status"] = conversation.status
                was["snoozed_until"] = (
                    conversation.snoozed_until.isoformat() if conversation.snoozed_until else None
                )
                actions.change_status(conversation, actor, Status.RESOLVED)
            else:
                name = form.cleaned_data["tag"]
                was["added_tag"] = not conversation.tags.filter(name=name).exists()
                was["tag"] = name
                actions.tag(conversation, actor, name)
        except ActionError as error:
            result.skipped.append((conversation.display_id, error.detail))
        else:
            result.done.append(conversation.display_id)
            before.append(was)
    if before:
        result.undo_token = signing.dumps(
            {"m": membership.pk, "a": action, "before": before}, salt=UNDO_SALT, compress=True
        )
    return result


class UndoExpired(Exception):
    pass


def undo(membership: Membership, token: str) -> BulkResult:
    """Put every conversation of an applied bulk action back as it was."""
    try:
        data = signing.loads(token, salt=UNDO_SALT, max_age=UNDO_MINUTES * 60)
    except signing.BadSignature as error:  # includes SignatureExpired
        raise UndoExpired from error
    if data.get("m") != membership.pk:
        raise UndoExpired
    actor = actor_for(membership)
    action = data["a"]
    befores = {int(b["id"]): b for b in data["before"]}
    result = BulkResult(undone=True)
    for conversation in _targets(membership, list(befores)):
        was = befores[conversation.pk]
        try:
            if action == "assign":
                previous = None
                if was["assignee"] is not None:
                    try:
                        previous = get_membership(membership, int(was["assignee"]))
                    except NotFound:
                        raise ActionError(_("The previous assignee left the account.")) from None
                if conversation.assignee_id != (previous.pk if previous else None):
                    actions.assign(conversation, actor, assignee=previous)
            elif action == "close":
                _restore_status(conversation, actor, was)
            elif was.get("added_tag"):
                actions.untag(conversation, actor, was["tag"])
        except ActionError as error:
            result.skipped.append((conversation.display_id, error.detail))
        else:
            result.done.append(conversation.display_id)
    return result


def _restore_status(conversation: Conversation, actor: Any, was: dict[str, Any]) -> None:
    previous = was["status"]
    if conversation.status == previous:
        return
    if conversation.status != Status.RESOLVED:
        raise ActionError(_("It changed since; left as it is."))
    # A resolved conversation can only reopen; from open it moves on to what it was.
    conversation = actions.change_status(conversation, actor, Status.OPEN)
    if previous == Status.OPEN:
        return
    until = parse_datetime(was["snoozed_until"]) if was.get("snoozed_until") else None
    if previous == Status.SNOOZED and (until is None or until <= timezone.now()):
        return  # its wake-up time has passed: it stays open
    actions.change_status(conversation, actor, previous, snoozed_until=until)
