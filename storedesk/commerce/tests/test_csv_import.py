"""CSV import of orders: good orders land (once, however often the file is imported), bad ones
are reported with their line numbers and lose nothing else."""

# ruff: noqa: E501 - CSV rows are long
from __future__ import annotations

from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from storedesk.commerce.models import Order

CSV = """external_id,number,placed_at,currency,email,name,phone,sku,title,quantity,price,carrier,tracking_number,tracking_url,shipment_status
o-1,1001,2026-11-20T10:00:00+01:00,EUR,Mia@Example.com,Mia Rossi,,MUG,Stoneware mug,2,14.50,DHL,JD1,https://tracking.example.com/JD1,in_transit
o-1,1001,2026-11-20T10:00:00+01:00,EUR,Mia@Example.com,Mia Rossi,,DUV,Duvet cover,1,89.00,,,,
o-2,1002,yesterday,EUR,lee@example.com,Lee,,MUG,Stoneware mug,1,14.50,,,,
o-3,1003,2026-11-21T10:00:00Z,EUR,kim@example.com,Kim,,MUG,Stoneware mug,one,14.50,,,,
,1004,2026-11-21T10:00:00Z,EUR,x@example.com,X,,MUG,Stoneware mug,1,14.50,,,,
"""


def test_a_csv_imports_good_orders_and_reports_bad_rows(personas, tmp_path):
    path = tmp_path / "orders.csv"
    path.write_text(CSV, encoding="utf-8")
    out, err = StringIO(), StringIO()
    args = [str(path), "--account", personas.harbor.slug, "--store",
            personas.harbor_store.slug]
    # when the shop imports the file (twice)
    for _ in range(2):
        with pytest.raises(CommandError, match="3 problem"):
            call_command("import_orders", *args, stdout=out, stderr=err)
    # then the good order is there once, with its lines and tracking
    order = Order.objects.get(store=personas.harbor_store)
    assert (order.number, order.total) == ("1001", Decimal("118.00"))
    assert order.customer.email == "mia@example.com"
    assert order.shipments.get().tracking_url == "https://tracking.example.com/JD1"
    # and each bad row is named with its line and reason
    errors = err.getvalue()
    assert "order o-2 (lines 4): placed_at 'yesterday'" in errors
    assert "order o-3 (lines 5): quantity 'one'" in errors
    assert "line 6: missing external_id" in errors
    assert "Imported 1 orders" in out.getvalue()


def test_a_csv_without_the_needed_columns_is_refused(personas, tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text("id,total\n1,2\n", encoding="utf-8")
    with pytest.raises(CommandError, match="no column"):
        call_command("import_orders", str(path), "--account", personas.harbor.slug,
                     "--store", personas.harbor_store.slug)
    assert not Order.objects.exists()
