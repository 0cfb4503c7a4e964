"""Sample webhook bodies in the shape the platforms document (Shopify REST order, the
`products/update` and `inventory_levels/update` samples; WooCommerce REST API v3 order and
product), with reserved example domains; tests sign them with the store's secret."""

from __future__ import annotations

from pathlib import Path

HERE = Path(__file__).parent


def sample(name: str) -> bytes:
    return (HERE / name).read_bytes()
