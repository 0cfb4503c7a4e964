from __future__ import annotations

import itertools
from datetime import timedelta

import pytest
from django.utils import timezone

from storedesk.accounts.actor import Actor
from storedesk.core.errors import ActionError, InvalidTransition
from storedesk.events.models import Event
from storedesk.inbox.actions import InboundMessage, change_status, receive_message
from storedesk.inbox.models import Status
from storedesk.inbox.transitions import TRANSITIONS, check_transition

ALLOWED = {
    ("open", "pending"), ("open", "snoozed"), ("open", "resolved"), ("open", "closed"),
    ("pending", "open"), ("pending", "snoozed"), ("pending", "resolved"), ("pending", "closed"),
    ("snoozed", "open"), ("snoozed", "pending"), ("snoozed", "resolved"), ("snoozed", "closed"),
    ("snoozed", "snoozed"),  # a new wake-up time
    ("resolved", "open"), ("resolved", "closed"),
}


ALL_PAIRS = list(itertools.product(Status.values, Status.values))


@pytest.mark.parametrize(("current", "target"), ALL_PAIRS)
def test_the_table_allows_exactly_the_documented_moves(current, target):
    if (current, target) in ALLOWED:
        check_transition(current, target)
        assert target in TRANSITIONS[current]
    else:
        with pytest.raises(InvalidTransition):
            check_transition(current, target)


def test_unknown_status_is_refused():
    with pytest.raises(InvalidTransition, match="Unknown status"):
        check_transition("open", "archived")


def test_status_change_writes_a_timeline_row_and_snooze_needs_a_future_time(personas):
    # given an open conversation
    received = receive_message(personas.harbor_api, InboundMessage(sender_id="s", text="hi"))
    olivia = Actor.agent(personas.olivia)
    # when snoozing without a time, then it is refused
    with pytest.raises(ActionError, match="future"):
        change_status(received.conversation, olivia, Status.SNOOZED)
    # when snoozing until tomorrow
    until = timezone.now() + timedelta(days=1)
    conversation = change_status(received.conversation, olivia, Status.SNOOZED,
                                 snoozed_until=until)
    # then the status and the timeline say so
    assert conversation.status == Status.SNOOZED and conversation.snoozed_until == until
    event = Event.objects.get(conversation=conversation, kind="conversation.status_changed")
    assert event.data["old"] == "open" and event.data["new"] == "snoozed"
    assert event.actor_agent_id == personas.olivia.agent_id


def test_a_closed_conversation_is_final_and_the_next_message_opens_a_new_one(personas):
    first = receive_message(personas.harbor_api, InboundMessage(sender_id="s", text="one"))
    change_status(first.conversation, Actor.agent(personas.olivia), Status.CLOSED)
    with pytest.raises(InvalidTransition):
        change_status(first.conversation, Actor.agent(personas.olivia), Status.OPEN)
    second = receive_message(personas.harbor_api, InboundMessage(sender_id="s", text="two"))
    assert second.conversation.pk != first.conversation.pk
    assert second.conversation.display_id == first.conversation.display_id + 1
