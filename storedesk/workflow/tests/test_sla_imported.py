"""Imported history and SLA clocks: what happened in another helpdesk starts no clock; an
imported conversation that comes alive counts its targets from that moment (never "overdue
since the day it was opened elsewhere")."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import transaction

from storedesk.accounts.actor import Actor
from storedesk.contacts.actions import PastContact, import_contacts
from storedesk.inbox.actions import InboundMessage, import_history, receive_message, tag
from storedesk.inbox.actions.history import PastConversation, PastMessage
from storedesk.workflow.models import SlaBreach, SlaClock
from storedesk.workflow.tasks import mark_sla_breaches

WARSAW = ZoneInfo("Europe/Warsaw")
pytestmark = pytest.mark.django_db(transaction=True)


def at(*args: int) -> datetime:
    return datetime(*args, tzinfo=WARSAW)


def import_unanswered(inbox, who: str, when: datetime, status: str = "open") -> int:
    with transaction.atomic():
        [(contact_id, identity_id)] = import_contacts(
            inbox.account_id, inbox.pk,
            [PastContact(key=who, source_id=who, email=who)]).values()
        result = import_history(inbox, [PastConversation(
            key=f"old:{who}", contact_id=contact_id, identity_id=identity_id, status=status,
            messages=[PastMessage(source_id=f"old:{who}:1", at=when, sender_type="contact",
                                  text="Where is my order?", sender_contact_id=contact_id)])])
    return result.conversations[f"old:{who}"]


@pytest.fixture
def harbor(personas):
    personas.harbor.timezone = "Europe/Warsaw"
    personas.harbor.save(update_fields=["timezone"])
    return personas


def test_an_imported_unanswered_conversation_starts_no_clock_and_never_breaches_at_once(harbor):
    # given an open, never-answered chat imported from another helpdesk, asked a month ago
    with time_machine.travel(at(2026, 11, 30, 10, 0), tick=False):
        conversation_id = import_unanswered(harbor.harbor_chat, "ola@shop.test",
                                            at(2026, 10, 30, 10, 0))
        # then the import started no clock, and the sweep finds nothing overdue
        assert not SlaClock.objects.filter(conversation_id=conversation_id).exists()
        assert mark_sla_breaches.call_local() == 0
    # when the shopper writes again into it (Monday 10:00, business hours)
    with time_machine.travel(at(2026, 11, 30, 10, 5), tick=False):
        received = receive_message(harbor.harbor_chat, InboundMessage(
            sender_id="ola@shop.test", text="Hello? Still waiting",
            conversation_id=conversation_id))
    assert received.conversation.pk == conversation_id
    # then its first response is due an hour from now, not overdue since October
    clock = SlaClock.objects.get(conversation_id=conversation_id)
    assert clock.first_response_started_at == at(2026, 11, 30, 10, 5)
    assert clock.first_response_due_at == at(2026, 11, 30, 11, 5)
    with time_machine.travel(at(2026, 11, 30, 10, 30), tick=False):
        assert mark_sla_breaches.call_local() == 0
    assert not SlaBreach.objects.filter(conversation_id=conversation_id).exists()
    # and it breaches like any live conversation when nobody answers
    with time_machine.travel(at(2026, 11, 30, 11, 6), tick=False):
        assert mark_sla_breaches.call_local() == 1


def test_an_agents_change_on_imported_history_counts_from_the_change(harbor):
    with time_machine.travel(at(2026, 11, 30, 9, 0), tick=False):
        conversation_id = import_unanswered(harbor.harbor_chat, "eda@shop.test",
                                            at(2026, 6, 1, 9, 0))
    from storedesk.inbox.models import Conversation

    with time_machine.travel(at(2026, 11, 30, 14, 0), tick=False):
        tag(Conversation.objects.get(pk=conversation_id), Actor.agent(harbor.ahmet), "legacy")
    clock = SlaClock.objects.get(conversation_id=conversation_id)
    assert clock.first_response_due_at == at(2026, 11, 30, 15, 0)
    assert not clock.breached


def test_a_live_conversation_still_counts_from_its_opening(harbor):
    # the rule is about imports only: a live conversation's late first event changes nothing
    with time_machine.travel(at(2026, 11, 30, 10, 0), tick=False):
        conversation = receive_message(harbor.harbor_chat, InboundMessage(
            sender_id="live", text="Hi")).conversation
    clock = SlaClock.objects.get(conversation=conversation)
    assert clock.first_response_started_at == at(2026, 11, 30, 10, 0)
    assert clock.first_response_due_at == at(2026, 11, 30, 10, 0) + timedelta(hours=1)
