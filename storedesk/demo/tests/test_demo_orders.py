"""The demo's commerce story: an agent opens Maya's conversation, sees her orders with tracking,
starts a return within policy, refunds part of an order within her limit, and sees an over-limit
refund go to approval; the same through the API."""

from __future__ import annotations

import json
import re
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation
from django.utils.html import escape

from storedesk.accounts.actions import create_api_token
from storedesk.commerce.models import ApprovalRequest, Order, Return
from storedesk.demo.loader import load_demo
from storedesk.inbox.models import Conversation

pytestmark = pytest.mark.django_db


def said(member, message: str, **values: str) -> str:
    """`message` as the panel shows it to this agent: in their language, HTML-escaped."""
    with translation.override(member.agent.language or "en"):
        return escape(translation.gettext(message) % values)


def test_an_agent_works_mayas_orders_in_the_demo() -> None:
    demo = load_demo()
    kasia = demo.members["kasia"]  # an agent: refunds up to 50 EUR without approval
    maya = Conversation.objects.get(account=demo.account, contact__email="maya.chen@example.net")
    client = Client()
    client.force_login(kasia.agent)

    # when Kasia opens Maya's conversation
    html = client.get(reverse("inbox:conversation", args=[maya.display_id])).content.decode()
    # then both orders show, the one on its way with its DPD tracking link
    assert 'data-order="LL-10421"' in html and 'data-order="LL-10236"' in html
    assert re.search(r'href="https://tracking\.example\.com/dpd/\d+"', html)

    delivered = Order.objects.get(store=demo.store, number="LL-10236")
    towels = delivered.lines.get(sku="LL-TWL-WAF")
    base = f"/commerce/conversations/{maya.display_id}/orders/{delivered.pk}"
    # when she starts a return of the towels (delivered 14 days ago: within 30 days)
    returned = client.post(base + "/return/", {f"qty_{towels.pk}": "1", "reason": "Too rough"})
    rma = Return.objects.get(order=delivered).rma_number
    assert said(kasia, "Return %(rma)s authorised.", rma=rma) in returned.content.decode()
    # and refunds one pillowcase pair (34.00, within her 50)
    panel = returned.content.decode()
    key = re.search(r'name="idempotency_key" value="([^"]+-refund)"', panel)
    refund = client.post(base + "/refund/", {"idempotency_key": key.group(1), "amount": "34.00"})
    assert said(kasia, "Refunded %(amount)s %(currency)s on order #%(number)s.",
                amount="34.00", currency="EUR", number="LL-10236") in refund.content.decode()
    # and asks for 60.00 more: above her limit, it goes to approval
    over = client.post(base + "/refund/", {"idempotency_key": "kasia-over", "amount": "60.00"})
    assert said(kasia, "%(amount)s %(currency)s is above your refund limit: an admin was asked "
                "to approve it.", amount="60.00", currency="EUR") in over.content.decode()
    assert ApprovalRequest.objects.get(order=delivered).status == "pending"

    # and the same works through the API with her token
    api = Client(headers={"Authorization": f"Bearer {create_api_token(kasia)[1]}"})
    orders = api.get(f"/api/v1/contacts/{maya.contact_id}/orders").json()
    assert {o["number"] for o in orders["orders"]} == {"LL-10421", "LL-10236"}
    assert orders["open_returns"][0]["rma_number"].startswith("RMA-")
    small = api.post(f"/api/v1/orders/{delivered.pk}/refunds", json.dumps(
        {"idempotency_key": "api-small", "amount": "5.00"}), content_type="application/json")
    big = api.post(f"/api/v1/orders/{delivered.pk}/refunds", json.dumps(
        {"idempotency_key": "api-big", "amount": "55.00"}), content_type="application/json")
    assert (small.status_code, big.status_code) == (201, 202)
    delivered.refresh_from_db()
    assert delivered.refunded_total == Decimal("39.00")
