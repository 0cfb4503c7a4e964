"""The typed registry of automation-rule actions (also the steps of escalation plans): how a
value is validated on save (`clean`, within the account) and what running it does (`run`, through
the owning app's actions, as the rule actor). `run` returns what it did, for the firing.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop

from storedesk.accounts.actor import Actor
from storedesk.accounts.models import Membership, Team
from storedesk.core.errors import ActionError
from storedesk.events import EventKind
from storedesk.inbox.models import Conversation, Priority, Status
from storedesk.workflow.models import Macro
from storedesk.workflow.rules_conditions import choice, hours


@dataclass(frozen=True)
class Action:
    key: str
    label: Any
    clean: Callable[[int, Any], Any]
    run: Callable[[Conversation, Actor, Any], str]  # returns what it did (for the firing)


def _team(account_id: int, raw: Any) -> int:
    try:
        team_id = int(raw)
    except (TypeError, ValueError) as exc:
        raise ActionError(gettext_noop("Unknown team.")) from exc
    if not Team.objects.filter(account_id=account_id, pk=team_id).exists():
        raise ActionError(gettext_noop("Unknown team."))
    return team_id


def _member(account_id: int, raw: Any) -> int:
    try:
        member_id = int(raw)
    except (TypeError, ValueError) as exc:
        raise ActionError(gettext_noop("Unknown agent.")) from exc
    if not Membership.objects.filter(account_id=account_id, pk=member_id,
                                     is_active=True).exists():
        raise ActionError(gettext_noop("Unknown agent."))
    return member_id


def _macro(account_id: int, raw: Any) -> int:
    try:
        macro_id = int(raw)
    except (TypeError, ValueError) as exc:
        raise ActionError(gettext_noop("Unknown macro.")) from exc
    if not Macro.objects.filter(account_id=account_id, pk=macro_id).exists():
        raise ActionError(gettext_noop("Unknown macro."))
    return macro_id


def _text(account_id: int, raw: Any) -> str:
    value = str(raw or "").strip()
    if not value or len(value) > 5000:
        raise ActionError(gettext_noop("A text of 1-5000 characters is needed."))
    return value


def _tag_name(account_id: int, raw: Any) -> str:
    from storedesk.inbox.actions import TAG_RE

    value = str(raw or "").strip().lower()
    if not TAG_RE.match(value):
        raise ActionError(gettext_noop("A tag is 1-64 letters, digits, spaces or . : / - _"))
    return value


def _webhook(account_id: int, raw: Any) -> int:
    from storedesk.webhooks.models import WebhookSubscription

    try:
        subscription_id = int(raw)
    except (TypeError, ValueError) as exc:
        raise ActionError(gettext_noop("Unknown webhook.")) from exc
    if not WebhookSubscription.objects.filter(account_id=account_id, pk=subscription_id).exists():
        raise ActionError(gettext_noop("Unknown webhook."))
    return subscription_id


def _run_assign_team(c: Conversation, actor: Actor, team_id: int) -> str:
    from storedesk.inbox.actions import assign

    team = Team.objects.get(pk=team_id, account_id=c.account_id)
    assign(c, actor, assignee=c.assignee, team=team, set_team=True)
    return f"team {team.name}"


def _run_assign_agent(c: Conversation, actor: Actor, member_id: int) -> str:
    from storedesk.inbox.actions import assign

    member = Membership.objects.get(pk=member_id, account_id=c.account_id)
    assign(c, actor, assignee=member)
    return f"agent {member_id}"


def _run_status(c: Conversation, actor: Actor, status: str) -> str:
    from storedesk.inbox.actions import change_status

    current = Conversation.objects.values_list("status", flat=True).get(pk=c.pk)
    if current != status:
        change_status(c, actor, status)
    return f"status {status}"


def _run_snooze(c: Conversation, actor: Actor, hours: int) -> str:
    from storedesk.inbox.actions import change_status

    change_status(c, actor, Status.SNOOZED,
                  snoozed_until=timezone.now() + timedelta(hours=max(hours, 1)))
    return f"snoozed {hours} h"


def _run_priority(c: Conversation, actor: Actor, priority: str) -> str:
    from storedesk.inbox.actions import set_priority

    set_priority(c, actor, priority)
    return f"priority {priority}"


def _run_tag(c: Conversation, actor: Actor, name: str) -> str:
    from storedesk.inbox.actions import tag

    tag(c, actor, name)
    return f"tag {name}"


def _run_untag(c: Conversation, actor: Actor, name: str) -> str:
    from storedesk.inbox.actions import untag

    untag(c, actor, name)
    return f"untag {name}"


def _run_note(c: Conversation, actor: Actor, text: str) -> str:
    from storedesk.inbox.actions import add_note

    add_note(c, actor, text)
    return "note"


def _run_macro_reply(c: Conversation, actor: Actor, macro_id: int) -> str:
    from storedesk.inbox.actions import send_reply
    from storedesk.workflow.actions import apply_macro
    from storedesk.workflow.macros import render_macro

    macro = Macro.objects.get(pk=macro_id, account_id=c.account_id)
    conversation = Conversation.objects.select_related("contact", "inbox", "store",
                                                       "account").get(pk=c.pk)
    send_reply(conversation, actor, render_macro(macro, conversation, None))
    apply_macro(conversation, actor, macro)
    return f"macro {macro.name}"


def _run_notify_team(c: Conversation, actor: Actor, team_id: int) -> str:
    """A private note @mentioning every active member of the team: the workspace's own
    notification (Mentions view, a live `mention.created` to each seat) and a timeline line."""
    from storedesk.inbox.actions import add_note

    team = Team.objects.get(pk=team_id, account_id=c.account_id)
    emails = list(team.members.filter(is_active=True).order_by("pk")
                  .values_list("agent__email", flat=True))
    if not emails:
        raise ActionError(f"Team {team.name} has nobody to notify.")
    handles = " ".join(f"@{email}" for email in emails)
    add_note(c, actor, f"Team {team.name}, please look at this conversation. {handles}")
    return f"notified team {team.name} ({len(emails)})"


def _run_call_webhook(c: Conversation, actor: Actor, subscription_id: int) -> str:
    """POST the conversation to one of the account's outbound webhooks: a `rule.webhook_called`
    event on the timeline, delivered through the webhooks outbox (signed with the webhook's
    secret, by safe_fetch, retried with backoff, once per event)."""
    from storedesk.inbox.actions import add_timeline_event
    from storedesk.webhooks.actions import deliver_event
    from storedesk.webhooks.models import WebhookSubscription

    subscription = WebhookSubscription.objects.get(pk=subscription_id, account_id=c.account_id)
    if not subscription.is_active:
        raise ActionError("The webhook is disabled.")
    event = add_timeline_event(c, actor, EventKind.RULE_WEBHOOK_CALLED,
                               subscription_id=subscription.pk, url=subscription.url)
    deliver_event(subscription, event)
    return f"webhook {subscription.pk}"


ACTIONS: dict[str, Action] = {
    a.key: a for a in (
        Action("assign_team", _("Assign to team"), _team, _run_assign_team),
        Action("assign_agent", _("Assign to agent"), _member, _run_assign_agent),
        Action("set_status", _("Set status"), choice(
            lambda v: v in (Status.OPEN, Status.PENDING, Status.RESOLVED, Status.CLOSED),
            gettext_noop("Unknown status.")), _run_status),
        Action("snooze", _("Snooze for hours"), hours, _run_snooze),
        Action("set_priority", _("Set priority"), choice(
            lambda v: v in Priority.values, gettext_noop("Unknown priority.")), _run_priority),
        Action("add_tag", _("Add tag"), _tag_name, _run_tag),
        Action("remove_tag", _("Remove tag"), _tag_name, _run_untag),
        Action("add_note", _("Add a private note"), _text, _run_note),
        Action("send_macro", _("Reply with a macro"), _macro, _run_macro_reply),
        Action("notify_team", _("Notify a team"), _team, _run_notify_team),
        Action("call_webhook", _("Call an outbound webhook"), _webhook, _run_call_webhook),
    )
}
