"""Writes for stores: creation, return policy, refund limits per role, shipping rates."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.utils.text import slugify

from storedesk.accounts.actions import audit
from storedesk.accounts.models import Account, Agent, Role
from storedesk.commerce.models import MAX_RETURN_WINDOW_DAYS, Platform, ShippingRate, Store
from storedesk.commerce.models.store import ACTOR_LIMITS
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


@transaction.atomic
def set_policy(
    store: Store,
    *,
    by: Agent | None = None,
    return_window_days: int | None = None,
    non_returnable_categories: list[str] | None = None,
    return_condition: str | None = None,
    return_instructions: str | None = None,
    refund_limits: dict[str, str | None] | None = None,
    free_shipping_threshold: Decimal | None = None,
) -> Store:
    """The store's return policy, refund limits per role (and the assistant's, "bot") and
    free-shipping threshold."""
    changed: dict[str, Any] = {}
    if return_window_days is not None:
        if not 0 <= return_window_days <= MAX_RETURN_WINDOW_DAYS:
            raise ActionError(f"The return window is 0 to {MAX_RETURN_WINDOW_DAYS} days.")
        store.return_window_days = return_window_days
        changed["return_window_days"] = return_window_days
    if non_returnable_categories is not None:
        store.non_returnable_categories = [c.strip()[:100] for c in non_returnable_categories
                                           if c.strip()][:100]
        changed["non_returnable_categories"] = store.non_returnable_categories
    if return_condition is not None:
        store.return_condition = return_condition.strip()[:500]
        changed["return_condition"] = store.return_condition
    if return_instructions is not None:
        store.return_instructions = return_instructions.strip()[:5000]
    if refund_limits is not None:
        clean: dict[str, str | None] = {}
        for role, value in refund_limits.items():
            if role not in Role.values and role not in ACTOR_LIMITS:
                raise ActionError(f"Unknown role {role!r}.")
            if value is None and role in ACTOR_LIMITS:
                raise ActionError(f"The limit for {role} must be an amount (0: none).")
            if value is None:
                clean[role] = None
                continue
            try:
                amount = Decimal(str(value))
            except InvalidOperation as exc:
                raise ActionError(f"The limit for {role} is not an amount.") from exc
            if not amount.is_finite() or amount < 0:
                raise ActionError(f"The limit for {role} must be 0 or more.")
            clean[role] = str(amount.quantize(Decimal("0.01")))
        store.refund_limits = clean
        changed["refund_limits"] = clean
    if free_shipping_threshold is not None:
        if free_shipping_threshold < 0:
            raise ActionError("The free-shipping threshold must be 0 or more.")
        store.free_shipping_threshold = free_shipping_threshold
        changed["free_shipping_threshold"] = str(free_shipping_threshold)
    store.save()
    audit("store.policy_changed", account=store.account_id, actor=by, obj=store, **changed)
    return store


@transaction.atomic
def set_shipping_rate(
    store: Store, *, method: str, country: str = "*", cost: Decimal, min_days: int,
    max_days: int, by: Agent | None = None,
) -> ShippingRate:
    """Add or change how the store ships to a country ("*": everywhere else)."""
    country = country.strip().upper() or "*"
    if country != "*" and (len(country) != 2 or not country.isalpha()):
        raise ActionError("The country is a two-letter code or *.")
    if not method.strip() or cost < 0 or not 0 <= min_days <= max_days:
        raise ActionError("A shipping rate needs a method, a cost >= 0 and min <= max days.")
    rate, _created = ShippingRate.objects.update_or_create(
        store=store, method=method.strip()[:100], country=country,
        defaults={"account_id": store.account_id, "cost": cost, "min_days": min_days,
                  "max_days": max_days},
    )
    audit("store.shipping_rate_set", account=store.account_id, actor=by, obj=rate,
          method=rate.method, country=country, cost=str(cost))
    return rate
