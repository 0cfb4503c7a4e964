"""Shopify and WooCommerce webhooks through the shared inbound plumbing: verified on the raw
bytes (valid, missing, wrong, re-serialised body, another store's secret all refused and
nothing stored), deduplicated by the platform's event id, applied as orders, and Shopify's
mandatory privacy webhooks honoured."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest
from django.test import Client

from storedesk.accounts.models import AuditLog
from storedesk.commerce.models import Customer, Order, Platform, Store
from storedesk.commerce.platforms.signatures import sign
from storedesk.connectors.models import InboundEvent
from storedesk.testing.platform_samples import sample

SHOP = "harbor-vine.myshopify.com"


@pytest.fixture
def shopify(personas) -> Store:
    return Store.objects.create(
        account=personas.harbor, slug="harbor-shopify", name="Harbor on Shopify",
        platform=Platform.SHOPIFY,
        config={"shop_domain": SHOP, "webhook_secret": "shpss_harbor_secret",
                "access_token": "shpat_harbor"},
    )


@pytest.fixture
def woo(personas) -> Store:
    return Store.objects.create(
        account=personas.harbor, slug="harbor-woo", name="Harbor on WooCommerce",
        platform=Platform.WOOCOMMERCE, config={"webhook_secret": "wc_harbor_secret"},
    )


@pytest.fixture
def northwind_shopify(personas) -> Store:
    return Store.objects.create(
        account=personas.northwind, slug="nw-shopify", name="Northwind on Shopify",
        platform=Platform.SHOPIFY,
        config={"shop_domain": "northwind.myshopify.com", "webhook_secret": "shpss_northwind"},
    )


def shopify_post(store: Store, body: bytes, *, topic="orders/create", event_id="evt-1",
                 signature: str | None = "auto", domain=SHOP):
    headers = {"X-Shopify-Topic": topic, "X-Shopify-Shop-Domain": domain,
               "X-Shopify-Event-Id": event_id, "X-Shopify-Webhook-Id": f"wh-{event_id}"}
    if signature == "auto":
        signature = sign(store.config["webhook_secret"], body)
    if signature is not None:
        headers["X-Shopify-Hmac-SHA256"] = signature
    return Client().post(f"/hooks/store/shopify/{store.pk}/", body,
                         content_type="application/json", headers=headers)


def woo_post(store: Store, body: bytes, *, delivery="d-1", topic="order.created",
             signature: str | None = "auto"):
    headers = {"X-WC-Webhook-Topic": topic, "X-WC-Webhook-Delivery-ID": delivery,
               "X-WC-Webhook-Source": "https://shop.example.com/"}
    if signature == "auto":
        signature = sign(store.config["webhook_secret"], body)
    if signature is not None:
        headers["X-WC-Webhook-Signature"] = signature
    return Client().post(f"/hooks/store/woocommerce/{store.pk}/", body,
                         content_type="application/json", headers=headers)


def test_a_signed_shopify_order_webhook_syncs_the_order_once(
    personas, shopify, django_capture_on_commit_callbacks
):
    body = sample("shopify_order.json")
    # when Shopify delivers orders/create, and then delivers the same event again
    with django_capture_on_commit_callbacks(execute=True):
        first = shopify_post(shopify, body)
    with django_capture_on_commit_callbacks(execute=True):
        again = shopify_post(shopify, body)
    # then it is accepted at once, stored once, and the order is there with its tracking
    assert first.status_code == 202 and first.json()["duplicate"] is False
    assert again.status_code == 202 and again.json()["duplicate"] is True
    assert InboundEvent.objects.filter(store=shopify).count() == 1
    assert InboundEvent.objects.get(store=shopify).status == "done"
    order = Order.objects.get(store=shopify)
    assert (order.number, order.total, order.currency) == ("1234", Decimal("403.00"), "USD")
    assert order.shipping_total == Decimal("10.00")
    assert [line.sku for line in order.lines.all()] == ["IPOD2008RED", "IPOD2008BLACK"]
    shipment = order.shipments.get()
    assert shipment.carrier == "USPS" and shipment.status == "in_transit"
    assert shipment.tracking_url.startswith("https://tools.usps.com/")
    assert order.customer.email == "john@example.com"


@pytest.mark.parametrize("case", ["missing", "wrong", "reserialised", "other_store_secret",
                                  "other_shop_domain"])
def test_shopify_webhooks_that_do_not_verify_are_refused_and_nothing_is_stored(
    personas, shopify, northwind_shopify, case
):
    body = sample("shopify_order.json")
    kwargs: dict = {}
    if case == "missing":
        kwargs["signature"] = None
    elif case == "wrong":
        kwargs["signature"] = sign("not-the-secret", body)
    elif case == "reserialised":
        # the same JSON, re-serialised (spacing differs): the signature of the original bytes
        kwargs["signature"] = sign(shopify.config["webhook_secret"], body)
        body = json.dumps(json.loads(body)).encode()
    elif case == "other_store_secret":
        kwargs["signature"] = sign(northwind_shopify.config["webhook_secret"], body)
    elif case == "other_shop_domain":
        kwargs["domain"] = "northwind.myshopify.com"
    response = shopify_post(shopify, body, **kwargs)
    assert response.status_code == 401
    assert response.json() == {"detail": "Invalid signature."}
    assert not InboundEvent.objects.exists() and not Order.objects.exists()


def test_a_webhook_for_an_unknown_or_custom_store_is_404(personas, shopify):
    body = sample("shopify_order.json")
    assert Client().post(f"/hooks/store/shopify/{personas.harbor_store.pk}/", body,
                         content_type="application/json").status_code == 404
    assert Client().post("/hooks/store/shopify/999999/", body,
                         content_type="application/json").status_code == 404
    assert Client().get(f"/hooks/store/shopify/{shopify.pk}/").status_code == 405


def test_shopify_privacy_webhooks_are_honoured(
    personas, shopify, django_capture_on_commit_callbacks
):
    # given a synced order of John's
    with django_capture_on_commit_callbacks(execute=True):
        shopify_post(shopify, sample("shopify_order.json"))
    customer = {"id": 115310627314723954, "email": "john@example.com", "phone": "555-625-1199"}
    # when the shop owner's customer asks for their data
    request = json.dumps({"shop_id": 954889, "shop_domain": SHOP, "customer": customer,
                          "orders_requested": [820982911946154508],
                          "data_request": {"id": 9999}}).encode()
    with django_capture_on_commit_callbacks(execute=True):
        shopify_post(shopify, request, topic="customers/data_request", event_id="evt-dr")
    # then the request is in the audit log with what we hold
    logged = AuditLog.objects.get(action="commerce.data_requested")
    assert logged.data["orders"] == ["1234"] and logged.data["customers_held"] == 1
    # when Shopify asks us to redact that customer
    redact = json.dumps({"shop_id": 954889, "shop_domain": SHOP, "customer": customer,
                         "orders_to_redact": [820982911946154508]}).encode()
    with django_capture_on_commit_callbacks(execute=True):
        shopify_post(shopify, redact, topic="customers/redact", event_id="evt-cr")
    # then their personal data is gone from our rows
    assert not Customer.objects.filter(email="john@example.com").exists()
    assert Order.objects.get(store=shopify).shipping_address == {}
    # when the shop is redacted (48 hours after uninstalling)
    with django_capture_on_commit_callbacks(execute=True):
        shopify_post(shopify, json.dumps({"shop_id": 954889, "shop_domain": SHOP}).encode(),
                     topic="shop/redact", event_id="evt-sr")
    # then nothing of the shop's orders or customers is left
    assert not Order.objects.filter(store=shopify).exists()
    assert not Customer.objects.filter(store=shopify).exists()
    assert InboundEvent.objects.filter(store=shopify, status="done").count() == 4
    # and its API credentials are gone: nothing is read from the shop any more
    shopify.refresh_from_db()
    assert "access_token" not in shopify.config


def test_a_signed_woocommerce_order_webhook_syncs_and_dedupes_by_delivery_id(
    personas, woo, django_capture_on_commit_callbacks
):
    body = sample("woocommerce_order.json")
    with django_capture_on_commit_callbacks(execute=True):
        assert woo_post(woo, body).status_code == 202
    with django_capture_on_commit_callbacks(execute=True):
        assert woo_post(woo, body).json()["duplicate"] is True
    order = Order.objects.get(store=woo)
    assert (order.number, order.total, order.financial_status) == ("727", Decimal("29.35"),
                                                                   "paid")
    assert order.placed_at.isoformat().startswith("2026-11-22T19:28:02")
    assert [(line.title[:13], line.quantity) for line in order.lines.all()] == [
        ("Woo Single #1", 2), ("Ship Your Ide", 1)]
    assert order.customer.email == "john.doe@example.com"
    assert order.shipping_address["city"] == "San Francisco"


@pytest.mark.parametrize("case", ["missing", "wrong", "reserialised", "other_store_secret"])
def test_woocommerce_webhooks_that_do_not_verify_are_refused(personas, woo, case):
    body = sample("woocommerce_order.json")
    signature: str | None
    if case == "missing":
        signature = None
    elif case == "wrong":
        signature = sign("nope", body)
    elif case == "reserialised":
        signature = sign(woo.config["webhook_secret"], body)
        body = json.dumps(json.loads(body), indent=1).encode()
    else:
        signature = sign("shpss_harbor_secret", body)  # the Shopify store's secret
    assert woo_post(woo, body, signature=signature).status_code == 401
    assert not InboundEvent.objects.exists() and not Order.objects.exists()
