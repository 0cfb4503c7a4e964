"""Refunds asked at the same moment, through a real HTTP server and real threads: the same
refund happens once, and racing different refunds never refund more than the order is worth."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal

import httpx
import pytest

from storedesk.commerce.models import ApprovalRequest, Order, Refund
from storedesk.testing.shop import seed_order

THREADS = 8


def _post_all(url: str, token: str, bodies: list[dict]) -> list[httpx.Response]:
    start = threading.Barrier(len(bodies))

    def post(body: dict) -> httpx.Response:
        with httpx.Client(headers={"Authorization": f"Bearer {token}"}, timeout=120) as client:
            start.wait()
            return client.post(url, json=body)

    with ThreadPoolExecutor(len(bodies)) as pool:
        return list(pool.map(post, bodies))


@pytest.mark.django_db(transaction=True)
def test_a_double_clicked_refund_sent_eight_times_at_once_refunds_once(
    personas, api_token, live_server
):
    # given an order of 118.00 and an agent whose browser retries one refund eight times
    order = seed_order(personas.harbor_store, number="5001", email="race@example.com")
    url = f"{live_server.url}/api/v1/orders/{order.pk}/refunds"
    body = {"idempotency_key": "click-1", "amount": "25.00"}
    # when all eight arrive together
    responses = _post_all(url, api_token(personas.ahmet), [body] * THREADS)
    # then one refunded, the others replayed that same refund
    codes = sorted(r.status_code for r in responses)
    assert codes == [200] * (THREADS - 1) + [201], [r.content for r in responses]
    assert len({r.json()["refund"]["id"] for r in responses}) == 1
    assert Refund.objects.filter(order=order).count() == 1
    assert Order.objects.get(pk=order.pk).refunded_total == Decimal("25.00")


@pytest.mark.django_db(transaction=True)
def test_eight_different_refunds_racing_never_exceed_the_order_total(
    personas, api_token, live_server
):
    # given an order of 118.00 and the owner firing eight different 20.00 refunds at once
    order = seed_order(personas.harbor_store, number="5002", email="race2@example.com")
    url = f"{live_server.url}/api/v1/orders/{order.pk}/refunds"
    bodies = [{"idempotency_key": f"r-{i}", "amount": "20.00"} for i in range(THREADS)]
    # when they race
    responses = _post_all(url, api_token(personas.olivia), bodies)
    # then exactly five fit (100.00), the other three are refused with a clear reason
    codes = sorted(r.status_code for r in responses)
    assert codes == [201] * 5 + [400] * 3, [r.content for r in responses]
    order.refresh_from_db()
    assert order.refunded_total == Decimal("100.00")
    assert sum(r.amount for r in Refund.objects.filter(order=order)) == Decimal("100.00")


@pytest.mark.django_db(transaction=True)
def test_an_over_limit_refund_sent_eight_times_files_one_approval(
    personas, api_token, live_server
):
    order = seed_order(personas.harbor_store, number="5003", email="race3@example.com")
    url = f"{live_server.url}/api/v1/orders/{order.pk}/refunds"
    body = {"idempotency_key": "big-1", "amount": "90.00"}
    responses = _post_all(url, api_token(personas.ahmet), [body] * THREADS)
    codes = sorted(r.status_code for r in responses)
    assert codes == [200] * (THREADS - 1) + [202], [r.content for r in responses]
    assert ApprovalRequest.objects.filter(order=order).count() == 1
    assert not Refund.objects.filter(order=order).exists()
