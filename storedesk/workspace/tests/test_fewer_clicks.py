"""Fewer clicks per conversation: snooze presets in the agent's zone, the macro picker's order,
bulk actions confirmed first and undone after."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
from django.test import Client
from django.urls import reverse

from storedesk.accounts.actor import Actor
from storedesk.inbox.actions import InboundMessage, change_status, receive_message, tag
from storedesk.inbox.models import Conversation, Status
from storedesk.workflow.actions import create_macro
from storedesk.workspace.snooze import wake_time

HX = {"HX-Request": "true"}


def client_for(membership) -> Client:
    client = Client()
    client.force_login(membership.agent)
    return client


def shopper_writes(inbox, sender: str, text: str = "Where is my order?", **extra) -> Conversation:
    return receive_message(inbox, InboundMessage(sender_id=sender, text=text, **extra)).conversation


# --- Snooze presets ------------------------------------------------------------------------------


@pytest.mark.parametrize(("now", "preset", "wakes"), [
    # Friday 10:20 in Istanbul
    ("2026-11-27T07:20:00+00:00", "later_today", "2026-11-27T14:00:00+03:00"),
    ("2026-11-27T07:20:00+00:00", "tomorrow", "2026-11-28T09:00:00+03:00"),
    ("2026-11-27T07:20:00+00:00", "next_week", "2026-11-30T09:00:00+03:00"),
    # 22:30 is too late for "later today": tomorrow morning instead
    ("2026-11-27T19:30:00+00:00", "later_today", "2026-11-28T09:00:00+03:00"),
    # on a Monday, "next week" is the Monday after
    ("2026-11-30T07:00:00+00:00", "next_week", "2026-12-07T09:00:00+03:00"),
])
def test_presets_are_computed_in_the_agents_zone(now, preset, wakes):
    zone = ZoneInfo("Europe/Istanbul")
    got = wake_time(preset, datetime.fromisoformat(now), zone)
    assert got == datetime.fromisoformat(wakes)


def test_tomorrow_is_nine_in_the_morning_across_a_clock_change():
    # the night Warsaw moves from summer to winter time
    zone = ZoneInfo("Europe/Warsaw")
    got = wake_time("tomorrow", datetime(2026, 10, 24, 20, 0, tzinfo=UTC), zone)
    assert got.astimezone(zone).hour == 9
    assert got.astimezone(UTC).hour == 8  # 09:00 CET


def test_an_agent_snoozes_with_a_preset_in_her_browsers_zone(personas):
    conversation = shopper_writes(personas.harbor_api, "ayse")
    client = client_for(personas.olivia)
    response = client.post(
        reverse("inbox:status", args=[conversation.display_id]),
        {"preset": "tomorrow", "tz": "Asia/Bangkok"}, headers=HX,
    )
    assert response.status_code == 200
    conversation.refresh_from_db()
    assert conversation.status == Status.SNOOZED
    local = conversation.snoozed_until.astimezone(ZoneInfo("Asia/Bangkok"))
    assert (local.hour, local.minute) == (9, 0)
    # and the page moves on to the next conversation
    assert "storedesk:resolved" in response["HX-Trigger"]


def test_an_unknown_zone_falls_back_to_the_accounts_and_a_bad_preset_is_refused(personas):
    conversation = shopper_writes(personas.harbor_api, "ayse")
    client = client_for(personas.olivia)
    status_url = reverse("inbox:status", args=[conversation.display_id])
    response = client.post(status_url, {"preset": "tomorrow", "tz": "Mars/Olympus"}, headers=HX)
    assert response.status_code == 200
    conversation.refresh_from_db()
    assert conversation.status == Status.SNOOZED
    change_status(conversation, Actor.agent(personas.olivia), Status.OPEN)
    bad = client.post(status_url, {"preset": "someday"}, headers=HX)
    assert bad.status_code == 400
    conversation.refresh_from_db()
    assert conversation.status == Status.OPEN


def test_the_presets_are_offered_only_when_snoozing_is_possible(personas):
    conversation = shopper_writes(personas.harbor_api, "ayse")
    client = client_for(personas.olivia)
    page = reverse("inbox:conversation", args=[conversation.display_id])
    assert "data-snooze-preset" in client.get(page).content.decode()
    change_status(conversation, Actor.agent(personas.olivia), Status.RESOLVED)
    assert "data-snooze-preset" not in client.get(page).content.decode()


# --- Macro picker ---------------------------------------------------------------------------------


def test_the_macro_picker_puts_the_conversations_language_first(personas):
    create_macro(personas.harbor, name="Where is my order", text="It is on its way.",
                 language="en")
    create_macro(personas.harbor, name="Sipariş nerede", text="Siparişiniz yolda.",
                 language="tr")
    create_macro(personas.harbor, name="Any language thanks", text="Thanks!")
    conversation = shopper_writes(personas.harbor_api, "ayse", "Siparişim nerede?",
                                  metadata={"language": "tr"})
    html = client_for(personas.olivia).get(
        reverse("inbox:conversation", args=[conversation.display_id])).content.decode()
    names = [html.index(n) for n in ("Sipariş nerede", "Any language thanks", "Where is my order")]
    assert names == sorted(names)
    # each option carries its folded text for type-to-search ("siparis" finds "Sipariş")
    assert 'data-search="siparis nerede siparisiniz yolda."' in html


# --- Bulk actions: confirm, then undo -------------------------------------------------------------


def bulk(client, **data):
    return client.post(reverse("inbox:bulk"), data, headers=HX)


def test_a_bulk_action_is_confirmed_first_and_changes_nothing_until_then(personas):
    a = shopper_writes(personas.harbor_api, "ayse")
    b = shopper_writes(personas.harbor_api, "jan")
    client = client_for(personas.olivia)
    response = bulk(client, action="close", conversations=[a.pk, b.pk], step="preview")
    assert response.status_code == 200
    text = response.content.decode()
    assert "Resolve 2 conversations" in text
    assert f"#{a.display_id}" in text and f"#{b.display_id}" in text
    assert set(Conversation.objects.filter(pk__in=[a.pk, b.pk]).values_list(
        "status", flat=True)) == {Status.OPEN}


def test_undo_puts_back_the_status_assignee_and_tags_as_they_were(personas):
    olivia = Actor.agent(personas.olivia)
    snoozed = shopper_writes(personas.harbor_api, "ayse")
    change_status(snoozed, olivia, Status.SNOOZED,
                  snoozed_until=datetime(2099, 1, 1, tzinfo=UTC))
    pending = shopper_writes(personas.harbor_api, "jan")
    change_status(pending, olivia, Status.PENDING)
    tagged = shopper_writes(personas.harbor_api, "budi")
    tag(tagged, olivia, "vip")
    client = client_for(personas.olivia)

    # resolve both, then undo: each is back in its own status
    done = bulk(client, action="close", conversations=[snoozed.pk, pending.pk], step="apply")
    token = _undo_token(done)
    undone = client.post(reverse("inbox:bulk_undo"), {"undo_token": token}, headers=HX)
    assert undone.status_code == 200
    assert "put back" in undone.content.decode()
    snoozed.refresh_from_db()
    pending.refresh_from_db()
    assert (snoozed.status, snoozed.snoozed_until.year) == (Status.SNOOZED, 2099)
    assert pending.status == Status.PENDING

    # tag two (one had the tag already), then undo: only the tag that was added goes
    fresh = shopper_writes(personas.harbor_api, "kasia")
    done = bulk(client, action="tag", tag="vip", conversations=[tagged.pk, fresh.pk])
    client.post(reverse("inbox:bulk_undo"), {"undo_token": _undo_token(done)}, headers=HX)
    assert list(tagged.tags.values_list("name", flat=True)) == ["vip"]
    assert not fresh.tags.exists()

    # assign to me, then undo: unassigned again
    done = bulk(client, action="assign", assignee="me", conversations=[fresh.pk])
    client.post(reverse("inbox:bulk_undo"), {"undo_token": _undo_token(done)}, headers=HX)
    fresh.refresh_from_db()
    assert fresh.assignee_id is None


def test_an_undo_token_works_only_for_the_agent_who_got_it(personas):
    conversation = shopper_writes(personas.harbor_api, "ayse")
    done = bulk(client_for(personas.olivia), action="close", conversations=[conversation.pk])
    token = _undo_token(done)
    # another agent of the account, and an agent of another account, cannot use it
    for other in (personas.ahmet, personas.bruno):
        refused = client_for(other).post(reverse("inbox:bulk_undo"), {"undo_token": token},
                                         headers=HX)
        assert refused.status_code == 400
    # nor can a tampered token
    refused = client_for(personas.olivia).post(
        reverse("inbox:bulk_undo"), {"undo_token": token[:-3] + "xyz"}, headers=HX)
    assert refused.status_code == 400
    conversation.refresh_from_db()
    assert conversation.status == Status.RESOLVED


def _undo_token(response) -> str:
    import re

    match = re.search(r'name="undo_token" value="([^"]+)"', response.content.decode())
    assert match, "the result offers an Undo"
    return match.group(1)
