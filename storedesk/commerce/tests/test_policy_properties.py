"""Property tests: whatever the amounts, orders, roles, limits and order of requests, no refund
exceeds what is refundable or the refunding role's limit, and returns follow the policy."""

from __future__ import annotations

import itertools
from decimal import Decimal

import pytest
from django.db.models import Sum
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from storedesk.accounts.actions import add_member
from storedesk.accounts.actor import Actor
from storedesk.accounts.models import Role
from storedesk.commerce.actions import (
    RefundAsk,
    ReturnItem,
    decide_approval,
    request_refund,
    set_policy,
    start_return,
)
from storedesk.commerce.models import ApprovalStatus, Order, OrderLine, Refund
from storedesk.core.errors import ActionError
from storedesk.testing.personas import PASSWORD
from storedesk.testing.shop import seed_catalog, seed_order

money = st.decimals(min_value=Decimal("0.01"), max_value=Decimal("400"), places=2)
limit = st.one_of(st.none(), st.decimals(min_value=Decimal("0"), max_value=Decimal("200"),
                                         places=2))
ROLES = ("owner", "admin", "agent", "light_agent")
counter = itertools.count()

line_spec = st.tuples(
    st.sampled_from(["LIN-DUV-Q", "MUG-STN", "CND-BEE"]),
    st.integers(min_value=1, max_value=3),
    st.decimals(min_value=Decimal("0.01"), max_value=Decimal("150"), places=2),
)
ask_spec = st.tuples(
    st.sampled_from(ROLES),
    st.one_of(st.none(), money),
    st.lists(st.tuples(st.integers(0, 2), st.integers(1, 4)), max_size=2),  # (line index, qty)
    st.booleans(),  # restock
    st.integers(0, 5),  # idempotency key: small range so keys repeat
    st.booleans(),  # an admin decides a pending approval afterwards
)


@pytest.fixture
def seats(personas):
    admin = add_member(personas.harbor, "ada@harbor.test", role=Role.ADMIN, name="Ada Admin",
                       password=PASSWORD)
    seed_catalog(personas.harbor_store)
    return {"owner": personas.olivia, "admin": admin, "agent": personas.ahmet,
            "light_agent": personas.lina}


@settings(max_examples=60, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(
    limits=st.fixed_dictionaries({role: limit for role in ROLES}),
    lines=st.lists(line_spec, min_size=1, max_size=3, unique_by=lambda spec: spec[0]),
    shipping=st.decimals(min_value=Decimal("0"), max_value=Decimal("20"), places=2),
    asks=st.lists(ask_spec, min_size=1, max_size=6),
)
def test_no_refund_exceeds_the_refundable_amount_or_the_role_limit(
    personas, seats, limits, lines, shipping, asks
):
    store = personas.harbor_store
    set_policy(store, refund_limits={k: (str(v) if v is not None else None)
                                     for k, v in limits.items()})
    store.refresh_from_db()
    run = next(counter)
    order = seed_order(store, number=f"P{run}", email=f"p{run}@example.com",
                       lines=[(sku, sku, qty, str(price)) for sku, qty, price in lines],
                       shipping_total=shipping)
    line_ids = list(order.lines.values_list("pk", flat=True))
    for role, amount, picks, restock, key, decide in asks:
        actor = Actor.agent(seats[role])
        chosen = tuple((line_ids[i % len(line_ids)], qty) for i, qty in picks)
        before = Refund.objects.filter(order=order).count()
        try:
            outcome = request_refund(order, actor, RefundAsk(
                idempotency_key=f"{run}-{key}", amount=amount, lines=chosen, restock=restock))
        except ActionError:
            outcome = None
        role_limit = store.refund_limit_for(role)
        if outcome is not None and not outcome.replayed:
            if outcome.refund is not None:
                # refunded directly: within this role's limit
                assert role_limit is None or outcome.refund.amount <= role_limit
            else:
                # sent to approval: nothing refunded, and it really was above the limit
                assert Refund.objects.filter(order=order).count() == before
                assert role_limit is not None and outcome.approval.amount > role_limit
                if decide:
                    approver = seats["admin"]
                    try:
                        decided = decide_approval(outcome.approval, Actor.agent(approver),
                                                  approve=True)
                    except ActionError:
                        decided = None
                    admin_limit = store.refund_limit_for("admin")
                    if decided is not None and decided.status == ApprovalStatus.APPROVED:
                        assert admin_limit is None or decided.refund.amount <= admin_limit
        _check_invariants(order)


def _check_invariants(order: Order) -> None:
    order.refresh_from_db()
    refunded = Refund.objects.filter(order=order).aggregate(s=Sum("amount"))["s"] or Decimal(0)
    assert refunded == order.refunded_total
    assert order.refunded_total <= order.total
    for line in OrderLine.objects.filter(order=order):
        assert line.refunded_quantity <= line.quantity


@settings(max_examples=40, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(
    window=st.integers(min_value=0, max_value=365),
    days_since_delivery=st.integers(min_value=0, max_value=400),
    blocked=st.lists(st.sampled_from(["bedding", "kitchen", "candles"]), max_size=2),
    quantity=st.integers(min_value=1, max_value=4),
)
def test_a_return_is_authorised_exactly_when_the_policy_allows_it(
    personas, seats, window, days_since_delivery, blocked, quantity
):
    store = personas.harbor_store
    set_policy(store, return_window_days=window, non_returnable_categories=blocked)
    run = next(counter)
    order = seed_order(store, number=f"R{run}", email=f"r{run}@example.com",
                       lines=[("MUG-STN", "Stoneware mug", 2, "14.50")],
                       placed_days_ago=days_since_delivery + 3,
                       delivered_days_ago=days_since_delivery)
    line = order.lines.get()
    allowed = days_since_delivery <= window and "kitchen" not in blocked and quantity <= 2
    try:
        start_return(order, Actor.agent(seats["agent"]),
                     [ReturnItem(line.pk, quantity)], reason="property")
        authorised = True
    except ActionError:
        authorised = False
    assert authorised == allowed
    line.refresh_from_db()
    assert line.returned_quantity == (quantity if allowed else 0)


def test_the_return_window_cannot_exceed_365_days(personas):
    with pytest.raises(ActionError):
        set_policy(personas.harbor_store, return_window_days=366)
    personas.harbor_store.refresh_from_db()
    assert personas.harbor_store.return_window_days == 30
