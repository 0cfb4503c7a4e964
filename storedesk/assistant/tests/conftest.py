"""A demo-like shop for the assistant's stories: the Lumen & Loom catalog, policy, rates and
orders (storedesk/demo/commerce.py), an account whose shoppers write in the eleven languages,
API / email / chat inboxes with the assistant answering, and shoppers who write through the
real entry points (the API channel's endpoint, the widget's session endpoint + the widget's
inbound action, the email ingest)."""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import itertools
import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from django.test import Client, TestCase
from django.utils import timezone

from storedesk.accounts.actions import add_member, create_account
from storedesk.accounts.models import Account, Membership, Role
from storedesk.assistant import replies
from storedesk.assistant.actions import set_inbox_mode
from storedesk.commerce.models import Store
from storedesk.connectors.webchat.tokens import public_key, read_visitor
from storedesk.inbox.models import Conversation, Inbox, Message

SHOP_ORIGIN = "https://shop.lumen.test"
SHOPPERS = [
    ("maya.chen@example.net", "Maya Chen"),  # LL-10421 in transit, LL-10236 delivered
    ("oliver.grant@example.org", "Oliver Grant"),  # LL-10577 delivered yesterday
    ("daniel.okafor@example.net", "Daniel Okafor"),  # LL-10602 not shipped
    ("lucy.martin@example.com", "Lucy Martin"),  # LL-10588 not shipped
    ("noor.haddad@example.net", "Noor Haddad"),  # LL-10614 not shipped: pyjamas M + candle
]
_ids = itertools.count(1)


@pytest.fixture(scope="session")
def shipped_model(django_db_blocker: Any) -> Any:
    """The shipped intent model, trained (or loaded from the data dir) once per test process."""
    from storedesk.assistant import nlu

    return nlu.shipped_model()


@dataclass
class Shop:
    account: Account
    owner: Membership
    agent: Membership
    store: Store
    api: Inbox
    email: Inbox
    chat: Inbox
    owner_token: str

    # --- shoppers writing ---------------------------------------------------------------

    def api_message(self, text: str, *, email: str, sender: str = "") -> Conversation:
        """The store's backend posts the shopper's message (the API channel)."""
        with after_commit():
            response = Client().post(
                f"/api/v1/inboxes/{self.api.pk}/messages",
                data=json.dumps({"source_id": sender or f"customer-{email}", "email": email,
                                 "text": text, "message_id": f"m-{next(_ids)}"}),
                content_type="application/json",
                HTTP_AUTHORIZATION=f"Bearer {self.owner_token}")
        assert response.status_code == 201, response.content
        return Conversation.objects.get(pk=response.json()["conversation_id"])

    def widget_session(self, *, customer_id: str = "", languages: list[str] | None = None,
                       token: str = "") -> str:
        """The widget's real session endpoint; with `customer_id`, an HMAC-verified identity."""
        customer: dict[str, str] = {}
        if customer_id:
            customer = {"id": customer_id, "signature": hmac.new(
                self.chat.signing_secret().encode(), customer_id.encode(),
                hashlib.sha256).hexdigest()}
        response = Client().post(
            "/widget/api/session",
            data=json.dumps({"token": token, "customer": customer,
                             "languages": languages or ["en-US"]}),
            content_type="application/json", HTTP_X_WIDGET_KEY=public_key(self.chat),
            HTTP_ORIGIN=SHOP_ORIGIN)
        assert response.status_code == 200, response.content
        body = response.json()
        assert body["visitor"]["verified"] is bool(customer_id)
        return str(body["token"])

    def widget_message(self, token: str, text: str) -> Conversation:
        """What the widget's socket does with a visitor's message (the connector's inbound)."""
        from storedesk.connectors.webchat.visitor import post_message

        visitor = read_visitor(token, self.chat)
        assert visitor is not None
        with after_commit():
            message = post_message(self.chat, visitor, text=text,
                                   client_id=f"c-{next(_ids):08d}", ip="203.0.113.9")
        return message.conversation

    def widget_thread(self, token: str) -> list[dict[str, Any]]:
        """The thread as the widget reads it (GET /widget/api/messages)."""
        response = Client().get("/widget/api/messages", HTTP_X_WIDGET_KEY=public_key(self.chat),
                                HTTP_AUTHORIZATION=f"Bearer {token}", HTTP_ORIGIN=SHOP_ORIGIN)
        assert response.status_code == 200, response.content
        return list(response.json()["messages"])


@contextlib.contextmanager
def after_commit() -> Iterator[None]:
    """Run what the test's transaction would run after commit (the event dispatch, the
    assistant's turn, the delivery), as a committed request would.

    The test's own transaction never commits, so the callbacks stay listed on the connection;
    the next request must start its own event batch, as it would after a real commit.
    """
    from django.db import connection

    connection._storedesk_event_batch = None  # type: ignore[attr-defined]
    with TestCase.captureOnCommitCallbacks(execute=True):
        yield
    connection._storedesk_event_batch = None  # type: ignore[attr-defined]


def bot_texts(conversation: Conversation) -> list[str]:
    return list(Message.objects.filter(conversation=conversation, sender_type="bot",
                                       private=False).order_by("pk").values_list("text",
                                                                                 flat=True))


def last_bot_text(conversation: Conversation) -> str:
    texts = bot_texts(conversation)
    assert texts, "the assistant did not answer"
    return texts[-1]


def say(key: str, language: str, **params: Any) -> str:
    return replies.render(key, language, params)


@pytest.fixture
def shop(db: None, settings: Any) -> Shop:
    return build_shop(settings)


@pytest.fixture
def live_shop(transactional_db: None, settings: Any) -> Shop:
    """The same shop, committed (for a server in another process: the browser tests)."""
    return build_shop(settings)


def build_shop(settings: Any, origins: tuple[str, ...] = (SHOP_ORIGIN,)) -> Shop:
    from storedesk.accounts.actions import create_api_token
    from storedesk.commerce.actions import create_store
    from storedesk.connectors.actions import set_up_inbox
    from storedesk.demo.commerce import load_commerce
    from storedesk.demo.data import STORE

    settings.BASE_URL = "https://desk.lumen.test"
    account = create_account("Lumen & Loom", languages=list(replies.LANGUAGES))
    owner = add_member(account, "owner@lumen.test", role=Role.OWNER, name="Alex Owner",
                       password="correct-horse-battery")
    agent = add_member(account, "kasia@lumen.test", role=Role.AGENT, name="Kasia Agent",
                       password="correct-horse-battery")
    store = create_store(account, **STORE)
    api = set_up_inbox(account, "api", name="Store API", config={}, store=store)
    email = set_up_inbox(account, "email", name="Support email",
                         config={"address": "support@lumen.test", "local_only": True},
                         store=store)
    chat = set_up_inbox(account, "webchat", name="Website chat",
                        config={"allowed_origins": list(origins)}, store=store)
    load_commerce(store, SHOPPERS, timezone.now())
    for inbox in (api, email, chat):
        set_inbox_mode(inbox, "auto")
    return Shop(account=account, owner=owner, agent=agent, store=store, api=api, email=email,
                chat=chat, owner_token=create_api_token(owner)[1])
