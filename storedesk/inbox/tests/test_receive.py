from __future__ import annotations

import pytest

from storedesk.core.errors import ActionError
from storedesk.events.models import Event
from storedesk.inbox.actions import InboundMessage, receive_message
from storedesk.inbox.models import Message, Status


def test_first_message_opens_a_conversation_with_per_account_numbers(personas):
    # given a shopper writing to two accounts
    first = receive_message(personas.harbor_api, InboundMessage(sender_id="ayse", text="Merhaba"))
    second = receive_message(personas.harbor_api,
                             InboundMessage(sender_id="jan", text="Dzień dobry"))
    other = receive_message(personas.northwind_api, InboundMessage(sender_id="ayse", text="Hi"))
    # then display ids count per account
    assert (first.conversation.display_id, second.conversation.display_id) == (1, 2)
    assert other.conversation.display_id == 1
    assert first.conversation.status == Status.OPEN
    assert first.conversation.account_id != other.conversation.account_id
    kinds = list(Event.objects.filter(conversation=first.conversation)
                 .values_list("kind", flat=True))
    assert kinds == ["conversation.opened", "message.received"]


def test_same_source_id_twice_stores_one_message(personas):
    inbound = InboundMessage(sender_id="ayse", text="Siparişim nerede?", source_id="m-1")
    a = receive_message(personas.harbor_api, inbound)
    b = receive_message(personas.harbor_api, inbound)
    assert a.created and not b.created
    assert (a.conversation.pk, a.message.pk) == (b.conversation.pk, b.message.pk)
    assert Message.objects.filter(source_id="m-1").count() == 1


def test_follow_up_lands_in_the_open_conversation_and_reopens_resolved(personas):
    from storedesk.accounts.actor import Actor
    from storedesk.inbox.actions import change_status

    a = receive_message(personas.harbor_api, InboundMessage(sender_id="s1", text="one"))
    change_status(a.conversation, Actor.agent(personas.olivia), Status.RESOLVED)
    b = receive_message(personas.harbor_api, InboundMessage(sender_id="s1", text="two"))
    assert b.conversation.pk == a.conversation.pk
    assert b.conversation.status == Status.OPEN
    b.conversation.refresh_from_db()
    assert b.conversation.message_count == 2


def test_empty_message_is_refused(personas):
    with pytest.raises(ActionError):
        receive_message(personas.harbor_api, InboundMessage(sender_id="s1", text="  "))
