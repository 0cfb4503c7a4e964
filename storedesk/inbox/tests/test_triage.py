"""What the assistant and rules set through inbox actions: language, intent, hand-off; the public
timeline action; a note's truthful status. Called directly, as a subscriber would."""

from __future__ import annotations

import pytest

from storedesk.accounts.actor import BOT, Actor
from storedesk.core.errors import ActionError
from storedesk.events import EventKind
from storedesk.events.models import Event
from storedesk.inbox.actions import (
    InboundMessage,
    add_note,
    add_timeline_event,
    change_status,
    hand_off,
    receive_message,
    set_intent,
    set_language,
)
from storedesk.inbox.models import Message, Status


@pytest.fixture
def conversation(personas):
    return receive_message(personas.harbor_api, InboundMessage(
        sender_id="ayse", name="Ayşe", text="Siparişim nerede?", source_id="a-1")).conversation


def _events(conversation, kind: str) -> list[Event]:
    return list(Event.objects.filter(conversation=conversation, kind=kind).order_by("pk"))


def test_the_assistant_sets_language_and_intent_each_once(conversation):
    # when the assistant detects Turkish and an order-status question (twice: a repeat)
    for _ in range(2):
        set_language(conversation, BOT, "TR")
        set_intent(conversation, BOT, "order_status")
    # then the conversation says so and the timeline has one row for each change
    conversation.refresh_from_db()
    assert (conversation.language, conversation.intent) == ("tr", "order_status")
    [language] = _events(conversation, "conversation.language_set")
    assert language.data == {"old": "", "new": "tr"} and language.actor_type == "bot"
    [intent] = _events(conversation, "conversation.intent_set")
    assert intent.data == {"old": "", "new": "order_status"}


def test_bad_language_and_intent_are_refused_and_change_nothing(conversation):
    with pytest.raises(ActionError, match="language code"):
        set_language(conversation, BOT, "Turkish please")
    with pytest.raises(ActionError, match="intent"):
        set_intent(conversation, BOT, "Where is <b>it</b>")
    conversation.refresh_from_db()
    assert (conversation.language, conversation.intent) == ("", "")
    assert not _events(conversation, "conversation.language_set")


def test_the_assistant_hands_off_with_a_summary_note(conversation, personas):
    # when the assistant gives up and hands the shopper to a human
    hand_off(conversation, BOT, "Ayşe asks where order 1042 is; tracking shows no scan.")
    # then the conversation is flagged, a private summary note is on the thread
    conversation.refresh_from_db()
    assert conversation.handoff is True
    note = Message.objects.get(conversation=conversation, private=True)
    assert note.text.startswith("Ayşe asks") and note.sender_type == "bot"
    assert note.delivery_status == "internal"
    # and the timeline says who handed off, pointing at the note
    [event] = _events(conversation, "conversation.handed_off")
    assert event.actor_type == "bot" and event.data == {"note_id": note.pk, "again": False}
    # a hand-off without a summary is refused
    with pytest.raises(ActionError, match="summary"):
        hand_off(conversation, BOT, "   ")
    # a closed conversation cannot be handed off
    change_status(conversation, Actor.agent(personas.ahmet), Status.CLOSED)
    with pytest.raises(ActionError, match="closed"):
        hand_off(conversation, BOT, "again")
    assert len(_events(conversation, "conversation.handed_off")) == 1


def test_other_apps_write_only_their_own_kinds_on_the_timeline(conversation, personas):
    ahmet = Actor.agent(personas.ahmet)
    # when a macro's application is recorded through the public timeline action
    event = add_timeline_event(conversation, ahmet, EventKind.MACRO_APPLIED, macro="Refund")
    assert event.conversation_id == conversation.pk and event.kind == "macro.applied"
    # then a state kind the inbox owns cannot be written without the change it describes
    with pytest.raises(ActionError, match="inbox action"):
        add_timeline_event(conversation, ahmet, EventKind.CONVERSATION_STATUS_CHANGED, new="x")
    assert not _events(conversation, "conversation.status_changed")


def test_a_note_is_internal_not_sent(conversation, personas):
    note = add_note(conversation, Actor.agent(personas.ahmet), "Check the warehouse first.")
    assert note.delivery_status == "internal"
    assert note.get_delivery_status_display() == "Internal note"


def test_a_shopper_writing_into_a_resolved_conversation_reopens_it_through_the_table(
    conversation, personas
):
    change_status(conversation, Actor.agent(personas.ahmet), Status.RESOLVED)
    # when Ayşe writes again
    again = receive_message(personas.harbor_api, InboundMessage(
        sender_id="ayse", text="Hâlâ gelmedi", source_id="a-2"))
    # then the same conversation is open again, with the transition on the timeline
    assert again.conversation.pk == conversation.pk
    assert again.conversation.status == Status.OPEN
    reopened = _events(conversation, "conversation.status_changed")[-1]
    assert reopened.data == {"old": "resolved", "new": "open", "reason": "inbound_message"}
    # and a closed conversation is final: the next message opens a new one
    change_status(again.conversation, Actor.agent(personas.ahmet), Status.CLOSED)
    third = receive_message(personas.harbor_api, InboundMessage(
        sender_id="ayse", text="Merhaba?", source_id="a-3"))
    assert third.conversation.pk != conversation.pk
