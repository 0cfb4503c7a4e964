"""Orders through the REST API: the store syncs an order, a shopper writes in, and the team sees
the order, starts a return, refunds within limits, and sends an over-limit refund to approval."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest

from storedesk.accounts.models import AuditLog
from storedesk.commerce.models import ApprovalRequest, Order, Refund, Variant
from storedesk.events.models import Event as ConversationEvent
from storedesk.inbox.actions import InboundMessage, receive_message
from storedesk.testing.shop import seed_catalog, seed_order


def post(client, url: str, body: dict):
    return client.post(url, json.dumps(body), content_type="application/json")


def put(client, url: str, body: dict):
    return client.put(url, json.dumps(body), content_type="application/json")


ORDER_BODY = {
    "number": "1001",
    "placed_at": "2026-11-20T10:00:00Z",
    "currency": "EUR",
    "customer": {"email": "Mia@Example.com", "name": "Mia Rossi", "phone": "+390612345678"},
    "lines": [
        {"sku": "LIN-DUV-Q", "title": "Linen duvet cover", "quantity": 1, "price": "89.00"},
        {"sku": "MUG-STN", "title": "Stoneware mug", "quantity": 2, "price": "14.50"},
    ],
    "shipments": [{
        "carrier": "DHL", "tracking_number": "JD0142", "status": "in_transit",
        "tracking_url": "https://tracking.example.com/JD0142",
        "shipped_at": "2026-11-21T09:00:00Z", "estimated_delivery": "2026-11-26",
    }],
    "shipping_address": {"name": "Mia Rossi", "address1": "Via Roma 1", "city": "Roma",
                         "country": "IT"},
    "shipping_total": "5.00",
}


def test_store_upserts_an_order_and_the_team_sees_it_on_the_contact(personas, api):
    # given the store's system pushes an order (twice: a retry changes nothing)
    store = personas.harbor_store
    seed_catalog(store)
    olivia = api(personas.olivia)
    url = f"/api/v1/stores/{store.pk}/orders/shop-1001"
    first = put(olivia, url, ORDER_BODY)
    again = put(olivia, url, ORDER_BODY)
    assert first.status_code == 200, first.content
    assert again.json()["id"] == first.json()["id"]
    assert Order.objects.filter(store=store).count() == 1
    # and the shopper writes in from the same email, in another case
    received = receive_message(personas.harbor_email, InboundMessage(
        sender_id="mia@example.com", email="mia@example.com", name="Mia", text="Where is it?"))
    contact_id = received.conversation.contact_id

    # when an agent looks at the contact's orders
    body = api(personas.ahmet).get(f"/api/v1/contacts/{contact_id}/orders").json()

    # then the order is there with its items, totals and tracking link
    assert body["order_count"] == 1
    order = body["orders"][0]
    assert order["number"] == "1001" and order["currency"] == "EUR"
    assert Decimal(order["total"]) == Decimal("123.00")  # 89 + 2 x 14.50 + 5 shipping
    assert [line["sku"] for line in order["lines"]] == ["LIN-DUV-Q", "MUG-STN"]
    shipment = order["shipments"][0]
    assert shipment["tracking_url"] == "https://tracking.example.com/JD0142"
    assert shipment["status"] == "in_transit" and shipment["estimated_delivery"] == "2026-11-26"
    assert body["lifetime_value"] == [{"currency": "EUR", "amount": "123.00"}]
    assert body["first_order_at"].startswith("2026-11-20")


def test_only_admins_write_store_data_and_bad_input_is_a_clear_400(personas, api):
    store = personas.harbor_store
    url = f"/api/v1/stores/{store.pk}/orders/x-1"
    assert put(api(personas.ahmet), url, ORDER_BODY).status_code == 403
    bad = dict(ORDER_BODY, lines=[{"sku": "A", "title": "A", "quantity": 0, "price": "1"}])
    assert put(api(personas.olivia), url, bad).status_code == 422
    naive = dict(ORDER_BODY, placed_at="2026-11-20T10:00:00")
    response = put(api(personas.olivia), url, naive)
    assert response.status_code == 400 and "timezone" in response.json()["detail"]
    assert not Order.objects.filter(store=store).exists()


@pytest.fixture
def shopper(personas):
    """Mia wrote in by email about order 2001 (delivered two days ago, 118 in the store's
    currency: a duvet cover 89 and two mugs 14.50)."""
    seed_catalog(personas.harbor_store)
    order = seed_order(personas.harbor_store, number="2001", email="mia@example.com",
                       name="Mia Rossi")
    received = receive_message(personas.harbor_email, InboundMessage(
        sender_id="mia@example.com", email="mia@example.com", name="Mia Rossi",
        text="The mugs arrived broken", subject="Order 2001"))
    return order, received.conversation


def test_agent_starts_a_return_within_policy_and_it_is_on_the_timeline(personas, api, shopper):
    order, conversation = shopper
    mugs = order.lines.get(sku="MUG-STN")
    # when Ahmet starts a return of the two mugs from the conversation
    response = post(api(personas.ahmet), f"/api/v1/orders/{order.pk}/returns", {
        "lines": [{"line_id": mugs.pk, "quantity": 2, "condition": "broken"}],
        "reason": "Arrived broken", "conversation_id": conversation.pk,
    })
    # then the return is authorised with an RMA number, on the timeline and in the audit log
    assert response.status_code == 201, response.content
    assert response.json()["rma_number"].startswith("RMA-")
    assert ConversationEvent.objects.filter(conversation=conversation,
                                            kind="return.created").exists()
    assert AuditLog.objects.filter(action="return.created", actor=personas.ahmet.agent).exists()
    # and the same mugs cannot be returned twice
    again = post(api(personas.ahmet), f"/api/v1/orders/{order.pk}/returns", {
        "lines": [{"line_id": mugs.pk, "quantity": 1}], "reason": "again"})
    assert again.status_code == 409


def test_return_outside_the_window_or_of_a_gift_card_is_refused(personas, api):
    store = personas.harbor_store
    seed_catalog(store)
    old = seed_order(store, number="3001", email="old@example.com", placed_days_ago=60,
                     delivered_days_ago=45)
    gift = seed_order(store, number="3002", email="gift@example.com",
                      lines=[("GIFT-50", "Gift card", 1, "50.00")])
    ahmet = api(personas.ahmet)
    late = post(ahmet, f"/api/v1/orders/{old.pk}/returns", {
        "lines": [{"line_id": old.lines.first().pk, "quantity": 1}], "reason": "changed mind"})
    assert late.status_code == 409 and "30 days" in late.json()["detail"]
    card = post(ahmet, f"/api/v1/orders/{gift.pk}/returns", {
        "lines": [{"line_id": gift.lines.first().pk, "quantity": 1}], "reason": "unwanted"})
    assert card.status_code == 409 and "not returnable" in card.json()["detail"]


def test_partial_refund_within_the_limit_then_over_the_limit_goes_to_approval(
    personas, api, shopper
):
    order, conversation = shopper
    mugs = order.lines.get(sku="MUG-STN")
    ahmet = api(personas.ahmet)
    url = f"/api/v1/orders/{order.pk}/refunds"
    stock_before = Variant.objects.get(sku="MUG-STN").inventory

    # when Ahmet refunds the two mugs (29.00, within an agent's 50) with restock
    small = post(ahmet, url, {"idempotency_key": "mia-mugs", "restock": True,
                              "lines": [{"line_id": mugs.pk, "quantity": 2}],
                              "conversation_id": conversation.pk})
    # then it is refunded at once, restocked, and the order is partially refunded
    assert small.status_code == 201, small.content
    assert small.json()["result"] == "refunded"
    assert Decimal(small.json()["refund"]["amount"]) == Decimal("29.00")
    assert Variant.objects.get(sku="MUG-STN").inventory == stock_before + 2
    order.refresh_from_db()
    assert order.financial_status == "partially_refunded"
    # and a double click (same key) refunds nothing more
    replay = post(ahmet, url, {"idempotency_key": "mia-mugs", "restock": True,
                               "lines": [{"line_id": mugs.pk, "quantity": 2}]})
    assert replay.status_code == 200 and replay.json()["replayed"] is True
    assert Refund.objects.filter(order=order).count() == 1

    # when he asks for 60.00 more (above his limit)
    big = post(ahmet, url, {"idempotency_key": "mia-rest", "amount": "60.00",
                            "conversation_id": conversation.pk})
    # then nothing is refunded yet: an approval request waits for an admin
    assert big.status_code == 202 and big.json()["result"] == "pending_approval"
    approval_id = big.json()["approval"]["id"]
    order.refresh_from_db()
    assert order.refunded_total == Decimal("29.00")
    assert [a["id"] for a in api(personas.olivia).get("/api/v1/approvals").json()] == [
        approval_id]
    # and Ahmet cannot approve his own request
    own = post(ahmet, f"/api/v1/approvals/{approval_id}/approve", {})
    assert own.status_code == 403

    # when Olivia (owner) approves it
    approved = post(api(personas.olivia), f"/api/v1/approvals/{approval_id}/approve",
                    {"note": "Loyal customer"})
    # then the refund runs, once, and the timeline tells the story
    assert approved.status_code == 200, approved.content
    assert approved.json()["result"] == "refunded"
    order.refresh_from_db()
    assert order.refunded_total == Decimal("89.00")
    kinds = list(ConversationEvent.objects.filter(conversation=conversation)
                 .filter(kind__startswith="order.").order_by("id")
                 .values_list("kind", flat=True))
    assert kinds == ["order.refunded", "order.refund_requested", "order.refunded",
                     "order.refund_approved"]
    assert post(api(personas.olivia), f"/api/v1/approvals/{approval_id}/reject",
                {}).status_code == 409


def test_refund_above_what_is_left_is_refused_and_reusing_a_key_differently_is_409(
    personas, api, shopper
):
    order, _conversation = shopper
    olivia = api(personas.olivia)
    url = f"/api/v1/orders/{order.pk}/refunds"
    too_much = post(olivia, url, {"idempotency_key": "k1", "amount": "500.00"})
    assert too_much.status_code == 400 and "118.00" in too_much.json()["detail"]
    assert post(olivia, url, {"idempotency_key": "k2", "amount": "10.00"}).status_code == 201
    assert post(olivia, url, {"idempotency_key": "k2", "amount": "11.00"}).status_code == 409


def test_cancel_and_address_change_only_before_fulfilment(personas, api):
    store = personas.harbor_store
    unshipped = seed_order(store, number="4001", email="lee@example.com", shipped=False,
                           lines=[("MUG-STN", "Stoneware mug", 1, "14.50")])
    shipped = seed_order(store, number="4002", email="lee@example.com")
    ahmet = api(personas.ahmet)
    new_address = {"shipping_address": {"address1": "2 Side Road", "city": "Shelbyville",
                                        "country": "US"}}
    moved = post(ahmet, f"/api/v1/orders/{unshipped.pk}/shipping-address", new_address)
    assert moved.status_code == 200 and moved.json()["shipping_address"]["city"] == "Shelbyville"
    assert post(ahmet, f"/api/v1/orders/{shipped.pk}/shipping-address",
                new_address).status_code == 409
    assert post(ahmet, f"/api/v1/orders/{shipped.pk}/cancel", {}).status_code == 409
    cancelled = post(ahmet, f"/api/v1/orders/{unshipped.pk}/cancel", {"reason": "Duplicate"})
    assert cancelled.status_code == 200, cancelled.content
    assert cancelled.json()["status"] == "cancelled"
    assert cancelled.json()["financial_status"] == "refunded"
    assert Refund.objects.get(order=unshipped).amount == Decimal("14.50")


def test_replacement_and_goodwill_code(personas, api, shopper):
    order, conversation = shopper
    mugs = order.lines.get(sku="MUG-STN")
    ahmet = api(personas.ahmet)
    replacement = post(ahmet, f"/api/v1/orders/{order.pk}/replacements", {
        "lines": [{"line_id": mugs.pk, "quantity": 2}], "reason": "Broken in transit",
        "conversation_id": conversation.pk})
    assert replacement.status_code == 201, replacement.content
    assert replacement.json()["replacement_of_id"] == order.pk
    assert Decimal(replacement.json()["total"]) == 0
    code = post(ahmet, f"/api/v1/orders/{order.pk}/discount-codes", {"amount": "10.00"})
    assert code.status_code == 201 and code.json()["code"].startswith("GW-")
    over = post(ahmet, f"/api/v1/orders/{order.pk}/discount-codes", {"amount": "80.00"})
    assert over.status_code == 403


def test_another_account_gets_404_on_every_order_route(personas, api, shopper):
    order, conversation = shopper
    approval = post(api(personas.ahmet), f"/api/v1/orders/{order.pk}/refunds",
                    {"idempotency_key": "big", "amount": "100.00"}).json()["approval"]
    bruno = api(personas.bruno)
    contact_id = conversation.contact_id
    assert bruno.get(f"/api/v1/orders/{order.pk}").status_code == 404
    assert bruno.get(f"/api/v1/contacts/{contact_id}/orders").status_code == 404
    for path, body in [
        ("refunds", {"idempotency_key": "x", "amount": "1.00"}), ("cancel", {}),
        ("returns", {"lines": [{"line_id": 1, "quantity": 1}], "reason": "r"}),
        ("shipping-address", {"shipping_address": {"address1": "a", "city": "b",
                                                   "country": "US"}}),
        ("replacements", {"lines": [{"line_id": 1, "quantity": 1}], "reason": "r"}),
        ("discount-codes", {"amount": "1.00"}),
    ]:
        assert post(bruno, f"/api/v1/orders/{order.pk}/{path}", body).status_code == 404, path
    assert post(bruno, f"/api/v1/approvals/{approval['id']}/approve", {}).status_code == 404
    assert bruno.get("/api/v1/approvals").json() == []
    store = personas.harbor_store
    assert put(bruno, f"/api/v1/stores/{store.pk}/orders/evil", ORDER_BODY).status_code == 404
    # and Harbor's agent cannot point an action at Northwind's conversation either
    northwind = receive_message(personas.northwind_api, InboundMessage(
        sender_id="n1", text="hi")).conversation
    assert post(api(personas.ahmet), f"/api/v1/orders/{order.pk}/refunds", {
        "idempotency_key": "y", "amount": "1.00", "conversation_id": northwind.pk,
    }).status_code == 404
    assert ApprovalRequest.objects.get(pk=approval["id"]).status == "pending"
