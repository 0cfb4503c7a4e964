"""Concurrent duplicates through a real HTTP server: the same message is stored once."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest

from storedesk.contacts.models import Contact, ContactIdentity
from storedesk.inbox.models import Conversation, Message

THREADS = 8


def _post_all(url: str, token: str, bodies: list[dict]) -> list[httpx.Response]:
    start = threading.Barrier(len(bodies))

    def post(body: dict) -> httpx.Response:
        with httpx.Client(headers={"Authorization": f"Bearer {token}"}, timeout=60) as client:
            start.wait()
            return client.post(url, json=body)

    with ThreadPoolExecutor(len(bodies)) as pool:
        return list(pool.map(post, bodies))


@pytest.mark.django_db(transaction=True)
def test_the_same_message_posted_by_eight_clients_at_once_is_stored_once(
    personas, api_token, live_server
):
    # given the shop's integration retrying one message from eight workers at the same moment
    url = f"{live_server.url}/api/v1/inboxes/{personas.harbor_api.pk}/messages"
    body = {"source_id": "cust-9", "name": "Somchai", "email": "somchai@example.com",
            "text": "พัสดุของฉันอยู่ที่ไหน", "message_id": "shop-msg-77"}
    # when they all post it
    responses = _post_all(url, api_token(personas.olivia), [body] * THREADS)
    # then one created it, the others got the very same ids
    codes = sorted(r.status_code for r in responses)
    assert codes == [200] * (THREADS - 1) + [201], [r.content for r in responses]
    assert len({(r.json()["conversation_id"], r.json()["message_id"]) for r in responses}) == 1
    # and exactly one message, conversation, identity and contact exist
    assert Message.objects.filter(inbox=personas.harbor_api).count() == 1
    assert Conversation.objects.filter(inbox=personas.harbor_api).count() == 1
    assert ContactIdentity.objects.filter(inbox=personas.harbor_api).count() == 1
    assert Contact.objects.filter(account=personas.harbor).count() == 1


@pytest.mark.django_db(transaction=True)
def test_a_new_shopper_sending_eight_messages_at_once_gets_one_conversation(
    personas, api_token, live_server
):
    # given a brand-new shopper whose eight messages arrive at the same moment
    url = f"{live_server.url}/api/v1/inboxes/{personas.harbor_api.pk}/messages"
    bodies = [{"source_id": "cust-new", "text": f"part {i}", "message_id": f"burst-{i}"}
              for i in range(THREADS)]
    # when they are all posted
    responses = _post_all(url, api_token(personas.olivia), bodies)
    # then all are stored, in one conversation, for one contact
    assert [r.status_code for r in responses] == [201] * THREADS, [r.content for r in responses]
    assert len({r.json()["conversation_id"] for r in responses}) == 1
    conversation = Conversation.objects.get(inbox=personas.harbor_api)
    assert conversation.message_count == THREADS
    assert Message.objects.filter(conversation=conversation).count() == THREADS
    assert ContactIdentity.objects.filter(inbox=personas.harbor_api).count() == 1


@pytest.mark.django_db(transaction=True)
def test_a_burst_from_a_new_shopper_leaves_no_orphan_contacts(personas, api_token, live_server):
    # given a brand-new shopper whose eight messages arrive at the same moment
    url = f"{live_server.url}/api/v1/inboxes/{personas.harbor_api.pk}/messages"
    bodies = [{"source_id": "cust-new", "email": "new@example.com", "text": f"part {i}",
               "message_id": f"burst-{i}"} for i in range(THREADS)]
    # when they are all posted
    responses = _post_all(url, api_token(personas.olivia), bodies)
    # then there is exactly one contact for this shopper
    assert [r.status_code for r in responses] == [201] * THREADS
    assert Contact.objects.filter(account=personas.harbor).count() == 1
