"""Follow-ups through the API and the workspace: schedule, see it at the end of the thread,
edit, send now, cancel; reminders from the panel; the auto-resolve settings page. Another
account (and a light agent outside the team) gets 404 everywhere."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.test import Client

from storedesk.events.models import Event
from storedesk.inbox.actions import InboundMessage, receive_message
from storedesk.inbox.models import Message
from storedesk.workflow.models import FollowUpSettings, Reminder, ScheduledReply
from storedesk.workflow.tasks import run_followups

WARSAW = ZoneInfo("Europe/Warsaw")
pytestmark = pytest.mark.django_db(transaction=True)


def client_for(membership) -> Client:
    client = Client()
    client.force_login(membership.agent)
    return client


def chat(personas, sender="visitor-1"):
    return receive_message(personas.harbor_chat, InboundMessage(
        sender_id=sender, text="Is my sofa on its way?")).conversation


def test_the_api_schedules_edits_and_sends_once(personas, api):
    with time_machine.travel(datetime(2026, 12, 1, 10, 0, tzinfo=WARSAW), tick=False):
        conversation = chat(personas)
        client = api(personas.ahmet)
        url = f"/api/v1/conversations/{conversation.pk}/scheduled-replies"
        created = client.post(url, {"text": "It ships **tomorrow**.",
                                    "send_at": "2026-12-02T09:00:00+01:00"},
                              content_type="application/json")
        assert created.status_code == 201, created.content
        body = created.json()
        assert body["status"] == "scheduled" and body["cancel_if_customer_replies"] is True
        assert body["text"] == "It ships **tomorrow**."  # the Markdown as written
        # bad input: a naive time, the past, an empty text → 4xx and nothing stored
        for bad in ({"text": "x", "send_at": "2026-12-02T09:00:00"},
                    {"text": "x", "send_at": "2026-11-01T09:00:00+01:00"},
                    {"text": "", "send_at": "2026-12-02T09:00:00+01:00"},
                    {"text": "a\u0000b", "send_at": "2026-12-02T09:00:00+01:00"}):
            assert client.post(url, bad, content_type="application/json").status_code in (
                400, 422), bad
        assert ScheduledReply.objects.count() == 1
        edited = client.put(f"/api/v1/scheduled-replies/{body['id']}", {
            "text": "It ships on Wednesday.", "send_at": "2026-12-02T11:00:00+01:00",
            "cancel_if_customer_replies": False}, content_type="application/json")
        assert edited.status_code == 200 and edited.json()["cancel_if_customer_replies"] is False
        # another account and a light agent outside the team: 404
        assert api(personas.bruno).get(f"/api/v1/scheduled-replies/{body['id']}"
                                       ).status_code == 404
        assert api(personas.bruno).get(url).status_code == 404
        assert api(personas.lina).post(f"/api/v1/scheduled-replies/{body['id']}/cancel"
                                       ).status_code == 404
    with time_machine.travel(datetime(2026, 12, 2, 11, 0, 30, tzinfo=WARSAW), tick=False):
        run_followups.call_local()
        sent = client.get(f"/api/v1/scheduled-replies/{body['id']}").json()
    assert sent["status"] == "sent"
    message = Message.objects.get(pk=sent["message_id"])
    assert message.text == "It ships on Wednesday." and message.html  # rendered Markdown
    assert client.post(f"/api/v1/scheduled-replies/{body['id']}/cancel").status_code == 400


def test_the_api_sets_and_cancels_reminders_and_admins_set_auto_resolve(personas, api):
    conversation = chat(personas)
    client = api(personas.ahmet)
    url = f"/api/v1/conversations/{conversation.pk}/reminders"
    created = client.post(url, {"after_hours": 48, "only_if_no_reply": True},
                          content_type="application/json")
    assert created.status_code == 201, created.content
    assert created.json()["membership_id"] == personas.ahmet.pk
    assert client.post(url, {"after_hours": 1, "due_at": "2030-01-01T00:00:00Z"},
                       content_type="application/json").status_code == 400
    assert client.post(url, {"after_hours": 1, "membership_id": personas.bruno.pk},
                       content_type="application/json").status_code == 404
    # Lina (light agent, Returns team) cannot see this conversation: no reminder for her
    assert client.post(url, {"after_hours": 1, "membership_id": personas.lina.pk},
                       content_type="application/json").status_code == 400
    assert api(personas.bruno).post(f"/api/v1/reminders/{created.json()['id']}/cancel"
                                    ).status_code == 404
    cancelled = client.post(f"/api/v1/reminders/{created.json()['id']}/cancel")
    assert cancelled.json()["outcome"] == "cancelled"
    # auto-resolve: read by all, written by admins only
    payload = {"auto_resolve_days": 5, "closing_message": "",
               "closing_translations": {"pl": "Zamykamy rozmowę."}}
    assert client.put("/api/v1/followups/settings", payload,
                      content_type="application/json").status_code == 403
    saved = api(personas.olivia).put("/api/v1/followups/settings", payload,
                                     content_type="application/json")
    assert saved.status_code == 200 and saved.json()["auto_resolve_days"] == 5
    assert client.get("/api/v1/followups/settings").json()["closing_translations"] == {
        "pl": "Zamykamy rozmowę."}
    assert api(personas.bruno).get("/api/v1/followups/settings").json()[
        "auto_resolve_days"] is None  # Northwind's own (none)


def test_send_later_from_the_composer_then_edit_and_send_now(personas):
    conversation = chat(personas)
    olivia = client_for(personas.olivia)
    base = f"/followups/{conversation.display_id}"
    tomorrow = (datetime.now(tz=ZoneInfo("Asia/Bangkok")) + timedelta(days=1)).replace(
        hour=9, minute=0, second=0, microsecond=0)
    # the composer offers "Send later"
    page = olivia.get(f"/conversations/{conversation.display_id}/").content.decode()
    assert 'data-composer-tool="send_later"' in page and f"{base}/schedule/" in page
    # when Olivia schedules the reply for 09:00 tomorrow in her (Bangkok) zone
    response = olivia.post(f"{base}/schedule/", {
        "text": "We will call you *tomorrow*.", "send_at": tomorrow.strftime("%Y-%m-%dT%H:%M"),
        "tz": "Asia/Bangkok", "cancel_if_customer_replies": "on", "signature": ""})
    assert response.status_code == 200, response.content.decode()[:500]
    row = ScheduledReply.objects.get(conversation=conversation)
    assert row.send_at == tomorrow and row.cancel_if_customer_replies
    # then the reply box is empty and the thread ends with the scheduled reply and its buttons
    html = response.content.decode()
    assert f'data-scheduled-reply="{row.pk}"' in html
    assert f"{base}/scheduled/{row.pk}/send/" in html and "We will call you" in html
    assert not Message.objects.filter(conversation=conversation, direction="outgoing").exists()
    # bad input is refused and nothing is scheduled
    bad = olivia.post(f"{base}/schedule/", {"text": "Hi", "send_at": "yesterday", "tz": "UTC"})
    assert bad.status_code == 400 and ScheduledReply.objects.count() == 1
    # edit, then send now: it goes out once through the reply path
    edited = olivia.post(f"{base}/scheduled/{row.pk}/edit/", {
        "text": "We will call you at 10.", "send_at": tomorrow.strftime("%Y-%m-%dT%H:%M"),
        "tz": "Asia/Bangkok"})
    assert edited.status_code == 200
    row.refresh_from_db()
    assert row.text == "We will call you at 10." and not row.cancel_if_customer_replies
    assert olivia.post(f"{base}/scheduled/{row.pk}/send/").status_code == 200
    assert olivia.post(f"{base}/scheduled/{row.pk}/send/").status_code == 200  # a toast, no 2nd
    assert Message.objects.filter(conversation=conversation, direction="outgoing",
                                  text="We will call you at 10.").count() == 1
    lines = olivia.get(f"/conversations/{conversation.display_id}/thread/").content.decode()
    assert "scheduled a reply for" in lines and "A scheduled reply was sent" in lines
    # another account: 404 on every follow-up URL
    bruno = client_for(personas.bruno)
    for path in (f"{base}/schedule/", f"{base}/scheduled/{row.pk}/cancel/",
                 f"{base}/scheduled/{row.pk}/send/", f"{base}/remind/"):
        assert bruno.post(path, {"text": "x"}).status_code == 404, path
    assert olivia.get(f"{base}/schedule/").status_code == 405  # no state change on GET


def test_remind_me_from_the_panel(personas):
    conversation = chat(personas)
    ahmet = client_for(personas.ahmet)
    page = ahmet.get(f"/conversations/{conversation.display_id}/").content.decode()
    assert 'data-panel="followup"' in page
    response = ahmet.post(f"/followups/{conversation.display_id}/remind/", {
        "in_hours": "72", "only_if_no_reply": "on", "note": "Ask about the photo"})
    assert response.status_code == 200
    reminder = Reminder.objects.get(conversation=conversation)
    assert reminder.membership_id == personas.ahmet.pk and reminder.only_if_no_reply
    assert f'data-reminder="{reminder.pk}"' in response.content.decode()
    custom = ahmet.post(f"/followups/{conversation.display_id}/remind/", {
        "in_hours": "custom", "due_at": "not a date", "tz": "Europe/Istanbul"})
    assert custom.status_code == 400 and Reminder.objects.count() == 1
    cancel = ahmet.post(f"/followups/{conversation.display_id}/reminders/{reminder.pk}/cancel/")
    assert cancel.status_code == 200
    assert Reminder.objects.get(pk=reminder.pk).outcome == "cancelled"
    assert Event.objects.filter(conversation=conversation,
                                kind="followup.reminder_cancelled").count() == 1


def test_the_follow_up_settings_page(personas):
    olivia = client_for(personas.olivia)
    page = olivia.get("/settings/workflow/followups/")
    assert page.status_code == 200 and 'name="closing_th"' in page.content.decode()
    saved = olivia.post("/settings/workflow/followups/", {
        "auto_resolve_days": "4", "send_closing_message": "on", "closing_message": "",
        "closing_pl": "Zamykamy — napisz, jeśli trzeba."})
    assert saved.status_code == 302
    row = FollowUpSettings.objects.get(account=personas.harbor)
    assert row.auto_resolve_days == 4
    assert row.closing_translations == {"pl": "Zamykamy — napisz, jeśli trzeba."}
    assert olivia.post("/settings/workflow/followups/", {
        "auto_resolve_days": "0"}).status_code == 400
    assert client_for(personas.ahmet).get("/settings/workflow/followups/").status_code == 404


def test_an_email_reply_keeps_its_cc_when_scheduled_and_edited(personas):
    conversation = receive_message(personas.harbor_email, InboundMessage(
        sender_id="kasia@shopper.test", text="Invoice please", subject="Invoice")).conversation
    olivia = client_for(personas.olivia)
    base = f"/followups/{conversation.display_id}"
    when = (datetime.now(tz=WARSAW) + timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")
    refused = olivia.post(f"{base}/schedule/", {"text": "Attached.", "send_at": when,
                                                "tz": "Europe/Warsaw", "cc": "not an address"})
    assert refused.status_code == 400 and not ScheduledReply.objects.exists()
    assert olivia.post(f"{base}/schedule/", {
        "text": "Here it is.", "send_at": when, "tz": "Europe/Warsaw",
        "cc": "accounting@shopper.test", "bcc": ""}).status_code == 200
    row = ScheduledReply.objects.get(conversation=conversation)
    assert row.metadata["email_recipients"] == {"cc": ["accounting@shopper.test"], "bcc": []}
    assert olivia.post(f"{base}/scheduled/{row.pk}/edit/", {
        "text": "Here it is, again.", "send_at": when, "tz": "Europe/Warsaw"}).status_code == 200
    assert olivia.post(f"{base}/scheduled/{row.pk}/send/").status_code == 200
    sent = Message.objects.get(conversation=conversation, direction="outgoing")
    assert sent.text == "Here it is, again."
    assert sent.metadata["email_recipients"]["cc"] == ["accounting@shopper.test"]
