"""Load the Lumen & Loom demo through the same actions the product uses. Idempotent.

Running it again changes nothing: the account, agents, teams, store and inboxes are looked up
before they are created, each scenario is skipped when its first inbound message (keyed by
source_id) is already stored, and the owner's password is reset to the documented one.

Timestamps: the scenarios are spread over the last days. Each step passes its original time
to the action (`created_at` of an inbound message, `at` of a reply, a note, an assignment, a
status change...), so the actions stamp the rows and every derived field (waiting since, first
reply, resolved at, timeline rows) with it; nothing rewrites timestamps afterwards.
"""

from __future__ import annotations

import struct
import zlib
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.utils import timezone

from storedesk.accounts.actions import (
    add_member,
    create_account,
    create_team,
    set_password,
    set_team_members,
)
from storedesk.accounts.actor import Actor
from storedesk.accounts.models import Account, Agent, Membership, Team
from storedesk.commerce.actions import create_store
from storedesk.commerce.models import Store
from storedesk.connectors.actions import set_up_inbox
from storedesk.demo import data
from storedesk.demo.commerce import load_commerce
from storedesk.helpcenter.demo import load_demo_help_center
from storedesk.inbox import actions as inbox_actions
from storedesk.inbox.models import Conversation, Inbox, Message, Status, Tag
from storedesk.inbox.storage import IncomingFile
from storedesk.workflow.demo import load_workflow_demo
from storedesk.workflow_ui.demo import load_playbooks_demo


@dataclass
class DemoResult:
    account: Account
    owner: Membership
    store: Store
    inboxes: dict[str, Inbox]
    members: dict[str, Membership]
    seeded: list[str] = field(default_factory=list)  # scenario keys seeded by this run
    skipped: list[str] = field(default_factory=list)  # already present

    @property
    def api_inbox_id(self) -> int:
        return self.inboxes["api"].pk


def load_demo(now: datetime | None = None) -> DemoResult:
    """Create (or complete) the demo account and return what it holds."""
    now = now or timezone.now()
    account = _ensure_account()
    members = _ensure_members(account)
    _ensure_teams(account, members)
    store = _ensure_store(account)
    inboxes = _ensure_inboxes(account, store)
    _ensure_tags(account)
    _ensure_macros(account)
    load_workflow_demo(account, members)  # team Poland, its rule and auto-assignment
    load_demo_help_center(store)
    load_playbooks_demo(account, members["alex"])  # the lost-parcel procedure as a playbook
    result = DemoResult(account=account, owner=members["alex"], store=store, inboxes=inboxes,
                        members=members)
    teams = {t.name: t for t in Team.objects.filter(account=account)}
    for scenario in data.CONVERSATIONS:
        inbox = inboxes[scenario["inbox"]]
        if Message.objects.filter(inbox=inbox, source_id=_source_id(scenario, 0)).exists():
            result.skipped.append(scenario["key"])
            continue
        seed_conversation(scenario, inbox, members, teams, now=now)
        result.seeded.append(scenario["key"])
    shoppers = {s["shopper"]["email"]: s["shopper"]["name"] for s in data.CONVERSATIONS
                if s["shopper"].get("email")}
    load_commerce(store, sorted(shoppers.items()), now)
    _ensure_assistant(account, members["alex"], inboxes)
    return result


def _ensure_assistant(account: Account, owner: Membership, inboxes: dict[str, Inbox]) -> None:
    """The assistant answers on every demo inbox (unless an admin changed that since), in the
    account's languages (`storedesk demo` then loads the assistant's model before it serves,
    see assistant/warmup.py).

    The seeded scenarios are history: the assistant never answers a message that old."""
    from storedesk.accounts.actions import set_account_languages
    from storedesk.assistant.actions import set_inbox_mode
    from storedesk.assistant.models import InboxAssistant

    wanted = list(data.ACCOUNT["languages"])
    _keep_help_center_languages(account, owner)
    if not set(wanted) <= set(account.languages or []):
        set_account_languages(account, [*account.languages, *[code for code in wanted
                                                             if code not in account.languages]],
                              by=owner.agent)
    for inbox in inboxes.values():
        if not InboxAssistant.objects.filter(inbox=inbox).exists():
            set_inbox_mode(inbox, "auto")


def _keep_help_center_languages(account: Account, owner: Membership) -> None:
    """The demo articles exist in five languages: the help center lists those, not every
    language the assistant answers in."""
    from storedesk.helpcenter.actions import HelpCenterSettings, update_help_center
    from storedesk.helpcenter.models import HelpCenter

    content = ["en", "pl", "tr", "id", "th"]
    for center in HelpCenter.objects.filter(account=account, languages=[]):
        values = HelpCenterSettings(
            name=center.name, default_language=center.default_language, languages=content,
            is_public=center.is_public, primary_color=center.primary_color,
            accent_color=center.accent_color, contact_email=center.contact_email,
            chat_url=center.chat_url)
        update_help_center(owner, center, values)


# --- Account, people, places ----------------------------------------------------------------


def _ensure_account() -> Account:
    account = Account.objects.filter(slug=data.ACCOUNT["slug"]).first()
    if account is None:
        account = create_account(data.ACCOUNT["name"], languages=data.ACCOUNT["languages"],
                                 slug=data.ACCOUNT["slug"])
    return account


def _ensure_members(account: Account) -> dict[str, Membership]:
    members: dict[str, Membership] = {}
    for person in data.AGENTS:
        membership = (
            Membership.objects.filter(account=account, agent__email=person["email"])
            .select_related("agent").first()
        )
        if membership is None or membership.role != person["role"] or not membership.is_active:
            membership = add_member(account, person["email"], role=person["role"],
                                    name=person["name"], password=data.PASSWORD,
                                    language=person["language"])
        members[person["key"]] = membership
    _ensure_password(members["alex"].agent, account)
    return members


def _ensure_password(agent: Agent, account: Account) -> None:
    """The documented demo login must always work, even after someone changed it."""
    if agent.check_password(data.PASSWORD) and agent.is_active:
        return
    set_password(agent, data.PASSWORD, account=account)


def _ensure_teams(account: Account, members: dict[str, Membership]) -> None:
    for name, keys in data.TEAMS.items():
        team = Team.objects.filter(account=account, name=name).first()
        if team is None:
            team = create_team(account, name)
        wanted = {members[k].pk for k in keys}
        if set(team.members.values_list("pk", flat=True)) != wanted:
            set_team_members(team, [members[k] for k in keys])


def _ensure_store(account: Account) -> Store:
    store = Store.objects.filter(account=account, slug=data.STORE["slug"]).first()
    return store or create_store(account, **data.STORE)


def _ensure_inboxes(account: Account, store: Store) -> dict[str, Inbox]:
    inboxes: dict[str, Inbox] = {}
    for key, spec in data.INBOXES.items():
        inbox = Inbox.objects.filter(account=account, name=spec["name"]).first()
        if inbox is None:
            inbox = _create_inbox(account, store, spec)
        elif spec["config"].get("local_only") and not (inbox.config or {}).get("local_only"):
            # a demo loaded by an older release: keep its mail on this machine from now on
            inbox = inbox_actions.replace_inbox_config(
                inbox, {**(inbox.config or {}), "local_only": True}
            )
        elif (inbox.config or {}).get("greeting") == data.OLD_CHAT_GREETING and \
                not (inbox.config or {}).get("texts"):
            # an older demo's one English greeting: greet each visitor in their language
            inbox = inbox_actions.replace_inbox_config(
                inbox, {**(inbox.config or {}), "greeting": "", "texts": spec["config"]["texts"]}
            )
        inboxes[key] = inbox
    return inboxes


def _create_inbox(account: Account, store: Store, spec: dict[str, Any]) -> Inbox:
    return set_up_inbox(account, spec["channel"], name=spec["name"], config=dict(spec["config"]),
                        store=store)


def _ensure_tags(account: Account) -> None:
    existing = set(Tag.objects.filter(account=account).values_list("name", flat=True))
    for name, color in data.TAGS.items():
        if name not in existing:
            inbox_actions.create_tag(account, name, color=color)


def _ensure_macros(account: Account) -> None:
    from storedesk.workflow.actions import create_macro
    from storedesk.workflow.models import Macro

    existing = set(Macro.objects.filter(account=account).values_list("name", flat=True))
    for spec in data.MACROS:
        if spec["name"] not in existing:
            create_macro(account, name=spec["name"], text=spec["text"],
                         language=spec["language"], actions=spec.get("actions"))


# --- Conversations --------------------------------------------------------------------------


def _source_id(scenario: dict[str, Any], n: int) -> str:
    return f"demo:{scenario['key']}:{n}"


def seed_conversation(
    scenario: dict[str, Any],
    inbox: Inbox,
    members: dict[str, Membership],
    teams: dict[str, Team],
    *,
    now: datetime,
) -> Conversation:
    """Play one scenario through the inbox actions, each step at its original time."""
    start = now - timedelta(hours=scenario["hours_ago"])
    shopper = scenario["shopper"]
    conversation: Conversation | None = None
    inbound_n = 0
    at = start
    for step in scenario["steps"]:
        at = start + timedelta(minutes=step["at"])
        if "in" in step:
            received = inbox_actions.receive_message(inbox, inbox_actions.InboundMessage(
                sender_id=shopper["id"],
                text=step["in"],
                source_id=_source_id(scenario, inbound_n),
                name=shopper.get("name", ""),
                email=shopper.get("email", ""),
                subject=scenario.get("subject", ""),
                attachments=[_demo_file(n) for n in step.get("attachments", [])],
                metadata={"language": scenario["language"], "demo": True},
                conversation_id=conversation.pk if conversation else None,
                created_at=at,
            ))
            conversation = received.conversation
            inbound_n += 1
            if inbound_n == 1:
                # the lead triages a minute after the first message
                conversation = _triage(conversation, scenario, members, teams,
                                       at=at + timedelta(minutes=1))
            continue
        if conversation is None:
            raise ValueError(f"Scenario {scenario['key']} must start with a shopper message.")
        actor = Actor.agent(members[step["by"]])
        if "reply" in step:
            if inbox.channel == "api":
                raise ValueError(f"Scenario {scenario['key']}: no replies on the API inbox.")
            inbox_actions.send_reply(conversation, actor, step["reply"], at=at)
        elif "note" in step:
            inbox_actions.add_note(conversation, actor, step["note"], at=at)
        conversation.refresh_from_db()
    assert conversation is not None
    return _finish(conversation, scenario, members, now=now, at=at + timedelta(minutes=10))


def _triage(
    conversation: Conversation,
    scenario: dict[str, Any],
    members: dict[str, Membership],
    teams: dict[str, Team],
    *,
    at: datetime,
) -> Conversation:
    """What a lead does when the conversation comes in: assignee, team, priority, tags."""
    lead = Actor.agent(members["alex"])
    assignee = members.get(scenario.get("assignee") or "")
    team = teams.get(scenario.get("team") or "")
    if assignee is not None or team is not None:
        conversation = inbox_actions.assign(conversation, lead, assignee=assignee, team=team,
                                            set_team=team is not None, at=at)
    priority = scenario.get("priority", "normal")
    if priority != conversation.priority:
        conversation = inbox_actions.set_priority(conversation, lead, priority, at=at)
    for name in scenario.get("tags", []):
        inbox_actions.tag(conversation, lead, name, at=at)
    conversation.refresh_from_db()
    return conversation


def _finish(
    conversation: Conversation,
    scenario: dict[str, Any],
    members: dict[str, Membership],
    *,
    now: datetime,
    at: datetime,
) -> Conversation:
    status = scenario.get("status", Status.OPEN)
    conversation.refresh_from_db()
    if status == conversation.status:
        return conversation
    actor = Actor.agent(members.get(scenario.get("assignee") or "") or members["alex"])
    snoozed_until = now + timedelta(days=2) if status == Status.SNOOZED else None
    return inbox_actions.change_status(conversation, actor, status, snoozed_until=snoozed_until,
                                       at=at)


# --- Files ----------------------------------------------------------------------------------


def _demo_file(filename: str) -> IncomingFile:
    return IncomingFile(filename=filename, content=demo_photo(), content_type="image/png")


def demo_photo(width: int = 96, height: int = 64) -> bytes:
    """A small, valid PNG: a striped textile with a dark tear across it."""
    rows = []
    for y in range(height):
        row = bytearray([0])  # filter type 0
        for x in range(width):
            torn = abs((x - 20) - (y * 0.9)) < 2.5 and 10 < y < 54
            if torn:
                row += bytes((40, 32, 28))
            elif (x // 8) % 2:
                row += bytes((196, 170, 140))
            else:
                row += bytes((224, 206, 182))
        rows.append(bytes(row))
    raw = b"".join(rows)

    def chunk(kind: bytes, body: bytes) -> bytes:
        return (struct.pack(">I", len(body)) + kind + body
                + struct.pack(">I", zlib.crc32(kind + body) & 0xFFFFFFFF))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header)
            + chunk(b"IDAT", zlib.compress(raw, 9)) + chunk(b"IEND", b""))
