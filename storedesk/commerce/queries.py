"""Reads for commerce, every one scoped to the actor's account (another account's row → 404)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import TYPE_CHECKING

from django.db.models import Prefetch, Q, QuerySet, Sum

from storedesk.accounts.models import Membership
from storedesk.commerce.models import (
    OPEN_RETURN_STATUSES,
    ApprovalRequest,
    ApprovalStatus,
    Customer,
    Order,
    OrderEdit,
    OrderStatus,
    Refund,
    RefundStatus,
    Return,
    Shipment,
    Store,
    Variant,
)
from storedesk.core.lookup import get_or_404

if TYPE_CHECKING:
    from storedesk.contacts.models import Contact
    from storedesk.inbox.models import Conversation


def visible_stores(membership: Membership) -> QuerySet[Store]:
    return Store.objects.filter(account_id=membership.account_id)


def get_store(membership: Membership, store_id: int) -> Store:
    return get_or_404(visible_stores(membership), "Store", pk=store_id)


def visible_orders(membership: Membership) -> QuerySet[Order]:
    return Order.objects.filter(account_id=membership.account_id)


def get_order(membership: Membership, order_id: int) -> Order:
    return get_or_404(visible_orders(membership).select_related("store"), "Order", pk=order_id)


def get_approval(membership: Membership, approval_id: int) -> ApprovalRequest:
    approvals = ApprovalRequest.objects.filter(account_id=membership.account_id)
    return get_or_404(approvals.select_related("order", "store", "requested_by"),
                      "Approval request", pk=approval_id)


def pending_approvals(account_id: int) -> QuerySet[ApprovalRequest]:
    return (
        ApprovalRequest.objects.filter(account_id=account_id, status=ApprovalStatus.PENDING)
        .select_related("order", "requested_by")
        .order_by("created_at", "id")
    )


def customers_of_contact(contact: Contact) -> QuerySet[Customer]:
    """The store customers who are this contact: linked, or sharing its email or phone.

    Matching by email/phone too means a contact who wrote in before the store synced its
    customers still sees their orders; several stores of one account may each have one.
    """
    match = Q(contact_id=contact.pk)
    if contact.email:
        match |= Q(email__iexact=contact.email)
    if contact.phone:
        match |= Q(phone=contact.phone)
    return Customer.objects.filter(match, account_id=contact.account_id)


def orders_of_verified_customer(account_id: int, store_id: int | None, *, external_id: str = "",
                                email: str = "", limit: int = 5) -> list[Order]:
    """A shopper's latest orders by an identity the store vouched for (the chat widget's
    HMAC-verified customer): the store's own customer id, or the customer's email."""
    if external_id and store_id is not None:
        match = Q(store_id=store_id, customer__external_id=external_id)
    elif email:
        match = Q(customer__email__iexact=email)
    else:
        return []
    return list(Order.objects.filter(match, account_id=account_id).order_by("-placed_at")[:limit])


def orders_of_contact(contact: Contact, *, limit: int | None = None) -> QuerySet[Order]:
    qs = (
        Order.objects.filter(
            account_id=contact.account_id,
            customer__in=customers_of_contact(contact).values("pk"),
        )
        .select_related("store")
        .prefetch_related(
            "lines", "shipments",
            Prefetch("returns", queryset=Return.objects.order_by("-created_at")),
            Prefetch("refunds", queryset=Refund.objects.order_by("-created_at")),
            Prefetch(
                "approvals",
                queryset=ApprovalRequest.objects.filter(status=ApprovalStatus.PENDING),
                to_attr="pending_approvals",
            ),
        )
        .order_by("-placed_at", "-id")
    )
    return qs[:limit] if limit else qs


@dataclass
class Customer360:
    orders: list[Order]
    order_count: int
    lifetime_value: dict[str, Decimal]  # per currency: totals less refunds
    first_order_at: datetime | None
    last_order_at: datetime | None
    open_returns: list[Return] = field(default_factory=list)
    refunds: list[Refund] = field(default_factory=list)


def latest_order_of_contact(contact: Contact) -> Order | None:
    """The shopper's most recent order (one query, nothing prefetched): what rules test."""
    return (Order.objects.filter(account_id=contact.account_id,
                                 customer__in=customers_of_contact(contact).values("pk"))
            .order_by("-placed_at", "-id").first())


def customer_360(contact: Contact, *, limit: int = 20) -> Customer360:
    """Everything the sidebar and `GET /contacts/{id}/orders` show about a shopper's orders."""
    all_orders = Order.objects.filter(
        account_id=contact.account_id,
        customer__in=customers_of_contact(contact).values("pk"),
    )
    orders = list(orders_of_contact(contact, limit=limit))
    ltv: dict[str, Decimal] = {}
    for row in (
        all_orders.exclude(status=OrderStatus.CANCELLED)
        .values("currency")
        .annotate(total=Sum("total"), refunded=Sum("refunded_total"))
    ):
        value = (row["total"] or Decimal(0)) - (row["refunded"] or Decimal(0))
        ltv[row["currency"]] = Decimal(value).quantize(Decimal("0.01"))
    bounds = all_orders.order_by("placed_at").values_list("placed_at", flat=True)
    first = bounds.first()
    last = all_orders.order_by("-placed_at").values_list("placed_at", flat=True).first()
    open_returns = list(
        Return.objects.filter(order__in=all_orders, status__in=OPEN_RETURN_STATUSES)
        .select_related("order").order_by("-created_at")
    )
    refunds = list(
        Refund.objects.filter(order__in=all_orders).select_related("order")
        .order_by("-created_at")[:20]
    )
    return Customer360(
        orders=orders, order_count=all_orders.count(), lifetime_value=ltv,
        first_order_at=first, last_order_at=last, open_returns=open_returns, refunds=refunds,
    )


def most_relevant_order(conversation: Conversation) -> Order | None:
    """The order a conversation is most likely about: its contact's newest not-cancelled order
    (an order number mentioned in the conversation's subject wins)."""
    orders = Order.objects.filter(
        account_id=conversation.account_id,
        customer__in=customers_of_contact(conversation.contact).values("pk"),
    ).order_by("-placed_at", "-id")
    subject = (conversation.subject or "").replace("#", " ")
    for order in orders[:20]:
        if order.number and f" {order.number}" in f" {subject}":
            return order
    return orders.exclude(status=OrderStatus.CANCELLED).first() or orders.first()


def latest_tracked_shipment(order: Order) -> Shipment | None:
    return order.shipments.exclude(tracking_url="").order_by("-id").first()


def succeeded_or_pending_refunds(order: Order) -> Decimal:
    total = order.refunds.exclude(status=RefundStatus.FAILED).aggregate(s=Sum("amount"))["s"]
    return total or Decimal(0)


def sibling_variants(order: Order) -> dict[int, list[Variant]]:
    """For each variant on the order's lines, every variant of its product in the order's
    store (what a line may be swapped for), by variant id."""
    ids = [line.variant_id for line in order.lines.all() if line.variant_id]
    products = dict(Variant.objects.filter(account_id=order.account_id, pk__in=ids)
                    .values_list("pk", "product_id"))
    by_product: dict[int, list[Variant]] = {}
    for variant in Variant.objects.filter(
        account_id=order.account_id, store_id=order.store_id,
        product_id__in=set(products.values()),
    ).order_by("pk"):
        by_product.setdefault(variant.product_id, []).append(variant)
    return {vid: by_product.get(pid, []) for vid, pid in products.items()}


def failed_edits(orders: list[Order]) -> dict[int, list[OrderEdit]]:
    """Item edits the platform refused, by order id (the panel says so)."""
    edits: dict[int, list[OrderEdit]] = {}
    for edit in OrderEdit.objects.filter(order__in=[o.pk for o in orders],
                                         push_status="failed").order_by("-pk"):
        edits.setdefault(edit.order_id, []).append(edit)
    return edits
