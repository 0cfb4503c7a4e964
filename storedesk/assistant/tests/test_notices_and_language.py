"""Back-in-stock notices reach the shoppers waiting for a product once it is back (on the
conversation they asked in, in its language, once), and the widget's browser language reaches
the assistant as a prior for language detection."""

from __future__ import annotations

import json

from django.test import Client

from storedesk.assistant.tests.conftest import Shop, after_commit, bot_texts, last_bot_text, say
from storedesk.commerce.models import Product
from storedesk.commerce.models.notices import RestockSubscription
from storedesk.events.models import Event
from storedesk.inbox.models import Message


def _sync_product(shop: Shop, external_id: str, inventory: int) -> None:
    """The store's backend syncs the product (the commerce REST sync endpoint)."""
    product = Product.objects.get(store=shop.store, external_id=external_id)
    body = {"title": product.title, "category": product.category, "variants": [
        {"sku": v.sku, "title": v.title, "price": str(v.price), "inventory": inventory,
         "category": v.category, "returnable": v.returnable}
        for v in product.variants.order_by("pk")]}
    with after_commit():
        response = Client().put(
            f"/api/v1/stores/{shop.store.pk}/products/{external_id}", data=json.dumps(body),
            content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {shop.owner_token}")
    assert response.status_code == 200, response.content


def test_back_in_stock_notices_reach_every_subscriber_once_in_their_language(
        shop: Shop, shipped_model) -> None:
    # given the linen pillowcases are sold out
    _sync_product(shop, "pillowcase-linen", 0)
    # and two shoppers asked to hear when they are back: one in the widget in Polish, one
    # through the API channel in English
    token = shop.widget_session(customer_id="maya.chen@example.net", languages=["pl-PL"])
    polish = shop.widget_message(
        token, "Dajcie znać, kiedy poszewki Linen pillowcase pair będą znowu dostępne")
    assert last_bot_text(polish) == say("restock_subscribed", "pl",
                                        product="Linen pillowcase pair")
    english = shop.api_message("Please notify me when the Linen pillowcase pair is back in "
                               "stock", email="lucy.martin@example.com")
    assert last_bot_text(english) == say("restock_subscribed", "en",
                                         product="Linen pillowcase pair")
    assert RestockSubscription.objects.filter(notified_at__isnull=True).count() == 2
    # when a sync brings stock in
    _sync_product(shop, "pillowcase-linen", 12)
    # then the domain event is recorded and each shopper is told on their conversation, in
    # its language, by the bot
    assert Event.objects.filter(kind="product.back_in_stock").count() == 1
    assert last_bot_text(polish) == say("restock_notice", "pl", product="Linen pillowcase pair")
    assert last_bot_text(english) == say("restock_notice", "en",
                                         product="Linen pillowcase pair")
    assert any(m.get("text") == say("restock_notice", "pl", product="Linen pillowcase pair")
               for m in shop.widget_thread(token))
    assert not RestockSubscription.objects.filter(notified_at__isnull=True).exists()
    # and never twice: a sync with more stock, or out and back in again, sends nothing new
    _sync_product(shop, "pillowcase-linen", 20)
    _sync_product(shop, "pillowcase-linen", 0)
    _sync_product(shop, "pillowcase-linen", 3)
    notice = say("restock_notice", "pl", product="Linen pillowcase pair")
    assert bot_texts(polish).count(notice) == 1
    assert bot_texts(english).count(say("restock_notice", "en",
                                        product="Linen pillowcase pair")) == 1


def test_a_notice_is_sent_once_even_when_the_event_is_handled_twice(shop: Shop,
                                                                    shipped_model) -> None:
    from storedesk.assistant.notices import notify_back_in_stock

    _sync_product(shop, "candle-cedar", 0)
    conversation = shop.api_message("Notify me when the Cedar soy candle is back in stock",
                                    email="lucy.martin@example.com")
    _sync_product(shop, "candle-cedar", 5)
    event = Event.objects.get(kind="product.back_in_stock")
    # a second run of the subscriber (a retry, the sweeper) finds nothing left to send
    assert notify_back_in_stock(event.pk).sent == 0
    notices = [t for t in bot_texts(conversation)
               if t == say("restock_notice", "en", product="Cedar soy candle")]
    assert len(notices) == 1


def test_a_new_product_or_one_still_in_stock_sends_no_notice(shop: Shop) -> None:
    _sync_product(shop, "towels-waffle", 8)  # in stock before and after
    assert not Event.objects.filter(kind="product.back_in_stock").exists()


# --- 6. The widget's browser language --------------------------------------------------------


def test_the_widget_passes_the_browser_language_into_the_message_metadata(shop: Shop) -> None:
    from storedesk.assistant.actions import set_inbox_mode

    set_inbox_mode(shop.chat, "off")  # only the connector's work is looked at here
    token = shop.widget_session(languages=["tr-TR", "en-US"])
    conversation = shop.widget_message(token, "merhaba")
    message = Message.objects.get(conversation=conversation)
    assert message.metadata["webchat"]["language"] == "tr"
    # a verified visitor keeps it too, and a malformed tag is dropped
    verified = shop.widget_session(customer_id="maya.chen@example.net", languages=["pt-BR"])
    assert Message.objects.get(conversation=shop.widget_message(verified, "ola")).metadata[
        "webchat"]["language"] == "pt"
    odd = shop.widget_session(languages=["<script>", "12"])
    assert "language" not in Message.objects.get(
        conversation=shop.widget_message(odd, "hi there")).metadata["webchat"]


def test_the_assistant_uses_the_browser_language_as_a_prior(shop: Shop, shipped_model) -> None:
    # a message with no words to go on (an order number) takes the browser's language
    # (each a shopper with no earlier conversation, whose language would come first)
    for browser, expected, shopper in (("pl-PL", "pl", "maya.chen@example.net"),
                                       ("tr-TR", "tr", "daniel.okafor@example.net"),
                                       ("nl-NL", "nl", "lucy.martin@example.com")):
        token = shop.widget_session(customer_id=shopper, languages=[browser])
        conversation = shop.widget_message(token, "LL-10421?")
        conversation.refresh_from_db()
        assert conversation.language == expected, browser
        assert bot_texts(conversation), "the assistant did not answer"
    # and a clear message in another language still wins over the browser's
    token = shop.widget_session(customer_id="oliver.grant@example.org", languages=["pl-PL"])
    conversation = shop.widget_message(
        token, "Hallo, wo ist meine Bestellung? Sie ist immer noch nicht angekommen.")
    conversation.refresh_from_db()
    assert conversation.language == "de"


def test_a_contacts_earlier_language_does_not_outweigh_a_clear_message(shop: Shop,
                                                                      shipped_model) -> None:
    from storedesk.accounts.actor import Actor
    from storedesk.inbox.actions import change_status

    # given Maya wrote in German in an earlier conversation, since closed
    first = shop.api_message("Hallo, wo ist meine Bestellung?", email="maya.chen@example.net")
    first.refresh_from_db()
    assert first.language == "de"
    with after_commit():
        change_status(first, Actor.agent(shop.owner), "closed")
    # when she writes a short clear English question in a new conversation
    second = shop.api_message("Where is my order?", email="maya.chen@example.net")
    # then she is answered in English
    assert second.pk != first.pk
    second.refresh_from_db()
    assert second.language == "en"
    assert "LL-10421" in last_bot_text(second) and last_bot_text(second).startswith("Your order")


def _sync_variants(shop: Shop, external_id: str, stock: dict[str, int]) -> None:
    """The store's backend syncs each variant's stock (by SKU) through the REST sync."""
    product = Product.objects.get(store=shop.store, external_id=external_id)
    body = {"title": product.title, "category": product.category, "variants": [
        {"sku": v.sku, "title": v.title, "price": str(v.price), "inventory": stock[v.sku],
         "category": v.category, "returnable": v.returnable}
        for v in product.variants.order_by("pk")]}
    with after_commit():
        response = Client().put(
            f"/api/v1/stores/{shop.store.pk}/products/{external_id}", data=json.dumps(body),
            content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {shop.owner_token}")
    assert response.status_code == 200, response.content


def test_a_shopper_waiting_for_one_size_hears_when_that_size_is_back(
        shop: Shop, shipped_model) -> None:
    # given the King duvet set is sold out while the Double is not
    _sync_variants(shop, "duvet-sage", {"LL-DUV-SAGE-D": 4, "LL-DUV-SAGE-K": 0})
    # when a shopper asks about the King, then asks to hear when it is back
    asked = shop.api_message("Is the Sage linen duvet set in King in stock?",
                             email="lucy.martin@example.com")
    king = "Sage linen duvet set (King)"
    assert last_bot_text(asked) == say("product_out_of_stock", "en", product=king)
    waiting = shop.api_message("Please notify me when the Sage linen duvet set in King is "
                               "back in stock", email="lucy.martin@example.com")
    # then she waits for the King only (the product as a whole is in stock)
    assert last_bot_text(waiting) == say("restock_subscribed", "en", product=king)
    subscription = RestockSubscription.objects.get()
    assert subscription.variant is not None and subscription.variant.sku == "LL-DUV-SAGE-K"
    # and more Doubles arriving tell her nothing; the King coming back does, once
    _sync_variants(shop, "duvet-sage", {"LL-DUV-SAGE-D": 9, "LL-DUV-SAGE-K": 0})
    assert say("restock_notice", "en", product=king) not in bot_texts(waiting)
    _sync_variants(shop, "duvet-sage", {"LL-DUV-SAGE-D": 9, "LL-DUV-SAGE-K": 2})
    _sync_variants(shop, "duvet-sage", {"LL-DUV-SAGE-D": 9, "LL-DUV-SAGE-K": 5})
    assert bot_texts(waiting).count(say("restock_notice", "en", product=king)) == 1
