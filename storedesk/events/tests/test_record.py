"""An event row exists if and only if its transaction committed; dispatch follows commit."""

from __future__ import annotations

import pytest
from django.db import transaction

from storedesk.accounts.actor import CONTACT
from storedesk.events import EventKind, record
from storedesk.events.models import Event, EventReceipt
from storedesk.events.tests.handlers import HANDLER
from storedesk.inbox.actions import InboundMessage, receive_message
from storedesk.inbox.models import Message

pytestmark = pytest.mark.django_db(transaction=True)


class Boom(Exception):
    pass


@pytest.fixture
def rule_subscribed(settings):
    settings.EVENT_SUBSCRIBERS = {"message.received": [HANDLER]}


def _inbound(n: int) -> InboundMessage:
    return InboundMessage(sender_id="maya@example.com", email="maya@example.com", name="Maya",
                          text=f"Where is order {n}?", source_id=f"m-{n}")


def test_a_rolled_back_action_leaves_no_event_and_dispatches_nothing(personas, rule_subscribed):
    # given a rule subscribed to received messages
    # when Maya's message is received inside a transaction that then fails
    with pytest.raises(Boom), transaction.atomic():
        receive_message(personas.harbor_api, _inbound(1))
        raise Boom
    # then no message, no event and no rule effect exist
    assert not Message.objects.filter(account=personas.harbor).exists()
    assert not Event.objects.filter(account=personas.harbor).exists()
    assert not EventReceipt.objects.exists()


def test_a_committed_action_leaves_its_events_and_dispatches_them_once(personas, rule_subscribed):
    # when Maya's message is received (and committed; the queue runs tasks immediately)
    received = receive_message(personas.harbor_api, _inbound(2))
    # then the timeline has the opening and the message, both dispatched
    events = {e.kind: e for e in Event.objects.filter(conversation=received.conversation)}
    assert set(events) == {"conversation.opened", "message.received", "note.added"}
    message_event = events["message.received"]
    assert message_event.actor_type == "contact" and message_event.data == {
        "message_id": received.message.pk}
    assert all(e.dispatched_at is not None for e in events.values())
    # and the rule ran once on the message event, its note caused by that event
    assert list(EventReceipt.objects.values_list("event_id", "handler")) == [
        (message_event.pk, HANDLER)]
    note_event = events["note.added"]
    assert note_event.cause_id == message_event.pk and note_event.actor_type == "rule"


def test_an_event_in_a_rolled_back_savepoint_is_gone_and_the_rest_is_dispatched(
    personas, rule_subscribed
):
    # when one message is received in a savepoint that rolls back, another one commits
    with transaction.atomic():
        with pytest.raises(Boom), transaction.atomic():
            receive_message(personas.harbor_api, _inbound(3))
            raise Boom
        kept = receive_message(personas.harbor_api, _inbound(4))
    # then only the committed message has events, and its rule ran once
    received_events = Event.objects.filter(kind="message.received")
    assert [e.data["message_id"] for e in received_events] == [kept.message.pk]
    assert EventReceipt.objects.get().event_id == received_events.get().pk
    assert Message.objects.filter(conversation=kept.conversation, private=True).count() == 1


def test_kinds_nobody_subscribes_to_are_written_already_dispatched(personas, settings):
    # given an empty dispatch table
    settings.EVENT_SUBSCRIBERS = {}
    # when a message is received
    receive_message(personas.harbor_api, _inbound(5))
    # then its events are marked dispatched in the same insert and no subscriber ran
    assert not Event.objects.filter(dispatched_at__isnull=True).exists()
    assert not EventReceipt.objects.exists()


def test_record_refuses_a_kind_outside_the_catalog(personas):
    with pytest.raises(ValueError, match="message_received"):
        record("message_received", CONTACT, account_id=personas.harbor.pk)  # type: ignore[arg-type]
    assert EventKind("contact.merged") is EventKind.CONTACT_MERGED
