"""A fake WooCommerce REST API v3 on 127.0.0.1 (plain HTTP), for contract tests.

Authentication is checked as WooCommerce does over HTTP: one-legged OAuth 1.0a, transcribed
from `WC_REST_Authentication::check_oauth_signature` (HMAC-SHA1 or -SHA256, sorted and
normalised parameters, key = consumer secret + "&", 15-minute timestamps, single-use nonces);
HTTP Basic is ignored over plain HTTP, as there. Bodies must be JSON; unknown order statuses,
``per_page`` above 100 and refunds above what remains are refused with WooCommerce's documented
error shape ``{"code", "message", "data": {"status"}}``. Orders come from WooCommerce's
documented sample order, products from its sample product (`testing/platform_samples`); a
variable product's variations are served by `GET /products/{id}/variations` in the documented
variation shape (own SKU, price, stock, ``attributes: [{"id", "name", "option"}]``). Updating
an order's ``line_items`` works as `WC_REST_Orders_V2_Controller` does: an item with its
``id`` and ``product_id: null`` or ``quantity: 0`` is removed, other items with an ``id`` need
a product reference, and items without one are added from the catalog (``product_id`` and
``variation_id``, or ``sku``); ``GET /products?sku=`` finds products and variations alike.
"""

from __future__ import annotations

import base64
import copy
import hashlib
import hmac
import itertools
import json
import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, quote, unquote, urlsplit

from storedesk.testing.platform_samples import sample

PREFIX = "/wp-json/wc/v3"
# The documented sort keys of "List all orders".
ORDERBY = ("date", "id", "include", "title", "slug")
# ... and of "List all products" (the CRUD controller's, with the product-specific ones).
PRODUCT_ORDERBY = ("date", "id", "include", "title", "slug", "modified", "menu_order", "price",
                   "popularity", "rating")
PRODUCT_STATUSES = ("any", "future", "trash", "draft", "pending", "private", "publish")
STATUSES = ("pending", "processing", "on-hold", "completed", "cancelled", "refunded", "failed",
            "trash")


def sample_order(**changes: Any) -> dict[str, Any]:
    order = json.loads(sample("woocommerce_order.json"))
    order.update(changes)
    order.setdefault("refunds", [])
    return order


def sample_product(**changes: Any) -> dict[str, Any]:
    product = json.loads(sample("woocommerce_product.json"))
    product.update(changes)
    return product


def sample_variation(variation_id: int, *, sku: str, price: str, stock: int | None,
                     options: dict[str, str], modified_gmt: str,
                     status: str = "publish") -> dict[str, Any]:
    """A variation as `GET /products/{id}/variations` documents it (the fields Storedesk
    reads, and the ones around them)."""
    in_stock = stock is None or stock > 0
    return {
        "id": variation_id, "date_created": modified_gmt, "date_created_gmt": modified_gmt,
        "date_modified": modified_gmt, "date_modified_gmt": modified_gmt, "description": "",
        "permalink": f"https://shop.example.com/product/premium-quality/?v={variation_id}",
        "sku": sku, "price": price, "regular_price": price, "sale_price": "", "on_sale": False,
        "status": status, "purchasable": True, "virtual": False, "downloadable": False,
        "tax_status": "taxable", "tax_class": "", "manage_stock": stock is not None,
        "stock_quantity": stock, "stock_status": "instock" if in_stock else "outofstock",
        "backorders": "no", "backorders_allowed": False, "backordered": False,
        "weight": "", "dimensions": {"length": "", "width": "", "height": ""},
        "shipping_class": "", "shipping_class_id": 0, "image": None,
        "attributes": [{"id": index + 1, "name": name, "option": value}
                       for index, (name, value) in enumerate(options.items())],
        "menu_order": 0, "meta_data": [],
    }


def _error(status: int, code: str, message: str, **data: Any) -> tuple[int, dict[str, Any]]:
    return status, {"code": code, "message": message, "data": {"status": status, **data}}


def _rawurlencode(value: str) -> str:
    return quote(value, safe="-._~")


@dataclass
class Recorded:
    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    body: Any


@dataclass
class _State:
    key: str
    secret: str
    orders: dict[int, dict[str, Any]] = field(default_factory=dict)
    products: dict[int, dict[str, Any]] = field(default_factory=dict)
    variations: dict[int, list[dict[str, Any]]] = field(default_factory=dict)
    notes: dict[int, list[dict[str, Any]]] = field(default_factory=dict)
    nonces: set[str] = field(default_factory=set)
    requests: list[Recorded] = field(default_factory=list)
    status_next: list[int] = field(default_factory=list)
    ids: Any = field(default_factory=lambda: itertools.count(5000))
    # The catalog that line items and `?sku=` read: products and variations by id.
    catalog: dict[int, dict[str, Any]] = field(default_factory=lambda: {
        93: {"id": 93, "parent_id": 0, "name": "Woo Single #1", "sku": "", "price": "3.00"},
        22: {"id": 22, "parent_id": 0, "name": "Ship Your Idea", "sku": "", "price": "12.00"},
        23: {"id": 23, "parent_id": 22, "name": "Ship Your Idea - Black, M", "sku": "Bar3",
             "price": "12.00"},
    })


class FakeWooCommerce:
    def __init__(self, key: str = "ck_fake", secret: str = "cs_fake") -> None:  # noqa: S107
        self._state = _State(key=key, secret=secret)
        self._lock = threading.Lock()
        self.add_product(sample_product(id=22, name="Ship Your Idea", sku="Bar3", price="12.00",
                                        stock_quantity=7, date_modified_gmt="2026-11-01T10:00:00",
                                        categories=[{"id": 9, "slug": "clothing"}]))
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    @property
    def requests(self) -> list[Recorded]:
        with self._lock:
            return list(self._state.requests)

    def add_order(self, order: dict[str, Any]) -> None:
        with self._lock:
            self._state.orders[int(order["id"])] = copy.deepcopy(order)

    def add_product(self, product: dict[str, Any],
                    variations: list[dict[str, Any]] | None = None) -> None:
        """A product; a variable one (`type: variable`) with its variations."""
        with self._lock:
            product = copy.deepcopy(product)
            if variations is not None:
                product["type"] = "variable"
                product["variations"] = [v["id"] for v in variations]
                self._state.variations[int(product["id"])] = copy.deepcopy(variations)
                self._parent_stock(product)
            self._state.products[int(product["id"])] = product

    def set_stock(self, product_id: int, quantity: int, modified_gmt: str) -> None:
        """A simple product's stock changes on the shop (no webhook reaches us)."""
        with self._lock:
            product = self._state.products[product_id]
            product.update(stock_quantity=quantity, manage_stock=True,
                           stock_status="instock" if quantity > 0 else "outofstock",
                           date_modified_gmt=modified_gmt)

    def set_variation_stock(self, product_id: int, variation_id: int, quantity: int,
                            modified_gmt: str) -> dict[str, Any]:
        """One variation's stock changes; WooCommerce recomputes the product's stock status
        (the product's own date stays). Returns the variation as `GET /products/{id}` would
        show it (the body of its `product.updated` webhook)."""
        with self._lock:
            variation = next(v for v in self._state.variations[product_id]
                             if v["id"] == variation_id)
            variation.update(stock_quantity=quantity, manage_stock=True,
                             stock_status="instock" if quantity > 0 else "outofstock",
                             date_modified_gmt=modified_gmt, date_modified=modified_gmt)
            parent = self._state.products[product_id]
            self._parent_stock(parent)
            return {**copy.deepcopy(variation), "name": f"{parent['name']} - " + ", ".join(
                a["option"] for a in variation["attributes"]), "type": "variation",
                "parent_id": product_id}

    def trash_product(self, product_id: int, modified_gmt: str) -> None:
        with self._lock:
            self._state.products[product_id].update(status="trash",
                                                    date_modified_gmt=modified_gmt)

    def _parent_stock(self, product: dict[str, Any]) -> None:
        children = self._state.variations.get(int(product["id"]), [])
        product.update(manage_stock=False, stock_quantity=None, stock_status="instock" if any(
            v["stock_status"] == "instock" for v in children) else "outofstock")

    def add_catalog_item(self, item_id: int, parent_id: int, name: str, sku: str,
                         price: str) -> None:
        """A product (parent_id 0) or a variation of product `parent_id`."""
        with self._lock:
            self._state.catalog[item_id] = {"id": item_id, "parent_id": parent_id,
                                            "name": name, "sku": sku, "price": price}

    def order(self, order_id: int) -> dict[str, Any]:
        with self._lock:
            return copy.deepcopy(self._state.orders[order_id])

    def notes(self, order_id: int) -> list[dict[str, Any]]:
        with self._lock:
            return list(self._state.notes.get(order_id, []))

    def answer_status(self, *statuses: int) -> None:
        with self._lock:
            self._state.status_next = list(statuses)

    def __enter__(self) -> FakeWooCommerce:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)

    # --- authentication, as WC_REST_Authentication over plain HTTP ----------------------------

    def _check_oauth(self, method: str, path: str, params: dict[str, str]) -> tuple[int, Any]:
        state = self._state
        needed = ("oauth_consumer_key", "oauth_timestamp", "oauth_nonce", "oauth_signature",
                  "oauth_signature_method")
        if not all(params.get(k) for k in needed):
            return _error(401, "woocommerce_rest_cannot_view", "Sorry, you cannot list "
                          "resources.")
        if params["oauth_consumer_key"] != state.key:
            return _error(401, "woocommerce_rest_authentication_error",
                          "Consumer key is invalid.")
        consumer_signature = unquote(params["oauth_signature"].replace(" ", "+"))
        rest = {k: v for k, v in params.items() if k != "oauth_signature"}
        normalized = {_rawurlencode(unquote(k)): _rawurlencode(unquote(v))
                      for k, v in sorted(rest.items())}
        query_string = "%26".join(f"{k}%3D{v}" for k, v in normalized.items())
        base_request_uri = _rawurlencode(self.url + path)
        string_to_sign = f"{method}&{base_request_uri}&{query_string}"
        algorithm = {"HMAC-SHA1": hashlib.sha1, "HMAC-SHA256": hashlib.sha256}.get(
            params["oauth_signature_method"])
        if algorithm is None:
            return _error(401, "woocommerce_rest_authentication_error",
                          "Invalid signature - signature method is invalid.")
        signature = base64.b64encode(hmac.new(f"{state.secret}&".encode(),
                                              string_to_sign.encode(), algorithm).digest())
        if not hmac.compare_digest(signature.decode(), consumer_signature):
            return _error(401, "woocommerce_rest_authentication_error",
                          "Invalid signature - provided signature does not match.")
        if abs(time.time() - int(params["oauth_timestamp"])) > 15 * 60:
            return _error(401, "woocommerce_rest_authentication_error",
                          "Invalid timestamp.")
        if params["oauth_nonce"] in state.nonces:
            return _error(401, "woocommerce_rest_authentication_error",
                          "Invalid nonce - nonce has already been used.")
        state.nonces.add(params["oauth_nonce"])
        return 200, None

    # --- routes ---------------------------------------------------------------------------

    def handle(self, method: str, raw_path: str, headers: dict[str, str], raw: bytes,
               ) -> tuple[int, Any, dict[str, str]]:
        parts = urlsplit(raw_path)
        query = dict(parse_qsl(parts.query, keep_blank_values=True))
        state = self._state
        if not parts.path.startswith(PREFIX + "/"):
            return (*_error(404, "rest_no_route", "No route was found matching the URL and "
                            "request method."), {})
        status, problem = self._check_oauth(method, parts.path, query)
        if problem is not None:
            return status, problem, {}
        body: Any = None
        if method in ("POST", "PUT"):
            if not headers.get("content-type", "").startswith("application/json"):
                return (*_error(400, "rest_invalid_json", "Invalid JSON body passed."), {})
            try:
                body = json.loads(raw)
            except ValueError:
                return (*_error(400, "rest_invalid_json", "Invalid JSON body passed."), {})
        state.requests.append(Recorded(method, parts.path, query, headers, body))
        if state.status_next:
            return (*_error(state.status_next.pop(0), "internal_server_error",
                            "There has been a critical error on this website."), {})
        route = parts.path[len(PREFIX):].strip("/").split("/")
        if route == ["system_status"] and method == "GET":
            return 200, {"environment": {"site_url": self.url, "wc_version": "9.4.2"}}, {}
        if route == ["orders"] and method == "GET":
            return self._list_orders(query)
        if route[0] == "orders" and len(route) >= 2:
            if not route[1].isdigit() or int(route[1]) not in state.orders:
                return (*_error(404, "woocommerce_rest_shop_order_invalid_id", "Invalid ID."),
                        {})
            order = state.orders[int(route[1])]
            if len(route) == 2 and method == "GET":
                return 200, order, {}
            if len(route) == 2 and method == "PUT":
                return self._update_order(order, body)
            if route[2:] == ["refunds"] and method == "GET":
                return 200, order["refunds"], {}
            if route[2:] == ["refunds"] and method == "POST":
                return self._refund(order, body)
            if route[2:] == ["notes"] and method == "POST":
                if not isinstance(body, dict) or not body.get("note"):
                    return (*_error(400, "rest_missing_callback_param",
                                    "Missing parameter(s): note", params=["note"]), {})
                note = {"id": next(state.ids), "note": body["note"],
                        "customer_note": bool(body.get("customer_note"))}
                state.notes.setdefault(order["id"], []).append(note)
                return 201, note, {}
        if route == ["customers"] and method == "GET":
            return 200, [{"id": 25, "email": "john.doe@example.com", "first_name": "John",
                          "last_name": "Doe", "billing": {"phone": "(555) 555-5555"}}], {
                "X-WP-Total": "1", "X-WP-TotalPages": "1"}
        if route == ["products"] and method == "GET" and "sku" in query:
            found = [item for item in state.catalog.values()
                     if item["sku"] and item["sku"] in query["sku"].split(",")]
            return 200, found, {"X-WP-Total": str(len(found)), "X-WP-TotalPages": "1"}
        if route == ["products"] and method == "GET":
            return self._list_products(query)
        if route[0] == "products" and len(route) >= 2 and method == "GET":
            if not route[1].isdigit() or int(route[1]) not in state.products:
                return (*_error(404, "woocommerce_rest_product_invalid_id", "Invalid ID."), {})
            if len(route) == 2:
                return 200, state.products[int(route[1])], {}
            if route[2:] == ["variations"]:
                return self._paged(query, list(state.variations.get(int(route[1]), [])))
        return (*_error(404, "rest_no_route", "No route was found matching the URL and request "
                        "method."), {})

    def _list_orders(self, query: dict[str, str]) -> tuple[int, Any, dict[str, str]]:
        per_page = int(query.get("per_page", "10"))
        if not 1 <= per_page <= 100:
            return (*_error(400, "rest_invalid_param", "Invalid parameter(s): per_page",
                            params={"per_page": "per_page must be between 1 (inclusive) and "
                                    "100 (inclusive)"}), {})
        orderby = query.get("orderby", "date")
        if orderby not in ORDERBY:
            return (*_error(400, "rest_invalid_param", "Invalid parameter(s): orderby",
                            params={"orderby": "orderby is not one of "
                                    + ", ".join(ORDERBY) + "."}), {})
        orders = list(self._state.orders.values())
        if "modified_after" in query:
            since = datetime.fromisoformat(query["modified_after"]).replace(tzinfo=UTC)
            orders = [o for o in orders if datetime.fromisoformat(
                o["date_modified_gmt"]).replace(tzinfo=UTC) > since]
        key = {"date": "date_created_gmt", "id": "id"}.get(orderby, "id")
        orders.sort(key=lambda o: (o[key], o["id"]), reverse=query.get("order", "desc") == "desc")
        page = int(query.get("page", "1"))
        total_pages = max(1, -(-len(orders) // per_page))
        chunk = orders[(page - 1) * per_page: page * per_page]
        return 200, chunk, {"X-WP-Total": str(len(orders)), "X-WP-TotalPages": str(total_pages)}

    def _list_products(self, query: dict[str, str]) -> tuple[int, Any, dict[str, str]]:
        orderby = query.get("orderby", "date")
        if orderby not in PRODUCT_ORDERBY:
            return (*_error(400, "rest_invalid_param", "Invalid parameter(s): orderby",
                            params={"orderby": "orderby is not one of "
                                    + ", ".join(PRODUCT_ORDERBY) + "."}), {})
        status = query.get("status", "any")
        if status not in PRODUCT_STATUSES:
            return (*_error(400, "rest_invalid_param", "Invalid parameter(s): status",
                            params={"status": "status is not one of "
                                    + ", ".join(PRODUCT_STATUSES) + "."}), {})
        products = [p for p in self._state.products.values()
                    if (p.get("status") != "trash" if status == "any"
                        else p.get("status") == status)]
        if "modified_after" in query:
            since = datetime.fromisoformat(query["modified_after"]).replace(tzinfo=UTC)
            products = [p for p in products if datetime.fromisoformat(
                p["date_modified_gmt"]).replace(tzinfo=UTC) > since]
        key = {"date": "date_created_gmt", "modified": "date_modified_gmt"}.get(orderby, "id")
        products.sort(key=lambda p: (p[key], p["id"]),
                      reverse=query.get("order", "desc") == "desc")
        return self._paged(query, products)

    def _paged(self, query: dict[str, str], items: list[dict[str, Any]],
               ) -> tuple[int, Any, dict[str, str]]:
        per_page = int(query.get("per_page", "10"))
        if not 1 <= per_page <= 100:
            return (*_error(400, "rest_invalid_param", "Invalid parameter(s): per_page",
                            params={"per_page": "per_page must be between 1 (inclusive) and "
                                    "100 (inclusive)"}), {})
        page = int(query.get("page", "1"))
        total_pages = max(1, -(-len(items) // per_page))
        chunk = items[(page - 1) * per_page: page * per_page]
        return 200, chunk, {"X-WP-Total": str(len(items)), "X-WP-TotalPages": str(total_pages)}

    def _touch(self, order: dict[str, Any]) -> None:
        now = datetime.now(UTC).replace(microsecond=0)
        order["date_modified_gmt"] = now.strftime("%Y-%m-%dT%H:%M:%S")

    def _update_order(self, order: dict[str, Any], body: Any) -> tuple[int, Any, dict[str, str]]:
        if not isinstance(body, dict):
            return (*_error(400, "rest_invalid_json", "Invalid JSON body passed."), {})
        if "status" in body and body["status"] not in STATUSES:
            return (*_error(400, "rest_invalid_param", "Invalid parameter(s): status",
                            params={"status": "status is not one of "
                                    + ", ".join(STATUSES) + "."}), {})
        if "shipping" in body and not isinstance(body["shipping"], dict):
            return (*_error(400, "rest_invalid_param", "Invalid parameter(s): shipping",
                            params={"shipping": "shipping is not of type object."}), {})
        if "line_items" in body:
            problem = self._update_lines(order, body["line_items"])
            if problem is not None:
                return (*problem, {})
        if "status" in body:
            order["status"] = body["status"]
        if "shipping" in body:
            order["shipping"] = {**order.get("shipping", {}), **body["shipping"]}
        self._touch(order)
        return 200, order, {}

    def _update_lines(self, order: dict[str, Any], items: Any) -> tuple[int, Any] | None:
        if not isinstance(items, list) or not all(isinstance(i, dict) for i in items):
            return _error(400, "rest_invalid_param", "Invalid parameter(s): line_items",
                          params={"line_items": "line_items is not of type array."})
        lines = [copy.deepcopy(li) for li in order["line_items"]]
        by_id = {li["id"]: li for li in lines}
        for item in items:
            if "id" in item and item["id"] not in by_id:
                return _error(400, "woocommerce_rest_invalid_item_id",
                              "Order item ID provided is not associated with order.")
            if "id" in item and ("product_id" in item and item["product_id"] is None
                                 or item.get("quantity") == 0):
                lines.remove(by_id[item["id"]])
                continue
            product = self._catalog_item(item)
            if product is None:
                return _error(400, "woocommerce_rest_required_product_reference",
                              "Product ID or SKU is required.")
            quantity = item.get("quantity", by_id[item["id"]]["quantity"] if "id" in item
                                else 1)
            if not isinstance(quantity, int) or quantity < 1:
                return _error(400, "woocommerce_rest_invalid_product_quantity",
                              "Product quantity must be a positive float.")
            line = by_id[item["id"]] if "id" in item else {"id": next(self._state.ids)}
            price = Decimal(product["price"])
            line.update({"name": product["name"], "sku": product["sku"],
                         "product_id": product["parent_id"] or product["id"],
                         "variation_id": product["id"] if product["parent_id"] else 0,
                         "quantity": quantity, "price": float(price),
                         "subtotal": f"{price * quantity:.2f}",
                         "total": f"{price * quantity:.2f}"})
            if "id" not in item:
                lines.append(line)
        before = sum((Decimal(li["total"]) for li in order["line_items"]), Decimal("0"))
        after = sum((Decimal(li["total"]) for li in lines), Decimal("0"))
        order["line_items"] = lines
        order["total"] = f"{Decimal(order['total']) + after - before:.2f}"
        return None

    def _catalog_item(self, item: dict[str, Any]) -> dict[str, Any] | None:
        catalog = self._state.catalog
        if item.get("variation_id"):
            found = catalog.get(int(item["variation_id"]))
            return found if found and found["parent_id"] == item.get("product_id") else None
        if item.get("product_id"):
            return catalog.get(int(item["product_id"]))
        if item.get("sku"):
            return next((c for c in catalog.values() if c["sku"] == item["sku"]), None)
        return None

    def _refund(self, order: dict[str, Any], body: Any) -> tuple[int, Any, dict[str, str]]:
        if not isinstance(body, dict):
            return (*_error(400, "rest_invalid_json", "Invalid JSON body passed."), {})
        amount = Decimal(str(body.get("amount") or "0"))
        refunded = sum((Decimal(r["amount"]) for r in order["refunds"]), Decimal("0"))
        if amount <= 0 or amount > Decimal(order["total"]) - refunded:
            return (*_error(500, "woocommerce_rest_cannot_create_order_refund",
                            "Invalid refund amount."), {})
        lines = {li["id"]: li for li in order["line_items"]}
        for item in body.get("line_items") or []:
            if item.get("id") not in lines or int(item.get("quantity", 0)) > lines[
                    item["id"]]["quantity"]:
                return (*_error(500, "woocommerce_rest_cannot_create_order_refund",
                                "Invalid line item."), {})
        refund = {"id": next(self._state.ids), "amount": f"{amount:.2f}",
                  "reason": body.get("reason", ""), "refunded_payment": bool(
                      body.get("api_refund", True)),
                  "line_items": body.get("line_items") or [],
                  "meta_data": [{"id": i + 1, **m} for i, m in
                                enumerate(body.get("meta_data") or [])],
                  "api_restock": body.get("api_restock", True)}
        order["refunds"].append(refund)
        if refunded + amount >= Decimal(order["total"]):
            order["status"] = "refunded"
        self._touch(order)
        return 201, refund, {}

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def _serve(self, method: str) -> None:
                raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                headers = {k.lower(): v for k, v in self.headers.items()}
                with fake._lock:
                    status, payload, extra = fake.handle(method, self.path, headers, raw)
                body = json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json; charset=UTF-8")
                self.send_header("Content-Length", str(len(body)))
                for name, value in extra.items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(body)

            def do_GET(self) -> None:  # noqa: N802
                self._serve("GET")

            def do_POST(self) -> None:  # noqa: N802
                self._serve("POST")

            def do_PUT(self) -> None:  # noqa: N802
                self._serve("PUT")

            def log_message(self, *args: object) -> None:
                pass

        return Handler
