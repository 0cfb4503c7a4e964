"""WooCommerce contract tests: Storedesk's REST API v3 client against a local server that
checks OAuth 1.0a signatures the way WooCommerce does over HTTP, validates JSON bodies and
answers with WooCommerce's documented sample order and error shapes."""

from __future__ import annotations

import base64
import re
from decimal import Decimal

import pytest

from storedesk.accounts.actor import Actor
from storedesk.commerce import actions
from storedesk.commerce.actions import LineChange
from storedesk.commerce.models import (
    Order,
    OrderEdit,
    Platform,
    Refund,
    RefundStatus,
    Return,
    Store,
    Variant,
)
from storedesk.commerce.platforms import http, platform_for
from storedesk.commerce.platforms.base import PlatformError, ProductData, VariantData
from storedesk.commerce.platforms.woocommerce import client as woo_client
from storedesk.commerce.tests.fakes.woocommerce import FakeWooCommerce, sample_order

KEY, SECRET = "ck_4f8a0c1b2d3e", "cs_9e8d7c6b5a41"


@pytest.fixture
def fake(settings):
    settings.FETCH_ALLOW_PRIVATE = True  # the fake shop runs on loopback
    with FakeWooCommerce(key=KEY, secret=SECRET) as server:
        yield server


@pytest.fixture
def on_commit(django_capture_on_commit_callbacks):
    return django_capture_on_commit_callbacks


@pytest.fixture
def store(personas, fake) -> Store:
    store = Store.objects.create(account=personas.harbor, slug="harbor-woo",
                                 name="Harbor on WooCommerce", platform=Platform.WOOCOMMERCE)
    return actions.connect_store(store, by=None, values={
        "site_url": fake.url, "consumer_key": KEY, "consumer_secret": SECRET})


def _synced(store: Store, fake: FakeWooCommerce, **changes) -> Order:
    fake.add_order(sample_order(**changes))
    actions.reconcile_store(store)
    return Order.objects.get(store=store, external_id=str(changes.get("id", 727)))


def test_test_connection_and_a_wrong_secret_says_what_failed(store, fake):
    assert platform_for(store).test_connection() == fake.url
    sent = fake.requests[-1].query
    assert sent["oauth_signature_method"] == "HMAC-SHA256" and sent["oauth_consumer_key"] == KEY
    assert SECRET not in str(sent)
    actions.connect_store(store, by=None, values={"consumer_secret": "cs_wrong"})
    with pytest.raises(PlatformError) as refused:
        platform_for(store).test_connection()
    assert "401" in str(refused.value) and "signature" in str(refused.value)
    assert refused.value.permanent and "cs_wrong" not in str(refused.value)


def test_basic_auth_is_used_over_https_only():
    assert woo_client.WooClient("https://shop.example.com", KEY, SECRET).secure
    assert not woo_client.WooClient("http://127.0.0.1:9", KEY, SECRET).secure
    header = woo_client.basic_header(KEY, SECRET)
    assert base64.b64decode(header.removeprefix("Basic ")).decode() == f"{KEY}:{SECRET}"


def test_a_site_without_the_rest_api_says_so(personas, fake):
    store = Store.objects.create(account=personas.harbor, slug="nowoo", name="No Woo",
                                 platform=Platform.WOOCOMMERCE)
    actions.connect_store(store, by=None, values={"site_url": fake.url + "/blog",
                                                  "consumer_key": KEY,
                                                  "consumer_secret": SECRET})
    with pytest.raises(PlatformError) as refused:
        platform_for(store).test_connection()
    assert "wp-json/wc/v3" in str(refused.value)


def test_reconciliation_heals_missed_webhooks_pages_and_is_idempotent(store, fake, monkeypatch):
    monkeypatch.setattr(woo_client, "PER_PAGE", 2)
    for n in range(5):
        fake.add_order(sample_order(id=800 + n, number=str(800 + n),
                                    date_modified_gmt=f"2026-11-2{n}T10:00:00"))
    store.sync_watermark = None
    first = actions.reconcile_store(store)
    again = actions.reconcile_store(store)
    assert (first.pages, first.orders, first.error) == (4, 5, "")  # 3 pages, then the mark
    assert Order.objects.filter(store=store).count() == 5
    order = Order.objects.get(store=store, external_id="800")
    assert order.total == Decimal("29.35") and order.lines.count() == 2
    assert order.customer is not None and order.customer.email == "john.doe@example.com"
    store.refresh_from_db()
    assert store.sync_watermark.isoformat().startswith("2026-11-24T10:00")
    asked = [r for r in fake.requests if r.path.endswith("/orders")][-1].query
    assert asked["orderby"] == "date" and asked["order"] == "asc"
    assert asked["modified_after"].startswith("2026-11-24T09:55")  # watermark minus overlap
    assert again.orders == 1  # only the order at the watermark was read again


def test_a_run_that_fails_midway_keeps_the_watermark(store, fake, monkeypatch):
    monkeypatch.setattr(woo_client, "PER_PAGE", 2)
    monkeypatch.setattr(http, "sleep", lambda seconds: None)
    for n in range(5):
        fake.add_order(sample_order(id=900 + n, number=str(900 + n),
                                    date_modified_gmt=f"2026-11-2{n}T10:00:00"))
    # the shop fails on the second page (and on every retry of it)
    original = fake.handle
    calls = {"n": 0}

    def failing(method, path, headers, raw):
        if re.search(r"[?&]page=2(&|$)", path):
            calls["n"] += 1
            return 503, {"code": "internal_server_error", "message": "down",
                         "data": {"status": 503}}, {}
        return original(method, path, headers, raw)

    monkeypatch.setattr(fake, "handle", failing)
    result = actions.reconcile_store(store)
    store.refresh_from_db()
    assert result.error and store.sync_error and store.sync_watermark is None
    assert result.orders == 2  # the first page was written; the next run reads it again


def test_a_refund_goes_through_the_gateway_once_even_when_pushed_again(personas, store, fake,
                                                                      on_commit):
    order = _synced(store, fake)
    with on_commit(execute=True):
        outcome = actions.request_refund(
            order, Actor.agent(personas.olivia),
            actions.RefundAsk(idempotency_key="woo-1", amount=Decimal("10.00"), reason="Late"))
    refund = Refund.objects.get(pk=outcome.refund.pk)
    assert refund.status == RefundStatus.SUCCEEDED, refund.error
    made = fake.order(727)["refunds"]
    assert len(made) == 1 and made[0]["amount"] == "10.00" and made[0]["refunded_payment"]
    assert refund.external_id == str(made[0]["id"])
    assert platform_for(store).push_refund(refund) == refund.external_id
    assert len(fake.order(727)["refunds"]) == 1


def test_a_refund_of_lines_sends_their_ids_and_totals(personas, store, fake, on_commit):
    order = _synced(store, fake)
    line = order.lines.get(external_id="316")
    with on_commit(execute=True):
        actions.request_refund(
            order, Actor.agent(personas.olivia),
            actions.RefundAsk(idempotency_key="woo-lines", lines=((line.pk, 1),), restock=True))
    sent = [r for r in fake.requests if r.method == "POST" and r.path.endswith("/refunds")][-1]
    assert sent.body["line_items"] == [{"id": 316, "quantity": 1, "refund_total": "12.00"}]
    assert sent.body["api_restock"] is True


def test_a_refund_woocommerce_refuses_is_failed_with_its_message(personas, store, fake,
                                                                on_commit):
    order = _synced(store, fake)
    fake.add_order(sample_order(total="5.00"))  # the shop knows a smaller total than we do
    with on_commit(execute=True):
        outcome = actions.request_refund(
            order, Actor.agent(personas.olivia),
            actions.RefundAsk(idempotency_key="woo-x", amount=Decimal("20.00")))
    refund = Refund.objects.get(pk=outcome.refund.pk)
    assert refund.status == RefundStatus.FAILED and "Invalid refund amount" in refund.error


def test_cancel_and_address_reach_the_shop(personas, store, fake, on_commit):
    order = _synced(store, fake, status="pending")
    with on_commit(execute=True):
        actions.edit_shipping_address(order, Actor.agent(personas.olivia), {
            "name": "Jane Roe", "address1": "1 Pine St", "city": "Oakland", "zip": "94607",
            "province": "CA", "country": "US"})
    shipping = fake.order(727)["shipping"]
    assert (shipping["first_name"], shipping["address_1"], shipping["postcode"]) == (
        "Jane", "1 Pine St", "94607")
    order.refresh_from_db()
    with on_commit(execute=True):
        actions.cancel_order(order, Actor.agent(personas.olivia), reason="Duplicate order")
    assert fake.order(727)["status"] == "cancelled"
    assert "Duplicate order" in fake.notes(727)[-1]["note"]


def test_a_return_is_written_on_the_order_as_a_note(personas, store, fake, on_commit):
    order = _synced(store, fake, status="completed")
    line = order.lines.get(external_id="316")
    with on_commit(execute=True):
        created = actions.start_return(order, Actor.agent(personas.olivia),
                                       [actions.ReturnItem(line.pk, 1, "unworn")],
                                       reason="Wrong size")
    note = fake.notes(727)[-1]
    assert created.rma_number in note["note"] and not note["customer_note"]
    assert Return.objects.get(pk=created.pk).external_id == f"note-{note['id']}"


def test_server_errors_are_retried_then_temporary(store, fake, monkeypatch):
    monkeypatch.setattr(http, "sleep", lambda seconds: None)
    fake.answer_status(503)
    assert platform_for(store).test_connection() == fake.url
    fake.answer_status(*[503] * 10)
    with pytest.raises(PlatformError) as failed:
        platform_for(store).test_connection()
    assert not failed.value.permanent


def test_products_and_customers_are_read(store, fake):
    platform = platform_for(store)
    assert [p.variants[0].sku for p in platform.products()] == ["Bar3"]
    assert [c.email for c in platform.customers()] == ["john.doe@example.com"]


def test_an_item_edit_updates_the_line_items_once(personas, store, fake, on_commit):
    fake.add_catalog_item(24, 22, "Ship Your Idea - White, M", "Bar3-W", "10.00")
    actions.upsert_product(store, ProductData(external_id="22", title="Ship Your Idea", variants=(
        VariantData(sku="Bar3", price=Decimal("12.00"), title="Black, M", inventory=3),
        VariantData(sku="Bar3-W", price=Decimal("10.00"), title="White, M", inventory=3))))
    order = _synced(store, fake)  # processing: paid, not shipped
    single, idea = order.lines.get(external_id="315"), order.lines.get(sku="Bar3")
    white = Variant.objects.get(store=store, sku="Bar3-W")
    with on_commit(execute=True):
        outcome = actions.edit_order_lines(
            order, Actor.agent(personas.olivia),
            [LineChange(single.pk, 1), LineChange(idea.pk, 1, white.pk)], idempotency_key="w1")
    put = [r for r in fake.requests if r.method == "PUT"][-1].body
    assert put == {"line_items": [
        {"id": 315, "product_id": 93, "variation_id": 0, "quantity": 1},
        {"id": 316, "product_id": None, "quantity": 0},
        {"product_id": 22, "variation_id": 24, "quantity": 1}]}
    lines = {(li["product_id"], li["variation_id"]): li["quantity"]
             for li in fake.order(727)["line_items"]}
    assert lines == {(93, 0): 1, (22, 24): 1}
    assert OrderEdit.objects.get(pk=outcome.edit.pk).push_status == "pushed"
    assert Refund.objects.get(order=order).amount == Decimal("5.00")
    # a retried push reads the order and sends nothing
    puts = len([r for r in fake.requests if r.method == "PUT"])
    platform_for(store).push_line_edits(OrderEdit.objects.get(pk=outcome.edit.pk))
    assert len([r for r in fake.requests if r.method == "PUT"]) == puts
