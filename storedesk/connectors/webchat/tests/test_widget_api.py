"""The visitor API over HTTP: sessions, origins, identity, uploads, offline email, languages,
help-center search and the embed snippet on the settings page."""

from __future__ import annotations

import json

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from storedesk.accounts.actor import Actor
from storedesk.connectors.webchat.tests.conftest import SHOP, allow_origins, start
from storedesk.connectors.webchat.tokens import identity_hash, public_key, read_visitor
from storedesk.connectors.webchat.visitor import Claim, post_message, start_session
from storedesk.inbox.actions import send_reply
from storedesk.inbox.models import Message
from storedesk.testing.personas import PASSWORD

pytestmark = pytest.mark.django_db


def visitor_of(inbox, token):
    return read_visitor(token, inbox)


def bearer(token: str) -> dict[str, str]:
    return {"HTTP_AUTHORIZATION": f"Bearer {token}"}


def test_a_session_issues_a_signed_token_and_renews_it(personas, chat):
    # when a visitor's widget starts on the store's site
    response = start(chat)
    # then it gets a token, the texts, the look, and CORS for that site only
    assert response.status_code == 200, response.content
    assert response["Access-Control-Allow-Origin"] == SHOP
    body = response.json()
    assert body["language"] == "en" and body["texts"]["send"] == "Send"
    assert body["visitor"] == {"verified": False, "claimed": False}
    assert body["messages"] == []
    first = visitor_of(chat, body["token"])
    assert first is not None and first.visitor_id.startswith("v_")
    # and the same visitor comes back with it
    again = start(chat, token=body["token"]).json()
    assert visitor_of(chat, again["token"]).visitor_id == first.visitor_id
    # a tampered token is a new visitor, never someone else
    forged = start(chat, token=body["token"][:-2] + "xx").json()
    assert visitor_of(chat, forged["token"]).visitor_id != first.visitor_id


def test_unknown_key_and_disallowed_origin_are_refused(personas, chat):
    assert Client().post("/widget/api/session", data="{}", content_type="application/json",
                         HTTP_X_WIDGET_KEY=f"{chat.pk}.0000000000000000").status_code == 404
    refused = start(chat, origin="https://evil.test")
    assert refused.status_code == 403
    assert "Access-Control-Allow-Origin" not in refused
    # the preflight too
    preflight = Client().options("/widget/api/session", HTTP_ORIGIN="https://evil.test",
                                 HTTP_X_WIDGET_KEY=public_key(chat))
    assert preflight.status_code == 403
    ok = Client().options("/widget/api/session", HTTP_ORIGIN=SHOP,
                          HTTP_X_WIDGET_KEY=public_key(chat))
    assert ok.status_code == 204 and ok["Access-Control-Allow-Origin"] == SHOP
    # another account's chat key does not open Harbor's inbox, and a deactivated inbox is gone
    chat.is_active = False
    chat.save(update_fields=["is_active"])
    assert start(chat).status_code == 404


def test_messages_need_the_visitors_token(personas, chat):
    token = start(chat).json()["token"]
    client = Client(HTTP_ORIGIN=SHOP, HTTP_X_WIDGET_KEY=public_key(chat))
    assert client.get("/widget/api/messages").status_code == 401
    assert client.get("/widget/api/messages", **bearer("nope")).status_code == 401
    assert client.get("/widget/api/messages", **bearer(token)).json() == {"messages": []}


@pytest.fixture
def victim_order(personas):
    from storedesk.testing.shop import seed_order

    return seed_order(personas.harbor_store, number="H-1001", email="dana@shopper.test",
                      name="Dana Victim")


def test_a_forged_identity_gets_no_order_data_and_no_link_to_the_customer(
    personas, chat, victim_order
):
    # given Dana, a customer with an order; when an attacker claims her email with a bad hash
    body = start(chat, customer={"email": "dana@shopper.test", "signature": "0" * 64}).json()
    assert body["visitor"] == {"verified": False, "claimed": True}
    token = body["token"]
    client = Client(HTTP_ORIGIN=SHOP, HTTP_X_WIDGET_KEY=public_key(chat))
    # then no orders, and the chat is not joined to Dana's contact
    assert client.get("/widget/api/orders", **bearer(token)).json() == {
        "verified": False, "orders": []}
    message = post_message(chat, visitor_of(chat, token), text="Where is H-1001?",
                           client_id="client-0001", ip="203.0.113.9",
                           email="dana@shopper.test")
    assert message.conversation.contact.email == ""
    assert message.metadata["webchat"]["verified"] is False
    # a valid signature for another value is just as useless
    other = start(chat, customer={"email": "dana@shopper.test",
                                  "signature": identity_hash(chat, "mallory@shopper.test")})
    assert other.json()["visitor"]["verified"] is False
    # an id signed by the store with someone else's email next to it: the email is not trusted
    mixed = start(chat, customer={"id": "mallory-7", "email": "dana@shopper.test",
                                  "signature": identity_hash(chat, "mallory-7")}).json()
    assert mixed["visitor"]["verified"] is True
    assert client.get("/widget/api/orders", **bearer(mixed["token"])).json()["orders"] == []


def test_a_verified_customer_sees_their_orders(personas, chat, victim_order):
    signature = identity_hash(chat, "dana@shopper.test")
    body = start(chat, customer={"email": "dana@shopper.test", "signature": signature}).json()
    assert body["visitor"]["verified"] is True
    client = Client(HTTP_ORIGIN=SHOP, HTTP_X_WIDGET_KEY=public_key(chat))
    orders = client.get("/widget/api/orders", **bearer(body["token"])).json()
    assert orders["verified"] is True
    assert [o["number"] for o in orders["orders"]] == ["H-1001"]
    # and their message lands on Dana's contact (joined by the verified email)
    message = post_message(chat, visitor_of(chat, body["token"]), text="Hi", ip="203.0.113.9",
                           client_id="client-0002")
    assert message.conversation.contact.email == "dana@shopper.test"
    # a customer verified by the store's own id sees the orders of that store customer
    by_id = start(chat, customer={"id": "dana@shopper.test",
                                  "signature": identity_hash(chat, "dana@shopper.test")}).json()
    assert [o["number"] for o in client.get(
        "/widget/api/orders", **bearer(by_id["token"])).json()["orders"]] == ["H-1001"]


def test_uploads_are_limited_by_size_and_type(personas, chat, settings):
    from django.core.files.uploadedfile import SimpleUploadedFile

    settings.ATTACHMENT_MAX_BYTES = 1000
    token = start(chat).json()["token"]
    client = Client(HTTP_ORIGIN=SHOP, HTTP_X_WIDGET_KEY=public_key(chat))

    def upload(name, content, content_type):
        return client.post("/widget/api/uploads", {
            "file": SimpleUploadedFile(name, content, content_type=content_type),
            "client_id": f"upload-{name}"}, **bearer(token))

    too_big = upload("big.png", b"x" * 1001, "image/png")
    assert too_big.status_code == 413 and too_big.json()["code"] == "too_large"
    html = upload("page.html", b"<script>alert(1)</script>", "text/html")
    assert html.status_code == 400 and html.json()["code"] == "file_type"
    ok = upload("photo.png", b"\x89PNG fake", "image/png")
    assert ok.status_code == 200, ok.content
    attachment = ok.json()["message"]["attachments"][0]
    assert attachment["filename"] == "photo.png"
    assert Message.objects.filter(inbox=chat).count() == 1
    # the visitor downloads it back as an attachment; another visitor gets 404
    download = client.get(f"/widget/api/attachments/{attachment['id']}", **bearer(token))
    assert download.status_code == 200
    assert download["Content-Disposition"].startswith("attachment")
    stranger = start(chat).json()["token"]
    assert client.get(f"/widget/api/attachments/{attachment['id']}",
                      **bearer(stranger)).status_code == 404


def test_outside_business_hours_the_widget_is_away_and_replies_also_go_by_email(
    personas, chat, django_capture_on_commit_callbacks
):
    # given a chat open only on a day that never comes (no open days)
    allow_origins(chat, SHOP, hours_enabled=True, open_days=[])
    body = start(chat).json()
    assert body["availability"] == {"online": False, "back_at": None}
    # when the visitor leaves an email
    client = Client(HTTP_ORIGIN=SHOP, HTTP_X_WIDGET_KEY=public_key(chat))
    left = client.post("/widget/api/email", data=json.dumps({"email": "Kai@Shopper.test"}),
                       content_type="application/json", **bearer(body["token"]))
    assert left.status_code == 200, left.content
    bad = client.post("/widget/api/email", data=json.dumps({"email": "not-an-email"}),
                      content_type="application/json", **bearer(body["token"]))
    assert bad.status_code == 400
    message = Message.objects.get(inbox=chat)
    assert message.metadata["webchat"]["reply_email"] == "kai@shopper.test"
    # then an agent's reply, with no widget connected, also goes to that address
    with django_capture_on_commit_callbacks(execute=True):
        reply = send_reply(message.conversation, Actor.agent(personas.ahmet), "Back tomorrow!")
    reply.refresh_from_db()
    assert reply.delivery_status == "sent"
    assert [m.to for m in mail.outbox] == [["kai@shopper.test"]]
    assert "Back tomorrow!" in mail.outbox[0].body


def _visitor_left_email(chat, email: str) -> Message:
    allow_origins(chat, SHOP, hours_enabled=True, open_days=[])
    body = start(chat).json()
    client = Client(HTTP_ORIGIN=SHOP, HTTP_X_WIDGET_KEY=public_key(chat))
    left = client.post("/widget/api/email", data=json.dumps({"email": email}),
                       content_type="application/json", **bearer(body["token"]))
    assert left.status_code == 200, left.content
    return Message.objects.get(inbox=chat)


def test_offline_replies_leave_through_the_accounts_email_inbox(
    personas, chat, settings, django_capture_on_commit_callbacks
):
    from storedesk.inbox.models import Delivery, Inbox
    from storedesk.testing.smtp_server import LocalSmtpServer

    settings.FETCH_ALLOW_PRIVATE = True  # the store's mail server is on loopback in this test
    with LocalSmtpServer() as smtp:
        # given Harbor's email inbox sends through its own mail server, with a signature
        Inbox.objects.filter(pk=personas.harbor_email.pk).update(config={
            "address": "support@harbor.test", "from_name": "Harbor & Vine",
            "signature": "Harbor & Vine, Gdańsk", "smtp": smtp.inbox_settings(
                "support@harbor.test")})
        message = _visitor_left_email(chat, "kai@shopper.test")
        # when Ahmet replies while the visitor is away
        with django_capture_on_commit_callbacks(execute=True):
            reply = send_reply(message.conversation, Actor.agent(personas.ahmet), "Back soon!")
        # then the reply left through that server, from the inbox's address, signed
        [received] = smtp.messages
        email = received.message
        assert email["To"] == "kai@shopper.test"
        assert email["From"] == '"Ahmet Yilmaz (Harbor & Vine)" <support@harbor.test>'
        delivery = Delivery.objects.get(message=reply)
        assert email["Message-ID"] == f"<sd.webchat.{delivery.pk}@harbor.test>"
        text = email.get_content().replace("\r\n", "\n")
        assert "Back soon!" in text and text.rstrip().endswith("-- \nHarbor & Vine, Gdańsk")
        assert mail.outbox == []  # not through Django's own mail backend
        reply.refresh_from_db()
        assert reply.delivery_status == "sent"
        # when the mail server refuses the address for good, the agent sees why
        smtp.reject_next(1, "550 5.1.1 No such user")
        with django_capture_on_commit_callbacks(execute=True):
            refused = send_reply(message.conversation, Actor.agent(personas.ahmet), "Hello?")
        refused.refresh_from_db()
        assert refused.delivery_status == "failed"
        assert "550" in refused.delivery_error


def test_without_an_email_inbox_offline_replies_use_the_servers_mail_settings(
    personas, chat, django_capture_on_commit_callbacks
):
    from storedesk.inbox.models import Inbox

    Inbox.objects.filter(pk=personas.harbor_email.pk).update(is_active=False)
    message = _visitor_left_email(chat, "kai@shopper.test")
    with django_capture_on_commit_callbacks(execute=True):
        send_reply(message.conversation, Actor.agent(personas.ahmet), "Back soon!")
    [sent] = mail.outbox
    assert sent.to == ["kai@shopper.test"] and "Back soon!" in sent.body


def test_business_hours_say_when_the_chat_opens_again(personas, chat):
    from datetime import UTC, datetime

    from storedesk.connectors.webchat.config import WebchatConfig

    config = WebchatConfig(hours_enabled=True, timezone="Europe/Warsaw", open_days=[0, 1, 2, 3, 4],
                           opens="09:00", closes="17:00")
    saturday = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)
    assert not config.is_open(saturday)
    assert config.next_opening(saturday).isoformat() == "2026-11-30T09:00:00+01:00"
    assert config.is_open(datetime(2026, 11, 30, 9, 30, tzinfo=UTC))


@pytest.mark.parametrize(("browser", "language", "send"), [
    (["pl-PL", "en"], "pl", "Wyślij"), (["pt-BR"], "pt", "Enviar"), (["th"], "th", "ส่ง"),
    (["de-AT"], "de", "Senden"), (["nl"], "nl", "Versturen"), (["fr-CA"], "fr", "Envoyer"),
    (["es"], "es", "Enviar"), (["it"], "it", "Invia"), (["tr"], "tr", "Gönder"),
    (["id"], "id", "Kirim"), (["ja", "xx"], "en", "Send"),
])
def test_widget_texts_follow_the_browser_language(personas, chat, browser, language, send):
    body = start(chat, languages=browser).json()
    assert (body["language"], body["texts"]["send"]) == (language, send)


def test_an_inbox_overrides_texts_per_language(personas, chat):
    allow_origins(chat, SHOP, texts={"pl": {"title": "Pogadajmy"}}, greeting="Ahoj!")
    body = start(chat, languages=["pl"]).json()
    assert body["texts"]["title"] == "Pogadajmy"
    assert body["texts"]["greeting"] == "Ahoj!"


def test_a_greeting_written_for_the_visitors_language_wins_over_the_inbox_greeting(
        personas, chat):
    # given an inbox greeting in English, and the same greeting written in Polish
    allow_origins(chat, SHOP, greeting="Hi! Questions about an order?",
                  texts={"pl": {"greeting": "Cześć! Pytania o zamówienie?"}})
    # then a Polish visitor is greeted in Polish, a German one with the inbox greeting
    assert start(chat, languages=["pl-PL"]).json()["texts"]["greeting"] == \
        "Cześć! Pytania o zamówienie?"
    assert start(chat, languages=["de-DE"]).json()["texts"]["greeting"] == \
        "Hi! Questions about an order?"


def test_help_center_articles_are_searchable_from_the_widget(personas, chat):
    from storedesk.helpcenter.actions import ensure_help_center
    from storedesk.helpcenter.tests.conftest import write

    help_center = ensure_help_center(personas.harbor_store)
    write(help_center, "returns", "en", "How to return an item",
          "Returns are free within 30 days.")
    write(help_center, "secret", "en", "Return fraud playbook", "Internal returns notes.",
          visibility="internal")
    client = Client(HTTP_ORIGIN=SHOP, HTTP_X_WIDGET_KEY=public_key(chat))
    found = client.get("/widget/api/articles", {"q": "return", "lang": "en"}).json()["articles"]
    assert [a["title"] for a in found] == ["How to return an item"]
    assert found[0]["url"] == f"/help/{help_center.slug}/en/a/returns/"


def test_the_settings_page_shows_the_embed_snippet(personas, chat):
    client = Client()
    client.login(username="olivia@harbor.test", password=PASSWORD)
    page = client.get(reverse("settings:inbox_edit", args=[chat.pk])).content.decode()
    assert f"data-inbox=&quot;{public_key(chat)}&quot;" in page  # shown as text, copy-ready
    assert "/widget.js" in page


def test_the_widget_script_is_served(personas):
    response = Client().get("/widget.js")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/javascript")
    assert b'customElements.define("storedesk-chat"' in response.content


def test_a_visitor_message_is_idempotent_on_its_client_id(personas, chat):
    visitor = visitor_of(chat, start(chat).json()["token"])
    first = post_message(chat, visitor, text="Hello", client_id="same-client-1", ip="192.0.2.1")
    again = post_message(chat, visitor, text="Hello", client_id="same-client-1", ip="192.0.2.1")
    assert first.pk == again.pk
    assert Message.objects.filter(inbox=chat).count() == 1


def test_start_session_never_exposes_the_origins_or_secret(personas, chat):
    body = start_session(chat, "", Claim(), ["en"])
    flat = json.dumps(body)
    assert chat.signing_secret() not in flat and chat.secret not in flat and SHOP not in flat
