"""REST API v1: the account's stores."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import Router

from storedesk.accounts.models import Membership
from storedesk.commerce.models import Store
from storedesk.commerce.schemas import StoreOut
from storedesk.core.errors import NotFound

router = Router(tags=["commerce"])


def _stores(member: Membership) -> QuerySet[Store]:
    # Access helper (to move into storedesk/commerce/queries.py when that module exists).
    return Store.objects.filter(account_id=member.account_id)


@router.get("/stores", response=list[StoreOut], url_name="stores")
def list_stores(request: HttpRequest) -> Any:
    return list(_stores(request.auth).order_by("name", "id"))  # type: ignore[attr-defined]


@router.get("/stores/{store_id}", response=StoreOut, url_name="store")
def get_store(request: HttpRequest, store_id: int) -> Any:
    store = _stores(request.auth).filter(pk=store_id).first()  # type: ignore[attr-defined]
    if store is None:
        raise NotFound("Store not found.")
    return store
