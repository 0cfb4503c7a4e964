"""Proactive notices (`send_notice`): written to the shopper whatever the conversation's status,
without moving it, once per key (also when workers race), delivered by the outbox like a reply,
and shown on the timeline; the shopper's answer then goes through the normal receive path."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import close_old_connections, transaction

from storedesk.accounts.actor import BOT, CONTACT, Actor
from storedesk.core.errors import ActionError
from storedesk.events.models import Event
from storedesk.inbox.actions import (
    InboundMessage,
    change_status,
    receive_message,
    send_notice,
    send_reply,
)
from storedesk.inbox.models import Conversation, Delivery, Direction, Message, Status

NOTICE = "Good news: the Linen pillowcase pair is back in stock."


def _ayse_writes(personas, text: str = "Tell me when the pillowcases are back",
                 source_id: str = "api-msg-1") -> Conversation:
    return receive_message(
        personas.harbor_api,
        InboundMessage(sender_id="shopper-ayse", text=text, name="Ayşe Kaya",
                       email="ayse@example.com", source_id=source_id),
    ).conversation


def _closed(personas) -> Conversation:
    conversation = _ayse_writes(personas)
    change_status(conversation, Actor.agent(personas.ahmet), Status.CLOSED)
    conversation.refresh_from_db()
    return conversation


def test_a_notice_reaches_a_closed_conversation_without_reopening_it(personas):
    # given Ayşe's conversation was closed by the team
    conversation = _closed(personas)
    count, waiting = conversation.message_count, conversation.waiting_since
    # (a reply cannot be written there)
    with pytest.raises(ActionError):
        send_reply(conversation, Actor.agent(personas.ahmet), "hello")
    # when the bot sends her a back-in-stock notice
    message, created = send_notice(conversation, BOT, NOTICE, notice="back_in_stock",
                                   key="restock-1")
    # then the message is queued for delivery on her channel, from the bot ...
    assert created
    assert (message.direction, message.sender_type, message.private) == (
        Direction.OUTGOING, "bot", False)
    assert message.delivery_status == "pending"
    assert Delivery.objects.filter(message=message, status="queued").exists()
    # ... the conversation stays closed, not waiting, one message longer
    conversation.refresh_from_db()
    assert conversation.status == Status.CLOSED
    assert conversation.waiting_since == waiting
    assert conversation.message_count == count + 1
    # ... and the timeline says what happened (an activity line, not a reply: no SLA clock)
    event = Event.objects.get(conversation=conversation, kind="message.notice_sent")
    assert event.data == {"message_id": message.pk, "notice": "back_in_stock",
                          "status": "closed"}
    assert not Event.objects.filter(conversation=conversation, kind="message.created").exists()


def test_the_same_notice_is_sent_once(personas):
    conversation = _closed(personas)
    first, created = send_notice(conversation, BOT, NOTICE, notice="back_in_stock",
                                 key="restock-7")
    again, created_again = send_notice(conversation, BOT, NOTICE, notice="back_in_stock",
                                       key="restock-7")
    assert created and not created_again
    assert again.pk == first.pk
    assert Message.objects.filter(conversation=conversation, direction="outgoing").count() == 1
    assert Delivery.objects.filter(message__conversation=conversation).count() == 1
    # another key is another notice
    _other, created_other = send_notice(conversation, BOT, NOTICE, notice="back_in_stock",
                                        key="restock-8")
    assert created_other


def test_bad_notices_are_refused_and_write_nothing(personas):
    conversation = _closed(personas)
    for text, key in (("   ", "k"), (NOTICE, ""), (NOTICE, "k" * 101), ("a\x00b", "k")):
        with pytest.raises(ActionError):
            send_notice(conversation, BOT, text, notice="back_in_stock", key=key)
    with pytest.raises(ActionError):  # a shopper does not send the store's notices
        send_notice(conversation, CONTACT, NOTICE, notice="back_in_stock", key="k")
    assert not Message.objects.filter(conversation=conversation,
                                      direction="outgoing").exists()


def test_the_shoppers_answer_goes_through_the_normal_receive_path(personas):
    # given a resolved conversation and a closed one, each sent a notice
    resolved = _ayse_writes(personas)
    change_status(resolved, Actor.agent(personas.ahmet), Status.RESOLVED)
    send_notice(resolved, BOT, NOTICE, notice="back_in_stock", key="restock-1")
    resolved.refresh_from_db()
    assert resolved.status == Status.RESOLVED
    # when Ayşe answers, the resolved conversation reopens for the team
    again = _ayse_writes(personas, "Great, is the grey one back too?", "api-msg-2")
    assert again.pk == resolved.pk
    again.refresh_from_db()
    assert again.status == Status.OPEN
    # and once closed (final), a notice there and an answer open a new conversation
    change_status(again, Actor.agent(personas.ahmet), Status.CLOSED)
    send_notice(again, BOT, NOTICE, notice="back_in_stock", key="restock-2")
    newer = _ayse_writes(personas, "Thanks! Ordering now.", "api-msg-3")
    assert newer.pk != again.pk and newer.status == Status.OPEN
    again.refresh_from_db()
    assert again.status == Status.CLOSED


@pytest.mark.django_db(transaction=True)
def test_workers_racing_on_one_notice_send_it_once(personas):
    # given a closed conversation and four workers handling the same notice at once
    conversation = _closed(personas)
    start = threading.Barrier(4)

    def work(_index: int) -> bool:
        try:
            start.wait(timeout=30)
            with transaction.atomic():
                return send_notice(Conversation.objects.get(pk=conversation.pk), BOT, NOTICE,
                                   notice="back_in_stock", key="restock-42")[1]
        finally:
            close_old_connections()

    with ThreadPoolExecutor(4) as pool:
        created = list(pool.map(work, range(4)))
    # then exactly one of them wrote it
    assert sorted(created) == [False, False, False, True]
    assert Message.objects.filter(conversation=conversation, direction="outgoing").count() == 1
    assert Event.objects.filter(conversation=conversation,
                                kind="message.notice_sent").count() == 1
