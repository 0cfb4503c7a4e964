"""Item edits on an unfulfilled order (commerce.actions.edit_order_lines) on a custom store:
variant swaps within a product, quantities, removals, the refund a lower total causes, what is
refused, and a repeated edit acting once."""

from __future__ import annotations

import json
import re
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse

from storedesk.accounts.actor import Actor
from storedesk.accounts.models import AuditLog
from storedesk.commerce import actions
from storedesk.commerce.actions import LineChange
from storedesk.commerce.models import ApprovalRequest, OrderEdit, Refund, Variant
from storedesk.core.errors import ActionError, InvalidTransition
from storedesk.events.models import Event
from storedesk.inbox.actions import InboundMessage, receive_message
from storedesk.testing.shop import seed_apparel, seed_catalog, seed_order


@pytest.fixture
def shop(personas):
    seed_catalog(personas.harbor_store)
    seed_apparel(personas.harbor_store)
    return personas.harbor_store


def _order(store, number="5001", lines=None, **extra):
    return seed_order(store, number=number, email="noor@example.com", shipped=False,
                      lines=lines or [("TEE-M", "Organic cotton tee - M", 2, "25.00"),
                                      ("MUG-STN", "Stoneware mug", 1, "14.50")], **extra)


def _variant(sku: str) -> Variant:
    return Variant.objects.get(sku=sku)


def test_a_size_swap_changes_the_line_records_an_event_and_acts_once(personas, shop):
    order = _order(shop)
    conversation = receive_message(personas.harbor_email, InboundMessage(
        sender_id="noor@example.com", email="noor@example.com", text="M is too small",
    )).conversation
    tee = order.lines.get(sku="TEE-M")
    olivia = Actor.agent(personas.olivia)
    change = [LineChange(tee.pk, 2, _variant("TEE-L").pk)]

    first = actions.edit_order_lines(order, olivia, change, idempotency_key="swap-1",
                                     conversation=conversation)
    again = actions.edit_order_lines(order, olivia, change, idempotency_key="swap-1",
                                     conversation=conversation)

    tee.refresh_from_db()
    assert (tee.sku, tee.title, tee.quantity, tee.price) == (
        "TEE-L", "Organic cotton tee - L", 2, Decimal("25.00"))
    assert not first.replayed and again.replayed and again.edit.pk == first.edit.pk
    assert OrderEdit.objects.filter(order=order).count() == 1
    event = Event.objects.get(conversation=conversation, kind="order.lines_edited")
    assert event.data["changes"][0]["new_sku"] == "TEE-L"
    assert event.data["difference"] == "0.00"
    assert AuditLog.objects.filter(action="order.lines_edited").count() == 1
    assert not Refund.objects.filter(order=order).exists()


def test_a_cheaper_total_on_a_paid_order_is_refunded_within_the_limit(personas, shop):
    order = _order(shop, lines=[("TOTE-SAND", "Canvas tote - Sand", 1, "18.00"),
                                ("TEE-M", "Organic cotton tee - M", 3, "25.00")])
    tote, tee = order.lines.get(sku="TOTE-SAND"), order.lines.get(sku="TEE-M")
    total = order.total
    outcome = actions.edit_order_lines(
        order, Actor.agent(personas.ahmet),
        [LineChange(tote.pk, 1, _variant("TOTE-NAVY").pk), LineChange(tee.pk, 2)],
        idempotency_key="cheaper")
    order.refresh_from_db()
    assert outcome.edit.difference == Decimal("-27.00")
    refund = Refund.objects.get(order=order)
    assert refund.amount == Decimal("27.00") and refund.idempotency_key == "edit-cheaper"
    assert (order.total, order.refunded_total, order.financial_status) == (
        total, Decimal("27.00"), "partially_refunded")
    assert order.subtotal == Decimal("66.00")


def test_a_refund_above_the_agents_limit_waits_for_approval(personas, shop):
    order = _order(shop, lines=[("TEE-M", "Organic cotton tee - M", 4, "25.00"),
                                ("MUG-STN", "Stoneware mug", 1, "14.50")])
    tee = order.lines.get(sku="TEE-M")
    outcome = actions.edit_order_lines(order, Actor.agent(personas.ahmet),
                                       [LineChange(tee.pk, 0)], idempotency_key="drop-tees")
    assert outcome.edit.refund is None and outcome.edit.approval is not None
    assert ApprovalRequest.objects.get(pk=outcome.edit.approval_id).amount == Decimal("100.00")
    assert list(order.lines.values_list("sku", flat=True)) == ["MUG-STN"]


def test_an_unpaid_order_just_gets_cheaper(personas, shop):
    order = _order(shop, financial_status="pending")
    mug = order.lines.get(sku="MUG-STN")
    actions.edit_order_lines(order, Actor.agent(personas.ahmet), [LineChange(mug.pk, 0)],
                             idempotency_key="drop-mug")
    order.refresh_from_db()
    assert order.total == Decimal("50.00") and not Refund.objects.filter(order=order).exists()


@pytest.mark.parametrize(("sku", "quantity", "message"), [
    ("TEE-XL", 2, "cost 8.00 USD more"),
    ("TEE-XXL", 2, "out of stock"),
    ("MUG-STN", 2, "same product"),
    ("TEE-L", 101, "quantity must be 0"),
])
def test_what_cannot_be_done_is_refused_and_changes_nothing(personas, shop, sku, quantity,
                                                            message):
    order = _order(shop)
    tee = order.lines.get(sku="TEE-M")
    with pytest.raises(ActionError, match=message):
        actions.edit_order_lines(order, Actor.agent(personas.olivia),
                                 [LineChange(tee.pk, quantity, _variant(sku).pk)],
                                 idempotency_key="refused")
    tee.refresh_from_db()
    assert (tee.sku, tee.quantity) == ("TEE-M", 2)
    assert not OrderEdit.objects.exists()


def test_an_order_is_not_left_empty_nor_edited_once_shipped(personas, shop):
    order = _order(shop)
    everything = [LineChange(line.pk, 0) for line in order.lines.all()]
    with pytest.raises(ActionError, match="cancel it instead"):
        actions.edit_order_lines(order, Actor.agent(personas.olivia), everything,
                                 idempotency_key="empty")
    shipped = seed_order(shop, number="5002", email="noor@example.com",
                         lines=[("TEE-M", "Organic cotton tee - M", 1, "25.00")])
    with pytest.raises(InvalidTransition, match="has shipped"):
        actions.edit_order_lines(
            shipped, Actor.agent(personas.olivia),
            [LineChange(shipped.lines.get().pk, 1, _variant("TEE-L").pk)],
            idempotency_key="late")
    assert order.lines.count() == 2 and not OrderEdit.objects.exists()


def test_a_key_used_on_another_order_is_refused(personas, shop):
    first, second = _order(shop), _order(shop, number="5003")
    olivia = Actor.agent(personas.olivia)
    actions.edit_order_lines(first, olivia, [LineChange(first.lines.get(sku="TEE-M").pk, 1)],
                             idempotency_key="shared")
    with pytest.raises(ActionError, match="already used"):
        actions.edit_order_lines(second, olivia,
                                 [LineChange(second.lines.get(sku="TEE-M").pk, 1)],
                                 idempotency_key="shared")


def test_another_accounts_variant_is_not_found(personas, shop):
    from storedesk.commerce.models import Store

    other = Store.objects.create(account=personas.northwind, slug="nw", name="Northwind")
    seed_apparel(other)
    order = _order(shop)
    tee = order.lines.get(sku="TEE-M")
    foreign = Variant.objects.get(store=other, sku="TEE-L")
    with pytest.raises(ActionError, match="same product"):
        actions.edit_order_lines(order, Actor.agent(personas.olivia),
                                 [LineChange(tee.pk, 2, foreign.pk)], idempotency_key="x")


# --- through the API and the orders panel ------------------------------------------------


def _post(client, url: str, body: dict):
    return client.post(url, json.dumps(body), content_type="application/json")


def test_the_api_swaps_a_size_once_and_refuses_clearly(personas, shop, api):
    order = _order(shop)
    conversation = receive_message(personas.harbor_email, InboundMessage(
        sender_id="noor@example.com", email="noor@example.com", text="Wrong size",
    )).conversation
    tee = order.lines.get(sku="TEE-M")
    ahmet = api(personas.ahmet)
    url = f"/api/v1/orders/{order.pk}/lines"
    body = {"idempotency_key": "api-swap", "conversation_id": conversation.pk,
            "changes": [{"line_id": tee.pk, "quantity": 2, "variant_id": _variant("TEE-L").pk}]}
    created = _post(ahmet, url, body)
    assert created.status_code == 201, created.content
    assert created.json()["replayed"] is False and created.json()["difference"] == "0.00"
    assert [line["sku"] for line in created.json()["order"]["lines"]] == ["TEE-L", "MUG-STN"]
    replay = _post(ahmet, url, body)
    assert replay.status_code == 200 and replay.json()["id"] == created.json()["id"]
    assert replay.json()["replayed"] is True
    assert Event.objects.filter(conversation=conversation, kind="order.lines_edited").count() == 1

    dearer = _post(ahmet, url, {"idempotency_key": "api-dear", "changes": [
        {"line_id": tee.pk, "quantity": 2, "variant_id": _variant("TEE-XL").pk}]})
    assert dearer.status_code == 400 and "must pay the difference" in dearer.json()["detail"]
    bad = _post(ahmet, url, {"idempotency_key": "api-bad", "changes": [
        {"line_id": tee.pk, "quantity": -1}]})
    assert bad.status_code == 422
    shipped = seed_order(shop, number="5009", email="noor@example.com")
    late = _post(ahmet, f"/api/v1/orders/{shipped.pk}/lines", {
        "idempotency_key": "api-late",
        "changes": [{"line_id": shipped.lines.earliest("pk").pk, "quantity": 1}]})
    assert late.status_code == 409
    assert _post(api(personas.bruno), url, body).status_code == 404


def test_the_panel_previews_the_refund_then_saves_the_edit(personas, shop):
    order = _order(shop, lines=[("TOTE-SAND", "Canvas tote - Sand", 1, "18.00"),
                                ("TEE-M", "Organic cotton tee - M", 1, "25.00")])
    conversation = receive_message(personas.harbor_email, InboundMessage(
        sender_id="noor@example.com", email="noor@example.com", text="Navy please",
    )).conversation
    tote, tee = order.lines.get(sku="TOTE-SAND"), order.lines.get(sku="TEE-M")
    client = Client()
    client.force_login(personas.olivia.agent)
    panel = client.get(reverse("commerce:panel", args=[conversation.display_id]))
    html = panel.content.decode()
    assert 'data-action="lines"' in html and f'name="variant_{tote.pk}"' in html
    assert "(out of stock)" in html  # XXL cannot be chosen
    key = re.search(r'name="idempotency_key" value="([^"]+-lines)"', html).group(1)
    form = {"idempotency_key": key, f"qty_{tote.pk}": "1",
            f"variant_{tote.pk}": str(_variant("TOTE-NAVY").pk), f"qty_{tee.pk}": "1",
            f"variant_{tee.pk}": str(tee.variant_id)}
    args = [conversation.display_id, order.pk]
    preview = client.post(reverse("commerce:lines_preview", args=args), form,
                          headers={"HX-Request": "true"})
    assert preview.content.decode() == "Refunds 2.00 USD."
    assert not OrderEdit.objects.exists()
    saved = client.post(reverse("commerce:lines", args=args), form,
                        headers={"HX-Request": "true"})
    assert saved.status_code == 200
    assert "Items changed on order #5001. Refunded 2.00 USD." in saved.content.decode()
    again = client.post(reverse("commerce:lines", args=args), form,
                        headers={"HX-Request": "true"})
    assert again.status_code == 200 and Refund.objects.filter(order=order).count() == 1
    tote.refresh_from_db()
    assert tote.sku == "TOTE-NAVY"


def test_the_timeline_tells_the_edit_and_the_panel_a_refused_push(personas, shop):
    order = _order(shop)
    conversation = receive_message(personas.harbor_email, InboundMessage(
        sender_id="noor@example.com", email="noor@example.com", text="L please",
    )).conversation
    tee, mug = order.lines.get(sku="TEE-M"), order.lines.get(sku="MUG-STN")
    outcome = actions.edit_order_lines(
        order, Actor.agent(personas.olivia),
        [LineChange(tee.pk, 2, _variant("TEE-L").pk), LineChange(mug.pk, 0)],
        idempotency_key="timeline", conversation=conversation)
    client = Client()
    client.force_login(personas.olivia.agent)
    page = client.get(f"/conversations/{conversation.display_id}/").content.decode()
    assert ("changed the items of order #5001: 2 × Organic cotton tee - M → 2 × Organic cotton "
            "tee - L; removed Stoneware mug") in page.replace("&gt;", ">")
    # a platform that refused the edit after it was saved: the orders panel says so
    OrderEdit.objects.filter(pk=outcome.edit.pk).update(
        push_status="failed", push_error="The order cannot be edited.")
    panel = client.get(reverse("commerce:panel", args=[conversation.display_id]))
    assert "refused the change: The order cannot be edited." in panel.content.decode()
