"""Macros: variables render as plain text for the conversation at hand; follow-ups apply."""

from __future__ import annotations

import pytest

from storedesk.accounts.actor import Actor
from storedesk.core.errors import ActionError, NotFound
from storedesk.events.models import Event
from storedesk.inbox.actions import InboundMessage, receive_message
from storedesk.inbox.models import Status
from storedesk.workflow import actions
from storedesk.workflow.macros import render_macro, unknown_variables

pytestmark = pytest.mark.django_db


def _conversation(inbox, name="Maya Kowalska", email="maya@shopper.test"):
    return receive_message(
        inbox, InboundMessage(sender_id=email, email=email, name=name, text="Where is my order?")
    ).conversation


def test_variables_render_for_the_conversation_and_the_agent(personas):
    # given a macro using the documented variables
    conversation = _conversation(personas.harbor_email)
    macro = actions.create_macro(
        personas.harbor, by=personas.olivia.agent, name="Order status",
        text="Hi {{contact.first_name}} ({{ contact.name }}, {{contact.email}}), "
             "#{{conversation.display_id}} at {{store.name}}. "
             "{{agent.first_name}} / {{agent.name}}",
    )
    # when Ahmet renders it
    text = render_macro(macro, conversation, personas.ahmet)
    # then every variable is replaced
    assert text == (
        f"Hi Maya (Maya Kowalska, maya@shopper.test), #{conversation.display_id} at "
        "Harbor & Vine. Ahmet / Ahmet Yilmaz"
    )


def test_unknown_variables_render_empty_and_are_reported(personas):
    conversation = _conversation(personas.harbor_email)
    macro = actions.create_macro(personas.harbor, name="Typo",
                                 text="Hi {{contact.frist_name}}!{{contact.__class__}}")
    assert render_macro(macro, conversation, personas.ahmet) == "Hi !"
    assert unknown_variables(macro.text) == ["contact.frist_name", "contact.__class__"]


def test_html_in_a_contact_name_stays_text(personas, client):
    # given a shopper whose name carries markup
    conversation = _conversation(personas.harbor_chat, name="<img src=x onerror=alert(1)> Eve",
                                 email="eve@shopper.test")
    macro = actions.create_macro(personas.harbor, name="Greeting", text="Hi {{contact.name}}")
    # when rendered
    text = render_macro(macro, conversation, personas.ahmet)
    # then it is the raw text (not escaped twice, not interpreted); templates escape it on display
    assert text == "Hi <img src=x onerror=alert(1)> Eve"
    from django.template import engines

    shown = engines["django"].from_string("{{ text }}").render({"text": text})
    assert "<img" not in shown and "&lt;img src=x" in shown


def test_template_syntax_is_not_executed(personas):
    conversation = _conversation(personas.harbor_email)
    macro = actions.create_macro(personas.harbor, name="Sneaky",
                                 text="{% load static %}{{ settings.SECRET_KEY }}")
    assert render_macro(macro, conversation, personas.ahmet) == "{% load static %}"


def test_apply_macro_sets_status_priority_tags_and_counts(personas):
    # given an open conversation and a macro that resolves and tags
    conversation = _conversation(personas.harbor_email)
    macro = actions.create_macro(
        personas.harbor, name="Refund done", text="Refunded.",
        actions={"status": "resolved", "priority": "high", "tags": ["Refund", "wismo"]},
    )
    # when Ahmet applies it
    result = actions.apply_macro(conversation, Actor.agent(personas.ahmet), macro)
    # then the follow-ups happened through the inbox actions, with timeline rows
    assert result.status == Status.RESOLVED
    assert result.priority == "high"
    assert sorted(result.tags.values_list("name", flat=True)) == ["refund", "wismo"]
    macro.refresh_from_db()
    assert macro.usage_count == 1
    kinds = set(Event.objects.filter(conversation=conversation)
                .values_list("kind", flat=True))
    assert {"conversation.status_changed", "conversation.priority_changed",
            "conversation.tagged", "macro.applied"} <= kinds


def test_a_macro_of_another_account_cannot_be_applied(personas):
    conversation = _conversation(personas.harbor_email)
    foreign = actions.create_macro(personas.northwind, name="North", text="Hello")
    with pytest.raises(NotFound):
        actions.apply_macro(conversation, Actor.agent(personas.ahmet), foreign)
    with pytest.raises(NotFound):
        render_macro(foreign, conversation, personas.ahmet)


def test_macro_validation(personas):
    actions.create_macro(personas.harbor, name="Dup", text="x")
    with pytest.raises(ActionError):
        actions.create_macro(personas.harbor, name="Dup", text="y")
    with pytest.raises(ActionError):
        actions.create_macro(personas.harbor, name="Snooze", text="x",
                             actions={"status": "snoozed"})
    with pytest.raises(ActionError):
        actions.create_macro(personas.harbor, name="Evil", text="x", actions={"delete": True})
    # the same name in another account is fine
    actions.create_macro(personas.northwind, name="Dup", text="z")
