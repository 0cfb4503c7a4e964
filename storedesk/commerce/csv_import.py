"""CSV import of orders for the `custom` platform (`storedesk manage import_orders`).

One row per order line; rows sharing `external_id` form one order (the order's own columns are
read from its first row). Columns: external_id, number, placed_at (ISO 8601 with offset),
currency, email, name, phone, sku, title, quantity, price, and optionally carrier,
tracking_number, tracking_url, shipment_status, shipped_at, estimated_delivery, delivered_at,
shipping_total. Each order is upserted on its own: a bad order is reported with its line
numbers and reason, the good ones are imported (re-running the file changes nothing).
"""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils.dateparse import parse_date, parse_datetime

from storedesk.commerce.actions import upsert_order
from storedesk.commerce.models import Store
from storedesk.commerce.platforms.base import CustomerData, LineData, OrderData, ShipmentData
from storedesk.core.errors import ActionError

REQUIRED = ("external_id", "number", "placed_at", "title", "quantity", "price")


@dataclass
class ImportReport:
    imported: int = 0
    errors: list[str] = field(default_factory=list)


def _decimal(value: str, name: str) -> Decimal:
    try:
        amount = Decimal(value.strip() or "0")
    except InvalidOperation as exc:
        raise ActionError(f"{name} {value!r} is not an amount") from exc
    if not amount.is_finite() or amount < 0:
        raise ActionError(f"{name} must be 0 or more")
    return amount


def _order_data(store: Store, rows: list[dict[str, str]]) -> OrderData:
    first = rows[0]
    placed = parse_datetime(first["placed_at"].strip())
    if placed is None or placed.tzinfo is None:
        raise ActionError(f"placed_at {first['placed_at']!r} is not a date-time with an offset")
    lines = []
    for row in rows:
        try:
            quantity = int(row["quantity"])
        except ValueError as exc:
            raise ActionError(f"quantity {row['quantity']!r} is not a whole number") from exc
        lines.append(LineData(sku=row.get("sku", "").strip(), title=row["title"].strip(),
                              quantity=quantity, price=_decimal(row["price"], "price")))
    shipments: tuple[ShipmentData, ...] = ()
    if first.get("tracking_number") or first.get("carrier"):
        url = first.get("tracking_url", "").strip()
        if url and not url.startswith(("https://", "http://")):
            raise ActionError("tracking_url must be an http(s) URL")
        shipments = (ShipmentData(
            carrier=first.get("carrier", "").strip(),
            tracking_number=first.get("tracking_number", "").strip(), tracking_url=url,
            status=first.get("shipment_status", "").strip() or "in_transit",
            shipped_at=parse_datetime(first.get("shipped_at", "").strip() or "x"),
            estimated_delivery=parse_date(first.get("estimated_delivery", "").strip() or "x"),
            delivered_at=parse_datetime(first.get("delivered_at", "").strip() or "x"),
        ),)
    email = first.get("email", "").strip().lower()
    customer = None
    if email or first.get("phone", "").strip():
        customer = CustomerData(external_id=email or first["phone"].strip(), email=email,
                                name=first.get("name", "").strip(),
                                phone=first.get("phone", "").strip())
    return OrderData(
        external_id=first["external_id"].strip(), number=first["number"].strip(),
        placed_at=placed, currency=(first.get("currency") or store.currency).strip().upper(),
        customer=customer, lines=tuple(lines), shipments=shipments,
        shipping_total=_decimal(first.get("shipping_total", ""), "shipping_total"),
    )


def import_orders(
    store: Store, rows: Iterable[dict[str, Any]], *,
    progress: Callable[[int, int], None] | None = None,
) -> ImportReport:
    """Upsert the orders of `rows` (csv.DictReader rows); report what failed and why."""
    grouped: dict[str, list[tuple[int, dict[str, str]]]] = {}
    report = ImportReport()
    for line_no, row in enumerate(rows, start=2):  # line 1 is the header
        missing = [c for c in REQUIRED if not (row.get(c) or "").strip()]
        if missing:
            report.errors.append(f"line {line_no}: missing {', '.join(missing)}")
            continue
        grouped.setdefault(row["external_id"].strip(), []).append((line_no, row))
    total = len(grouped)
    for done, (external_id, numbered) in enumerate(grouped.items(), start=1):
        line_nos = ", ".join(str(n) for n, _row in numbered)
        try:
            upsert_order(store, _order_data(store, [row for _n, row in numbered]))
            report.imported += 1
        except ActionError as exc:
            report.errors.append(f"order {external_id} (lines {line_nos}): {exc.detail}")
        if progress is not None:
            progress(done, total)
    return report


def read_csv(path: str) -> list[dict[str, str]]:
    with open(path, newline="", encoding="utf-8-sig") as handle:
        reader = csv.DictReader(handle)
        missing = [c for c in REQUIRED if c not in (reader.fieldnames or [])]
        if missing:
            raise ActionError(f"The CSV has no column(s): {', '.join(missing)}")
        return list(reader)
