"""Every status and snooze control the header offers works from the state it is offered in
(the bug: a snoozed conversation offered a new snooze time that was then refused)."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from storedesk.accounts.actor import Actor
from storedesk.inbox.actions import change_status
from storedesk.inbox.models import Conversation, Status
from storedesk.workspace.tests.test_views_conversation import client_for, hx, shopper_writes, url

LATER = timedelta(days=3)


def _put_in(conversation: Conversation, status: str, personas) -> Conversation:
    """Bring the conversation to `status` through the actions (as agents would)."""
    olivia = Actor.agent(personas.olivia)
    conversation.refresh_from_db()
    if conversation.status == status:
        return conversation
    if conversation.status == Status.RESOLVED and status != Status.CLOSED:
        conversation = change_status(conversation, olivia, Status.OPEN)
    if conversation.status != status:
        conversation = change_status(
            conversation, olivia, status,
            snoozed_until=timezone.now() + timedelta(hours=5) if status == Status.SNOOZED else None)
    return conversation


def _offered(header: str, current: str) -> list[dict[str, str]]:
    """Every submission the header offers for the status: select options, presets, Resolve."""
    offers: list[dict[str, str]] = []
    select = header.split('id="status-select"')[1].split("</select>")[0]
    for value in re.findall(r'<option value="(\w+)"', select):
        if value == current and value != Status.SNOOZED:
            continue  # the status it has, shown as the selected value (a no-op, answered 400)
        if value == Status.SNOOZED:  # the select's snooze needs the date field
            when = (timezone.localtime() + LATER).strftime("%Y-%m-%dT%H:%M")
            offers.append({"status": value, "snoozed_until": when, "tz_offset": "0"})
        else:
            offers.append({"status": value})
    for preset in re.findall(r'data-snooze-preset="(\w+)"', header):
        offers.append({"preset": preset, "tz": "Europe/Istanbul"})
    if "data-resolve" in header:
        offers.append({"status": Status.RESOLVED})
    return offers


@pytest.mark.parametrize("start", [Status.OPEN, Status.PENDING, Status.SNOOZED, Status.RESOLVED,
                                   Status.CLOSED])
def test_every_offered_status_control_works_from_where_it_is_offered(personas, start):
    conversation = shopper_writes(personas).conversation
    olivia = client_for(personas.olivia)
    conversation = _put_in(conversation, start, personas)
    header = hx(olivia, "get", url("header", conversation)).content.decode()
    offers = _offered(header, start)
    if start == Status.SNOOZED:
        # a snoozed conversation offers new wake-up times, presets included
        assert any("preset" in o for o in offers)
    for n, offer in enumerate(offers):
        # each on a conversation of its own in the starting state (closed is final)
        conversation = _put_in(
            shopper_writes(personas, sender=f"shopper-{n}").conversation, start, personas)
        before = conversation.snoozed_until
        response = hx(olivia, "post", url("status", conversation), offer)
        # then it is accepted, and it did what it says
        assert response.status_code == 200, (start, offer, response.content.decode()[:300])
        assert 'role="alert"' not in response.content.decode().split("conv-controls")[0]
        conversation.refresh_from_db()
        expected = Status.SNOOZED if "preset" in offer else offer["status"]
        assert conversation.status == expected, (start, offer)
        if expected == Status.SNOOZED:
            assert conversation.snoozed_until > timezone.now()
            if start == Status.SNOOZED:
                assert conversation.snoozed_until != before  # a new wake-up time
