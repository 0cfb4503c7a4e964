"""The orders panel in the conversation sidebar: Ahmet sees Mia's orders with tracking, starts a
return, refunds within his limit, sends an over-limit refund to approval, and Olivia approves it
from the same panel. Bruno (Northwind) gets 404 on every endpoint."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext

from storedesk.commerce.models import ApprovalRequest, Order, Refund, Return
from storedesk.events.models import Event as ConversationEvent
from storedesk.inbox.actions import InboundMessage, receive_message
from storedesk.testing.shop import seed_catalog, seed_order


def client_for(membership) -> Client:
    client = Client()
    client.force_login(membership.agent)
    return client


def hx_post(client: Client, url: str, data: dict):
    return client.post(url, data, headers={"HX-Request": "true"})


def said(response, msgid: str) -> list[str]:
    """The literal parts of `msgid` in the language the response was rendered in (Ahmet
    reads Turkish), placeholders left out: what the page must contain around the values."""
    with translation.override(response.headers.get("Content-Language") or "en"):
        text = gettext(msgid)
    return [part.strip() for part in re.split(r"%\(\w+\)s", text) if part.strip()]


def shows(response, msgid: str) -> bool:
    html = response.content.decode()
    return all(part in html for part in said(response, msgid))


def key_in(html: str, action: str) -> str:
    return re.search(rf'name="idempotency_key" value="([^"]+-{action})"', html).group(1)


@pytest.fixture
def mia(personas):
    seed_catalog(personas.harbor_store)
    order = seed_order(personas.harbor_store, number="2001", email="mia@example.com",
                       name="Mia Rossi", delivered_days_ago=None)  # on its way
    conversation = receive_message(personas.harbor_email, InboundMessage(
        sender_id="mia@example.com", email="mia@example.com", name="Mia Rossi",
        text="Where is my order?")).conversation
    return order, conversation


def test_agent_sees_orders_with_tracking_and_acts_on_them(personas, mia):
    order, conversation = mia
    ahmet = client_for(personas.ahmet)

    # when Ahmet opens the conversation
    page = ahmet.get(reverse("inbox:conversation", args=[conversation.display_id]))
    html = page.content.decode()
    # then the orders panel shows the order, its total and the tracking link
    assert page.status_code == 200
    assert 'id="orders-panel"' in html and 'data-order="2001"' in html
    assert 'href="https://tracking.example.com/1Z999AA10123456784"' in html
    assert re.search(r"data-total>118[.,]00 USD<", html)  # Ahmet reads Turkish: 118,00

    # when he starts a return of one mug (within the 30-day policy)
    mugs = order.lines.get(sku="MUG-STN")
    base = f"/commerce/conversations/{conversation.display_id}/orders/{order.pk}"
    returned = hx_post(ahmet, f"{base}/return/", {f"qty_{mugs.pk}": "1", "reason": "Chipped"})
    assert returned.status_code == 200, returned.content.decode()
    started = Return.objects.get(order=order, conversation=conversation)
    assert shows(returned, "Return %(rma)s authorised.")
    assert started.rma_number in returned.content.decode()

    # and refunds the mug (14.50, within an agent's 50)
    panel = returned.content.decode()
    refund = hx_post(ahmet, f"{base}/refund/", {
        "idempotency_key": key_in(panel, "refund"), f"qty_{mugs.pk}": "1", "restock": "on"})
    assert refund.status_code == 200
    assert shows(refund, "Refunded %(amount)s %(currency)s on order #%(number)s.")
    assert "14.50" in refund.content.decode()

    # and then tries 80.00 more (above his limit)
    over = hx_post(ahmet, f"{base}/refund/", {
        "idempotency_key": key_in(refund.content.decode(), "refund"), "amount": "80.00"})
    # then it is not refunded but sent to approval
    assert shows(over, "%(amount)s %(currency)s is above your refund limit: an admin was asked "
                       "to approve it.")
    assert "data-pending-approval" in over.content.decode()
    order.refresh_from_db()
    assert order.refunded_total == Decimal("14.50")
    approval = ApprovalRequest.objects.get(order=order)

    # and the timeline tells the story in words
    answer = ahmet.get(reverse("inbox:thread", args=[conversation.display_id]))
    thread = answer.content.decode()
    assert shows(answer, "%(who)s started return %(rma)s for order %(order)s")
    assert started.rma_number in thread
    assert shows(answer, "%(who)s refunded %(amount)s on order %(order)s")
    assert "14.50 USD" in thread and "#2001" in thread
    assert shows(answer, "%(who)s asked for a refund of %(amount)s on order %(order)s "
                         "(waiting for approval)")

    # when Olivia (owner) opens the same conversation, she sees the request and approves it
    olivia = client_for(personas.olivia)
    her_page = olivia.get(reverse("inbox:conversation", args=[conversation.display_id]))
    assert f'data-approval="{approval.pk}"' in her_page.content.decode()
    assert f'data-approval="{approval.pk}"' not in html  # agents get no approve button
    decided = hx_post(olivia, f"/commerce/conversations/{conversation.display_id}/approvals/"
                              f"{approval.pk}/decide/", {"decision": "approve"})
    assert shows(decided, "Refund approved and issued.")
    order.refresh_from_db()
    assert order.refunded_total == Decimal("94.50")
    assert ConversationEvent.objects.filter(conversation=conversation,
                                            kind="order.refund_approved").exists()


def test_a_double_submitted_refund_form_refunds_once(personas, mia):
    order, conversation = mia
    ahmet = client_for(personas.ahmet)
    base = f"/commerce/conversations/{conversation.display_id}/orders/{order.pk}"
    panel = ahmet.get(f"/commerce/conversations/{conversation.display_id}/orders/")
    form = {"idempotency_key": key_in(panel.content.decode(), "refund"), "amount": "10.00"}
    hx_post(ahmet, f"{base}/refund/", form)
    hx_post(ahmet, f"{base}/refund/", form)
    assert Refund.objects.filter(order=order).count() == 1
    assert Order.objects.get(pk=order.pk).refunded_total == Decimal("10.00")


def test_agents_cannot_decide_and_errors_are_shown_not_lost(personas, mia):
    order, conversation = mia
    ahmet = client_for(personas.ahmet)
    base = f"/commerce/conversations/{conversation.display_id}/orders/{order.pk}"
    too_much = hx_post(ahmet, f"{base}/refund/", {"idempotency_key": "x", "amount": "900"})
    assert too_much.status_code == 400 and "can still be refunded" in too_much.content.decode()
    # the shipped order cannot be cancelled
    assert hx_post(ahmet, f"{base}/cancel/", {"idempotency_key": "c"}).status_code == 400
    big = hx_post(ahmet, f"{base}/refund/", {"idempotency_key": "big", "amount": "90.00"})
    assert big.status_code == 200
    approval = ApprovalRequest.objects.get(order=order)
    denied = hx_post(ahmet, f"/commerce/conversations/{conversation.display_id}/approvals/"
                            f"{approval.pk}/decide/", {"decision": "approve"})
    assert denied.status_code == 400 and "Only admins" in denied.content.decode()
    assert ApprovalRequest.objects.get(pk=approval.pk).status == "pending"


def test_bruno_gets_404_on_every_panel_endpoint(personas, mia):
    order, conversation = mia
    bruno = client_for(personas.bruno)
    prefix = f"/commerce/conversations/{conversation.display_id}"
    assert bruno.get(f"{prefix}/orders/").status_code == 404
    for action in ("refund", "return", "cancel", "address"):
        response = hx_post(bruno, f"{prefix}/orders/{order.pk}/{action}/",
                           {"idempotency_key": "b", "amount": "1.00", "reason": "x"})
        assert response.status_code == 404, action
    # even through his own conversation, Harbor's order is not found
    own = receive_message(personas.northwind_api, InboundMessage(sender_id="n", text="hi"))
    response = hx_post(bruno, f"/commerce/conversations/{own.conversation.display_id}/orders/"
                              f"{order.pk}/refund/", {"idempotency_key": "b", "amount": "1.00"})
    assert response.status_code == 404
    assert not Refund.objects.filter(order=order).exists()
    # and GET never changes anything
    assert client_for(personas.ahmet).get(f"{prefix}/orders/{order.pk}/refund/").status_code == 405
