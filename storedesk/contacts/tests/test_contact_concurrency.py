"""One shopper, one contact: concurrent first messages from a new email address.

Real threads post through a real HTTP server to the configured database. On PostgreSQL the
requests interleave freely (READ COMMITTED); on SQLite writers are serialised, and the same
assertions hold there too.
"""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest
from django.db import connection

from storedesk.accounts.actions import actor_for
from storedesk.contacts.actions import update_contact
from storedesk.contacts.models import Contact, ContactIdentity
from storedesk.core.errors import ActionError
from storedesk.inbox import actions

THREADS = 8


def _post_all(url: str, token: str, bodies: list[dict]) -> list[httpx.Response]:
    start = threading.Barrier(len(bodies))

    def post(body: dict) -> httpx.Response:
        with httpx.Client(headers={"Authorization": f"Bearer {token}"}, timeout=60) as client:
            start.wait(timeout=30)
            return client.post(url, json=body)

    with ThreadPoolExecutor(len(bodies)) as pool:
        return list(pool.map(post, bodies))


@pytest.mark.django_db(transaction=True)
def test_first_messages_from_one_new_email_at_once_make_one_contact(
    personas, api_token, live_server
):
    # given a new shopper writing from eight devices (eight sender ids) with one email address,
    # in mixed case, all at the same moment
    url = f"{live_server.url}/api/v1/inboxes/{personas.harbor_api.pk}/messages"
    bodies = [
        {"source_id": f"device-{i}", "email": "Mira.New@Example.com" if i % 2 else
         "mira.new@example.com", "name": "Mira", "text": f"hello {i}", "message_id": f"m-{i}"}
        for i in range(THREADS)
    ]
    # when every first message is posted at once
    responses = _post_all(url, api_token(personas.olivia), bodies)
    # then all are accepted
    assert [r.status_code for r in responses] == [201] * THREADS, [r.content for r in responses]
    # and there is exactly one contact for that address, holding all eight identities
    contacts = Contact.objects.filter(account=personas.harbor, merged_into__isnull=True)
    assert contacts.count() == 1, list(contacts.values("pk", "email"))
    contact = contacts.get()
    assert contact.email == "mira.new@example.com"
    assert ContactIdentity.objects.filter(inbox=personas.harbor_api, contact=contact).count() \
        == THREADS
    # (the database engine under test, for the record of which profile ran)
    assert connection.vendor in {"sqlite", "postgresql"}


@pytest.mark.django_db
def test_a_contact_edit_cannot_take_another_contacts_email(personas):
    # given two shoppers who wrote in
    for sender, email in (("a", "ana@example.com"), ("b", "ben@example.com")):
        actions.receive_message(personas.harbor_api, actions.InboundMessage(
            sender_id=sender, text="hi", email=email))
    ben = Contact.objects.get(email="ben@example.com")
    # when an agent gives Ben Ana's address
    with pytest.raises(ActionError, match="merge"):
        update_contact(ben, actor_for(personas.olivia), email="ANA@example.com")
    # then Ben keeps his own address
    ben.refresh_from_db()
    assert ben.email == "ben@example.com"
