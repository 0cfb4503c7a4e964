"""Macros with order variables: filled from the conversation's most relevant order; a variable
without a value is kept as written so the composer marks it instead of sending a gap."""

from __future__ import annotations

from storedesk.accounts.actor import Actor
from storedesk.commerce.actions import ReturnItem, set_policy, start_return
from storedesk.inbox.actions import InboundMessage, receive_message
from storedesk.testing.shop import seed_catalog, seed_order
from storedesk.workflow.actions import create_macro
from storedesk.workflow.macros import cheat_sheet, render_macro

TEXT = ("Order {{order.number}} is {{order.status}}. Track it: {{order.tracking_url}} "
        "(expected {{order.estimated_delivery}}). {{return.instructions}}")


def write_in(personas, email: str, subject: str = "", inbox=None):
    return receive_message(inbox or personas.harbor_email, InboundMessage(
        sender_id=email, email=email, name="Mia", text="Where is it?", subject=subject,
    )).conversation


def test_order_variables_come_from_the_order_the_conversation_is_about(personas):
    store = personas.harbor_store
    seed_catalog(store)
    set_policy(store, return_instructions="Print the label and drop the parcel at a UPS point.")
    seed_order(store, number="7001", email="mia@example.com", delivered_days_ago=None,
               tracking="TRK7001")
    older = seed_order(store, number="6001", email="mia@example.com", placed_days_ago=20,
                       tracking="TRK6001")
    start_return(older, Actor.agent(personas.ahmet),
                 [ReturnItem(older.lines.first().pk, 1)], reason="too big")
    macro = create_macro(personas.harbor, name="Where is it", text=TEXT)

    # a conversation about nothing in particular: the newest order (on its way)
    newest = render_macro(macro, write_in(personas, "mia@example.com"), personas.ahmet)
    assert "Order 7001 is Open, Fulfilled." in newest
    assert "https://tracking.example.com/TRK7001" in newest
    assert "(expected 20" in newest  # an ISO date
    # no return on 7001: the instructions variable is kept, marked for the agent
    assert render_macro(macro, write_in(personas, "mia@example.com"), personas.ahmet,
                        keep_missing=True).endswith("{{return.instructions}}")

    # a conversation whose subject names the older order: that order, with its return
    about_older = write_in(personas, "mia@example.com", subject="Return for order #6001",
                           inbox=personas.harbor_chat)
    text = render_macro(macro, about_older, personas.ahmet)
    assert text.startswith("Order 6001 is Open, Fulfilled.")
    assert text.endswith("Print the label and drop the parcel at a UPS point.")
    # another shopper never gets Mia's orders
    stranger = render_macro(macro, write_in(personas, "lee@example.com"), personas.ahmet,
                            keep_missing=True)
    assert "7001" not in stranger and "6001" not in stranger


def test_a_shopper_without_orders_gets_every_order_variable_marked(personas):
    macro = create_macro(personas.harbor, name="Tracking", text=TEXT)
    conversation = write_in(personas, "nobody@example.com")
    text = render_macro(macro, conversation, personas.ahmet, keep_missing=True)
    for name in ("order.number", "order.status", "order.tracking_url",
                 "order.estimated_delivery", "return.instructions"):
        assert "{{" + name + "}}" in text
    assert ("{{order.tracking_url}}", "The order's tracking link") in [
        (v, str(d)) for v, d in cheat_sheet()]
