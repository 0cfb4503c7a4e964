"""API schemas for stores (explicit fields; the platform config holds secrets and never leaves)."""

from __future__ import annotations

from datetime import datetime

from ninja import Schema


class StoreOut(Schema):
    id: int
    slug: str
    name: str
    platform: str
    url: str
    currency: str
    created_at: datetime
