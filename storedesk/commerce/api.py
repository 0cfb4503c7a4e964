"""REST API v1: the account's stores."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Router

from storedesk.commerce.queries import get_store, visible_stores
from storedesk.commerce.schemas import StoreOut

router = Router(tags=["commerce"])




@router.get("/stores", response=list[StoreOut], url_name="stores")
def list_stores(request: HttpRequest) -> Any:
    return list(visible_stores(request.auth).order_by("name", "id"))  # type: ignore[attr-defined]


@router.get("/stores/{store_id}", response=StoreOut, url_name="store")
def get_store_detail(request: HttpRequest, store_id: int) -> Any:
    return get_store(request.auth, store_id)  # type: ignore[attr-defined]
