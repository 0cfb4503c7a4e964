"""First response time with undo-send: the reply that counts is the one that went out, at the
time it went out (Zendesk/Gorgias semantics). A reply held for its undo window and taken back
is no response, even if the conversation's SLA clock moved meanwhile; a held reply counts when
its window is over; a reply without a window counts when written; history loaded with its
original times keeps them. The conversation's `first_reply_at`, the SLA clock, the API's `sla`
and the workspace's SLA panel agree.

Real parts: the events dispatcher (immediate queue, real commits), the outbox runner and the
webchat transport, the SLA subscriber, the workspace page; a frozen clock (time-machine).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.test import Client

from storedesk.accounts.actor import Actor
from storedesk.events.models import Event
from storedesk.inbox.actions import InboundMessage, cancel_reply, receive_message, send_reply
from storedesk.inbox.models import Conversation, Delivery
from storedesk.outbox import runner
from storedesk.workflow.models import SlaClock

pytestmark = pytest.mark.django_db(transaction=True)

WINDOW = timedelta(seconds=30)


def t(minute: int, second: int = 0) -> datetime:
    return datetime(2026, 11, 30, 10, minute, second, tzinfo=UTC)  # a Monday, in business hours


def _shopper_writes(inbox, text: str, when: datetime, sender: str = "visitor-frt") -> Conversation:
    with time_machine.travel(when, tick=False):
        received = receive_message(inbox, InboundMessage(sender_id=sender, text=text))
    return Conversation.objects.get(pk=received.conversation.pk)


def _first_response_at(conversation: Conversation) -> datetime | None:
    return SlaClock.objects.get(conversation=conversation).first_response_at


def _panel_state(olivia, conversation: Conversation, when: datetime) -> str:
    client = Client()
    client.force_login(olivia.agent)
    with time_machine.travel(when, tick=False):
        html = client.get(f"/conversations/{conversation.display_id}/").content.decode()
    marker = 'data-sla-target="first_response" data-sla-state="'
    assert marker in html, "the workspace shows the first-response clock"
    return html.split(marker, 1)[1].split('"', 1)[0]


def _sla(api, olivia, conversation: Conversation) -> dict:
    return api(olivia).get(f"/api/v1/conversations/{conversation.pk}").json()["sla"]


def test_an_undone_reply_is_no_first_response_even_if_the_clock_moved_meanwhile(personas, api):
    olivia = Actor.agent(personas.olivia)
    conversation = _shopper_writes(personas.harbor_chat, "Is the linen shirt back?", t(0))
    # when Olivia sends a reply with a 30-second undo window at 10:05
    with time_machine.travel(t(5), tick=False):
        wrong = send_reply(conversation, olivia, "Wrong customer, sorry", send_after=WINDOW)
    conversation.refresh_from_db()
    # then nothing has gone out: no first response yet
    assert conversation.first_reply_at is None
    # when the shopper writes again during the window (the SLA clock handles that event)
    _shopper_writes(personas.harbor_chat, "Hello?", t(5, 10))
    assert _first_response_at(conversation) is None
    # and Olivia takes the reply back
    with time_machine.travel(t(5, 15), tick=False):
        cancel_reply(wrong, olivia)
    # then the conversation, the SLA clock, the API and the workspace still wait for an answer
    conversation.refresh_from_db()
    assert conversation.first_reply_at is None
    assert _first_response_at(conversation) is None
    assert _sla(api, personas.olivia, conversation)["first_response_due_at"] is not None
    assert _panel_state(personas.olivia, conversation, t(6)) == "running"


def test_a_held_reply_counts_when_it_goes_out_at_that_time(personas, api):
    olivia = Actor.agent(personas.olivia)
    conversation = _shopper_writes(personas.harbor_chat, "Is the linen shirt back?", t(0))
    # when Olivia writes a reply at 10:05 with a 30-second window
    with time_machine.travel(t(5), tick=False):
        reply = send_reply(conversation, olivia, "Yes, in all sizes!", send_after=WINDOW)
    _shopper_writes(personas.harbor_chat, "Hello?", t(5, 10))  # the clock moves meanwhile
    conversation.refresh_from_db()
    assert conversation.first_reply_at is None and _first_response_at(conversation) is None
    assert _panel_state(personas.olivia, conversation, t(5, 20)) == "running"
    # and the window runs out: a worker takes the delivery at 10:05:31 and it goes out
    with time_machine.travel(t(5, 31), tick=False):
        assert runner.run("message", Delivery.objects.get(message=reply).pk) == "sent"
    # then the first response is the reply, at the time it went out, not when it was written
    conversation.refresh_from_db()
    [created] = Event.objects.filter(conversation=conversation, kind="message.created")
    assert conversation.first_reply_at == created.created_at == t(5, 31)
    reply.refresh_from_db()
    assert reply.created_at == t(5)  # the message itself is still dated when it was written
    # and the SLA clock, the API and the workspace count the same moment
    assert _first_response_at(conversation) == t(5, 31)
    assert _sla(api, personas.olivia, conversation)["first_response_due_at"] is None
    assert _panel_state(personas.olivia, conversation, t(6)) == "met"
    # a later reply does not move it
    with time_machine.travel(t(9), tick=False):
        send_reply(conversation, olivia, "Anything else?")
    conversation.refresh_from_db()
    assert conversation.first_reply_at == t(5, 31) == _first_response_at(conversation)


def test_a_reply_without_a_window_counts_when_written_and_so_does_history(personas):
    olivia = Actor.agent(personas.olivia)
    conversation = _shopper_writes(personas.harbor_chat, "Where is my parcel?", t(0))
    # a reply without undo-send counts at once, when written
    with time_machine.travel(t(5), tick=False):
        send_reply(conversation, olivia, "On its way!")
    conversation.refresh_from_db()
    assert conversation.first_reply_at == t(5) == _first_response_at(conversation)
    # a reply loaded from history keeps its original time (the delivery is still due now)
    earlier = _shopper_writes(personas.harbor_chat, "Hi", t(10), sender="visitor-history")
    with time_machine.travel(t(20), tick=False):
        send_reply(earlier, olivia, "Hello from the archive", at=t(12))
    earlier.refresh_from_db()
    assert earlier.first_reply_at == t(12)


def test_an_earlier_reply_without_a_window_stays_first_when_a_held_one_goes_out(personas):
    olivia = Actor.agent(personas.olivia)
    conversation = _shopper_writes(personas.harbor_chat, "Two questions", t(0))
    with time_machine.travel(t(5), tick=False):
        held = send_reply(conversation, olivia, "Let me check both", send_after=WINDOW)
    with time_machine.travel(t(5, 5), tick=False):
        send_reply(conversation, Actor.agent(personas.ahmet), "First one: yes!")
    with time_machine.travel(t(5, 31), tick=False):
        assert runner.run("message", Delivery.objects.get(message=held).pk) == "sent"
    conversation.refresh_from_db()
    assert conversation.first_reply_at == t(5, 5) == _first_response_at(conversation)
