"""The periodic reconciliation keeps the catalog true when product webhooks never arrive
(Shopify and WooCommerce deliver them best-effort): products changed since the product
watermark are read page by page from local fakes of the Admin GraphQL API and the REST API v3
and written through the one product upsert, so a restock found this way tells the waiting
shoppers once, exactly as its webhook would. A WooCommerce variable product's variations (its
sizes) are variants with their own SKU, price, stock and options, and a variation coming back
tells only the shoppers waiting for it."""

from __future__ import annotations

import json
import re
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from storedesk.accounts.actor import BOT, Actor
from storedesk.assistant.engine import _catalog
from storedesk.commerce import actions, tasks
from storedesk.commerce.models import Platform, Product, Store, Variant
from storedesk.commerce.platforms import http
from storedesk.commerce.platforms.base import PlatformError
from storedesk.commerce.platforms.shopify import client as shopify_client
from storedesk.commerce.platforms.woocommerce import client as woo_client
from storedesk.commerce.tests.fakes.shopify import FakeShopify
from storedesk.commerce.tests.fakes.woocommerce import (
    FakeWooCommerce,
    sample_product,
    sample_variation,
)
from storedesk.commerce.tests.test_platform_webhooks import woo_post
from storedesk.commerce.tests.test_product_webhooks import (
    _notices,
    _waiting_shopper,
    after_commit,
    shopify_post,
)
from storedesk.events.models import Event
from storedesk.inbox.actions import InboundMessage, change_status, receive_message
from storedesk.inbox.models import Conversation, Status

TOKEN = "shpat_0123456789abcdef"
KEY, SECRET = "ck_4f8a0c1b2d3e", "cs_9e8d7c6b5a41"
HOODIE = 901  # a variable product: sizes S, M, L


@pytest.fixture
def shop(settings):
    settings.FETCH_ALLOW_PRIVATE = True  # the fakes run on loopback
    with FakeShopify(token=TOKEN) as server:
        yield server


@pytest.fixture
def woo_shop(settings):
    settings.FETCH_ALLOW_PRIVATE = True
    with FakeWooCommerce(key=KEY, secret=SECRET) as server:
        yield server


@pytest.fixture
def shopify(personas, shop) -> Store:
    store = Store.objects.create(
        account=personas.harbor, slug="harbor-shopify", name="Harbor on Shopify",
        platform=Platform.SHOPIFY,
        config={"shop_domain": "harbor-vine.myshopify.com", "api_base": shop.url})
    return actions.connect_store(store, by=None, values={
        "access_token": TOKEN, "webhook_secret": "shpss_harbor_secret"})


@pytest.fixture
def woo(personas, woo_shop) -> Store:
    store = Store.objects.create(
        account=personas.harbor, slug="harbor-woo", name="Harbor on WooCommerce",
        platform=Platform.WOOCOMMERCE, config={"webhook_secret": "wc_harbor_secret"})
    return actions.connect_store(store, by=None, values={
        "site_url": woo_shop.url, "consumer_key": KEY, "consumer_secret": SECRET})


def _reconcile(store: Store) -> actions.connection.Reconciled:
    with after_commit():
        result = actions.reconcile_store(store)
    store.refresh_from_db()
    return result


def _restock_events() -> int:
    return Event.objects.filter(kind="product.back_in_stock").count()


def _shopper(personas, name: str) -> Conversation:
    return receive_message(personas.harbor_api, InboundMessage(
        sender_id=f"shopper-{name}", text="Tell me when my size is back", name=name,
        email=f"{name}@example.com", source_id=f"ask-{name}")).conversation


def _waiting_for(personas, product: Product, name: str, sku: str | None) -> Conversation:
    """A shopper waiting for one variant (by SKU), or for the product (None); then closed."""
    conversation = _shopper(personas, name)
    variant = Variant.objects.get(sku=sku) if sku else None
    actions.subscribe_restock(product, conversation.contact, BOT, conversation=conversation,
                              variant=variant)
    change_status(conversation, Actor.agent(personas.ahmet), Status.CLOSED)
    return conversation


def test_shopify_a_missed_restock_is_found_by_reconciliation_and_told_once(
        personas, shopify, shop):
    # given a sold-out hoodie, synced by the first reconciliation (the whole catalog), and a
    # shopper waiting for it
    shop.add_product("7001", "Harbor Hoodie", "Hoodies", [
        {"id": 70011, "sku": "HOOD-S", "title": "S", "price": "49.00", "inventory": 0,
         "inventory_item_id": 80011, "options": {"Size": "S"}},
        {"id": 70012, "sku": "HOOD-M", "title": "M", "price": "49.00", "inventory": 0,
         "inventory_item_id": 80012, "options": {"Size": "M"}}], "2026-11-21T09:00:00-05:00")
    first = _reconcile(shopify)
    assert (first.error, first.products, first.products_changed) == ("", 2, 2)
    hoodie = Product.objects.get(store=shopify, external_id="7001")
    medium = Variant.objects.get(sku="HOOD-M")
    assert (medium.inventory, medium.external_id, medium.options) == (0, "70012", {"Size": "M"})
    assert shopify.product_watermark.isoformat() == "2026-11-21T14:00:00+00:00"
    conversation = _waiting_shopper(personas, hoodie)
    # when 5 mediums arrive and the products/update webhook never reaches us
    shop.set_inventory("80012", 5, "2026-11-22T09:00:00-05:00")
    result = _reconcile(shopify)
    # then the reconciliation read what changed since the watermark, restocked the medium
    # and the shopper is told once
    asked = [r for r in shop.requests if r.operation == "StoredeskProductsChanged"][-1]
    assert asked.variables["query"] == "updated_at:>='2026-11-21T13:55:00+00:00'"
    assert "sortKey: UPDATED_AT" in asked.body["query"]
    assert (result.error, result.products_changed) == ("", 1)
    medium.refresh_from_db()
    assert medium.inventory == 5
    assert _restock_events() == 1 and len(_notices(conversation)) == 1
    assert "Harbor Hoodie" in _notices(conversation)[0]
    # and a second reconciliation changes nothing and tells no one again
    again = _reconcile(shopify)
    assert (again.error, again.products_changed) == ("", 0)
    assert _restock_events() == 1 and len(_notices(conversation)) == 1


def test_shopify_archived_and_deleted_products_are_kept_but_inactive(personas, shopify, shop):
    _reconcile(shopify)
    ipod = Product.objects.get(store=shopify, external_id="632910392")
    assert ipod.active
    shop.add_product("632910392", "IPod Nano - 8GB", "Cult Products", [
        {"id": 808950810, "sku": "IPOD2008RED", "title": "Red", "price": "199.00",
         "inventory": 10, "inventory_item_id": 808950810}], "2026-11-25T10:00:00-05:00",
        status="ARCHIVED")
    assert _reconcile(shopify).products_changed == 1
    ipod.refresh_from_db()
    assert not ipod.active
    # the assistant no longer matches shoppers' words against it
    assert "632910392" not in {external_id for external_id, _title in _catalog(shopify)}
    # and a stock change read back after an inventory level webhook leaves it inactive
    shop.set_inventory("808950810", 4, "2026-11-25T11:00:00-05:00")
    body = json.dumps({"inventory_item_id": 808950810, "location_id": 24826418, "available": 4,
                       "updated_at": "2026-11-25T11:00:00-05:00"}).encode()
    with after_commit():
        assert shopify_post(shopify, body, topic="inventory_levels/update",
                            event_id="evt-inv").status_code == 202
    ipod.refresh_from_db()
    assert not ipod.active and Variant.objects.get(sku="IPOD2008RED").inventory == 4
    # a products/delete webhook (its body is the id) deactivates the same way
    shop.add_product("7002", "Harbor Cap", "Caps", [
        {"id": 70021, "sku": "CAP", "title": "One size", "price": "19.00", "inventory": 3,
         "inventory_item_id": 80021}], "2026-11-26T10:00:00-05:00")
    _reconcile(shopify)
    with after_commit():
        assert shopify_post(shopify, json.dumps({"id": 7002}).encode(),
                            topic="products/delete", event_id="evt-del").status_code == 202
    assert not Product.objects.get(store=shopify, external_id="7002").active
    assert Variant.objects.filter(sku="CAP").exists()  # kept for the orders naming it


def _hoodie(woo_shop: FakeWooCommerce, *, small: int, medium: int, large: int) -> None:
    woo_shop.add_product(sample_product(
        id=HOODIE, name="Harbor Hoodie", sku="HOODIE", price="49.00",
        date_modified_gmt="2026-11-20T10:00:00"), variations=[
        sample_variation(9011, sku="HOODIE-S", price="49.00", stock=small,
                         options={"Size": "S"}, modified_gmt="2026-11-20T10:00:00"),
        # (a variation without its own SKU shows its product's)
        sample_variation(9012, sku="HOODIE", price="49.00", stock=medium,
                         options={"Size": "M"}, modified_gmt="2026-11-20T10:00:00"),
        sample_variation(9013, sku="HOODIE-L", price="52.00", stock=large,
                         options={"Size": "L"}, modified_gmt="2026-11-20T10:00:00")])


def test_woocommerce_a_variable_products_sizes_become_variants_with_their_own_stock(
        personas, woo, woo_shop):
    # given the hoodie was first seen as a product with its own stock (before its sizes)
    woo_shop.add_product(sample_product(id=HOODIE, name="Harbor Hoodie", sku="HOODIE",
                                        stock_quantity=4, date_modified_gmt="2026-11-19T10:00:00"))
    _reconcile(woo)
    assert Variant.objects.get(sku="HOODIE").inventory == 4
    # when it becomes a variable product with three sizes
    _hoodie(woo_shop, small=0, medium=3, large=6)
    result = _reconcile(woo)
    assert result.error == ""
    # then each size is a variant: its own SKU (the one without a SKU is keyed by its id, not
    # by the product's SKU it shows), price, stock, options and WooCommerce id
    hoodie = Product.objects.get(store=woo, external_id=str(HOODIE))
    sizes = {v.sku: (v.external_id, v.title, v.price, v.inventory, v.options)
             for v in hoodie.variants.exclude(sku="HOODIE")}
    assert sizes == {
        "HOODIE-S": ("9011", "S", Decimal("49.00"), 0, {"Size": "S"}),
        "woo-variation-9012": ("9012", "M", Decimal("49.00"), 3, {"Size": "M"}),
        "HOODIE-L": ("9013", "L", Decimal("52.00"), 6, {"Size": "L"}),
    }
    # and the product's own former stock no longer counts
    assert Variant.objects.get(sku="HOODIE").inventory == 0
    asked = [r for r in woo_shop.requests if r.path.endswith(f"/products/{HOODIE}/variations")]
    assert asked and asked[-1].query["per_page"] == "100"
    listing = [r for r in woo_shop.requests if r.path.endswith("/products")][-1].query
    assert (listing["orderby"], listing["order"], listing["status"]) == ("modified", "asc", "any")
    assert listing["modified_after"] == "2026-11-19T09:55:00"  # the watermark minus overlap


def test_woocommerce_a_variation_back_in_stock_tells_only_its_own_subscribers(
        personas, woo, woo_shop):
    # given the hoodie synced with S and L sold out, M in stock; Ayşe waits for S, Bao for L,
    # Chen for the hoodie in any size
    _hoodie(woo_shop, small=0, medium=3, large=0)
    _reconcile(woo)
    hoodie = Product.objects.get(store=woo, external_id=str(HOODIE))
    small = _waiting_for(personas, hoodie, "ayse", "HOODIE-S")
    large = _waiting_for(personas, hoodie, "bao", "HOODIE-L")
    any_size = _waiting_for(personas, hoodie, "chen", None)
    # when L comes back and WooCommerce sends product.updated with the variation's body
    body = woo_shop.set_variation_stock(HOODIE, 9013, 2, "2026-11-21T10:00:00")
    with after_commit():
        assert woo_post(woo, json.dumps(body).encode(), topic="product.updated",
                        delivery="d-var-1").status_code == 202
    # then the product was read back with its variations and only Bao is told
    assert Variant.objects.get(sku="HOODIE-L").inventory == 2
    assert [len(_notices(c)) for c in (small, large, any_size)] == [0, 1, 0]
    assert "Harbor Hoodie (L)" in _notices(large)[0]
    event = Event.objects.get(kind="product.back_in_stock")
    assert event.data["variant_ids"] == [Variant.objects.get(sku="HOODIE-L").pk]
    assert event.data["product_back"] is False
    # and the reconciliation after it finds nothing new to tell
    _reconcile(woo)
    assert _restock_events() == 1
    assert [len(_notices(c)) for c in (small, large, any_size)] == [0, 1, 0]


def test_woocommerce_a_missed_restock_of_a_sold_out_product_tells_product_waiters(
        personas, woo, woo_shop):
    _hoodie(woo_shop, small=0, medium=0, large=0)
    _reconcile(woo)
    hoodie = Product.objects.get(store=woo, external_id=str(HOODIE))
    small = _waiting_for(personas, hoodie, "ayse", "HOODIE-S")
    any_size = _waiting_for(personas, hoodie, "chen", None)
    # the M variation comes back; no webhook arrives
    woo_shop.set_variation_stock(HOODIE, 9012, 4, "2026-11-22T10:00:00")
    result = _reconcile(woo)
    assert (result.error, result.products_changed) == ("", 1)
    assert [len(_notices(c)) for c in (small, any_size)] == [0, 1]
    _reconcile(woo)
    assert _restock_events() == 1 and len(_notices(any_size)) == 1


def test_woocommerce_trashed_products_are_deactivated(personas, woo, woo_shop):
    _reconcile(woo)
    assert Product.objects.get(store=woo, external_id="22").active
    woo_shop.trash_product(22, "2026-11-28T10:00:00")
    result = _reconcile(woo)
    assert (result.error, result.products_changed) == ("", 1)
    assert not Product.objects.get(store=woo, external_id="22").active
    trash = [r.query for r in woo_shop.requests if r.path.endswith("/products")
             and r.query.get("status") == "trash"]
    assert trash and "modified_after" in trash[-1]
    # the product.deleted webhook ({"id": ...}) does the same
    woo_shop.add_product(sample_product(id=30, name="Cap", sku="CAP-1",
                                        date_modified_gmt="2026-11-28T11:00:00"))
    _reconcile(woo)
    with after_commit():
        assert woo_post(woo, b'{"id": 30}', topic="product.deleted",
                        delivery="d-del").status_code == 202
    assert not Product.objects.get(store=woo, external_id="30").active


def test_a_failure_mid_pages_keeps_the_watermark_and_the_retry_resumes(
        personas, woo, woo_shop, monkeypatch):
    monkeypatch.setattr(woo_client, "PER_PAGE", 2)
    monkeypatch.setattr(http, "sleep", lambda seconds: None)
    for n in range(5):
        woo_shop.add_product(sample_product(id=600 + n, name=f"Mug {n}", sku=f"MUG-{n}",
                                            date_modified_gmt=f"2026-11-2{n}T10:00:00"))
    # the shop fails on the second page of products (and on every retry of it)
    original = woo_shop.handle

    def failing(method, path, headers, raw):
        if "/products?" in path and "status=any" in path and re.search(r"[?&]page=2(&|$)",
                                                                          path):
            return 503, {"code": "internal_server_error", "message": "down",
                         "data": {"status": 503}}, {}
        return original(method, path, headers, raw)

    monkeypatch.setattr(woo_shop, "handle", failing)
    # (the seeded product 22 was modified first, so the first page is it and Mug 0)
    with after_commit(), pytest.raises(PlatformError):
        tasks.reconcile_store.call_local(woo.pk)  # transient: the queue retries the task
    woo.refresh_from_db()
    assert "products" in woo.sync_error
    assert woo.product_watermark.isoformat() == "2026-11-20T10:00:00+00:00"
    assert sorted(Product.objects.filter(store=woo).values_list("external_id", flat=True)) == [
        "22", "600"]
    # when the shop is back, the retry starts at the watermark and reads the rest
    monkeypatch.setattr(woo_shop, "handle", original)
    with after_commit():
        said = tasks.reconcile_store.call_local(woo.pk)
    woo.refresh_from_db()
    assert woo.sync_error == "" and said.endswith("products changed")
    assert Product.objects.filter(store=woo).count() == 6
    assert woo.product_watermark.isoformat() == "2026-11-24T10:00:00+00:00"
    resumed = [r.query for r in woo_shop.requests if r.path.endswith("/products")
               and r.query.get("status") == "any" and r.query.get("page") == "1"][-1]
    assert resumed["modified_after"] == "2026-11-20T09:55:00"


def test_shopify_pages_through_the_catalog_with_a_watermark_per_page(
        personas, shopify, shop, monkeypatch):
    monkeypatch.setattr(shopify_client, "PAGE_SIZE", 2)
    for n in range(4):
        shop.add_product(str(7100 + n), f"Tee {n}", "Shirts", [
            {"id": 71000 + n, "sku": f"TEE-{n}", "title": "Default", "price": "15.00",
             "inventory": n, "inventory_item_id": 81000 + n}], f"2026-11-2{n + 1}T10:00:00Z")
    result = _reconcile(shopify)
    # the seeded iPod and four tees: three pages, each moving the watermark
    assert (result.product_pages, result.products, result.error) == (3, 5, "")
    assert shopify.product_watermark.isoformat() == "2026-11-24T10:00:00+00:00"
    assert Variant.objects.get(sku="TEE-3").inventory == 3


def test_the_sync_store_command_reconciles_and_says_how_many_changed(personas, woo, woo_shop):
    _hoodie(woo_shop, small=0, medium=3, large=6)
    out = StringIO()
    call_command("sync_store", account=personas.harbor.slug, store=woo.slug, stdout=out)
    assert out.getvalue().strip() == (
        "Harbor on WooCommerce: orders read: 0 (2 pages); products read: 2, changed: 2 "
        "(2 pages).")  # (the seeded product and the hoodie; the trash, then one page)
    out = StringIO()
    call_command("sync_store", account=personas.harbor.slug, store=woo.slug, stdout=out)
    assert "products read: 1, changed: 0" in out.getvalue()  # the hoodie, at the watermark
    with pytest.raises(CommandError, match="custom store"):
        call_command("sync_store", account=personas.harbor.slug,
                     store=personas.harbor_store.slug)


def test_a_custom_store_puts_variants_with_options_and_retires_a_product(personas, api):
    store = personas.harbor_store
    olivia = api(personas.olivia)
    url = f"/api/v1/stores/{store.pk}/products/tee"
    body = {"title": "Harbor tee", "variants": [
        {"sku": "TEE-L", "id": "v-1", "price": "20.00", "inventory": 0, "title": "Large",
         "options": [{"name": "Size", "value": "L"}]}]}
    assert olivia.put(url, json.dumps(body), content_type="application/json").status_code == 200
    variant = Variant.objects.get(store=store, sku="TEE-L")
    assert (variant.external_id, variant.options) == ("v-1", {"Size": "L"})
    # bad options are refused and change nothing
    bad = {**body, "variants": [{**body["variants"][0], "inventory": 3,
                                 "options": [{"name": " ", "value": "L"}]}]}
    refused = olivia.put(url, json.dumps(bad), content_type="application/json")
    assert refused.status_code == 422 and "name" in refused.content.decode()
    assert Variant.objects.get(store=store, sku="TEE-L").inventory == 0
    # and active: false retires the product (kept, no longer offered)
    gone = olivia.put(url, json.dumps({**body, "active": False}),
                      content_type="application/json")
    assert gone.status_code == 200
    assert not Product.objects.get(store=store, external_id="tee").active
