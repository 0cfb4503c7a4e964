"""The `custom` platform: the store's own system pushes orders, products and customers to
Storedesk's REST API (`commerce/api_sync.py`) or a CSV import (`csv_import.py`), and learns
about Storedesk's order actions from outbound webhooks; nothing is pushed back."""

from __future__ import annotations

from storedesk.commerce.platforms.base import StorePlatform


class CustomPlatform(StorePlatform):
    name = "custom"
