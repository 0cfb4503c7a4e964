"""Shopify contract tests: Storedesk's Admin GraphQL client against a local server that
validates every document against the documented schema subset, checks the access token and
serves Shopify's documented sample order. Reads, reconciliation (idempotent, paged, resumable),
refunds (idempotent across retries), cancel, address edit, returns, throttling and errors."""

from __future__ import annotations

from decimal import Decimal

import pytest

from storedesk.accounts.actor import Actor
from storedesk.accounts.models import AuditLog
from storedesk.commerce import actions, credentials
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
from storedesk.commerce.platforms.shopify import client as shopify_client
from storedesk.commerce.platforms.shopify import graphql
from storedesk.commerce.tests.fakes.shopify import FakeShopify, sample_order

TOKEN = "shpat_0123456789abcdef"
SAMPLE_ID = "820982911946154508"


@pytest.fixture
def fake(settings):
    settings.FETCH_ALLOW_PRIVATE = True  # the fake Admin API runs on loopback
    with FakeShopify(token=TOKEN) as server:
        yield server


@pytest.fixture
def on_commit(django_capture_on_commit_callbacks):
    """Run after-commit work (the platform pushes) as the real request would."""
    return django_capture_on_commit_callbacks


@pytest.fixture
def waits(monkeypatch):
    """Count the waits the client asks for instead of spending them."""
    slept: list[float] = []
    monkeypatch.setattr(http, "sleep", slept.append)
    return slept


@pytest.fixture
def store(personas, fake) -> Store:
    store = Store.objects.create(
        account=personas.harbor, slug="harbor-shopify", name="Harbor on Shopify",
        platform=Platform.SHOPIFY, currency="USD",
        config={"shop_domain": "harbor-vine.myshopify.com", "api_base": fake.url},
    )
    return actions.connect_store(store, by=None, values={"access_token": TOKEN,
                                                         "webhook_secret": "shpss_x"})


def _synced(store: Store, fake: FakeShopify, **changes) -> Order:
    fake.add_order(sample_order(**changes))
    actions.reconcile_store(store)
    return Order.objects.get(store=store, external_id=str(changes.get("id", SAMPLE_ID)))


def test_credentials_are_sealed_at_rest_and_the_audit_names_no_value(store):
    assert credentials.is_sealed(store.config["access_token"])
    assert TOKEN not in str(store.config)
    assert credentials.credential(store.config, "access_token") == TOKEN
    row = AuditLog.objects.filter(action="store.connection_changed").latest("pk")
    assert TOKEN not in str(row.__dict__)


def test_test_connection_names_the_shop_and_a_wrong_token_says_401(store, fake):
    assert platform_for(store).test_connection() == "Harbor & Vine"
    assert fake.requests[-1].headers["x-shopify-access-token"] == TOKEN
    actions.connect_store(store, by=None, values={"access_token": "shpat_wrong"})
    with pytest.raises(PlatformError) as refused:
        platform_for(store).test_connection()
    assert "401" in str(refused.value) and refused.value.permanent
    assert "shpat_wrong" not in str(refused.value)


def test_a_query_the_real_schema_would_refuse_is_refused(store, fake):
    with pytest.raises(PlatformError) as refused:
        platform_for(store).client().execute("query { shop { nope } }")
    assert "nope" in str(refused.value) and refused.value.permanent


def test_reconciliation_heals_a_missed_webhook_and_is_idempotent(store, fake):
    # given an order on Shopify whose webhook never reached us
    fake.add_order(sample_order())
    # when the periodic reconciliation runs, twice
    first = actions.reconcile_store(store)
    second = actions.reconcile_store(store)
    # then the order is here once, with its lines and tracked shipment
    order = Order.objects.get(store=store, external_id=SAMPLE_ID)
    assert (first.orders, first.error, second.orders) == (1, "", 1)
    assert Order.objects.filter(store=store).count() == 1
    assert order.number == "9999" and order.total == Decimal("403.00")
    assert sorted(order.lines.values_list("sku", flat=True)) == ["IPOD2008BLACK", "IPOD2008RED"]
    shipment = order.shipments.get()
    assert shipment.tracking_number == "1Z2345" and shipment.carrier == "USPS"
    assert order.customer is not None and order.customer.email == "john@example.com"
    store.refresh_from_db()
    assert store.sync_watermark is not None and store.sync_error == ""
    # and the search asked Shopify for orders updated since the watermark, by update time
    asked = [r for r in fake.requests if r.operation == "StoredeskOrders"][-1].variables
    assert asked["query"].startswith("updated_at:>='") and asked["first"] == 50


def test_reconciliation_pages_through_and_a_later_change_is_picked_up(store, fake, monkeypatch):
    monkeypatch.setattr(shopify_client, "PAGE_SIZE", 2)
    for n in range(5):
        fake.add_order(sample_order(id=1000 + n, name=f"#10{n}", order_number=100 + n,
                                    updated_at=f"2026-11-2{n}T10:00:00-05:00"))
    result = actions.reconcile_store(store)
    assert (result.pages, result.orders) == (3, 5)
    store.refresh_from_db()
    assert store.sync_watermark.isoformat().startswith("2026-11-24T15:00")
    # when Shopify cancels one later, the next run reads from the watermark and heals it
    fake.add_order(sample_order(id=1004, name="#104", order_number=104,
                                updated_at="2026-11-29T10:00:00-05:00",
                                cancelled_at="2026-11-29T10:00:00-05:00"))
    again = actions.reconcile_store(store)
    assert again.orders == 1
    assert Order.objects.get(store=store, external_id="1004").status == "cancelled"


def test_a_partial_refund_reaches_shopify_once_even_when_pushed_again(
    personas, store, fake, on_commit
):
    order = _synced(store, fake)
    with on_commit(execute=True):
        outcome = actions.request_refund(
            order, Actor.agent(personas.olivia),
            actions.RefundAsk(idempotency_key="refund-1", amount=Decimal("20.00"),
                              reason="Scratched"))
    refund = Refund.objects.get(pk=outcome.refund.pk)
    assert refund.status == RefundStatus.SUCCEEDED, refund.error
    on_shopify = fake.order(SAMPLE_ID)["refunds"]
    assert len(on_shopify) == 1 and "[storedesk:refund-1]" in on_shopify[0]["note"]
    assert refund.external_id == on_shopify[0]["id"].rsplit("/", 1)[-1]
    sent = [r for r in fake.requests if r.operation == "StoredeskRefundCreate"][-1].variables
    transaction = sent["input"]["transactions"][0]
    assert transaction == {"orderId": f"gid://shopify/Order/{SAMPLE_ID}",
                           "parentId": f"gid://shopify/OrderTransaction/{SAMPLE_ID}0",
                           "gateway": "bogus", "kind": "REFUND", "amount": "20.00"}
    # when the push is retried (a timeout after Shopify had it), nothing more is refunded
    assert platform_for(store).push_refund(refund) == refund.external_id
    assert len(fake.order(SAMPLE_ID)["refunds"]) == 1


def test_a_retried_refund_create_with_the_same_idempotency_key_refunds_once(store, fake):
    # given a refundCreate whose answer was lost on the way back
    fake.add_order(sample_order())
    client = platform_for(store).client()
    order_id = f"gid://shopify/Order/{SAMPLE_ID}"
    variables = {"input": {"orderId": order_id, "transactions": [{
        "orderId": order_id, "parentId": f"gid://shopify/OrderTransaction/{SAMPLE_ID}0",
        "gateway": "bogus", "kind": "REFUND", "amount": "3.00"}]},
        "idempotencyKey": "storedesk-refund-1-k"}
    first = client.mutate(graphql.REFUND_CREATE, variables, "refundCreate")
    # when it is sent again with the same key, Shopify answers the first refund
    again = client.mutate(graphql.REFUND_CREATE, variables, "refundCreate")
    assert first["refund"]["id"] == again["refund"]["id"]
    assert len(fake.order(SAMPLE_ID)["refunds"]) == 1
    # and without the directive (mandatory since 2026-04) the mutation is refused
    bare = graphql.REFUND_CREATE.replace(" @idempotent(key: $idempotencyKey)", "").replace(
        ", $idempotencyKey: String!", "")
    with pytest.raises(PlatformError, match="idempotent"):
        client.execute(bare, {"input": variables["input"]})


def test_a_refund_of_lines_with_restock_names_the_line_items(personas, store, fake, on_commit):
    order = _synced(store, fake)
    line = order.lines.get(sku="IPOD2008RED")
    with on_commit(execute=True):
        outcome = actions.request_refund(
            order, Actor.agent(personas.olivia),
            actions.RefundAsk(idempotency_key="refund-lines", lines=((line.pk, 1),), restock=True))
    assert Refund.objects.get(pk=outcome.refund.pk).status == RefundStatus.SUCCEEDED
    sent = [r for r in fake.requests if r.operation == "StoredeskRefundCreate"][-1].variables
    assert sent["input"]["refundLineItems"] == [{
        "lineItemId": f"gid://shopify/LineItem/{line.external_id}", "quantity": 1,
        "restockType": "RETURN"}]
    # reading the order back (its currentQuantity is 0 now) keeps the line as ordered
    Store.objects.filter(pk=store.pk).update(sync_watermark=None)
    actions.reconcile_store(Store.objects.get(pk=store.pk))
    line.refresh_from_db()
    assert (line.quantity, line.refunded_quantity) == (1, 1)


def test_a_refund_shopify_refuses_is_marked_failed_with_its_reason(
    personas, store, fake, on_commit
):
    order = _synced(store, fake)
    # nothing was captured on Shopify: nothing to refund against
    with fake._lock:
        fake._state.orders[SAMPLE_ID]["transactions"] = []
    with on_commit(execute=True):
        outcome = actions.request_refund(
            order, Actor.agent(personas.olivia),
            actions.RefundAsk(idempotency_key="refund-x", amount=Decimal("5.00")))
    refund = Refund.objects.get(pk=outcome.refund.pk)
    assert refund.status == RefundStatus.FAILED
    assert "no successful payment" in refund.error


def test_cancel_reaches_shopify_and_a_second_push_is_harmless(personas, store, fake, on_commit):
    order = _synced(store, fake, fulfillment_status=None, fulfillments=[],
                    financial_status="pending")
    with on_commit(execute=True):
        actions.cancel_order(order, Actor.agent(personas.olivia), reason="Changed mind")
    node = fake.order(SAMPLE_ID)
    assert node["cancelledAt"] and node["cancelReason"] == "CUSTOMER"
    sent = [r for r in fake.requests if r.operation == "StoredeskOrderCancel"][-1].variables
    assert sent["restock"] is True and sent["staffNote"] == "Changed mind"
    platform_for(store).push_cancel(order, "again")  # already cancelled there: no error
    assert len([r for r in fake.requests if r.operation == "StoredeskOrderCancel"]) == 1


def test_an_address_edit_reaches_shopify_as_a_mailing_address(personas, store, fake, on_commit):
    order = _synced(store, fake, fulfillment_status=None, fulfillments=[])
    with on_commit(execute=True):
        actions.edit_shipping_address(order, Actor.agent(personas.olivia), {
            "name": "Steve Shipper", "address1": "1 New Street", "city": "Louisville",
            "zip": "40202", "province": "KY", "country": "US"})
    address = fake.order(SAMPLE_ID)["shippingAddress"]
    assert (address["address1"], address["countryCodeV2"], address["firstName"]) == (
        "1 New Street", "US", "Steve")


def test_a_country_shopify_cannot_take_is_refused_and_audited(personas, store, fake, on_commit):
    order = _synced(store, fake, fulfillment_status=None, fulfillments=[])
    with on_commit(execute=True):
        actions.edit_shipping_address(order, Actor.agent(personas.olivia), {
            "address1": "1 New Street", "city": "Louisville", "country": "United States"})
    failed = AuditLog.objects.filter(action="commerce.push_failed").latest("pk")
    assert "two-letter" in str(failed.__dict__)


def test_a_return_reaches_shopify_with_the_fulfillment_line_items(personas, store, fake, on_commit):
    order = _synced(store, fake)
    line = order.lines.get(sku="IPOD2008RED")
    with on_commit(execute=True):
        created = actions.start_return(order, Actor.agent(personas.olivia),
                                       [actions.ReturnItem(line.pk, 1, "unopened")],
                                       reason="Too small")
    returned = fake.order(SAMPLE_ID)["returns"]
    assert len(returned) == 1
    assert returned[0]["lines"][0]["fulfillmentLineItemId"] == (
        f"gid://shopify/FulfillmentLineItem/{line.external_id}1")
    assert Return.objects.get(pk=created.pk).external_id == returned[0]["id"].rsplit("/", 1)[-1]


def test_throttled_and_429_answers_are_waited_out_and_retried(store, fake, waits):
    fake.throttle(1)
    assert platform_for(store).test_connection() == "Harbor & Vine"
    assert waits and waits[0] > 0  # the wait asked for by extensions.cost
    fake.answer_status(429, 429)
    assert platform_for(store).test_connection() == "Harbor & Vine"
    assert len(waits) >= 3


def test_a_shop_that_keeps_throttling_is_a_temporary_failure(store, fake, waits):
    fake.answer_status(*[429] * 10)
    with pytest.raises(PlatformError) as failed:
        platform_for(store).test_connection()
    assert not failed.value.permanent


def test_products_and_customers_are_read(store, fake):
    fake.add_order(sample_order())
    platform = platform_for(store)
    products = list(platform.products())
    assert products[0].variants[0].sku == "IPOD2008RED"
    customers = list(platform.customers())
    assert customers[0].email == "john@example.com"


def test_a_store_without_a_token_says_so(personas):
    store = Store.objects.create(account=personas.harbor, slug="bare", name="Bare",
                                 platform=Platform.SHOPIFY,
                                 config={"shop_domain": "bare.myshopify.com"})
    with pytest.raises(PlatformError) as refused:
        platform_for(store).test_connection()
    assert "access token" in str(refused.value)


def test_reseal_after_a_key_rotation_keeps_the_token_readable(store, settings):
    from cryptography.fernet import Fernet
    from django.core.management import call_command

    old = store.config["access_token"]
    plain = Store.objects.create(account=store.account, slug="legacy", name="Legacy",
                                 platform=Platform.SHOPIFY,
                                 config={"webhook_secret": "plain-before-sealing"})
    settings.ENCRYPTION_KEYS = [Fernet.generate_key().decode()]  # the new key seals first
    call_command("reseal_store_credentials")
    store.refresh_from_db()
    plain.refresh_from_db()
    assert store.config["access_token"] != old
    assert credentials.credential(store.config, "access_token") == TOKEN
    assert credentials.is_sealed(plain.config["webhook_secret"])
    settings.ENCRYPTION_KEYS = [settings.ENCRYPTION_KEYS[0]]
    settings.SECRET_KEY_FALLBACKS = []
    settings.SECRET_KEY = "a-new-secret-key-the-old-seal-cannot-use"
    assert credentials.credential(store.config, "access_token") == TOKEN  # opens with new key


def test_the_periodic_task_reconciles_connected_stores_only(personas, store, fake):
    from storedesk.commerce import tasks

    fake.add_order(sample_order())
    Store.objects.create(account=personas.harbor, slug="hooks-only", name="Hooks only",
                         platform=Platform.SHOPIFY, config={"webhook_secret": "shpss_y"})
    queued = tasks.reconcile_stores.call_local()
    assert queued == 1  # the harbor custom store and the webhook-only one are not queued
    assert Order.objects.filter(store=store, external_id=SAMPLE_ID).exists()
    store.refresh_from_db()
    assert store.last_synced_at is not None and store.sync_error == ""


def _ipods(store: Store, fake: FakeShopify) -> None:
    """The sample order's product with a third colour, on both sides."""
    variants = [("808950810", "IPOD2008RED", "Red"), ("457924702", "IPOD2008BLACK", "Black"),
                ("457924703", "IPOD2008BLUE", "Blue")]
    fake.add_product("632910392", "IPod Nano - 8GB", "Cult Products", [
        {"id": int(vid), "sku": sku, "title": title, "price": "199.00", "inventory": 10,
         "inventory_item_id": int(vid)} for vid, sku, title in variants],
        "2026-11-20T10:00:00-05:00")
    actions.upsert_product(store, ProductData(
        external_id="632910392", title="IPod Nano - 8GB", variants=tuple(
            VariantData(sku=sku, price=Decimal("199.00"), title=title, inventory=10)
            for _vid, sku, title in variants)))


def test_an_item_edit_reaches_shopify_through_the_order_editing_flow(
    personas, store, fake, on_commit
):
    _ipods(store, fake)
    order = _synced(store, fake, fulfillment_status=None, fulfillments=[])
    red, black = order.lines.get(sku="IPOD2008RED"), order.lines.get(sku="IPOD2008BLACK")
    blue = Variant.objects.get(store=store, sku="IPOD2008BLUE")
    with on_commit(execute=True):
        outcome = actions.edit_order_lines(
            order, Actor.agent(personas.olivia),
            [LineChange(red.pk, 1, blue.pk), LineChange(black.pk, 0)], idempotency_key="e1")
    operations = [r.operation for r in fake.requests if r.operation.startswith("StoredeskOrderEdit")
                  or r.operation == "StoredeskVariantBySku"]
    # the new variant's id comes from the catalog sync (no lookup by SKU needed)
    assert blue.external_id == "457924703"
    assert operations == ["StoredeskOrderEditBegin", "StoredeskOrderEditSetQuantity",
                          "StoredeskOrderEditAddVariant",
                          "StoredeskOrderEditSetQuantity", "StoredeskOrderEditCommit"]
    lines = {li["sku"]: li["currentQuantity"] for li in fake.order(SAMPLE_ID)["lineItems"]["nodes"]}
    assert lines == {"IPOD2008RED": 0, "IPOD2008BLACK": 0, "IPOD2008BLUE": 1}
    (edit,) = fake.edits()
    assert edit["committed"] and edit["notify"] is False and "[storedesk:e1]" in edit["staff_note"]
    assert OrderEdit.objects.get(pk=outcome.edit.pk).push_status == "pushed"
    # the 199.00 less is refunded through refundCreate, once
    assert Refund.objects.get(order=order).status == RefundStatus.SUCCEEDED
    # the order read back from Shopify (as its orders/updated webhook or the reconciliation
    # does) keeps the edit: removed lines (currentQuantity 0) stay removed
    actions.reconcile_store(Store.objects.get(pk=store.pk))
    assert list(order.lines.values_list("sku", "quantity")) == [("IPOD2008BLUE", 1)]
    # a retried push finds the order already edited and commits nothing
    OrderEdit.objects.filter(pk=outcome.edit.pk).update(push_status="pending")
    platform_for(store).push_line_edits(OrderEdit.objects.get(pk=outcome.edit.pk))
    assert len([e for e in fake.edits() if e["committed"]]) == 1
    # a variant the sync has no id for is found by its SKU
    assert platform_for(store)._variant_gid("IPOD2008BLUE") == (
        "gid://shopify/ProductVariant/457924703")


def test_an_edit_shopify_refuses_is_marked_failed_and_audited(personas, store, fake, on_commit):
    _ipods(store, fake)
    order = _synced(store, fake, fulfillment_status=None, fulfillments=[])
    fake.add_order(sample_order(fulfillment_status="fulfilled"))  # shipped on Shopify meanwhile
    red = order.lines.get(sku="IPOD2008RED")
    with on_commit(execute=True):
        outcome = actions.edit_order_lines(
            order, Actor.agent(personas.olivia),
            [LineChange(red.pk, 1, Variant.objects.get(store=store, sku="IPOD2008BLUE").pk)],
            idempotency_key="e2")
    edit = OrderEdit.objects.get(pk=outcome.edit.pk)
    assert edit.push_status == "failed" and "cannot be edited" in edit.push_error
    failed = AuditLog.objects.filter(action="commerce.push_failed").latest("pk")
    assert "line edits" in str(failed.__dict__)
