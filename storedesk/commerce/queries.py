"""Reads for stores, scoped to the actor's account."""

from __future__ import annotations

from django.db.models import QuerySet

from storedesk.accounts.models import Membership
from storedesk.commerce.models import Store
from storedesk.core.lookup import get_or_404


def visible_stores(membership: Membership) -> QuerySet[Store]:
    return Store.objects.filter(account_id=membership.account_id)


def get_store(membership: Membership, store_id: int) -> Store:
    return get_or_404(visible_stores(membership), "Store", pk=store_id)
