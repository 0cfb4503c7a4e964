"""A delivery question from a shopper with an order on its way: the delivery options, then the
status of that order (the question is as often about the shopper's own parcel)."""

from __future__ import annotations

from storedesk.assistant.tests.conftest import Shop, last_bot_text, say
from storedesk.commerce.models import Order


def test_the_options_then_the_status_of_the_one_open_order(shop: Shop, shipped_model) -> None:
    # given Maya, verified by the API channel, whose order LL-10421 is on its way with DPD
    shipment = Order.objects.get(number="LL-10421").shipments.get()
    # when she asks how long delivery takes
    conversation = shop.api_message("How long does delivery take?",
                                    email="maya.chen@example.net")
    conversation.refresh_from_db()
    assert conversation.intent == "delivery_info"
    # then she hears the options and where her order is
    text = last_bot_text(conversation)
    assert text.startswith(say("delivery_rates", "en", country="DE", rates="")[:20]), text
    assert text.endswith(say("order_shipped", "en", order="LL-10421", carrier="DPD",
                             tracking=shipment.tracking_number, url=shipment.tracking_url,
                             eta=shipment.estimated_delivery.isoformat())), text
    assert not conversation.handoff


def test_no_order_status_for_an_anonymous_visitor(shop: Shop, shipped_model) -> None:
    conversation = shop.widget_message(shop.widget_session(), "How long does delivery take?")
    text = last_bot_text(conversation)
    assert "LL-" not in text and "DPD" not in text
