"""A fake Shopify Admin GraphQL API on 127.0.0.1, for contract tests.

It answers ``POST /admin/api/2026-10/graphql.json`` the way Shopify documents: the access token
must be in ``X-Shopify-Access-Token`` (401 with Shopify's error body otherwise), the body must be
JSON with a ``query`` (400 otherwise), every document is parsed and validated against
`shopify_schema.graphql` (the documented subset of the Admin schema) and executed with its
variables coerced to the declared input types, so a misspelt field, a wrong argument or a
variable of the wrong type fails here as it would there (``{"errors": [...]}``, HTTP 200).
Answers carry ``extensions.cost`` with a leaky bucket (1000 points, 50 per second). It can be
told to throttle (``THROTTLED``, HTTP 200) or to answer 429 for the next N requests.

Data comes from Shopify's documented sample order (`testing/platform_samples`), turned into
GraphQL nodes; mutations change it (refunds are checked against what remains refundable; an
order edit stages changes on a calculated order and applies them to the order on commit).

    with FakeShopify(token="shpat_test") as shop:
        store.config = {"shop_domain": "x.myshopify.com", "api_base": shop.url, ...}
"""

from __future__ import annotations

import base64
import copy
import itertools
import json
import threading
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import graphql

from storedesk.testing.platform_samples import sample

API_PATH = "/admin/api/2026-10/graphql.json"
SCHEMA = graphql.build_schema((Path(__file__).parent / "shopify_schema.graphql").read_text())
UNAUTHORIZED = {"errors": "[API] Invalid API key or access token (unrecognized login or wrong "
                          "password)"}


def _money(amount: Any, currency: str = "USD") -> dict[str, Any]:
    value = {"amount": f"{Decimal(str(amount or 0)):.2f}", "currencyCode": currency}
    return {"shopMoney": value, "presentmentMoney": value}


def _iso(value: str | None) -> str | None:
    if not value:
        return None
    return datetime.fromisoformat(value).astimezone(UTC).isoformat().replace("+00:00", "Z")


def order_node(rest: dict[str, Any]) -> dict[str, Any]:
    """A documented REST/webhook order as the GraphQL Order node the fake serves."""
    currency = rest.get("currency") or "USD"
    lines = [
        {"id": f"gid://shopify/LineItem/{li['id']}", "sku": li.get("sku"),
         "title": li["title"], "name": li["title"], "quantity": li["quantity"],
         "currentQuantity": li["quantity"],
         "variant": {"id": f"gid://shopify/ProductVariant/{li['variant_id']}"}
         if li.get("variant_id") else None,
         "originalUnitPriceSet": _money(li["price"], currency)}
        for li in rest.get("line_items") or []
    ]
    by_id = {line["id"]: line for line in lines}
    fulfillments = []
    for f in rest.get("fulfillments") or []:
        items = [{"id": f"gid://shopify/FulfillmentLineItem/{li['id']}1",
                  "quantity": li.get("quantity", 1),
                  "lineItem": by_id[f"gid://shopify/LineItem/{li['id']}"]}
                 for li in f.get("line_items") or rest.get("line_items") or []]
        fulfillments.append({
            "id": f"gid://shopify/Fulfillment/{f['id']}", "status": "SUCCESS",
            "displayStatus": str(f.get("shipment_status") or "fulfilled").upper(),
            "createdAt": _iso(f.get("created_at")), "updatedAt": _iso(f.get("updated_at")),
            "deliveredAt": None, "estimatedDeliveryAt": None,
            "trackingInfo": [{"company": f.get("tracking_company"),
                              "number": f.get("tracking_number"), "url": f.get("tracking_url")}],
            "fulfillmentLineItems": {"nodes": items, "pageInfo": _page_info(False, None)},
        })
    customer = rest.get("customer")
    address = dict(rest.get("shipping_address") or {})
    address["countryCodeV2"] = address.pop("country_code", None)
    address["provinceCode"] = address.pop("province_code", None)
    address["firstName"] = address.pop("first_name", None)
    address["lastName"] = address.pop("last_name", None)
    shipping = sum(Decimal(str(s.get("price") or 0)) for s in rest.get("shipping_lines") or [])
    return {
        "id": f"gid://shopify/Order/{rest['id']}", "legacyResourceId": str(rest["id"]),
        "name": rest.get("name") or f"#{rest.get('order_number')}",
        "createdAt": _iso(rest["created_at"]), "updatedAt": _iso(rest.get("updated_at")),
        "cancelledAt": _iso(rest.get("cancelled_at")), "closedAt": _iso(rest.get("closed_at")),
        "email": rest.get("email"), "phone": rest.get("phone"), "note": rest.get("note"),
        "currencyCode": currency,
        "displayFinancialStatus": str(rest.get("financial_status") or "paid").upper(),
        "displayFulfillmentStatus": {"fulfilled": "FULFILLED", "partial": "PARTIALLY_FULFILLED"}
        .get(rest.get("fulfillment_status") or "", "UNFULFILLED"),
        "customer": {"id": f"gid://shopify/Customer/{customer['id']}",
                     "legacyResourceId": str(customer["id"]),
                     "firstName": customer.get("first_name"),
                     "lastName": customer.get("last_name"), "email": customer.get("email"),
                     "phone": customer.get("phone")} if customer else None,
        "shippingAddress": address or None,
        "subtotalPriceSet": _money(rest.get("subtotal_price"), currency),
        "totalPriceSet": _money(rest.get("total_price"), currency),
        "totalTaxSet": _money(rest.get("total_tax"), currency),
        "totalDiscountsSet": _money(rest.get("total_discounts"), currency),
        "totalShippingPriceSet": _money(shipping, currency),
        "totalRefundedSet": _money(0, currency),
        "lineItems": {"nodes": lines, "pageInfo": _page_info(False, None)},
        "fulfillments": fulfillments,
        "transactions": [{"id": f"gid://shopify/OrderTransaction/{rest['id']}0",
                          "gateway": "bogus", "kind": "SALE", "status": "SUCCESS",
                          "amountSet": _money(rest.get("total_price"), currency)}],
        "refunds": [],
        "returns": [],
    }


def sample_order(**changes: Any) -> dict[str, Any]:
    """Shopify's documented sample order (REST shape), with changes."""
    rest = json.loads(sample("shopify_order.json"))
    rest.update(changes)
    return rest


def _idempotency_key(info: Any) -> str | None:
    for directive in info.field_nodes[0].directives or ():
        if directive.name.value != "idempotent":
            continue
        for argument in directive.arguments:
            if argument.name.value == "key":
                value = argument.value
                if isinstance(value, graphql.VariableNode):
                    values = info.variable_values  # graphql-core 3.3: coerced ones inside
                    values = getattr(values, "coerced", values)
                    return values.get(value.name.value)  # type: ignore[no-any-return]
                return getattr(value, "value", None)
    return None


def legacy(global_id: str) -> str:
    return global_id.rsplit("/", 1)[-1]


def _page_info(has_next: bool, end: str | None) -> dict[str, Any]:
    return {"hasNextPage": has_next, "hasPreviousPage": False, "endCursor": end,
            "startCursor": None}


def _cursor(index: int) -> str:
    return base64.b64encode(json.dumps({"last_index": index}).encode()).decode()


def _index(cursor: str | None) -> int:
    if not cursor:
        return -1
    try:
        return int(json.loads(base64.b64decode(cursor))["last_index"])
    except (ValueError, KeyError) as exc:
        raise graphql.GraphQLError("Invalid cursor for current pagination sort.") from exc


@dataclass
class Recorded:
    headers: dict[str, str]
    body: dict[str, Any]
    operation: str
    variables: dict[str, Any]


@dataclass
class _State:
    token: str
    orders: dict[str, dict[str, Any]] = field(default_factory=dict)
    shop_name: str = "Harbor & Vine"
    throttle_next: int = 0
    status_next: list[int] = field(default_factory=list)
    available: float = 1000.0
    requests: list[Recorded] = field(default_factory=list)
    ids: Any = field(default_factory=lambda: itertools.count(900000001))
    idempotency: dict[str, tuple[dict[str, Any], dict[str, Any]]] = field(default_factory=dict)
    products: dict[str, dict[str, Any]] = field(default_factory=dict)
    edits: dict[str, dict[str, Any]] = field(default_factory=dict)  # calculated order id ->


class FakeShopify:
    def __init__(self, token: str = "shpat_fake_token") -> None:  # noqa: S107 - a test token
        self._state = _State(token=token)
        self._lock = threading.Lock()
        self.add_product("632910392", "IPod Nano - 8GB", "Cult Products", [
            {"id": 808950810, "sku": "IPOD2008RED", "title": "Red", "price": "199.00",
             "inventory": 10, "inventory_item_id": 808950810}], "2026-11-20T10:00:00-05:00")
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    # --- test controls ---------------------------------------------------------------------

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    @property
    def requests(self) -> list[Recorded]:
        with self._lock:
            return list(self._state.requests)

    def add_order(self, rest: dict[str, Any]) -> dict[str, Any]:
        node = order_node(rest)
        with self._lock:
            self._state.orders[node["legacyResourceId"]] = node
        return node

    def add_product(self, legacy_id: str, title: str, product_type: str,
                    variants: list[dict[str, Any]], updated_at: str,
                    status: str = "ACTIVE") -> None:
        """A product with variants given as {"id", "sku", "title", "price", "inventory",
        "inventory_item_id", "options": {name: value}} (the numeric ids webhooks carry)."""
        nodes = [{"id": f"gid://shopify/ProductVariant/{v['id']}",
                  "legacyResourceId": str(v["id"]), "sku": v.get("sku"), "title": v["title"],
                  "price": v["price"], "inventoryQuantity": v["inventory"],
                  "inventoryItem": {"id": f"gid://shopify/InventoryItem/{v['inventory_item_id']}",
                                    "legacyResourceId": str(v["inventory_item_id"])},
                  "selectedOptions": [{"name": name, "value": value}
                                      for name, value in (v.get("options") or {}).items()]}
                 for v in variants]
        with self._lock:
            self._state.products[legacy_id] = {
                "id": f"gid://shopify/Product/{legacy_id}", "legacyResourceId": legacy_id,
                "title": title, "productType": product_type, "updatedAt": updated_at,
                "status": status,
                "variants": {"nodes": nodes, "pageInfo": _page_info(False, None)}}

    def set_inventory(self, inventory_item_id: str, available: int, updated_at: str) -> None:
        """Stock changes on the shop (one location): the variant's total follows."""
        with self._lock:
            for product in self._state.products.values():
                for variant in product["variants"]["nodes"]:
                    if variant["inventoryItem"]["legacyResourceId"] == inventory_item_id:
                        variant["inventoryQuantity"] = available
                        product["updatedAt"] = updated_at

    def delete_product(self, legacy_id: str) -> None:
        with self._lock:
            del self._state.products[legacy_id]

    def edits(self) -> list[dict[str, Any]]:
        with self._lock:
            return copy.deepcopy(list(self._state.edits.values()))

    def order(self, legacy_id: str) -> dict[str, Any]:
        with self._lock:
            return copy.deepcopy(self._state.orders[legacy_id])

    def throttle(self, times: int = 1) -> None:
        with self._lock:
            self._state.throttle_next = times

    def answer_status(self, *statuses: int) -> None:
        with self._lock:
            self._state.status_next = list(statuses)

    def __enter__(self) -> FakeShopify:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)

    # --- resolvers (root fields) ------------------------------------------------------------

    def _orders(self, info: Any, first: int = 50, after: str | None = None,
                query: str | None = None, sortKey: str = "ID", reverse: bool = False,
                ) -> dict[str, Any]:
        if first > 250:
            raise graphql.GraphQLError("The page size may not exceed 250.")
        nodes = list(self._state.orders.values())
        if query:
            field_, _, value = query.partition(":")
            if field_ != "updated_at" or not value.startswith(">="):
                raise graphql.GraphQLError(f"Unsupported search query {query!r} in the fake.")
            since = datetime.fromisoformat(value[2:].strip("'\""))
            nodes = [n for n in nodes
                     if datetime.fromisoformat(n["updatedAt"].replace("Z", "+00:00")) >= since]
        key = {"UPDATED_AT": "updatedAt", "CREATED_AT": "createdAt"}.get(sortKey,
                                                                         "legacyResourceId")
        nodes.sort(key=lambda n: (n[key], int(n["legacyResourceId"])), reverse=reverse)
        start = _index(after) + 1
        page = nodes[start:start + first]
        end = start + len(page) - 1
        return {"nodes": page,
                "pageInfo": _page_info(end + 1 < len(nodes), _cursor(end) if page else after)}

    def _products(self, info: Any, first: int = 50, after: str | None = None,
                  query: str | None = None, sortKey: str = "ID", reverse: bool = False,
                  ) -> dict[str, Any]:
        if first > 250:
            raise graphql.GraphQLError("The page size may not exceed 250.")
        nodes = [copy.deepcopy(p) for p in self._state.products.values()]
        if query:
            field_, _, value = query.partition(":")
            if field_ != "updated_at" or not value.startswith(">="):
                raise graphql.GraphQLError(f"Unsupported search query {query!r} in the fake.")
            since = datetime.fromisoformat(value[2:].strip("'\""))
            nodes = [n for n in nodes
                     if datetime.fromisoformat(n["updatedAt"].replace("Z", "+00:00")) >= since]
        if sortKey == "UPDATED_AT":
            nodes.sort(key=lambda n: (datetime.fromisoformat(n["updatedAt"].replace(
                "Z", "+00:00")), int(n["legacyResourceId"])), reverse=reverse)
        else:
            nodes.sort(key=lambda n: int(n["legacyResourceId"]), reverse=reverse)
        start = _index(after) + 1
        page = nodes[start:start + first]
        end = start + len(page) - 1
        return {"nodes": page,
                "pageInfo": _page_info(end + 1 < len(nodes), _cursor(end) if page else after)}

    def _inventory_item(self, info: Any, id: str) -> dict[str, Any] | None:
        """The inventory item's variant, with its product (and its variants) inside."""
        for product in self._state.products.values():
            for variant in product["variants"]["nodes"]:
                item = variant["inventoryItem"]
                if id in (item["id"], item["legacyResourceId"]):
                    product = copy.deepcopy(product)
                    return {**item, "variant": {**variant, "product": product}}
        return None

    def _order(self, info: Any, id: str) -> dict[str, Any] | None:
        return self._state.orders.get(id.rsplit("/", 1)[-1])

    def _product_variants(self, info: Any, first: int = 50, after: str | None = None,
                          query: str | None = None) -> dict[str, Any]:
        nodes = [v for p in self._state.products.values() for v in p["variants"]["nodes"]]
        if query:
            field_, _, value = query.partition(":")
            if field_ != "sku":
                raise graphql.GraphQLError(f"Unsupported search query {query!r} in the fake.")
            nodes = [v for v in nodes if v.get("sku") == value.strip("'\"")]
        return {"nodes": nodes[:first], "pageInfo": _page_info(False, None)}

    # --- order editing: a session holds a calculated order until it is committed -----------

    def _variant(self, variant_id: str) -> dict[str, Any] | None:
        for product in self._state.products.values():
            for variant in product["variants"]["nodes"]:
                if variant_id in (variant["id"], variant["legacyResourceId"]):
                    return {**variant, "product": product}
        return None

    def _calculated(self, edit: dict[str, Any]) -> dict[str, Any]:
        order = self._state.orders[edit["order_id"]]
        total = sum((Decimal(li["originalUnitPriceSet"]["shopMoney"]["amount"]) * li["quantity"]
                     for li in edit["lines"]), Decimal("0"))
        return {"id": edit["id"], "committed": edit["committed"], "originalOrder": order,
                "lineItems": {"nodes": edit["lines"], "pageInfo": _page_info(False, None)},
                "totalPriceSet": _money(total, order["currencyCode"])}

    def _edit_begin(self, info: Any, id: str) -> dict[str, Any]:
        order = self._order(info, id)
        if order is None:
            return {"calculatedOrder": None, "orderEditSession": None,
                    "userErrors": [{"field": ["id"], "message": "Order does not exist"}]}
        if order["cancelledAt"] or order["displayFulfillmentStatus"] == "FULFILLED":
            return {"calculatedOrder": None, "orderEditSession": None, "userErrors": [
                {"field": ["id"], "message": "The order cannot be edited."}]}
        number = next(self._state.ids)
        lines = [{"id": f"gid://shopify/CalculatedLineItem/{legacy(li['id'])}",
                  "quantity": li["currentQuantity"], "editableQuantity": li["currentQuantity"],
                  "sku": li.get("sku"), "title": li["title"], "variant": li.get("variant"),
                  "originalUnitPriceSet": li["originalUnitPriceSet"], "line_item": li["id"]}
                 for li in order["lineItems"]["nodes"]]
        edit = {"id": f"gid://shopify/CalculatedOrder/{number}", "order_id":
                order["legacyResourceId"], "lines": lines, "committed": False}
        self._state.edits[edit["id"]] = edit
        return {"calculatedOrder": self._calculated(edit),
                "orderEditSession": {"id": f"gid://shopify/OrderEditSession/{number}"},
                "userErrors": []}

    def _open_edit(self, id: str) -> dict[str, Any] | None:
        edit = self._state.edits.get(id.replace("OrderEditSession", "CalculatedOrder"))
        return edit if edit is not None and not edit["committed"] else None

    def _edit_set_quantity(self, info: Any, id: str, lineItemId: str, quantity: int,
                           **options: Any) -> dict[str, Any]:
        edit = self._open_edit(id)
        if edit is None:
            return {"userErrors": [{"field": ["id"], "message": "The order edit does not "
                                                                "exist or was committed."}]}
        line = next((li for li in edit["lines"] if li["id"] == lineItemId), None)
        if line is None or quantity < 0:
            return {"userErrors": [{"field": ["lineItemId"],
                                    "message": "Line item does not exist or the quantity "
                                               "is negative."}]}
        line["quantity"] = quantity
        return {"calculatedLineItem": line, "calculatedOrder": self._calculated(edit),
                "userErrors": []}

    def _edit_add_variant(self, info: Any, id: str, variantId: str, quantity: int,
                          allowDuplicates: bool = False, **options: Any) -> dict[str, Any]:
        edit = self._open_edit(id)
        if edit is None:
            return {"userErrors": [{"field": ["id"], "message": "The order edit does not "
                                                                "exist or was committed."}]}
        variant = self._variant(variantId)
        if variant is None:
            return {"userErrors": [{"field": ["variantId"],
                                    "message": "Variant does not exist"}]}
        if quantity < 1:
            return {"userErrors": [{"field": ["quantity"],
                                    "message": "Quantity must be greater than 0"}]}
        if not allowDuplicates and any((li.get("variant") or {}).get("id") == variant["id"]
                                       and li["quantity"] > 0 for li in edit["lines"]):
            return {"userErrors": [{"field": ["variantId"], "message":
                                    "The variant is already on the order."}]}
        order = self._state.orders[edit["order_id"]]
        line = {"id": f"gid://shopify/CalculatedLineItem/{next(self._state.ids)}",
                "quantity": quantity, "editableQuantity": quantity, "sku": variant.get("sku"),
                "title": variant["product"]["title"], "variant": {"id": variant["id"]},
                "originalUnitPriceSet": _money(variant["price"], order["currencyCode"]),
                "line_item": None}
        edit["lines"].append(line)
        return {"calculatedLineItem": line, "calculatedOrder": self._calculated(edit),
                "userErrors": []}

    def _edit_commit(self, info: Any, id: str, notifyCustomer: bool | None = None,
                     staffNote: str | None = None) -> dict[str, Any]:
        edit = self._open_edit(id)
        if edit is None:
            return {"order": None, "userErrors": [{"field": ["id"], "message":
                    "The order edit does not exist or was committed."}]}
        order = self._state.orders[edit["order_id"]]
        items = {li["id"]: li for li in order["lineItems"]["nodes"]}
        for line in edit["lines"]:
            if line["line_item"] is not None:
                items[line["line_item"]]["currentQuantity"] = line["quantity"]
                continue
            items_id = f"gid://shopify/LineItem/{legacy(line['id'])}"
            order["lineItems"]["nodes"].append({
                "id": items_id, "sku": line["sku"], "title": line["title"],
                "name": line["title"], "quantity": line["quantity"],
                "currentQuantity": line["quantity"], "variant": line["variant"],
                "originalUnitPriceSet": line["originalUnitPriceSet"]})
        calculated = self._calculated(edit)
        order["subtotalPriceSet"] = calculated["totalPriceSet"]
        edit["committed"] = True
        edit["notify"], edit["staff_note"] = notifyCustomer, staffNote
        order["updatedAt"] = _iso(datetime.now(UTC).isoformat())
        return {"order": order, "successMessages": ["Order updated"], "userErrors": []}

    def _refund_create(self, info: Any, input: dict[str, Any]) -> dict[str, Any]:
        # Since 2026-04 refundCreate runs only under @idempotent(key: ...); a retry with the
        # same key gets the original result, the same key with other input is an error.
        key = _idempotency_key(info)
        if not key:
            raise graphql.GraphQLError("The @idempotent directive is required for refundCreate.",
                                       extensions={"code": "BAD_REQUEST"})
        seen = self._state.idempotency.get(key)
        if seen is not None:
            if seen[0] != input:
                raise graphql.GraphQLError("The idempotency key was already used with "
                                           "different parameters.",
                                           extensions={"code": "BAD_REQUEST"})
            return seen[1]
        result = self._refund_result(info, input)
        if not result["userErrors"]:
            self._state.idempotency[key] = (copy.deepcopy(input), result)
        return result

    def _refund_result(self, info: Any, input: dict[str, Any]) -> dict[str, Any]:
        order = self._order(info, input["orderId"])
        if order is None:
            return {"refund": None, "order": None,
                    "userErrors": [{"field": ["orderId"], "message": "Order does not exist"}]}
        total = Decimal(order["totalPriceSet"]["shopMoney"]["amount"])
        refunded = Decimal(order["totalRefundedSet"]["shopMoney"]["amount"])
        amount = sum((Decimal(str(t["amount"])) for t in input.get("transactions") or []),
                     Decimal("0"))
        parents = {t["id"] for t in order["transactions"]}
        errors = []
        for t in input.get("transactions") or []:
            if t.get("kind") != "REFUND" or t.get("parentId") not in parents:
                errors.append({"field": ["transactions"], "message":
                               "Parent transaction must be a successful sale or capture"})
        if amount > total - refunded:
            errors.append({"field": ["transactions"], "message":
                           f"Refund amount ${amount} is greater than net payment received "
                           f"${total - refunded}"})
        lines = {li["id"]: li for li in order["lineItems"]["nodes"]}
        for item in input.get("refundLineItems") or []:
            line = lines.get(item["lineItemId"])
            if line is None or item["quantity"] > line["quantity"]:
                errors.append({"field": ["refundLineItems"], "message":
                               "Quantity cannot refund more items than were purchased"})
        if errors:
            return {"refund": None, "order": None, "userErrors": errors}
        currency = order["currencyCode"]
        items = []
        for item in input.get("refundLineItems") or []:  # refunded units leave currentQuantity
            line = lines[item["lineItemId"]]
            line["currentQuantity"] = max(0, line["currentQuantity"] - item["quantity"])
            items.append({"quantity": item["quantity"], "lineItem": line,
                          "restockType": item.get("restockType") or "NO_RESTOCK"})
        refund = {"id": f"gid://shopify/Refund/{next(self._state.ids)}",
                  "note": input.get("note"), "createdAt": _iso(datetime.now(UTC).isoformat()),
                  "totalRefundedSet": _money(amount, currency),
                  "refundLineItems": {"nodes": items, "pageInfo": _page_info(False, None)}}
        order["refunds"].append(refund)
        order["totalRefundedSet"] = _money(refunded + amount, currency)
        order["displayFinancialStatus"] = ("REFUNDED" if refunded + amount >= total
                                           else "PARTIALLY_REFUNDED")
        order["updatedAt"] = _iso(datetime.now(UTC).isoformat())
        return {"refund": refund, "order": order, "userErrors": []}

    def _order_cancel(self, info: Any, orderId: str, reason: str, restock: bool,
                      **options: Any) -> dict[str, Any]:
        order = self._order(info, orderId)
        if order is None:
            return {"job": None, "userErrors": [], "orderCancelUserErrors": [
                {"field": ["orderId"], "message": "Order not found", "code": "NOT_FOUND"}]}
        if order["cancelledAt"]:
            return {"job": None, "userErrors": [], "orderCancelUserErrors": [
                {"field": ["orderId"], "message": "Order has already been cancelled",
                 "code": "INVALID"}]}
        order["cancelledAt"] = order["updatedAt"] = _iso(datetime.now(UTC).isoformat())
        order["cancelReason"] = reason
        return {"job": {"id": f"gid://shopify/Job/{next(self._state.ids)}", "done": False},
                "userErrors": [], "orderCancelUserErrors": []}

    def _order_update(self, info: Any, input: dict[str, Any]) -> dict[str, Any]:
        order = self._order(info, input["id"])
        if order is None:
            return {"order": None, "userErrors": [{"field": ["id"],
                                                   "message": "Order does not exist"}]}
        if order["displayFulfillmentStatus"] == "FULFILLED" and "shippingAddress" in input:
            return {"order": None, "userErrors": [{"field": ["shippingAddress"], "message":
                    "Shipping address cannot be changed on a fulfilled order"}]}
        if "shippingAddress" in input:
            a = input["shippingAddress"]
            order["shippingAddress"] = {
                "name": " ".join(p for p in (a.get("firstName"), a.get("lastName")) if p),
                "firstName": a.get("firstName"), "lastName": a.get("lastName"),
                "company": a.get("company"), "address1": a.get("address1"),
                "address2": a.get("address2"), "city": a.get("city"),
                "provinceCode": a.get("provinceCode"), "province": a.get("provinceCode"),
                "zip": a.get("zip"), "countryCodeV2": a.get("countryCode"),
                "country": a.get("countryCode"), "phone": a.get("phone")}
        order["updatedAt"] = _iso(datetime.now(UTC).isoformat())
        return {"order": order, "userErrors": []}

    def _return_create(self, info: Any, returnInput: dict[str, Any]) -> dict[str, Any]:
        order = self._order(info, returnInput["orderId"])
        if order is None:
            return {"return": None, "userErrors": [{"field": ["returnInput", "orderId"],
                                                    "message": "Order does not exist"}]}
        fulfilled = {item["id"]: item for f in order["fulfillments"]
                     for item in f["fulfillmentLineItems"]["nodes"]}
        for item in returnInput["returnLineItems"]:
            known = fulfilled.get(item["fulfillmentLineItemId"])
            if known is None or item["quantity"] > (known.get("quantity") or 0):
                return {"return": None, "userErrors": [{
                    "field": ["returnInput", "returnLineItems"],
                    "message": "Return line item quantity is greater than the fulfilled "
                               "quantity"}]}
        created = {"id": f"gid://shopify/Return/{next(self._state.ids)}",
                   "name": f"{order['name']}-R{len(order['returns']) + 1}", "status": "OPEN",
                   "lines": returnInput["returnLineItems"]}
        order["returns"].append(created)
        return {"return": created, "userErrors": []}

    def _root(self) -> dict[str, Any]:
        state = self._state
        return {
            "shop": {"id": "gid://shopify/Shop/1", "name": state.shop_name,
                     "myshopifyDomain": "harbor-vine.myshopify.com", "currencyCode": "USD"},
            "order": self._order, "orders": self._orders,
            "customers": lambda info, first=50, after=None, query=None: {
                "nodes": [o["customer"] for o in state.orders.values() if o["customer"]],
                "pageInfo": _page_info(False, None)},
            "products": self._products,
            "inventoryItem": self._inventory_item, "productVariants": self._product_variants,
            "orderEditBegin": self._edit_begin, "orderEditSetQuantity": self._edit_set_quantity,
            "orderEditAddVariant": self._edit_add_variant, "orderEditCommit": self._edit_commit,
            "refundCreate": self._refund_create, "orderCancel": self._order_cancel,
            "orderUpdate": self._order_update, "returnCreate": self._return_create,
        }

    # --- HTTP -------------------------------------------------------------------------------

    def handle(self, method: str, path: str, headers: dict[str, str], raw: bytes,
               ) -> tuple[int, dict[str, Any] | None]:
        state = self._state
        if path != API_PATH:
            return 404, {"errors": "Not Found"}
        if method != "POST":
            return 405, {"errors": "Method Not Allowed"}
        if headers.get("x-shopify-access-token") != state.token:
            return 401, UNAUTHORIZED
        if state.status_next:
            status = state.status_next.pop(0)
            return status, {"errors": "Exceeded 2 calls per second for api client. Reduce "
                                      "request rates to resume uninterrupted service."}
        if not headers.get("content-type", "").startswith("application/json"):
            return 415, {"errors": "Unsupported Media Type"}
        try:
            body = json.loads(raw)
            document = graphql.parse(body["query"])
        except (ValueError, KeyError, TypeError):
            return 400, {"errors": {"query": "Required parameter missing or invalid"}}
        except graphql.GraphQLError as exc:
            return 200, {"errors": [exc.formatted]}
        variables = body.get("variables") or {}
        operation = next((d.name.value for d in document.definitions
                          if isinstance(d, graphql.OperationDefinitionNode) and d.name), "")
        state.requests.append(Recorded(headers, body, operation, variables))
        requested = 10.0 + 2 * str(body["query"]).count("{")
        cost = {"requestedQueryCost": requested, "actualQueryCost": None,
                "throttleStatus": {"maximumAvailable": 1000.0,
                                   "currentlyAvailable": state.available,
                                   "restoreRate": 50.0}}
        if state.throttle_next > 0:
            state.throttle_next -= 1
            cost["throttleStatus"]["currentlyAvailable"] = requested - 25.0  # 0.5 s to refill
            return 200, {"errors": [{"message": "Throttled", "extensions": {
                "code": "THROTTLED",
                "documentation": "https://shopify.dev/api/usage/rate-limits"}}],
                "extensions": {"cost": cost}}
        errors = graphql.validate(SCHEMA, document)
        if errors:
            return 200, {"errors": [e.formatted for e in errors]}
        result = graphql.execute_sync(SCHEMA, document, root_value=self._root(),
                                      variable_values=variables)
        cost["actualQueryCost"] = requested / 2
        payload: dict[str, Any] = {"data": result.data, "extensions": {"cost": cost}}
        if result.errors:
            payload["errors"] = [e.formatted for e in result.errors]
        return 200, payload

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def _serve(self, method: str) -> None:
                raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                headers = {k.lower(): v for k, v in self.headers.items()}
                with fake._lock:
                    status, payload = fake.handle(method, self.path, headers, raw)
                body = json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json; charset=utf-8")
                self.send_header("Content-Length", str(len(body)))
                if status == 429:
                    self.send_header("Retry-After", "0.2")
                self.end_headers()
                self.wfile.write(body)

            def do_POST(self) -> None:  # noqa: N802
                self._serve("POST")

            def do_GET(self) -> None:  # noqa: N802
                self._serve("GET")

            def log_message(self, *args: object) -> None:
                pass

        return Handler


