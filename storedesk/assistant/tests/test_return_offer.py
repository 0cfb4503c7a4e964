"""A question about the return rules from a shopper who has an order to return: the rules, then
the offer to start that return, started on yes (in the shopper's language)."""

from __future__ import annotations

import pytest

from storedesk.assistant.tests.conftest import Shop, bot_texts, last_bot_text, say
from storedesk.commerce.models import Return

QUESTIONS = [
    ("en", "Are opened items returnable?", "yes please"),
    ("pl", "Czy można zwracać rzeczy z wyprzedaży?", "tak"),
    ("tr", "İndirimli ürünleri iade edebilir miyim?", "evet"),
    ("th", "สินค้าลดราคาคืนได้ไหมคะ", "ใช่ค่ะ"),
    ("de", "Wie viele Tage habe ich für eine Rückgabe?", "ja bitte"),
    ("es", "¿Cuántos días tengo para devolver algo?", "sí"),
]


@pytest.mark.parametrize(("language", "question", "yes"), QUESTIONS)
def test_the_rules_then_the_offer_and_a_yes_starts_the_return(
        shop: Shop, shipped_model, language: str, question: str, yes: str) -> None:
    # given Oliver, verified by the API channel, whose order LL-10577 arrived yesterday
    conversation = shop.api_message(question, email="oliver.grant@example.org")
    conversation.refresh_from_db()
    # then he hears the rules and is offered the return of that order
    assert conversation.intent == "return_policy", bot_texts(conversation)
    text = last_bot_text(conversation)
    assert text.startswith(say("return_policy", language, days=30)), text
    assert text.endswith(say("offer_return", language, order="LL-10577")), text
    assert not Return.objects.filter(order__number="LL-10577").exists()
    # when he says yes, the return is started with its RMA
    shop.api_message(yes, email="oliver.grant@example.org")
    started = Return.objects.get(order__number="LL-10577")
    assert started.conversation_id == conversation.pk
    assert started.rma_number in last_bot_text(conversation)


def test_a_no_is_acknowledged_and_starts_nothing(shop: Shop, shipped_model) -> None:
    conversation = shop.api_message("Are opened items returnable?",
                                    email="oliver.grant@example.org")
    shop.api_message("no thanks", email="oliver.grant@example.org")
    assert last_bot_text(conversation) == say("offer_declined", "en")
    assert not Return.objects.filter(order__number="LL-10577").exists()
    conversation.refresh_from_db()
    assert not conversation.handoff


def test_no_offer_without_an_order_to_return(shop: Shop, shipped_model) -> None:
    # Daniel's only order has not shipped: the rules alone
    conversation = shop.api_message("Are opened items returnable?",
                                    email="daniel.okafor@example.net")
    assert last_bot_text(conversation) == say("return_policy", "en", days=30)
    # and an anonymous visitor is offered nothing either
    anonymous = shop.widget_message(shop.widget_session(), "Are opened items returnable?")
    assert "LL-" not in last_bot_text(anonymous)
