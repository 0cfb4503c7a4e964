"""Privacy requests from a store platform (Shopify's mandatory webhooks): a shopper's data
request, a shopper's erasure, and the erasure of a whole shop's data after it uninstalled."""

from __future__ import annotations

from django.db import transaction
from django.db.models import Q

from storedesk.accounts.actions import audit
from storedesk.commerce.models import Customer, Order, Product, Store


def _customers(store: Store, customer_id: str, email: str) -> Q:
    match = Q(pk__in=[])
    if customer_id:
        match |= Q(external_id=customer_id)
    if email:
        match |= Q(email__iexact=email)
    return match


@transaction.atomic
def customer_data_request(
    store: Store, customer: tuple[str, str], order_ids: list[str]
) -> str:
    """Record the request in the audit log with what we hold, for the store's admins to answer."""
    customers = Customer.objects.filter(_customers(store, *customer), store=store)
    orders = Order.objects.filter(Q(customer__in=customers) | Q(external_id__in=order_ids),
                                  store=store)
    held = {"customers": customers.count(), "orders": orders.count()}
    audit("commerce.data_requested", account=store.account_id, obj=store,
          customer_id=customer[0], orders=sorted(orders.values_list("number", flat=True)),
          customers_held=held["customers"], orders_held=held["orders"])
    return f"data request recorded ({held['customers']} customers, {held['orders']} orders)"


@transaction.atomic
def redact_customer(store: Store, customer: tuple[str, str], order_ids: list[str]) -> str:
    """Erase the shopper's personal data from this store's rows (orders stay, anonymised)."""
    customers = Customer.objects.filter(_customers(store, *customer), store=store)
    orders = Order.objects.filter(Q(customer__in=customers) | Q(external_id__in=order_ids),
                                  store=store)
    n_orders = orders.update(shipping_address={}, notes="")
    n_customers = customers.update(email="", name="", phone="", contact=None,
                                   external_id=f"redacted-{store.pk}-" + customer[0][:60])
    audit("commerce.customer_redacted", account=store.account_id, obj=store,
          customers=n_customers, orders=n_orders)
    return f"redacted {n_customers} customers and {n_orders} orders"


@transaction.atomic
def redact_store(store: Store) -> str:
    """Delete every order, customer and product this store synced (the shop is gone), and its
    API credentials: nothing is read from or pushed to the shop any more."""
    orders = Order.objects.filter(store=store).delete()[0]
    Customer.objects.filter(store=store).delete()
    Product.objects.filter(store=store).delete()
    config = {k: v for k, v in (store.config or {}).items()
              if k not in ("access_token", "consumer_secret")}
    Store.objects.filter(pk=store.pk).update(config=config, sync_watermark=None)
    audit("commerce.store_redacted", account=store.account_id, obj=store, rows=orders)
    return "store data erased"
