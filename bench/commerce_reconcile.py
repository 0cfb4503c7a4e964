#!/usr/bin/env python
"""Reconciliation throughput: orders per second pulled from a Shopify Admin GraphQL API and
upserted, and the cost of a re-run that changes nothing.

    .venv/bin/python bench/commerce_reconcile.py [--orders 500]

A fresh SQLite database in a temporary STOREDESK_DATA_DIR is migrated; the local fake Admin API
(`commerce/tests/fakes/shopify.py`, which parses, validates and executes every document with
graphql-core like the contract tests) serves N copies of Shopify's documented sample order, each
with its own id, customer and update time; `actions.reconcile_store` then reads them in pages of
50 and upserts them. Run twice: the first run creates N orders (update times spread over one
hour); the second starts at the watermark minus the 5-minute overlap, so it re-reads only the
orders of the last minutes and changes nothing. Prints wall and CPU seconds, orders/s and API
calls per run; writes bench/results/commerce_reconcile.json. The fake runs in this process,
so CPU includes it.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
RESULTS = ROOT / "bench" / "results"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--orders", type=int, default=500)
    args = parser.parse_args()
    data_dir = tempfile.mkdtemp(prefix="storedesk-bench-commerce-")
    os.environ["STOREDESK_DATA_DIR"] = data_dir
    os.environ.pop("DATABASE_URL", None)
    os.environ.pop("REDIS_URL", None)
    os.environ["STOREDESK_FETCH_ALLOW_PRIVATE"] = "1"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from django.core.management import call_command

    from storedesk.accounts.actions import create_account
    from storedesk.commerce import actions
    from storedesk.commerce.models import Order, Platform, Store
    from storedesk.commerce.tests.fakes.shopify import FakeShopify, sample_order

    call_command("migrate", verbosity=0)
    account = create_account("Bench store")
    results = {}
    with FakeShopify(token="shpat_bench") as fake:
        for n in range(args.orders):
            fake.add_order(sample_order(
                id=10_000 + n, name=f"#{10_000 + n}", order_number=10_000 + n,
                email=f"shopper{n}@example.com",
                customer={"id": 50_000 + n, "email": f"shopper{n}@example.com",
                          "first_name": "Shopper", "last_name": str(n), "phone": None},
                updated_at=f"2026-11-29T10:{n % 60:02d}:00-05:00"))
        store = Store.objects.create(account=account, slug="bench", name="Bench",
                                     platform=Platform.SHOPIFY,
                                     config={"shop_domain": "bench.myshopify.com",
                                             "api_base": fake.url})
        actions.connect_store(store, by=None, values={"access_token": "shpat_bench"})
        for label in ("first run (creates)", "second run (no change)"):
            calls_before = len(fake.requests)
            wall, cpu = time.perf_counter(), time.process_time()
            result = actions.reconcile_store(store)
            wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
            assert not result.error, result.error
            results[label] = {
                "orders": result.orders, "pages": result.pages,
                "api_calls": len(fake.requests) - calls_before,
                "wall_s": round(wall, 2), "cpu_s": round(cpu, 2),
                "orders_per_s": round(result.orders / wall, 1),
            }
            print(f"{label}: {result.orders} orders, {result.pages} pages, "
                  f"{results[label]['api_calls']} API calls, {wall:.2f} s wall, "
                  f"{cpu:.2f} s CPU, {result.orders / wall:.1f} orders/s", flush=True)
        assert Order.objects.filter(store=store).count() == args.orders
    results["load_average_1m"] = os.getloadavg()[0]
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "commerce_reconcile.json").write_text(json.dumps(results, indent=2) + "\n")


if __name__ == "__main__":
    main()
