"""Values no database can hold are refused at every entry point with a clear 400/422, nothing is
committed, and SQLite and PostgreSQL answer the same (run this file on both)."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
from django.test import Client

from storedesk.contacts.models import Contact, ContactIdentity
from storedesk.core.errors import ActionError
from storedesk.events.models import Event
from storedesk.inbox.actions import InboundMessage, receive_message
from storedesk.inbox.models import Conversation, Message, Tag
from storedesk.inbox.storage import IncomingFile
from storedesk.testing.personas import PASSWORD

JSON = "application/json"
NUL = "a\x00b"
LONE_SURROGATE = "a\ud800b"


def post(client, url, body):
    return client.post(url, json.dumps(body), content_type=JSON)


@pytest.fixture
def conversation(personas) -> Conversation:
    return receive_message(
        personas.harbor_api, InboundMessage(sender_id="ayse", text="Where is my order?")
    ).conversation


def signed_in(membership) -> Client:
    client = Client()
    assert client.login(email=membership.agent.email, password=PASSWORD)
    return client


@pytest.mark.parametrize("field", ["text", "name", "source_id", "message_id"])
@pytest.mark.parametrize("bad", [NUL, LONE_SURROGATE])
def test_inbound_text_the_database_cannot_hold_is_422(personas, api, field, bad):
    # given a store integration forwarding a message with a NUL (or a lone surrogate) in it
    body = {"source_id": "cust-1", "text": "hello", "message_id": "m-1", field: bad}
    # when it posts to the API-channel inbox
    response = post(api(personas.olivia), f"/api/v1/inboxes/{personas.harbor_api.pk}/messages",
                    body)
    # then it gets a 422 naming the field, and nothing was stored
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", field]
    assert not Message.objects.exists()
    assert not ContactIdentity.objects.exists()


def test_over_long_values_are_refused_not_truncated_or_stored(personas, api):
    client = api(personas.olivia)
    url = f"/api/v1/inboxes/{personas.harbor_api.pk}/messages"
    for field, length in (("name", 201), ("source_id", 256), ("message_id", 256)):
        response = post(client, url, {"source_id": "c", "text": "hi", field: "x" * length})
        assert response.status_code == 422, field
        assert response.json()["detail"][0]["loc"] == ["body", field]
    assert not Message.objects.exists()


def test_a_snooze_beyond_year_9999_in_utc_is_refused_and_the_account_keeps_working(
    personas, api, conversation
):
    client = api(personas.olivia)
    url = f"/api/v1/conversations/{conversation.pk}/status"
    # given dates that overflow once converted to UTC, or carry no time zone
    for when in ("9999-12-31T23:59:59-14:00", "0001-01-01T00:00:00+14:00",
                 "9999-06-01T00:00:00+00:00", "2030-01-01T10:00:00"):
        response = post(client, url, {"status": "snoozed", "snoozed_until": when})
        # then each is a 422 naming snoozed_until, and the conversation is unchanged
        assert response.status_code == 422, when
        assert response.json()["detail"][0]["loc"] == ["body", "snoozed_until"]
    conversation.refresh_from_db()
    assert conversation.status == "open" and conversation.snoozed_until is None
    assert not Event.objects.filter(kind="conversation.status_changed").exists()
    # and the list, the conversation and the contact still answer
    assert client.get("/api/v1/conversations").status_code == 200
    assert client.get(f"/api/v1/conversations/{conversation.pk}").status_code == 200
    assert client.get(f"/api/v1/contacts/{conversation.contact_id}").status_code == 200
    # a real snooze still works
    ok = post(client, url, {"status": "snoozed", "snoozed_until": "2999-01-01T00:00:00+02:00"})
    assert ok.status_code == 200 and ok.json()["status"] == "snoozed"


def test_replies_notes_tags_and_searches_with_nul_are_refused(personas, api, conversation):
    client = api(personas.olivia)
    base = f"/api/v1/conversations/{conversation.pk}"
    for private in (False, True):
        response = post(client, f"{base}/messages", {"text": NUL, "private": private})
        assert response.status_code == 422
        assert response.json()["detail"][0]["loc"] == ["body", "text"]
    assert post(client, f"{base}/tags", {"name": NUL}).status_code == 422
    assert client.delete(f"{base}/tags/a%00b").status_code == 422
    assert client.get("/api/v1/contacts", {"q": NUL}).status_code == 422
    for param in ("tag", "language", "assignee", "cursor"):
        assert client.get("/api/v1/conversations", {param: NUL}).status_code == 422, param
    assert Message.objects.count() == 1
    assert not Tag.objects.exists()


def test_contact_edits_refuse_what_cannot_be_stored(personas, api, conversation):
    client = api(personas.olivia)
    url = f"/api/v1/contacts/{conversation.contact_id}"
    for body in ({"name": NUL}, {"phone": "1" * 33}, {"language": "x" * 9},
                 {"attributes": {"vip": NUL}}, {"attributes": {NUL: 1}},
                 {"attributes": {"big": 2**64}}, {"attributes": {"nested": {"a": 1}}}):
        response = client.patch(url, json.dumps(body), content_type=JSON)
        assert response.status_code == 422, body
    contact = Contact.objects.get(pk=conversation.contact_id)
    assert contact.name == "" and contact.attributes == {}


def test_a_connector_handing_over_unstorable_values_gets_a_clear_error(personas):
    inbox = personas.harbor_email
    for inbound in (
        InboundMessage(sender_id="ayse@example.com", text=NUL),
        InboundMessage(sender_id=NUL, text="hi"),
        InboundMessage(sender_id="a@example.com", text="hi", subject="s" * 256),
        InboundMessage(sender_id="a@example.com", text="hi", email="not an email"),
        InboundMessage(sender_id="a@example.com", text="hi", metadata={"x": float("nan")}),
        InboundMessage(sender_id="a@example.com", text="hi",
                       attachments=[IncomingFile(filename=NUL, content=b"x")]),
    ):
        with pytest.raises(ActionError):
            receive_message(inbox, inbound)
    assert not Message.objects.exists()


def test_the_workspace_refuses_the_same_values(personas, conversation):
    client = signed_in(personas.olivia)
    base = f"/conversations/{conversation.display_id}"
    # a reply or note with a NUL: the form says so, nothing is sent
    assert client.post(f"{base}/reply/", {"text": NUL}).status_code == 400
    assert client.post(f"{base}/note/", {"text": NUL}).status_code == 400
    # a snooze past year 9998 in UTC, in any way the browser can send it
    for fields in ({"snoozed_until": "9999-12-31T23:59", "tz_offset": "840"},
                   {"snoozed_until": "9999-12-31T23:59:59-14:00"},
                   {"snoozed_until": "0001-01-01T00:00", "tz_offset": "-840"}):
        response = client.post(f"{base}/status/", {"status": "snoozed", **fields})
        assert response.status_code == 400, fields
    conversation.refresh_from_db()
    assert conversation.status == "open"
    # a contact edit with a NUL or too long a phone
    url = f"/contacts/{conversation.contact_id}/update/"
    assert client.post(url, {"name": NUL}).status_code == 400
    assert client.post(url, {"phone": "1" * 33}).status_code == 400
    # a merge target no database can hold
    merge = client.post(f"/contacts/{conversation.contact_id}/merge/confirm/",
                        {"other": str(2**64)})
    assert merge.status_code in (400, 404)
    assert Message.objects.count() == 1
    # and the pages still render
    assert client.get(f"{base}/").status_code == 200
    assert client.get("/", {"q": NUL}).status_code == 200


def test_storable_dates_pass(personas, conversation):
    from storedesk.core.validation import find_bad_datetime

    assert find_bad_datetime(datetime(9998, 12, 31, tzinfo=UTC)) is None
    assert find_bad_datetime(datetime(2, 1, 1, tzinfo=UTC)) is None
    assert find_bad_datetime(datetime(9999, 1, 1, tzinfo=UTC)) is not None
