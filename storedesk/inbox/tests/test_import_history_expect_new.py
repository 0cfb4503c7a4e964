"""import_history(..., expect_new=True) writes without looking up stored messages first; when
some are stored after all, the unique index refuses them and the chunk is written the careful
way: the result is the one the careful way gives."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from storedesk.contacts.actions import PastContact, import_contacts
from storedesk.events.models import Event
from storedesk.inbox.actions import import_history
from storedesk.inbox.actions.history import PastConversation, PastMessage
from storedesk.inbox.models import Conversation, Inbox, Message

pytestmark = pytest.mark.django_db

START = datetime(2025, 3, 1, 9, 0, tzinfo=UTC)


def _threads(inbox: Inbox, keys: list[str], messages: int) -> list[PastConversation]:
    people = import_contacts(inbox.account_id, inbox.pk, [
        PastContact(key=key, source_id=f"{key}@shop.test", email=f"{key}@shop.test")
        for key in keys])
    threads = []
    for key in keys:
        contact_id, identity_id = people[key]
        threads.append(PastConversation(
            key=key, contact_id=contact_id, identity_id=identity_id, subject=f"About {key}",
            messages=[PastMessage(source_id=f"x:{key}:{n}", at=START + timedelta(minutes=n),
                                  sender_type="contact", text=f"{key} message {n}",
                                  sender_contact_id=contact_id)
                      for n in range(messages)]))
    return threads


def _import(inbox: Inbox, keys: list[str], messages: int, expect_new: bool):
    with transaction.atomic():
        return import_history(inbox, _threads(inbox, keys, messages), expect_new=expect_new)


def _history(inbox: Inbox) -> list[tuple[str, str, int]]:
    return sorted(Message.objects.filter(inbox=inbox).values_list(
        "conversation__subject", "source_id", "conversation__message_count"))


@pytest.mark.parametrize("expect_new", [True, False])
def test_a_chunk_with_stored_messages_gives_the_same_result_either_way(personas, expect_new):
    # given an inbox holding one conversation of two messages from an earlier run
    inbox = personas.harbor_email
    _import(inbox, ["ada"], 2, expect_new=False)

    # when a chunk holds that conversation, now with a third message, and a new one
    result = _import(inbox, ["ada", "bob"], 3, expect_new=expect_new)

    # then the stored messages are skipped, the old conversation grows, the new one opens
    assert (result.created, result.appended, result.messages, result.duplicates) == (1, 1, 4, 2)
    assert _history(inbox) == [
        ("About ada", "x:ada:0", 3), ("About ada", "x:ada:1", 3), ("About ada", "x:ada:2", 3),
        ("About bob", "x:bob:0", 3), ("About bob", "x:bob:1", 3), ("About bob", "x:bob:2", 3)]
    assert Conversation.objects.filter(inbox=inbox).count() == 2
    # and nothing of the refused first attempt is left: one timeline row per conversation
    assert Event.objects.filter(conversation__inbox=inbox,
                                kind="conversation.imported").count() == 2


@pytest.mark.parametrize("expect_new, look_ups", [(True, 0), (False, 1)])
def test_a_new_chunk_expected_new_is_written_without_the_look_up(personas, expect_new, look_ups):
    # given an empty inbox and contacts already known
    inbox = personas.harbor_email
    threads = _threads(inbox, ["ada", "bob"], 3)

    # when a chunk is imported
    with CaptureQueriesContext(connection) as queries, transaction.atomic():
        result = import_history(inbox, threads, expect_new=expect_new)

    # then it is all written, and only without expect_new was the inbox searched for the
    # chunk's stored messages
    assert (result.created, result.messages, result.duplicates) == (2, 6, 0)
    assert Message.objects.filter(inbox=inbox).count() == 6
    searched = [q["sql"] for q in queries.captured_queries
                if "source_id" in q["sql"] and "inbox_message" in q["sql"]
                and q["sql"].lstrip().upper().startswith("SELECT")]
    assert len(searched) == look_ups, searched
