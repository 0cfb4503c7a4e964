"""Store platforms behind one interface (`base.StorePlatform`), looked up by the store's platform.

The registry maps a platform name to a dotted class path, imported lazily so a platform's
client code loads only when a store of that kind is used.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from storedesk.commerce.models import Store
    from storedesk.commerce.platforms.base import StorePlatform

REGISTRY: dict[str, str] = {
    "custom": "storedesk.commerce.platforms.custom.CustomPlatform",
    "shopify": "storedesk.commerce.platforms.shopify.ShopifyPlatform",
    "woocommerce": "storedesk.commerce.platforms.woocommerce.WooCommercePlatform",
}


def platform_for(store: Store) -> StorePlatform:
    path = REGISTRY[store.platform]
    module_name, _, class_name = path.rpartition(".")
    cls = getattr(import_module(module_name), class_name)
    return cls(store)  # type: ignore[no-any-return]
