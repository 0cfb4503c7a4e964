"""Stories told through the REST API: a shopper writes in, the team works the conversation."""

from __future__ import annotations

import json
import threading
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from django.utils import timezone

from storedesk.events.models import Event
from storedesk.inbox.actions import InboundMessage, receive_message
from storedesk.inbox.models import (
    Conversation,
    Delivery,
    Message,
    OutboundStatus,
)
from storedesk.inbox.storage import IncomingFile

JSON = "application/json"


def post_json(client, url: str, body: dict[str, Any]):
    return client.post(url, json.dumps(body), content_type=JSON)


def shopper_writes(personas, sender: str, text: str, **extra: Any) -> Conversation:
    return receive_message(
        personas.harbor_api, InboundMessage(sender_id=sender, text=text, **extra)
    ).conversation


# --- Inbound through the API ------------------------------------------------------------------


def test_store_integration_posts_a_shopper_message_once(personas, api):
    # given Harbor's own shop backend holding Olivia's API token
    backend = api(personas.olivia)
    url = f"/api/v1/inboxes/{personas.harbor_api.pk}/messages"
    body = {"source_id": "cust-1042", "name": "Ayşe Kaya", "email": "Ayse@Example.com",
            "text": "Siparişim nerede?", "message_id": "shop-msg-1"}
    # when it posts a shopper's message, then (after a timeout) posts it again
    first = post_json(backend, url, body)
    again = post_json(backend, url, body)
    # then the first creates, the repeat answers the same ids and nothing is duplicated
    assert first.status_code == 201
    assert again.status_code == 200
    assert first.json() == again.json()
    ids = first.json()
    assert set(ids) == {"conversation_id", "message_id"}
    assert Message.objects.filter(source_id="shop-msg-1").count() == 1
    conversation = backend.get(f"/api/v1/conversations/{ids['conversation_id']}").json()
    assert conversation["contact"] == {"id": conversation["contact"]["id"],
                                       "name": "Ayşe Kaya", "email": "ayse@example.com"}
    assert conversation["status"] == "open" and conversation["message_count"] == 1


def test_only_api_channel_inboxes_take_posted_messages(personas, api):
    # given the email inbox
    url = f"/api/v1/inboxes/{personas.harbor_email.pk}/messages"
    # when the integration tries to post into it
    response = post_json(api(personas.olivia), url, {"source_id": "x", "text": "hello"})
    # then it is refused with a readable reason
    assert response.status_code == 400
    assert "API-channel" in response.json()["detail"]
    assert not Message.objects.exists()


def test_invalid_inbound_bodies_are_422_and_empty_text_is_400(personas, api):
    backend = api(personas.olivia)
    url = f"/api/v1/inboxes/{personas.harbor_api.pk}/messages"
    # when the body lacks the shopper's id
    missing = post_json(backend, url, {"text": "hello"})
    # then it is a validation error
    assert missing.status_code == 422
    assert "detail" in missing.json()
    # when the text is blank, the action refuses it
    blank = post_json(backend, url, {"source_id": "s", "text": "   "})
    assert blank.status_code == 400
    assert blank.json() == {"detail": "The message is empty."}


# --- Listing and filtering --------------------------------------------------------------------


def test_conversation_list_filters_and_pages_newest_first(personas, api):
    # given five shoppers, one Turkish, one tagged, one assigned to Ahmet
    convs = [shopper_writes(personas, f"s{i}", f"question {i}") for i in range(5)]
    olivia = api(personas.olivia)
    Conversation.objects.filter(pk=convs[1].pk).update(language="tr")
    post_json(olivia, f"/api/v1/conversations/{convs[2].pk}/tags", {"name": "Refund"})
    post_json(olivia, f"/api/v1/conversations/{convs[3].pk}/assign",
              {"assignee_id": personas.ahmet.pk})
    # when Olivia pages through all conversations two at a time
    seen: list[int] = []
    cursor = None
    while True:
        params = {"limit": 2, **({"cursor": cursor} if cursor else {})}
        page = olivia.get("/api/v1/conversations", params).json()
        seen += [c["id"] for c in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    # then every conversation appears once, newest activity first
    assert seen == [c.pk for c in reversed(convs)]

    def ids(**params: Any) -> list[int]:
        response = olivia.get("/api/v1/conversations", params)
        assert response.status_code == 200, response.content
        return [c["id"] for c in response.json()["items"]]

    # and the filters narrow it down
    assert ids(language="tr") == [convs[1].pk]
    assert ids(tag="refund") == [convs[2].pk]
    assert ids(assignee=str(personas.ahmet.pk)) == [convs[3].pk]
    assert ids(assignee="none") == [c.pk for c in reversed(convs) if c.pk != convs[3].pk]
    assert ids(assignee="me") == []
    assert ids(status="open", inbox=personas.harbor_api.pk) == [c.pk for c in reversed(convs)]
    assert ids(inbox=personas.harbor_email.pk) == []
    assert olivia.get("/api/v1/conversations", {"assignee": "bob"}).status_code == 400
    assert olivia.get("/api/v1/conversations", {"cursor": "!!nope"}).status_code == 400
    # the limit range is in the schema: 422 naming the query parameter
    assert olivia.get("/api/v1/conversations", {"limit": 500}).status_code == 422


def test_conversation_list_does_not_query_per_row(personas, api, django_assert_max_num_queries):
    # given thirty conversations with tags, assignees and teams
    olivia = api(personas.olivia)
    for i in range(30):
        conversation = shopper_writes(personas, f"q{i}", "hello")
        post_json(olivia, f"/api/v1/conversations/{conversation.pk}/tags", {"name": f"t{i % 3}"})
        post_json(olivia, f"/api/v1/conversations/{conversation.pk}/assign",
                  {"assignee_id": personas.ahmet.pk, "team_id": personas.returns.pk})
    lina = api(personas.lina)  # light agent: one more query for her teams
    lina.get("/api/v1/me")  # the first use of a token also records last_used_at
    # when the light agent lists a full page
    # token, teams, conversations, tags, and the extra fields of other apps (workflow: sla)
    with django_assert_max_num_queries(5):
        response = lina.get("/api/v1/conversations", {"limit": 30})
    # then all rows are there with their relations
    items = response.json()["items"]
    assert len(items) == 30
    assert {i["assignee"]["name"] for i in items} == {"Ahmet Yilmaz"}
    assert {i["team"]["name"] for i in items} == {"Returns"}
    assert all(len(i["tags"]) == 1 for i in items)


def test_messages_page_oldest_first_without_per_row_queries(
    personas, api, django_assert_max_num_queries
):
    # given a thread of twelve messages, some with attachments
    for i in range(12):
        photo = IncomingFile(f"photo{i}.jpg", b"\xff\xd8 jpeg", "image/jpeg")
        files = [photo] if i % 4 == 0 else []
        conversation = shopper_writes(personas, "talkative", f"message {i}", attachments=files)
    olivia = api(personas.olivia)
    olivia.get("/api/v1/me")
    url = f"/api/v1/conversations/{conversation.pk}/messages"
    # when Olivia reads the thread five at a time
    texts: list[str] = []
    cursor = None
    with django_assert_max_num_queries(4):  # token, conversation, messages, attachments
        first = olivia.get(url, {"limit": 5}).json()
    texts += [m["text"] for m in first["items"]]
    cursor = first["next_cursor"]
    while cursor:
        page = olivia.get(url, {"limit": 5, "cursor": cursor}).json()
        texts += [m["text"] for m in page["items"]]
        cursor = page["next_cursor"]
    # then she sees them all, in order, attachments linked for download
    assert texts == [f"message {i}" for i in range(12)]
    first_message = first["items"][0]
    assert first_message["direction"] == "incoming"
    assert first_message["sender_type"] == "contact"
    assert first_message["private"] is False
    attachment = first_message["attachments"][0]
    assert attachment["filename"] == "photo0.jpg"
    download = olivia.get(attachment["url"])
    assert download.status_code == 200
    assert download["Content-Disposition"].startswith("attachment;")
    assert b"".join(download.streaming_content) == b"\xff\xd8 jpeg"


# --- Working the conversation ---------------------------------------------------------------


def test_agent_notes_replies_assigns_prioritises_tags_and_resolves(personas, api):
    # given a shopper asking about a return
    conversation = shopper_writes(personas, "jan", "Chcę zwrócić zamówienie")
    ahmet = api(personas.ahmet)
    base = f"/api/v1/conversations/{conversation.pk}"
    # when Ahmet leaves a note mentioning Olivia, replies, and works the conversation
    note = post_json(ahmet, f"{base}/messages", {"text": "@olivia refund over limit?",
                                                   "private": True})
    reply = post_json(ahmet, f"{base}/messages", {"text": "Sure, we will help you."})
    assigned = post_json(ahmet, f"{base}/assign", {"assignee_id": personas.ahmet.pk,
                                                   "team_id": personas.returns.pk})
    urgent = post_json(ahmet, f"{base}/priority", {"priority": "urgent"})
    tagged = post_json(ahmet, f"{base}/tags", {"name": "returns"})
    untagged = ahmet.delete(f"{base}/tags/returns")
    resolved = post_json(ahmet, f"{base}/status", {"status": "resolved"})
    # then each call answered with the new state
    assert note.status_code == 201 and note.json()["private"] is True
    assert note.json()["sender_type"] == "agent"
    assert note.json()["delivery_status"] == "internal"  # a note is never delivered
    assert reply.status_code == 201
    assert reply.json()["delivery_status"] == "pending"
    assert reply.json()["direction"] == "outgoing"
    assert assigned.json()["assignee"] == {"id": personas.ahmet.pk, "name": "Ahmet Yilmaz",
                                           "email": "ahmet@harbor.test"}
    assert assigned.json()["team"] == {"id": personas.returns.pk, "name": "Returns"}
    assert urgent.json()["priority"] == "urgent"
    assert tagged.json()["tags"] == ["returns"]
    assert untagged.json()["tags"] == []
    assert resolved.json()["status"] == "resolved"
    # and the timeline recorded each step
    kinds = list(Event.objects.filter(conversation=conversation)
                 .order_by("pk").values_list("kind", flat=True))
    assert kinds[2:] == ["note.added", "message.created", "conversation.assigned",
                         "conversation.priority_changed", "conversation.tagged",
                         "conversation.untagged", "conversation.status_changed"]
    # when he assigns it away without naming a team, the team stays
    kept = post_json(ahmet, f"{base}/assign", {"assignee_id": None}).json()
    assert kept["assignee"] is None and kept["team"]["id"] == personas.returns.pk


def test_bad_transitions_and_values_are_refused_with_detail(personas, api):
    conversation = shopper_writes(personas, "k", "hi")
    olivia = api(personas.olivia)
    base = f"/api/v1/conversations/{conversation.pk}"
    # when Olivia tries an impossible transition, a past snooze and an unknown priority
    same = post_json(olivia, f"{base}/status", {"status": "open"})
    past = post_json(olivia, f"{base}/status", {
        "status": "snoozed", "snoozed_until": (timezone.now() - timedelta(hours=1)).isoformat()})
    unknown = post_json(olivia, f"{base}/priority", {"priority": "panic"})
    empty = post_json(olivia, f"{base}/messages", {"text": "  "})
    # then she gets 409 / 400 / 422 answers with a detail
    assert same.status_code == 409 and "already open" in same.json()["detail"]
    assert past.status_code == 400 and "future" in past.json()["detail"]
    assert unknown.status_code == 422
    assert empty.status_code == 400 and empty.json() == {"detail": "The reply is empty."}
    # and a snooze in the future works
    later = (timezone.now() + timedelta(days=1)).isoformat()
    snoozed = post_json(olivia, f"{base}/status", {"status": "snoozed", "snoozed_until": later})
    assert snoozed.json()["status"] == "snoozed" and snoozed.json()["snoozed_until"]


def test_light_agent_sees_only_her_teams_conversations(personas, api):
    # given one conversation on the Returns team and one without a team
    returns_case = shopper_writes(personas, "r1", "return please")
    other_case = shopper_writes(personas, "o1", "where is my order")
    post_json(api(personas.olivia), f"/api/v1/conversations/{returns_case.pk}/assign",
              {"assignee_id": None, "team_id": personas.returns.pk})
    lina = api(personas.lina)
    # when Lina lists and opens conversations
    listed = [c["id"] for c in lina.get("/api/v1/conversations").json()["items"]]
    # then she sees her team's case and gets 404 on the other one, everywhere
    assert listed == [returns_case.pk]
    base = f"/api/v1/conversations/{other_case.pk}"
    assert lina.get(base).status_code == 404
    assert lina.get(f"{base}/messages").status_code == 404
    assert post_json(lina, f"{base}/messages", {"text": "hi", "private": True}).status_code == 404
    assert post_json(lina, f"{base}/status", {"status": "resolved"}).status_code == 404
    assert lina.get(f"/api/v1/conversations/{returns_case.pk}").status_code == 200


# --- Failed delivery and retry, against a real webhook receiver on 127.0.0.1 -------------------


class _Receiver(BaseHTTPRequestHandler):
    bodies: list[dict[str, Any]] = []

    def do_POST(self) -> None:  # noqa: N802 - http.server API
        length = int(self.headers.get("Content-Length", "0"))
        type(self).bodies.append(json.loads(self.rfile.read(length)))
        self.send_response(200)
        self.end_headers()

    def log_message(self, *args: Any) -> None:
        return


@pytest.fixture
def webhook_receiver():
    _Receiver.bodies = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Receiver)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}/hook", _Receiver.bodies
    server.shutdown()
    server.server_close()


def test_failed_reply_is_retried_once_the_webhook_is_configured(
    personas, api, settings, webhook_receiver, django_capture_on_commit_callbacks
):
    settings.FETCH_ALLOW_PRIVATE = True
    url, received_bodies = webhook_receiver
    # given a reply on the API inbox, which has no webhook URL yet, so delivery fails
    conversation = shopper_writes(personas, "cust-7", "any news?")
    olivia = api(personas.olivia)
    with django_capture_on_commit_callbacks(execute=True):
        reply = post_json(olivia, f"/api/v1/conversations/{conversation.pk}/messages",
                          {"text": "Shipped today!"}).json()
    failed = Message.objects.get(pk=reply["id"])
    assert failed.delivery_status == "failed" and failed.delivery_error
    # when the developer sets the webhook URL and Olivia presses retry
    inbox = personas.harbor_api
    inbox.config = {**inbox.config, "webhook_url": url}
    inbox.save(update_fields=["config"])
    with django_capture_on_commit_callbacks(execute=True):
        retried = olivia.post(f"/api/v1/messages/{reply['id']}/retry")
    # then the message is queued again and reaches the store's webhook exactly once
    assert retried.status_code == 200
    assert retried.json()["delivery_status"] == "pending"
    assert Delivery.objects.get(message_id=reply["id"]).status == OutboundStatus.SENT
    assert [b["message"]["text"] for b in received_bodies] == ["Shipped today!"]
    # and retrying a sent message, or an incoming one, is refused
    again = olivia.post(f"/api/v1/messages/{reply['id']}/retry")
    assert again.status_code == 400
    incoming = Message.objects.filter(conversation=conversation, direction="incoming").first()
    assert olivia.post(f"/api/v1/messages/{incoming.pk}/retry").status_code == 400
