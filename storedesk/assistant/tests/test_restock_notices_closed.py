"""Back-in-stock notices reach shoppers whose conversations the team already resolved or
closed, on each conversation's own channel (a real email through a real SMTP server, the widget
thread, the API channel's signed outbound webhook), in the conversation's language, once,
without reopening anything; the shopper's answer goes through the normal receive path."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.test import Client
from django.urls import reverse

from storedesk.accounts.actor import Actor
from storedesk.assistant.tests.conftest import Shop, after_commit, bot_texts, last_bot_text, say
from storedesk.assistant.tests.test_notices_and_language import _sync_product
from storedesk.commerce.models.notices import RestockSubscription
from storedesk.events.models import Event
from storedesk.inbox.actions import InboundMessage, change_status, receive_message
from storedesk.inbox.models import Conversation, Inbox, Message, Status
from storedesk.testing.fake_webhook_receiver import FakeWebhookReceiver
from storedesk.testing.smtp_server import LocalSmtpServer

PRODUCT = "Linen pillowcase pair"


@pytest.fixture
def channels(shop: Shop, settings) -> Iterator[tuple[FakeWebhookReceiver, LocalSmtpServer]]:
    """The store's webhook endpoint (API channel) and its outgoing mail server, on loopback."""
    settings.FETCH_ALLOW_PRIVATE = True
    with (FakeWebhookReceiver(secret=shop.api.signing_secret()) as receiver,
          LocalSmtpServer() as smtp):
        Inbox.objects.filter(pk=shop.api.pk).update(config={"webhook_url": receiver.url})
        Inbox.objects.filter(pk=shop.email.pk).update(config={
            "address": "support@lumen.test", "smtp": smtp.inbox_settings("support@lumen.test")})
        shop.api.refresh_from_db()
        shop.email.refresh_from_db()
        yield receiver, smtp


def _emails_in(shop: Shop, text: str, email: str, message_id: str) -> Conversation:
    with after_commit():
        received = receive_message(shop.email, InboundMessage(
            sender_id=email, email=email, name=email.split("@")[0], text=text,
            subject="Pillowcases", source_id=message_id))
    return received.conversation


def _set_status(shop: Shop, conversation: Conversation, status: str) -> None:
    with after_commit():
        change_status(conversation, Actor.agent(shop.agent), status)


def test_notices_reach_resolved_and_closed_conversations_on_their_channels(
        shop: Shop, shipped_model, channels) -> None:
    receiver, smtp = channels
    # given the linen pillowcases are sold out, and three shoppers asked to hear when they are
    # back: Maya in Polish in the widget, Lucy through the API channel, Daniel by email
    _sync_product(shop, "pillowcase-linen", 0)
    token = shop.widget_session(customer_id="maya.chen@example.net", languages=["pl-PL"])
    widget = shop.widget_message(
        token, "Dajcie znać, kiedy poszewki Linen pillowcase pair będą znowu dostępne")
    api = shop.api_message("Please notify me when the Linen pillowcase pair is back in stock",
                           email="lucy.martin@example.com")
    email = _emails_in(shop, "Please notify me when the Linen pillowcase pair is back in stock",
                       "daniel.okafor@example.net", "<restock-1@mail.example.net>")
    for conversation, language in ((widget, "pl"), (api, "en"), (email, "en")):
        assert last_bot_text(conversation) == say("restock_subscribed", language,
                                                  product=PRODUCT)
    assert RestockSubscription.objects.filter(notified_at__isnull=True).count() == 3
    # and the team resolved the widget chat and closed the other two
    _set_status(shop, widget, Status.RESOLVED)
    _set_status(shop, api, Status.CLOSED)
    _set_status(shop, email, Status.CLOSED)
    mails_before, posts_before = len(smtp.messages), len(receiver.requests)

    # when a sync brings stock in
    _sync_product(shop, "pillowcase-linen", 12)

    # then each shopper is told once, in the conversation's language, and nothing reopens
    polish, english = (say("restock_notice", lang, product=PRODUCT) for lang in ("pl", "en"))
    for conversation, status, text in ((widget, Status.RESOLVED, polish),
                                       (api, Status.CLOSED, english),
                                       (email, Status.CLOSED, english)):
        conversation.refresh_from_db()
        assert conversation.status == status
        assert bot_texts(conversation).count(text) == 1
        notice = Message.objects.get(conversation=conversation, text=text)
        assert notice.delivery_status == "sent", notice.delivery_error
    # on the widget thread ...
    assert [m["text"] for m in shop.widget_thread(token)].count(polish) == 1
    # ... as a real email in Daniel's thread ...
    [mail] = smtp.messages[mails_before:]
    assert mail.rcpt_tos == ["daniel.okafor@example.net"]
    assert mail.message["Subject"] == "Re: Pillowcases"
    assert english in mail.message.get_body(("plain",)).get_content()
    # ... and as a signed webhook to the store's system for Lucy's API conversation
    [post] = receiver.requests[posts_before:]
    assert post.verified
    assert post.json()["message"]["text"] == english
    assert post.json()["conversation"]["id"] == api.pk
    assert not RestockSubscription.objects.filter(notified_at__isnull=True).exists()

    # and the timeline tells the team, while the conversation stays closed
    assert Event.objects.filter(kind="message.notice_sent").count() == 3
    client = Client()
    client.force_login(shop.owner.agent)
    page = client.get(reverse("inbox:conversation", args=[api.display_id])).content.decode()
    assert "sent the customer a back-in-stock notice (the conversation stays closed)" in page

    # and a second restock, or the event handled again, sends nothing new
    _sync_product(shop, "pillowcase-linen", 0)
    _sync_product(shop, "pillowcase-linen", 3)
    assert len(smtp.messages) == mails_before + 1
    assert len(receiver.requests) == posts_before + 1

    # when Maya answers in the widget, her resolved chat reopens for the team; when Lucy
    # answers on the API channel, her closed conversation stays closed and a new one opens
    shop.widget_message(token, "Super, zamawiam!")
    widget.refresh_from_db()
    assert widget.status == Status.OPEN
    answer = shop.api_message("Thanks, ordering now", email="lucy.martin@example.com")
    assert answer.pk != api.pk
    api.refresh_from_db()
    assert api.status == Status.CLOSED


def test_asking_again_after_a_notice_waits_anew_and_is_told_again(shop: Shop,
                                                                    shipped_model) -> None:
    ask = "Please notify me when the Linen pillowcase pair is back in stock"
    notice = say("restock_notice", "en", product=PRODUCT)
    # given Lucy was told once the pillowcases were back
    _sync_product(shop, "pillowcase-linen", 0)
    first = shop.api_message(ask, email="lucy.martin@example.com")
    _sync_product(shop, "pillowcase-linen", 5)
    assert bot_texts(first).count(notice) == 1
    _set_status(shop, first, Status.CLOSED)
    # when they sell out again and she asks again (twice), in a new conversation
    _sync_product(shop, "pillowcase-linen", 0)
    second = shop.api_message(ask, email="lucy.martin@example.com")
    assert second.pk != first.pk
    shop.api_message(ask, email="lucy.martin@example.com")
    subscription = RestockSubscription.objects.get()
    assert (subscription.wait_round, subscription.notified_at, subscription.conversation_id) == (
        2, None, second.pk)
    # then the next restock tells her once more, on the conversation she asked in this time
    _sync_product(shop, "pillowcase-linen", 7)
    assert bot_texts(second).count(notice) == 1
    assert bot_texts(first).count(notice) == 1
    assert Event.objects.filter(kind="product.restock_subscribed").count() == 2
