"""receive_messages writes known shoppers' plain messages in bulk: the same rows, events and
realtime pushes as receive_message one by one, in a fixed number of statements per batch."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from storedesk.core.errors import ActionError
from storedesk.core.oncommit import _Publishers
from storedesk.events.models import Event
from storedesk.inbox.actions import (
    InboundMessage,
    Received,
    change_status,
    receive_message,
    receive_messages,
)
from storedesk.inbox.models import Conversation, Message, Status

MESSAGE_FIELDS = ("direction", "sender_type", "text", "search_text", "html", "private",
                  "delivery_status", "delivery_error", "metadata", "content_type", "content",
                  "sender_agent_id")


def _open(inbox: Any, sender: str) -> Received:
    return receive_message(inbox, InboundMessage(sender_id=sender, text="first", name=sender,
                                                 email=f"{sender}@example.com"))


def _shape(received: Received) -> dict[str, Any]:
    message = Message.objects.get(pk=received.message.pk)
    conversation = Conversation.objects.get(pk=received.conversation.pk)
    events = list(Event.objects.filter(conversation=conversation).order_by("pk")
                  .values_list("kind", "actor_type", "actor_agent_id", "cause_id"))
    return {
        "message": {f: getattr(message, f) for f in MESSAGE_FIELDS},
        "sender_is_the_contact": message.sender_contact_id == conversation.contact_id,
        "conversation": (conversation.status, conversation.message_count,
                         conversation.waiting_since is not None,
                         conversation.last_message_at is not None
                         and conversation.last_incoming_at == conversation.last_message_at
                         and conversation.last_message_at > conversation.created_at),
        "events": events,
        "received_event_data": sorted(
            Event.objects.filter(conversation=conversation, kind="message.received")
            .values_list("data", flat=True), key=lambda d: d["message_id"]) ==
            sorted(({"message_id": m} for m in conversation.messages.values_list("pk", flat=True)),
                   key=lambda d: d["message_id"]),
    }


class _Sent(list[tuple[int, dict[str, Any]]]):
    """The realtime pushes, in order; `sends` counts the publisher calls (a batch is one)."""

    sends = 0


@pytest.fixture
def published() -> Any:
    sent = _Sent()

    def one(account_id: int, event: dict[str, Any]) -> None:
        sent.sends += 1
        sent.append((account_id, event))

    def many(account_id: int, events: list[dict[str, Any]]) -> None:
        sent.sends += 1
        sent.extend((account_id, event) for event in events)

    before = _Publishers.publisher, _Publishers.many
    _Publishers.publisher, _Publishers.many = one, many
    yield sent
    _Publishers.publisher, _Publishers.many = before


def test_bulk_rows_events_and_pushes_match_the_single_path(
    personas, published, django_capture_on_commit_callbacks
):
    # given two shoppers with an open conversation each, on two copies of the same story
    inbox = personas.harbor_api
    for sender in ("one-a", "two-a", "one-b", "two-b"):
        _open(inbox, sender)
    texts = ["Where is my order?", "Zamówienie #12 nie dotarło", "สวัสดีค่ะ"]
    published.clear()
    # when the same messages arrive one by one for the first copy, as one batch for the second
    single = []
    for i, t in enumerate(texts):
        for s in ("one", "two"):
            with django_capture_on_commit_callbacks(execute=True):
                single.append(receive_message(inbox, InboundMessage(
                    sender_id=f"{s}-a", text=t, source_id=f"a-{s}-{i}", metadata={"i": i})))
    single_pushes = list(published)
    published.clear()
    published.sends = 0
    with django_capture_on_commit_callbacks(execute=True):
        batch = receive_messages(inbox, [
            InboundMessage(sender_id=f"{s}-b", text=t, source_id=f"b-{s}-{i}",
                           metadata={"i": i})
            for i, t in enumerate(texts) for s in ("one", "two")])
    # then every result, row and event is alike
    assert all(isinstance(r, Received) and r.created for r in batch)
    assert [_shape(r) for r in single] == [_shape(r) for r in batch]  # type: ignore[arg-type]
    assert [r.message.source_id for r in batch] == [  # type: ignore[union-attr]
        f"b-{s}-{i}" for i in range(3) for s in ("one", "two")]
    # and the realtime pushes are the same events, one per message, in one send for the batch
    assert published.sends == 1
    def strip(push: tuple[int, dict[str, Any]]) -> tuple[Any, ...]:
        _account, event = push
        return (event["type"], event["message"]["text"], event["conversation"]["status"],
                event["message"]["direction"])
    assert len(single_pushes) == 6
    assert [strip(p) for p in single_pushes] == [strip(p) for p in published]
    assert [p[1]["message"]["id"] for p in published] == [
        r.message.pk for r in batch]  # type: ignore[union-attr]


def test_new_reopened_repeated_and_refused_items_in_one_batch(personas):
    inbox = personas.harbor_api
    known = _open(inbox, "known")
    resolved = _open(inbox, "resolved")
    change_status(resolved.conversation, _owner_actor(personas), Status.RESOLVED)
    batch = [
        InboundMessage(sender_id="known", text="one", source_id="x-1"),
        InboundMessage(sender_id="newbie", text="hello", source_id="x-2"),
        InboundMessage(sender_id="resolved", text="me again", source_id="x-3"),
        InboundMessage(sender_id="known", text="   ", source_id="x-4"),
        InboundMessage(sender_id="known", text="one", source_id="x-1"),
        InboundMessage(sender_id="newbie", text="still there?", source_id="x-5"),
        InboundMessage(sender_id="known", text="two", source_id="x-6"),
    ]
    results = receive_messages(inbox, batch)
    created = [r.created if isinstance(r, Received) else "error" for r in results]
    assert created == [True, True, True, "error", False, True, True]
    assert str(results[3].detail) == "The message is empty."  # type: ignore[union-attr]
    first, new, reopened, _, repeat, follow, second = results
    assert repeat.message.pk == first.message.pk  # type: ignore[union-attr]
    assert first.conversation.pk == second.conversation.pk == known.conversation.pk  # type: ignore[union-attr]
    assert new.conversation.pk == follow.conversation.pk  # type: ignore[union-attr]
    assert reopened.conversation.pk == resolved.conversation.pk  # type: ignore[union-attr]
    assert Conversation.objects.get(pk=resolved.conversation.pk).status == Status.OPEN
    assert Conversation.objects.get(pk=known.conversation.pk).message_count == 3
    # each conversation's messages keep the batch's order
    texts = list(Message.objects.filter(conversation=known.conversation).order_by("pk")
                 .values_list("text", flat=True))
    assert texts == ["first", "one", "two"]
    # and the same batch again stores nothing
    again = receive_messages(inbox, batch)
    assert [r.created if isinstance(r, Received) else "error" for r in again] == [
        False, False, False, "error", False, False, False]
    assert Message.objects.filter(inbox=inbox).count() == 2 + 5


def _owner_actor(personas: Any) -> Any:
    from storedesk.accounts.actor import Actor

    return Actor.agent(personas.olivia)


def _known_batch(inbox: Any, prefix: str, senders: int) -> list[InboundMessage]:
    return [InboundMessage(sender_id=f"s-{i}", text=f"message {prefix} {i}",
                           source_id=f"{prefix}-{i}") for i in range(senders)]


def test_a_batch_of_known_shoppers_takes_a_fixed_number_of_statements(personas):
    # given 40 shoppers with an open conversation each
    inbox = personas.harbor_api
    for i in range(40):
        _open(inbox, f"s-{i}")
    # when batches of 10 and of 40 of their messages arrive
    counts = []
    for prefix, size in (("ten", 10), ("forty", 40)):
        with CaptureQueriesContext(connection) as ctx:
            results = receive_messages(inbox, _known_batch(inbox, prefix, size))
        assert all(isinstance(r, Received) and r.created for r in results)
        counts.append(len(ctx.captured_queries))
    # then both take the same statements: the batch's savepoint (inside the test's
    # transaction) and its release, the ids seen before, the identities (locked), their
    # conversations, the bulk part's savepoint, the messages, the conversations' update (one
    # statement run for each conversation, logged once), the events, the two releases
    assert counts[0] == counts[1] == 10, counts
    assert Event.objects.filter(kind="message.received").count() == 40 + 50


def test_a_refused_item_in_the_bulk_part_leaves_the_others(personas):
    inbox = personas.harbor_api
    _open(inbox, "a")
    results = receive_messages(inbox, [
        InboundMessage(sender_id="a", text="ok", source_id="r-1"),
        InboundMessage(sender_id="a", text="x" * 100_001, source_id="r-2"),
        InboundMessage(sender_id="a", text="also ok", source_id="r-3"),
    ])
    assert isinstance(results[1], ActionError)
    assert [isinstance(r, Received) for r in results] == [True, False, True]
    assert Message.objects.filter(source_id__in=["r-1", "r-2", "r-3"]).count() == 2


def _shopper_shape(received: Received) -> dict[str, Any]:
    """A new shopper's rows, as one by one would write them (ids and times aside)."""
    conversation = Conversation.objects.select_related("contact", "identity").get(
        pk=received.conversation.pk)
    contact = conversation.contact
    return {
        **_shape(received),
        # (a new conversation's times: set from the same clock reading in bulk)
        "conversation": (conversation.status, conversation.message_count,
                         conversation.waiting_since is not None,
                         conversation.last_incoming_at == conversation.last_message_at),
        "contact": (contact.name, contact.email, contact.phone, contact.search_key,
                    contact.account_id),
        "identity": (conversation.identity.source_id, conversation.identity.contact_id
                     == contact.pk, conversation.identity.inbox_id),
        "conversation_fields": (conversation.subject, conversation.search_subject,
                                conversation.language, conversation.inbox_id,
                                conversation.store_id, conversation.team_id,
                                conversation.priority, conversation.assignee_id),
        "timeline": [(kind, sorted(data)) for kind, data in Event.objects.filter(
            conversation=conversation).order_by("pk").values_list("kind", "data")],
    }


def _newcomers(prefix: str, senders: int) -> list[InboundMessage]:
    return [InboundMessage(sender_id=f"{prefix}-{i}", text=f"Hello from {prefix} {i}",
                           name=f"Shopper {i}", email=f"{prefix}.{i}@Example.com ",
                           subject=f"Order {i}", metadata={"language": "pl"},
                           source_id=f"{prefix}-m-{i}") for i in range(senders)]


def test_new_shoppers_in_bulk_match_the_single_path(
    personas, published, django_capture_on_commit_callbacks
):
    # given the same three first messages (two from one newcomer) for two copies of a story
    inbox = personas.harbor_api

    def story(prefix: str) -> list[InboundMessage]:
        first, second = _newcomers(prefix, 2)
        again = InboundMessage(sender_id=f"{prefix}-0", text="Anyone there?",
                               source_id=f"{prefix}-again")
        return [first, second, again]

    # when they arrive one by one for the first copy and as one batch for the second
    single = []
    for inbound in story("alpha"):
        with django_capture_on_commit_callbacks(execute=True):
            single.append(receive_message(inbox, inbound))
    single_pushes = list(published)
    published.clear()
    published.sends = 0
    with django_capture_on_commit_callbacks(execute=True):
        batch = receive_messages(inbox, story("bravo"))
    # then the contacts, identities, conversations, messages and timelines are alike
    assert all(isinstance(r, Received) and r.created for r in batch)

    def strip(shape: dict[str, Any], prefix: str) -> str:
        return repr(shape).replace(prefix, "P")

    assert [strip(_shopper_shape(r), "alpha") for r in single] == [
        strip(_shopper_shape(r), "bravo") for r in batch]  # type: ignore[arg-type]
    first, second, again = batch
    assert again.conversation.pk == first.conversation.pk  # type: ignore[union-attr]
    assert first.conversation.pk != second.conversation.pk  # type: ignore[union-attr]
    # each conversation got the next display id of the account, as one by one
    ids = sorted(Conversation.objects.filter(account=personas.harbor)
                 .values_list("display_id", flat=True))
    assert ids == list(range(ids[0], ids[0] + len(ids)))
    # and the realtime pushes are the same, in order, in one send
    assert published.sends == 1
    def push(event: dict[str, Any], prefix: str) -> tuple[Any, ...]:
        return (event["type"], event["message"]["text"].replace(prefix, "P"),
                event["conversation"]["status"], event["conversation"]["language"])

    assert [push(e, "alpha") for _, e in single_pushes] == [
        push(e, "bravo") for _, e in published]
    assert [e["conversation"]["id"] for _, e in published] == [
        r.conversation.pk for r in batch]  # type: ignore[union-attr]


def test_a_batch_of_new_shoppers_takes_a_fixed_number_of_statements(personas):
    inbox = personas.harbor_api
    counts = []
    for prefix, size in (("ten", 10), ("thirty", 30)):
        with CaptureQueriesContext(connection) as ctx:
            results = receive_messages(inbox, _newcomers(prefix, size))
        assert all(isinstance(r, Received) and r.created for r in results)
        counts.append(len(ctx.captured_queries))
    # then both take the same statements: the 10 of known shoppers (see above) but the read
    # of their conversations (none known), plus the contacts known by email (one query), the
    # new contacts, the identities, the display ids, the conversations and their
    # conversation.opened events (one statement each). (SQLite splits an INSERT past 999
    # parameters: a conversation has 25 columns, so past 39 rows it takes two.)
    assert counts[0] == counts[1] == 15, counts
    assert Conversation.objects.filter(inbox=inbox).count() == 40
    assert Event.objects.filter(kind="conversation.opened").count() == 40


def test_new_shoppers_join_known_contacts_by_email_then_phone(personas):
    inbox = personas.harbor_api
    by_email = receive_message(personas.harbor_email, InboundMessage(
        sender_id="ayse@example.com", text="mail", email="ayse@example.com", name="Ayşe"))
    by_phone = receive_message(inbox, InboundMessage(
        sender_id="wa-1", text="hi", phone="+905551112233", name="Mehmet"))
    # when new senders on the API inbox give that email, that phone, or the same new email
    results = receive_messages(inbox, [
        InboundMessage(sender_id="api-ayse", text="hello", email="AYSE@example.com"),
        InboundMessage(sender_id="api-mehmet", text="merhaba", phone="+905551112233"),
        InboundMessage(sender_id="twin-a", text="one", email="twin@example.com"),
        InboundMessage(sender_id="twin-b", text="two", email="twin@example.com"),
    ])
    ayse, mehmet, twin_a, twin_b = results
    # then each joined the contact one by one would have joined
    assert ayse.conversation.contact_id == by_email.conversation.contact_id  # type: ignore[union-attr]
    assert mehmet.conversation.contact_id == by_phone.conversation.contact_id  # type: ignore[union-attr]
    assert twin_a.conversation.contact_id == twin_b.conversation.contact_id  # type: ignore[union-attr]
    assert twin_a.conversation.pk != twin_b.conversation.pk  # type: ignore[union-attr]
    from storedesk.contacts.models import Contact

    assert Contact.objects.filter(account=personas.harbor, email="twin@example.com").count() == 1


def test_a_known_shopper_without_a_conversation_to_reopen_gets_a_new_one(personas):
    inbox = personas.harbor_api
    closed = _open(inbox, "gone")
    change_status(closed.conversation, _owner_actor(personas), Status.CLOSED)
    # when the shopper writes again in a batch
    result, = receive_messages(inbox, [InboundMessage(sender_id="gone", text="back")])
    # then a new conversation opens for the same contact, the closed one stays closed
    assert result.conversation.pk != closed.conversation.pk  # type: ignore[union-attr]
    assert result.conversation.contact_id == closed.conversation.contact_id  # type: ignore[union-attr]
    assert result.conversation.identity_id == closed.conversation.identity_id  # type: ignore[union-attr]
    assert Conversation.objects.get(pk=closed.conversation.pk).status == Status.CLOSED
    assert list(Event.objects.filter(conversation=result.conversation)  # type: ignore[union-attr]
                .order_by("pk").values_list("kind", flat=True)) == [
        "conversation.opened", "message.received"]
