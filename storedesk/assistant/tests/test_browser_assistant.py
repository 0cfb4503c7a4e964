"""The assistant through the chat widget in a real Chromium, against the real ASGI app
(uvicorn; its queue runs the assistant's turn and the delivery): a verified shopper asks in
Polish where her order is and reads the live answer in the widget; anonymous visitors in
Polish, Thai and Turkish verify with the order's email in the chat and hear where it is; a
shopper writing in German about something the assistant does not handle is told a colleague
will reply, and the agent gets the conversation with a summary."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from storedesk.assistant.tests.conftest import Shop, say
from storedesk.connectors.webchat.tests.conftest import allow_origins
from storedesk.connectors.webchat.tests.test_browser_widget import MESSAGES, store_page, write
from storedesk.connectors.webchat.tokens import identity_hash
from storedesk.inbox.models import Conversation, Message
from storedesk.testing.browser import AsgiServer

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# The first turn of a fresh server process loads the model and the language detectors: a wait
# bound for a loaded machine, not a measurement.
FIRST_ANSWER_MS = 90_000


@pytest.fixture
def server(live_shop: Shop, shipped_model) -> Iterator[AsgiServer]:
    # (shipped_model: trained or loaded into this run's data dir, which the server shares)
    started = AsgiServer()
    started.start()
    try:
        yield started
    finally:
        started.stop()


def _chat_as(browser, server: AsgiServer, shop: Shop, customer_id: str, locale: str):
    signature = identity_hash(shop.chat, customer_id)
    site = store_page(server, shop.chat, f'data-customer-id="{customer_id}" '
                                         f'data-customer-signature="{signature}"')
    allow_origins(shop.chat, site.origin)
    context = browser.new_context(locale=locale)
    page = context.new_page()
    page.on("pageerror", lambda error: print("widget page error:", error))
    with page.expect_response(lambda r: "/widget/api/session" in r.url) as started:
        page.goto(site.origin + "/")
    assert started.value.json()["visitor"]["verified"] is True
    page.locator("storedesk-chat >> css=[part=launcher]").click()
    page.wait_for_function("() => document.querySelector('storedesk-chat')._ready === true")
    return site, context, page


def test_a_polish_shopper_asks_the_widget_where_her_order_is(live_shop: Shop, server,
                                                             browser) -> None:
    from playwright.sync_api import expect

    from storedesk.commerce.models import Order

    shop = live_shop
    shipment = Order.objects.get(number="LL-10421").shipments.get()
    site, context, page = _chat_as(browser, server, shop, "maya.chen@example.net", "pl-PL")
    try:
        # when Maya, signed in on the shop (HMAC-verified), asks in Polish
        write(page, "Dzień dobry, gdzie jest moje zamówienie? Jeszcze nie dotarło.")
        # then the bot's answer appears live, in Polish, with the live shipment's facts
        expected = say("order_shipped", "pl", order="LL-10421", carrier="DPD",
                       tracking=shipment.tracking_number, url=shipment.tracking_url,
                       eta=shipment.estimated_delivery.isoformat())  # type: ignore[union-attr]
        bot = page.locator(f"{MESSAGES}[data-sender=bot][data-id]")  # (not the greeting)
        expect(bot).to_have_count(1, timeout=FIRST_ANSWER_MS)
        expect(bot).to_contain_text(expected)
        conversation = Conversation.objects.get(inbox=shop.chat)
        assert conversation.language == "pl" and conversation.intent == "order_status"
        incoming = Message.objects.get(conversation=conversation, direction="incoming")
        assert incoming.metadata["webchat"]["language"] == "pl"  # from the browser
        assert not conversation.handoff
    finally:
        context.close()
        site.close()


def test_a_german_shopper_out_of_scope_is_handed_to_a_person(live_shop: Shop, server,
                                                             browser) -> None:
    from playwright.sync_api import expect

    shop = live_shop
    site, context, page = _chat_as(browser, server, shop, "lucy.martin@example.com", "de-DE")
    try:
        text = ("Stellen Sie gerade ein? Ich würde gern meinen Lebenslauf für eine Stelle "
                "schicken.")
        write(page, text)
        bot = page.locator(f"{MESSAGES}[data-sender=bot][data-id]")  # (not the greeting)
        expect(bot).to_have_count(1, timeout=FIRST_ANSWER_MS)
        expect(bot).to_contain_text(say("handoff", "de"))
        conversation = Conversation.objects.get(inbox=shop.chat)
        assert conversation.handoff and conversation.language == "de"
        note = Message.objects.filter(conversation=conversation, private=True).get()
        assert note.text.startswith("Assistant hand-off:") and text[:40] in note.text
        # the summary is for the agent only: the widget shows nothing of it
        page.wait_for_timeout(500)
        assert "Assistant hand-off" not in page.locator(MESSAGES).all_inner_texts().__str__()
    finally:
        context.close()
        site.close()


# Where is my order, from an anonymous visitor of the shop: the order number, then the order's
# email asked in the chat, in the visitor's own language; a second ask is answered at once.
ANONYMOUS_ASKS = {
    "pl": ("Dzień dobry, gdzie jest moje zamówienie LL-10421?", "Gdzie jest moja paczka?"),
    "th": ("สวัสดีค่ะ คำสั่งซื้อ LL-10421 ของฉันอยู่ที่ไหนคะ", "พัสดุของฉันอยู่ที่ไหนคะ"),
    "tr": ("Merhaba, LL-10421 numaralı siparişim nerede?", "Kargom nerede?"),
}


def test_anonymous_visitors_verify_in_the_chat_and_hear_where_the_order_is(
        live_shop: Shop, server, browser) -> None:
    from playwright.sync_api import expect

    from storedesk.commerce.models import Order

    shop = live_shop
    shipment = Order.objects.get(number="LL-10421").shipments.get()
    site = store_page(server, shop.chat)  # no signed identity: an anonymous visitor
    allow_origins(shop.chat, site.origin)
    bot = f"{MESSAGES}[data-sender=bot][data-id]"  # (not the greeting)
    try:
        for language, (ask, again) in ANONYMOUS_ASKS.items():
            context = browser.new_context(locale=language)
            page = context.new_page()
            page.on("pageerror", lambda error: print("widget page error:", error))
            with page.expect_response(lambda r: "/widget/api/session" in r.url) as started:
                page.goto(site.origin + "/")
            assert started.value.json()["visitor"]["verified"] is False
            page.locator("storedesk-chat >> css=[part=launcher]").click()
            page.wait_for_function(
                "() => document.querySelector('storedesk-chat')._ready === true")
            # when the visitor asks about the order by its number
            write(page, ask)
            # then they are asked for the order's email or postcode, in their language
            expect(page.locator(bot)).to_have_count(1, timeout=FIRST_ANSWER_MS)
            expect(page.locator(bot).nth(0)).to_have_text(
                say("ask_verification", language, order="LL-10421"))
            # when they give the order's email, then they hear where it is, in their language
            write(page, "maya.chen@example.net")
            status = say("order_shipped", language, order="LL-10421", carrier="DPD",
                         tracking=shipment.tracking_number, url=shipment.tracking_url,
                         eta=shipment.estimated_delivery.isoformat())  # type: ignore[union-attr]
            expect(page.locator(bot)).to_have_count(2, timeout=FIRST_ANSWER_MS)
            expect(page.locator(bot).nth(1)).to_have_text(status)
            # and asking again in the same chat is answered without a second check
            write(page, again)
            expect(page.locator(bot)).to_have_count(3, timeout=FIRST_ANSWER_MS)
            expect(page.locator(bot).nth(2)).to_have_text(status)
            context.close()
        conversations = Conversation.objects.filter(inbox=shop.chat).order_by("pk")
        assert [(c.language, c.intent, c.handoff) for c in conversations] == [
            (language, "order_status", False) for language in ANONYMOUS_ASKS]
    finally:
        site.close()
