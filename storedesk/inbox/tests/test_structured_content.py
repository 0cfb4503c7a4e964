"""Structured replies (choices, cards, article, order): validated per kind, exposed in the API,
delivered with a plain-text fallback, and refused when malformed, with nothing stored."""

from __future__ import annotations

import json

import pytest

from storedesk.inbox.actions import InboundMessage, receive_message
from storedesk.inbox.models import Message

JSON = "application/json"


@pytest.fixture
def conversation(personas):
    return receive_message(personas.harbor_chat, InboundMessage(
        sender_id="visitor-1", text="Do you have it in blue?")).conversation


def reply(client, conversation, body):
    return client.post(f"/api/v1/conversations/{conversation.pk}/messages", json.dumps(body),
                       content_type=JSON)


def test_a_bot_offers_choices_and_cards_with_a_text_fallback(personas, api, conversation):
    client = api(personas.olivia)
    # when the reply is a set of choices without any text
    choices = reply(client, conversation, {"content_type": "choices", "content": {
        "prompt": "Which colour?",
        "choices": [{"label": "Blue", "value": "blue"}, {"label": "Green", "value": "green"}],
    }})
    # then the API answers it with its content and a plain-text fallback
    assert choices.status_code == 201
    body = choices.json()
    assert body["content_type"] == "choices"
    assert [c["value"] for c in body["content"]["choices"]] == ["blue", "green"]
    assert body["text"] == "Which colour?\n- Blue\n- Green"
    # cards, an article and an order status work the same way
    for content_type, content, fallback in [
        ("cards", {"cards": [{"title": "Linen shirt", "subtitle": "Blue, M",
                              "url": "https://harbor.test/p/1",
                              "buttons": [{"label": "Buy", "url": "https://harbor.test/b/1"}]}]},
         "Linen shirt — Blue, M — https://harbor.test/p/1"),
        ("article", {"title": "Returns", "url": "https://harbor.test/help/returns"},
         "Returns\nhttps://harbor.test/help/returns"),
        ("order", {"order_number": "HV-1001", "status": "Shipped", "total": "€42.00",
                   "lines": [{"name": "Linen shirt", "quantity": 2}]},
         "Order HV-1001: Shipped (€42.00)\n2 × Linen shirt"),
    ]:
        response = reply(client, conversation, {"content_type": content_type, "content": content})
        assert response.status_code == 201, response.content
        assert response.json()["text"] == fallback
        assert response.json()["content"]["cards" if content_type == "cards" else "title"
                                          if content_type == "article" else "order_number"]
    # and the thread lists them with their content; text messages carry null content
    thread = client.get(f"/api/v1/conversations/{conversation.pk}/messages").json()["items"]
    assert [m["content_type"] for m in thread] == ["text", "choices", "cards", "article", "order"]
    assert thread[0]["content"] is None


@pytest.mark.parametrize("body", [
    {"content_type": "choices", "content": {"choices": []}},
    {"content_type": "choices", "content": {"choices": [{"label": "x\u0000", "value": "x"}]}},
    {"content_type": "cards", "content": {"cards": [{"title": "T", "url": "javascript:alert(1)"}]}},
    {"content_type": "article", "content": {"title": "T", "url": "http://insecure.test/"}},
    {"content_type": "order", "content": {"order_number": "1", "status": "s", "extra": 1}},
    {"content_type": "cards", "content": {"order_number": "1", "status": "Shipped"}},
    {"content_type": "text", "content": {"title": "T", "url": "https://harbor.test/"}},
    {"content_type": "choices"},
    {"content_type": "choices", "private": True,
     "content": {"choices": [{"label": "a", "value": "a"}]}},
    {"content_type": "poll", "content": {}},
])
def test_malformed_structured_content_is_refused(personas, api, conversation, body):
    response = reply(api(personas.olivia), conversation, body)
    assert response.status_code in (400, 422), response.content
    assert "detail" in response.json()
    assert Message.objects.filter(conversation=conversation).count() == 1


def test_the_widget_and_the_timeline_get_safe_text(personas, api, conversation):
    client = api(personas.olivia)
    reply(client, conversation, {"content_type": "article", "content": {
        "title": "<script>alert(1)</script>", "url": "https://harbor.test/a"}})
    message = Message.objects.get(content_type="article")
    from storedesk.connectors.webchat.transport import widget_message

    pushed = widget_message(message)
    assert pushed["content_type"] == "article"
    assert pushed["content"]["url"] == "https://harbor.test/a"
    # the workspace shows the fallback text, escaped
    from django.test import Client

    from storedesk.testing.personas import PASSWORD

    browser = Client()
    assert browser.login(email=personas.olivia.agent.email, password=PASSWORD)
    page = browser.get(f"/conversations/{conversation.display_id}/").content.decode()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "<script>alert(1)</script>" not in page
