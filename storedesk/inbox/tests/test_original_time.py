"""The inbox actions accept the original time of what they record (`at`): history loaded after
the fact (the demo loader, an import) keeps its times without touching the clock."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from django.utils import timezone

from storedesk.accounts.actor import Actor
from storedesk.core.errors import ActionError
from storedesk.events.models import Event
from storedesk.inbox.actions import (
    InboundMessage,
    add_note,
    assign,
    change_status,
    receive_message,
    send_reply,
    set_priority,
    tag,
    untag,
)
from storedesk.inbox.models import Conversation, Delivery, Mention

pytestmark = pytest.mark.django_db


def _received_at(personas, at: datetime) -> Conversation:
    return receive_message(personas.harbor_email, InboundMessage(
        sender_id="ayse@example.com", email="ayse@example.com", text="Kargom nerede?",
        source_id="m-1", created_at=at)).conversation


def _event(conversation: Conversation, kind: str) -> Event:
    return Event.objects.get(conversation=conversation, kind=kind)


def test_a_received_message_and_its_new_shopper_carry_the_original_time(personas):
    # when a message from three days ago is received
    at = timezone.now() - timedelta(days=3)
    conversation = _received_at(personas, at)

    # then the conversation, the message, the shopper and the timeline carry that time
    message = conversation.messages.get()
    assert conversation.created_at == message.created_at == at
    assert conversation.last_message_at == conversation.waiting_since == at
    assert message.sender_contact.created_at == at
    assert _event(conversation, "conversation.opened").created_at == at
    assert _event(conversation, "message.received").created_at == at


def test_a_reply_at_its_original_time_sets_the_reply_times_but_is_delivered_now(personas):
    # given a message from three days ago
    first = timezone.now() - timedelta(days=3)
    conversation = _received_at(personas, first)
    at = first + timedelta(minutes=9)

    # when the agent's reply of nine minutes later is recorded
    reply = send_reply(conversation, Actor.agent(personas.ahmet), "Kargonuz yolda.", at=at)

    # then the reply, its timeline row and the conversation's reply times carry it
    conversation.refresh_from_db()
    assert reply.created_at == at
    assert conversation.first_reply_at == conversation.last_message_at == at
    assert conversation.waiting_since is None
    assert _event(conversation, "message.created").created_at == at
    # and its delivery is due now, not three days ago
    delivery = Delivery.objects.get(message=reply)
    assert delivery.next_attempt_at > timezone.now() - timedelta(minutes=1)


def test_an_older_reply_never_moves_the_last_message_time_backwards(personas):
    # given a conversation whose last message is from an hour ago
    last = timezone.now() - timedelta(hours=1)
    conversation = _received_at(personas, last)

    # when a reply from the day before is recorded
    send_reply(conversation, Actor.agent(personas.ahmet), "Eski cevap.",
               at=last - timedelta(days=1))

    # then the last message time stays the newer one
    conversation.refresh_from_db()
    assert conversation.last_message_at == last


def test_a_note_and_its_mentions_carry_the_original_time(personas):
    conversation = _received_at(personas, timezone.now() - timedelta(days=2))
    at = timezone.now() - timedelta(days=1)

    note = add_note(conversation, Actor.agent(personas.olivia), "@ahmet bakar misin?", at=at)

    assert note.private and note.created_at == at
    assert Mention.objects.get(message=note).created_at == at
    assert _event(conversation, "note.added").created_at == at


def test_assignment_priority_and_tags_are_recorded_at_their_original_time(personas):
    conversation = _received_at(personas, timezone.now() - timedelta(days=2))
    lead = Actor.agent(personas.olivia)
    at = timezone.now() - timedelta(days=2) + timedelta(minutes=1)

    assign(conversation, lead, assignee=personas.ahmet, at=at)
    set_priority(conversation, lead, "high", at=at + timedelta(seconds=1))
    tag(conversation, lead, "shipping", at=at + timedelta(seconds=2))
    untag(conversation, lead, "shipping", at=at + timedelta(seconds=3))

    assert _event(conversation, "conversation.assigned").created_at == at
    assert _event(conversation, "conversation.priority_changed").created_at == \
        at + timedelta(seconds=1)
    assert _event(conversation, "conversation.tagged").created_at == at + timedelta(seconds=2)
    assert _event(conversation, "conversation.untagged").created_at == \
        at + timedelta(seconds=3)
    conversation.refresh_from_db()
    assert (conversation.assignee_id, conversation.priority) == (personas.ahmet.pk, "high")


def test_resolving_at_the_original_time_sets_resolved_at_to_it(personas):
    conversation = _received_at(personas, timezone.now() - timedelta(days=2))
    at = timezone.now() - timedelta(days=1)

    conversation = change_status(conversation, Actor.agent(personas.olivia), "resolved", at=at)

    conversation.refresh_from_db()
    assert conversation.resolved_at == at and conversation.waiting_since is None
    assert _event(conversation, "conversation.status_changed").created_at == at


def test_snoozing_in_the_past_still_needs_a_wake_up_time_in_the_future(personas):
    conversation = _received_at(personas, timezone.now() - timedelta(days=2))
    at = timezone.now() - timedelta(days=1)
    lead = Actor.agent(personas.olivia)

    with pytest.raises(ActionError, match="future"):
        change_status(conversation, lead, "snoozed", snoozed_until=at + timedelta(hours=1), at=at)
    change_status(conversation, lead, "snoozed",
                  snoozed_until=timezone.now() + timedelta(days=1), at=at)
    assert _event(conversation, "conversation.status_changed").created_at == at


def test_without_at_the_actions_record_now(personas):
    conversation = _received_at(personas, timezone.now() - timedelta(days=2))
    before = timezone.now()

    reply = send_reply(conversation, Actor.agent(personas.ahmet), "Şimdi.")
    set_priority(conversation, Actor.agent(personas.olivia), "urgent")

    assert reply.created_at >= before
    assert _event(conversation, "conversation.priority_changed").created_at >= before


@pytest.mark.parametrize("bad, problem", [
    (datetime(2026, 1, 1, 12, 0), "timezone"),  # naive
    ("future", "future"),
])
def test_every_action_refuses_a_naive_or_future_time_and_writes_nothing(personas, bad, problem):
    # given a conversation and its rows so far
    conversation = _received_at(personas, timezone.now() - timedelta(days=2))
    if bad == "future":
        bad = timezone.now() + timedelta(hours=1)
    lead = Actor.agent(personas.olivia)
    events = Event.objects.count()
    calls = [
        lambda: send_reply(conversation, lead, "x", at=bad),
        lambda: add_note(conversation, lead, "x", at=bad),
        lambda: assign(conversation, lead, assignee=personas.ahmet, at=bad),
        lambda: set_priority(conversation, lead, "high", at=bad),
        lambda: tag(conversation, lead, "shipping", at=bad),
        lambda: untag(conversation, lead, "shipping", at=bad),
        lambda: change_status(conversation, lead, "resolved", at=bad),
        lambda: receive_message(personas.harbor_email, InboundMessage(
            sender_id="new@example.com", text="x", source_id="m-2", created_at=bad)),
    ]
    for call in calls:
        with pytest.raises(ActionError, match=problem):
            call()

    # then nothing was written
    assert Event.objects.count() == events
    assert conversation.messages.count() == 1
    conversation.refresh_from_db()
    assert (conversation.assignee_id, conversation.priority, conversation.status) == (
        None, "normal", "open")


def test_a_clock_a_little_ahead_is_accepted(personas):
    # another machine's clock a minute ahead is not "the future"
    conversation = _received_at(personas, timezone.now() - timedelta(days=2))
    at = timezone.now() + timedelta(minutes=1)

    note = add_note(conversation, Actor.agent(personas.olivia), "Saat ileri.", at=at)

    assert note.created_at == at
