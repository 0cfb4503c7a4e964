"""The demo loader: what a newcomer finds after `storedesk demo`; a rerun changes nothing."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta

import pytest
from django.contrib.auth import authenticate
from django.utils import timezone

from storedesk.accounts.models import Agent, ApiToken, AuditLog, Membership, Team
from storedesk.commerce.models import Store
from storedesk.contacts.models import Contact, ContactIdentity
from storedesk.demo import data
from storedesk.demo.loader import demo_photo, load_demo
from storedesk.events.models import Event
from storedesk.inbox.models import (
    Attachment,
    Conversation,
    Delivery,
    Inbox,
    Message,
    Tag,
)
from storedesk.workflow.models import Macro

pytestmark = pytest.mark.django_db

COUNTED = [Agent, Membership, Team, ApiToken, AuditLog, Store, Inbox, Contact, ContactIdentity,
           Conversation, Message, Event, Attachment, Delivery, Tag, Macro]


def table_counts() -> dict[str, int]:
    return {model.__name__: model._default_manager.count() for model in COUNTED}


def test_a_newcomer_finds_the_documented_store_logins_and_inboxes() -> None:
    # given an empty database
    # when the demo is loaded
    result = load_demo()

    # then the owner signs in with the documented login
    agent = authenticate(email="admin@example.com", password="storedesk-demo")
    assert agent is not None and agent.name == "Alex Morgan"
    assert result.owner.role == "owner" and result.owner.agent_id == agent.pk
    # and the store is a custom-platform store
    assert (result.store.slug, result.store.platform) == ("lumen-loom", "custom")
    # and there is one inbox per demo channel
    channels = dict(Inbox.objects.filter(account=result.account).values_list("name", "channel"))
    assert channels == {"Store API": "api", "Support email": "email", "Website chat": "webchat"}
    assert result.inboxes["email"].config["address"] == "support@lumenloom.example"
    assert {inbox.store_id for inbox in result.inboxes.values()} == {result.store.pk}
    assert Conversation.objects.filter(account=result.account, store=result.store).count() == 30
    # and agents of every language plus a light agent sit in Support and Returns
    roles = Counter(Membership.objects.filter(account=result.account)
                    .values_list("role", flat=True))
    assert roles == Counter({"owner": 1, "agent": 4, "light_agent": 1})
    assert set(Team.objects.filter(account=result.account).values_list("name", flat=True)) == {
        "Support", "Returns", "Poland"}  # Poland: the workflow's demo rule routes there


def test_the_conversations_cover_five_languages_three_inboxes_and_the_daily_work() -> None:
    # when the demo is loaded
    result = load_demo()
    conversations = Conversation.objects.filter(account=result.account)

    # then ~30 conversations are spread over the languages and inboxes
    assert conversations.count() == len(data.CONVERSATIONS) == 30
    assert Counter(conversations.values_list("language", flat=True)) == {
        "en": 6, "pl": 6, "tr": 6, "id": 6, "th": 6}
    assert set(conversations.values_list("inbox__channel", flat=True)) == {
        "api", "email", "webchat"}
    # with a spread of statuses and priorities, assignments, teams and tags
    assert set(conversations.values_list("status", flat=True)) == {
        "open", "pending", "snoozed", "resolved", "closed"}
    assert set(conversations.values_list("priority", flat=True)) == {
        "low", "normal", "high", "urgent"}
    assert conversations.filter(assignee__isnull=True).exists()
    assert conversations.filter(team__name="Returns").count() >= 3
    assert {"where-is-my-order", "return", "refund", "cancellation", "address-change",
            "shipping", "damaged", "compliment"} <= set(
        Tag.objects.filter(account=result.account).values_list("name", flat=True))
    # and agents replied and left private notes, never replying on the API inbox
    messages = Message.objects.filter(account=result.account)
    replies = messages.filter(direction="outgoing", private=False)
    assert replies.exists() and messages.filter(private=True).exists()
    assert not replies.filter(inbox__channel="api").exists()
    assert Delivery.objects.filter(message__in=replies).count() == replies.count()
    # and the damaged-item stories carry a photo
    photos = Attachment.objects.filter(account=result.account)
    assert photos.count() == 3
    assert set(photos.values_list("content_type", flat=True)) == {"image/png"}
    # and the timestamps are spread over the last days, in the order things happened
    now = timezone.now()
    oldest = conversations.order_by("created_at").first()
    assert oldest is not None and oldest.created_at < now - timedelta(days=4)
    assert conversations.filter(created_at__gt=now - timedelta(hours=3)).exists()
    for conversation in conversations:
        times = list(conversation.messages.order_by("id").values_list("created_at", flat=True))
        assert times == sorted(times)
        public = conversation.messages.filter(private=False).order_by("-id").first()
        assert public is not None and conversation.last_message_at is not None
        assert abs(conversation.last_message_at - public.created_at) < timedelta(seconds=1)


def test_loading_twice_changes_nothing() -> None:
    # given a loaded demo
    first = load_demo()
    before = table_counts()

    # when it is loaded again
    second = load_demo()

    # then every table holds the same rows and nothing was seeded the second time
    assert table_counts() == before
    assert second.seeded == [] and len(second.skipped) == len(data.CONVERSATIONS)
    assert second.account.pk == first.account.pk and second.owner.pk == first.owner.pk


def test_the_documented_login_works_again_after_someone_changed_the_password() -> None:
    # given a demo whose owner changed the password
    load_demo()
    owner = Agent.objects.get(email="admin@example.com")
    owner.set_password("something-else-entirely")
    owner.save()
    assert authenticate(email="admin@example.com", password="storedesk-demo") is None

    # when the demo is loaded again
    load_demo()

    # then the documented login works, and the reset is in the audit log
    assert authenticate(email="admin@example.com", password="storedesk-demo") is not None
    assert AuditLog.objects.filter(action="agent.password_set").count() == 1


def test_the_demo_stays_in_its_own_account(personas) -> None:
    # given Harbor & Vine with its own conversation
    from storedesk.inbox.actions import InboundMessage, receive_message

    receive_message(personas.harbor_api, InboundMessage(sender_id="c-1", text="Hello"))
    harbor_before = Conversation.objects.filter(account=personas.harbor).count()

    # when the demo is loaded
    result = load_demo()

    # then Harbor's data is untouched and the demo's rows all belong to the demo account
    assert Conversation.objects.filter(account=personas.harbor).count() == harbor_before
    assert not Message.objects.filter(conversation__account=result.account).exclude(
        account=result.account).exists()
    assert not Membership.objects.filter(account=personas.harbor,
                                         agent__email="admin@example.com").exists()


def test_a_new_scenario_is_picked_up_by_an_existing_demo(monkeypatch) -> None:
    # given a loaded demo
    load_demo()
    extra = {
        "key": "en-new-scenario", "inbox": "chat", "language": "en", "hours_ago": 1,
        "shopper": {"id": "visitor-new", "name": "New Shopper", "email": ""},
        "steps": [{"at": 0, "in": "Do you ship to Iceland?"},
                  {"at": 3, "reply": "We do - EUR 19.90, 6-9 business days.", "by": "alex"}],
        "tags": ["shipping"], "status": "resolved",
    }
    monkeypatch.setattr(data, "CONVERSATIONS", [*data.CONVERSATIONS, extra])

    # when the demo is loaded again
    result = load_demo()

    # then only the new scenario is seeded
    assert result.seeded == ["en-new-scenario"]
    conversation = Message.objects.get(source_id="demo:en-new-scenario:0").conversation
    assert conversation.status == "resolved" and conversation.message_count == 2


def test_the_demo_photo_is_a_real_png() -> None:
    photo = demo_photo()
    assert photo.startswith(b"\x89PNG\r\n\x1a\n") and b"IDAT" in photo and photo.endswith(
        b"IEND\xaeB`\x82")


def test_every_scenario_is_well_formed() -> None:
    # the loader trusts the data; this keeps new scenarios honest before they are seeded
    agents = {a["key"] for a in data.AGENTS}
    keys = [s["key"] for s in data.CONVERSATIONS]
    assert len(keys) == len(set(keys))
    for scenario in data.CONVERSATIONS:
        assert scenario["inbox"] in data.INBOXES, scenario["key"]
        assert scenario["language"] in data.ACCOUNT["languages"], scenario["key"]
        assert scenario.get("assignee") in agents | {None}, scenario["key"]
        assert scenario.get("team") in set(data.TEAMS) | {None}, scenario["key"]
        steps = scenario["steps"]
        assert "in" in steps[0], scenario["key"]
        assert [s["at"] for s in steps] == sorted(s["at"] for s in steps), scenario["key"]
        for step in steps:
            assert ("in" in step) != ("by" in step), scenario["key"]
            assert step.get("by") in agents | {None}, scenario["key"]
            if "reply" in step:
                assert data.INBOXES[scenario["inbox"]]["channel"] != "api", scenario["key"]


def test_a_newcomer_finds_macros_in_every_demo_language() -> None:
    from storedesk.workflow.macros import render_macro

    result = load_demo()
    macros = Macro.objects.filter(account=result.account)
    by_language = Counter(macros.values_list("language", flat=True))
    assert set(by_language) == {"en", "pl", "tr", "id", "th"}
    assert min(by_language.values()) >= 3
    # and one renders for a demo conversation in its language
    conversation = Conversation.objects.filter(account=result.account, language="pl").first()
    if conversation is None:
        conversation = Conversation.objects.filter(account=result.account).first()
    text = render_macro(macros.get(name="Dziękujemy, rozwiązane"), conversation, result.owner)
    assert text.startswith("Dziękujemy, ")


@pytest.mark.parametrize("browser_language", ["en-US", "pl-PL", "tr-TR", "id-ID", "th-TH",
                                              "de-DE", "es-ES", "fr-FR", "pt-PT", "it-IT",
                                              "nl-NL"])
def test_the_demo_chat_greets_each_visitor_in_their_language(browser_language: str) -> None:
    from django.test import Client

    from storedesk.connectors.webchat.tokens import public_key

    chat = load_demo().inboxes["chat"]
    # when a visitor's browser opens the demo shop's chat (the widget's session call)
    response = Client().post("/widget/api/session", data={"languages": [browser_language]},
                             content_type="application/json",
                             HTTP_X_WIDGET_KEY=public_key(chat))
    assert response.status_code == 200, response.content
    body = response.json()
    # then the greeting is the demo's own, in the visitor's language
    language = browser_language[:2]
    assert body["language"] == language
    assert body["texts"]["greeting"] == data.CHAT_GREETINGS[language]


def test_an_older_demos_english_only_greeting_becomes_per_language() -> None:
    from storedesk.inbox import actions as inbox_actions

    chat = load_demo().inboxes["chat"]
    config = {k: v for k, v in chat.config.items() if k != "texts"}
    inbox_actions.replace_inbox_config(chat, {**config, "greeting": data.OLD_CHAT_GREETING})
    # when the demo is loaded again
    chat = load_demo().inboxes["chat"]
    # then the chat greets in every demo language, and no longer in English only
    assert chat.config["greeting"] == ""
    assert chat.config["texts"]["th"]["greeting"] == data.CHAT_GREETINGS["th"]
