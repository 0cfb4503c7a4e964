"""Product and stock webhooks keep the local catalog true, so a restock on Shopify or
WooCommerce reaches the shoppers waiting for it: Shopify `products/update` and
`inventory_levels/update` (read back through the Admin GraphQL API of a local fake that
validates every document against the schema subset), WooCommerce `product.updated`; all with
the documented sample bodies, verified on the raw bytes, duplicates applied once, and a late,
older update never rolling the stock back."""

from __future__ import annotations

import contextlib
import json
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.test import TestCase

from storedesk.accounts.actor import BOT, Actor
from storedesk.commerce import actions
from storedesk.commerce.models import Platform, Product, Store, Variant
from storedesk.commerce.platforms.signatures import sign
from storedesk.commerce.tests.fakes.shopify import FakeShopify
from storedesk.commerce.tests.test_platform_webhooks import SHOP, woo_post
from storedesk.commerce.tests.test_platform_webhooks import shopify_post as _signed_post
from storedesk.connectors.models import InboundEvent
from storedesk.events.models import Event
from storedesk.inbox.actions import InboundMessage, change_status, receive_message
from storedesk.inbox.models import Conversation, Message, Status
from storedesk.testing.platform_samples import sample

TOKEN = "shpat_0123456789abcdef"
SECRET = "shpss_harbor_secret"
TSHIRT = "788032119674292922"
ITEM = "271878346596884015"  # the documented inventory_levels/update sample's item


@pytest.fixture
def fake(settings):
    settings.FETCH_ALLOW_PRIVATE = True  # the fake Admin API runs on loopback
    with FakeShopify(token=TOKEN) as server:
        yield server


@pytest.fixture
def shopify(personas, fake) -> Store:
    store = Store.objects.create(
        account=personas.harbor, slug="harbor-shopify", name="Harbor on Shopify",
        platform=Platform.SHOPIFY, currency="USD",
        config={"shop_domain": SHOP, "api_base": fake.url},
    )
    return actions.connect_store(store, by=None, values={
        "access_token": TOKEN, "webhook_secret": SECRET})


@pytest.fixture
def woo(personas) -> Store:
    return Store.objects.create(
        account=personas.harbor, slug="harbor-woo", name="Harbor on WooCommerce",
        platform=Platform.WOOCOMMERCE, config={"webhook_secret": "wc_harbor_secret"},
    )


@contextlib.contextmanager
def after_commit() -> Iterator[None]:
    """Run what the request's commit would run (the inbound drain, the event dispatch, the
    assistant's notice, the delivery); the next request starts its own event batch, as it
    would after a real commit (the test's transaction never commits)."""
    connection._storedesk_event_batch = None  # type: ignore[attr-defined]
    with TestCase.captureOnCommitCallbacks(execute=True):
        yield
    connection._storedesk_event_batch = None  # type: ignore[attr-defined]


def shopify_post(store: Store, body: bytes, **kwargs: Any) -> Any:
    """A delivery from Shopify, signed with the app's secret (the store holds it sealed)."""
    kwargs.setdefault("signature", sign(SECRET, body))
    return _signed_post(store, body, **kwargs)


def _shopify_product(*, small: int, medium: int, updated_at: str,
                     item_ids: tuple[Any, Any] = (None, None)) -> bytes:
    """Shopify's documented products/update sample with the stock (and time) of the moment."""
    body = json.loads(sample("shopify_product.json"))
    body["updated_at"] = updated_at
    for variant, quantity, item in zip(body["variants"], (small, medium), item_ids,
                                       strict=True):
        variant["inventory_quantity"] = quantity
        variant["inventory_item_id"] = item
    return json.dumps(body).encode()


def _woo_product(*, stock: int, modified_gmt: str) -> bytes:
    body = json.loads(sample("woocommerce_product.json"))
    body["stock_quantity"] = stock
    body["stock_status"] = "instock" if stock > 0 else "outofstock"
    body["date_modified_gmt"] = modified_gmt
    return json.dumps(body).encode()


def _waiting_shopper(personas, product: Product) -> Conversation:
    """Ayşe asked to hear when the product is back; the team then closed her conversation."""
    conversation = receive_message(personas.harbor_api, InboundMessage(
        sender_id="shopper-ayse", text="Tell me when it is back", name="Ayşe Kaya",
        email="ayse@example.com", source_id=f"ask-{product.pk}")).conversation
    actions.subscribe_restock(product, conversation.contact, BOT, conversation=conversation)
    change_status(conversation, Actor.agent(personas.ahmet), Status.CLOSED)
    return conversation


def _notices(conversation: Conversation) -> list[str]:
    return list(Message.objects.filter(conversation=conversation, sender_type="bot",
                                       metadata__notice__kind="back_in_stock")
                .values_list("text", flat=True))


def test_shopify_products_update_syncs_stock_and_a_restock_tells_the_waiting_shopper(
        personas, shopify):
    # given the documented T-shirt synced sold out
    with after_commit():
        response = shopify_post(shopify, _shopify_product(
            small=0, medium=0, updated_at="2026-11-20T09:00:00-05:00"),
            topic="products/update", event_id="evt-p1")
    assert response.status_code == 202
    product = Product.objects.get(store=shopify, external_id=TSHIRT)
    assert (product.title, product.category) == ("Example T-Shirt", "Shirts")
    # (the sample's variants have no SKU: they are keyed by their Shopify ids)
    assert sorted(product.variants.values_list("sku", "inventory", "price")) == [
        ("shopify-variant-642667041472713922", 0, Decimal("19.99")),
        ("shopify-variant-757650484644203962", 0, Decimal("19.99"))]
    conversation = _waiting_shopper(personas, product)
    # when Shopify says the Medium is back (and delivers that webhook twice)
    back = _shopify_product(small=0, medium=50, updated_at="2026-11-21T09:00:00-05:00")
    for _attempt in range(2):
        with after_commit():
            shopify_post(shopify, back, topic="products/update", event_id="evt-p2")
    # then the stock is synced, the event is recorded once and Ayşe is told once, on her
    # closed conversation, which stays closed
    assert Variant.objects.get(sku="shopify-variant-757650484644203962").inventory == 50
    assert InboundEvent.objects.filter(store=shopify, status="done").count() == 2
    assert Event.objects.filter(kind="product.back_in_stock",
                                data__product_id=product.pk).count() == 1
    assert len(_notices(conversation)) == 1
    assert "Example T-Shirt" in _notices(conversation)[0]
    conversation.refresh_from_db()
    assert conversation.status == Status.CLOSED


def test_a_late_older_shopify_product_update_does_not_roll_the_stock_back(
        personas, shopify):
    with after_commit():
        shopify_post(shopify, _shopify_product(small=4, medium=0,
                                               updated_at="2026-11-21T09:00:00-05:00"),
                     topic="products/update", event_id="evt-new")
        # the earlier change (sold out) arrives after the newer one
        shopify_post(shopify, _shopify_product(small=0, medium=0,
                                               updated_at="2026-11-20T09:00:00-05:00"),
                     topic="products/update", event_id="evt-old")
    assert Variant.objects.get(sku="shopify-variant-642667041472713922").inventory == 4
    assert InboundEvent.objects.filter(store=shopify, status="done").count() == 2


def test_an_unsigned_or_forged_product_webhook_changes_nothing(personas, shopify, woo):
    body = _shopify_product(small=9, medium=9, updated_at="2026-11-21T09:00:00-05:00")
    assert shopify_post(shopify, body, topic="products/update",
                        signature=None).status_code == 401
    assert shopify_post(shopify, body, topic="inventory_levels/update",
                        signature="bm90LXRoZS1zaWduYXR1cmU=").status_code == 401
    assert woo_post(woo, _woo_product(stock=3, modified_gmt="2026-11-23T17:01:14"),
                    topic="product.updated", signature=None).status_code == 401
    assert not Product.objects.exists() and not InboundEvent.objects.exists()


def test_shopify_inventory_level_update_reads_the_products_totals_back(
        personas, shopify, fake):
    # given the T-shirt's Small (the documented sample's inventory item) is sold out, on the
    # shop and here, and Ayşe is waiting for it
    fake.add_product(TSHIRT, "Example T-Shirt", "Shirts", [
        {"id": 642667041472713922, "sku": None, "title": "Small", "price": "19.99",
         "inventory": 0, "inventory_item_id": ITEM},
        {"id": 757650484644203962, "sku": None, "title": "Medium", "price": "19.99",
         "inventory": 0, "inventory_item_id": "271878346596884016"}],
        "2026-11-20T09:00:00-05:00")
    with after_commit():
        shopify_post(shopify, _shopify_product(small=0, medium=0,
                                               updated_at="2026-11-20T09:00:00-05:00",
                                               item_ids=(int(ITEM), 271878346596884016)),
                     topic="products/update", event_id="evt-p1")
    product = Product.objects.get(store=shopify, external_id=TSHIRT)
    conversation = _waiting_shopper(personas, product)
    # when 6 arrive at one location and Shopify sends the documented inventory level webhook
    fake.set_inventory(ITEM, 6, "2026-11-22T09:00:00-05:00")
    with after_commit():
        response = shopify_post(shopify, sample("shopify_inventory_level.json"),
                                topic="inventory_levels/update", event_id="evt-i1")
    assert response.status_code == 202
    # then the product's totals were read back through the Admin API (one validated query for
    # that inventory item) and applied
    [query] = [r for r in fake.requests if r.operation == "StoredeskInventoryItemProduct"]
    assert query.variables == {"id": f"gid://shopify/InventoryItem/{ITEM}"}
    assert Variant.objects.get(sku="shopify-variant-642667041472713922").inventory == 6
    assert Variant.objects.get(sku="shopify-variant-757650484644203962").inventory == 0
    # and Ayşe is told once
    assert Event.objects.filter(kind="product.back_in_stock").count() == 1
    assert len(_notices(conversation)) == 1
    # an inventory item the shop does not know is a logged, permanent failure; nothing changes
    body = json.dumps({"inventory_item_id": 1, "location_id": 24826418, "available": 3,
                       "updated_at": "2026-11-22T10:00:00-05:00"}).encode()
    with after_commit():
        assert shopify_post(shopify, body, topic="inventory_levels/update",
                            event_id="evt-i2").status_code == 202
    assert Product.objects.filter(store=shopify).count() == 1


def test_woocommerce_product_updated_syncs_stock_once_and_in_order(
        personas, woo):
    # given the documented product synced sold out
    with after_commit():
        assert woo_post(woo, _woo_product(stock=0, modified_gmt="2026-11-22T17:01:14"),
                        topic="product.updated", delivery="d-p1").status_code == 202
    product = Product.objects.get(store=woo, external_id="794")
    [variant] = product.variants.all()
    assert (variant.sku, variant.inventory, variant.price, product.category) == (
        "woo-product-794", 0, Decimal("21.99"), "clothing")
    conversation = _waiting_shopper(personas, product)
    # when the documented body (12 in stock) is delivered, twice with one delivery id
    for _attempt in range(2):
        with after_commit():
            woo_post(woo, sample("woocommerce_product.json"), topic="product.updated",
                     delivery="d-p2")
    # and an older change (sold out again) arrives late
    with after_commit():
        woo_post(woo, _woo_product(stock=0, modified_gmt="2026-11-23T08:00:00"),
                 topic="product.updated", delivery="d-p0")
    # then the stock is 12, the restock was recorded once and the shopper told once
    variant.refresh_from_db()
    assert variant.inventory == 12
    assert InboundEvent.objects.filter(store=woo).count() == 3
    assert Event.objects.filter(kind="product.back_in_stock").count() == 1
    assert len(_notices(conversation)) == 1


def test_woocommerce_unmanaged_stock_follows_the_stock_status(
        personas, woo):
    body = json.loads(sample("woocommerce_product.json"))
    body.update(manage_stock=False, stock_quantity=None, stock_status="outofstock")
    with after_commit():
        woo_post(woo, json.dumps(body).encode(), topic="product.updated", delivery="d-u1")
    assert Variant.objects.get(sku="woo-product-794").inventory == 0
    body.update(stock_status="instock", date_modified_gmt="2026-11-24T09:00:00")
    with after_commit():
        woo_post(woo, json.dumps(body).encode(), topic="product.updated", delivery="d-u2")
    assert Variant.objects.get(sku="woo-product-794").inventory == 1
    assert Event.objects.filter(kind="product.back_in_stock").count() == 1


def test_without_an_api_key_a_variable_product_counts_as_one_and_a_variation_is_ignored(
        personas, woo):
    # a store that only sends webhooks: the variable product's own stock status is its stock
    body = json.loads(sample("woocommerce_product.json"))
    body.update(type="variable", manage_stock=False, stock_quantity=None,
                stock_status="instock", variations=[795, 796])
    with after_commit():
        woo_post(woo, json.dumps(body).encode(), topic="product.updated", delivery="d-var")
    assert Variant.objects.get(sku="woo-product-794").inventory == 1
    # a variation's own body (parent_id set) is never taken for a product
    body.update(id=795, parent_id=794, name="Premium Quality - Blue", stock_quantity=0)
    with after_commit():
        assert woo_post(woo, json.dumps(body).encode(), topic="product.updated",
                        delivery="d-v1").status_code == 202
    assert list(Product.objects.filter(store=woo).values_list("external_id", flat=True)) == [
        "794"]
    assert Variant.objects.get(sku="woo-product-794").inventory == 1
    assert InboundEvent.objects.get(store=woo, event_id="d-v1").status == "done"
