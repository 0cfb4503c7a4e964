"""Writes for stores (products, orders and order actions come with the commerce issue)."""

from __future__ import annotations

from django.db import transaction
from django.utils.text import slugify

from storedesk.accounts.actions import audit
from storedesk.accounts.models import Account, Agent
from storedesk.commerce.models import Platform, Store
from storedesk.core.errors import ActionError


@transaction.atomic
def create_store(
    account: Account,
    *,
    slug: str,
    name: str,
    platform: str = Platform.CUSTOM,
    url: str = "",
    currency: str = "USD",
    by: Agent | None = None,
) -> Store:
    slug = slugify(slug)[:80]
    if not slug or not name.strip():
        raise ActionError("A store needs a slug and a name.")
    if platform not in Platform.values:
        raise ActionError(f"Unknown platform {platform!r}.")
    if Store.objects.filter(account=account, slug=slug).exists():
        raise ActionError(f"There is already a store {slug!r}.")
    store = Store.objects.create(
        account=account, slug=slug, name=name.strip()[:200], platform=platform, url=url,
        currency=currency.upper()[:3],
    )
    audit("store.created", account=account, actor=by, obj=store, slug=slug, platform=platform)
    return store
