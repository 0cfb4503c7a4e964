"""In a real browser: Olivia opens Noor's conversation, opens "Edit items" on the unshipped order
in the orders panel, swaps the tee from M to L (the preview says the total stays the same) and
saves; the order line, the timeline and the database all show the new size."""

from __future__ import annotations

import pytest

from storedesk.commerce.models import OrderEdit
from storedesk.inbox.actions import InboundMessage, receive_message
from storedesk.testing.shop import seed_apparel, seed_catalog, seed_order
from storedesk.workspace.tests.test_browser_workspace import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_olivia_swaps_a_size_from_the_orders_panel(personas, asgi_server, browser):
    from playwright.sync_api import expect

    seed_catalog(personas.harbor_store)
    seed_apparel(personas.harbor_store)
    order = seed_order(personas.harbor_store, number="7001", email="noor@example.com",
                       name="Noor", shipped=False,
                       lines=[("TEE-M", "Organic cotton tee - M", 1, "25.00"),
                              ("MUG-STN", "Stoneware mug", 1, "14.50")])
    conversation = receive_message(personas.harbor_email, InboundMessage(
        sender_id="noor@example.com", email="noor@example.com", name="Noor",
        text="The M is too small, can I have an L?")).conversation
    tee = order.lines.get(sku="TEE-M")

    context, page = sign_in(browser, asgi_server.base, "olivia@harbor.test")
    page.goto(f"{asgi_server.base}/conversations/{conversation.display_id}/")
    panel = page.locator("#orders-panel")
    panel.locator("summary", has_text="Edit items").click()
    form = panel.locator("form[data-action=lines]")
    form.locator(f"select[name=variant_{tee.pk}]").select_option(label="L · 25.00 USD")
    expect(form.locator("[data-edit-preview]")).to_have_text("Same total: nothing to refund.")
    form.locator("button[type=submit]").click()
    expect(page.locator("#orders-panel [data-panel-message]")).to_contain_text(
        "Items changed on order #7001.")
    expect(page.locator("#orders-panel .order-lines")).to_contain_text(
        "1 × Organic cotton tee - L")
    context.close()

    tee.refresh_from_db()
    assert (tee.sku, tee.quantity) == ("TEE-L", 1)
    assert OrderEdit.objects.get(order=order).conversation_id == conversation.pk
