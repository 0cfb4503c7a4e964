"""The Shopify Admin GraphQL documents Storedesk sends (API version `client.API_VERSION`).

Each one asks only for the fields the mapping in `shopify/__init__.py` reads; the contract
tests validate every document against the schema subset of the fake Admin API.
"""

ORDER_FIELDS = """
  id legacyResourceId name createdAt updatedAt cancelledAt closedAt
  email phone note currencyCode
  displayFinancialStatus displayFulfillmentStatus
  customer { legacyResourceId firstName lastName email phone }
  shippingAddress { name company address1 address2 city province zip country phone }
  subtotalPriceSet { shopMoney { amount currencyCode } }
  totalPriceSet { shopMoney { amount currencyCode } }
  totalTaxSet { shopMoney { amount currencyCode } }
  totalDiscountsSet { shopMoney { amount currencyCode } }
  totalShippingPriceSet { shopMoney { amount currencyCode } }
  lineItems(first: 100) {
    nodes {
      id sku title quantity currentQuantity
      originalUnitPriceSet { shopMoney { amount currencyCode } }
    }
  }
  refunds(first: 50) { refundLineItems(first: 100) { nodes { quantity lineItem { id } } } }
  fulfillments(first: 20) {
    id status displayStatus createdAt updatedAt deliveredAt estimatedDeliveryAt
    trackingInfo(first: 1) { company number url }
  }
"""

ORDER_FRAGMENT = "\nfragment StoredeskOrder on Order {" + ORDER_FIELDS + "}\n"

SHOP = """
query StoredeskShop {
  shop { name myshopifyDomain currencyCode }
}
"""

ORDERS = """
query StoredeskOrders($first: Int!, $after: String, $query: String) {
  orders(first: $first, after: $after, query: $query, sortKey: UPDATED_AT) {
    nodes { ...StoredeskOrder }
    pageInfo { hasNextPage endCursor }
  }
}
""" + ORDER_FRAGMENT

ORDER = """
query StoredeskOrder($id: ID!) {
  order(id: $id) { ...StoredeskOrder }
}
""" + ORDER_FRAGMENT

CUSTOMERS = """
query StoredeskCustomers($first: Int!, $after: String, $query: String) {
  customers(first: $first, after: $after, query: $query) {
    nodes { legacyResourceId firstName lastName email phone }
    pageInfo { hasNextPage endCursor }
  }
}
"""

PRODUCTS = """
query StoredeskProducts($first: Int!, $after: String) {
  products(first: $first, after: $after) {
    nodes {
      legacyResourceId title productType status
      variants(first: 100) {
        nodes { legacyResourceId sku title price inventoryQuantity selectedOptions { name value } }
      }
    }
    pageInfo { hasNextPage endCursor }
  }
}
"""

# The reconciliation's read of the catalog: products changed since the watermark (a search on
# `updated_at`), oldest change first, with every variant's stock total and options.
PRODUCTS_CHANGED = """
query StoredeskProductsChanged($first: Int!, $after: String, $query: String) {
  products(first: $first, after: $after, query: $query, sortKey: UPDATED_AT) {
    nodes {
      legacyResourceId title productType updatedAt status
      variants(first: 100) {
        nodes { legacyResourceId sku title price inventoryQuantity selectedOptions { name value } }
      }
    }
    pageInfo { hasNextPage endCursor }
  }
}
"""

# An `inventory_levels/update` webhook names an inventory item at one location: the product
# it stocks, with every variant's total over all locations, read back after the webhook.
INVENTORY_ITEM_PRODUCT = """
query StoredeskInventoryItemProduct($id: ID!) {
  inventoryItem(id: $id) {
    variant {
      product {
        legacyResourceId title productType updatedAt status
        variants(first: 100) {
          nodes {
            legacyResourceId sku title price inventoryQuantity selectedOptions { name value }
          }
        }
      }
    }
  }
}
"""

# What a refund needs first: the payment to refund against, and the refunds already made (a
# retried push finds its own refund by the idempotency marker in the note and stops there).
REFUND_CONTEXT = """
query StoredeskRefundContext($id: ID!) {
  order(id: $id) {
    id
    transactions(first: 20) { id gateway kind status }
    refunds(first: 50) { id note }
  }
}
"""

REFUND_CREATE = """
mutation StoredeskRefundCreate($input: RefundInput!, $idempotencyKey: String!) {
  refundCreate(input: $input) @idempotent(key: $idempotencyKey) {
    refund { id note totalRefundedSet { shopMoney { amount currencyCode } } }
    userErrors { field message }
  }
}
"""

ORDER_STATE = """
query StoredeskOrderState($id: ID!) {
  order(id: $id) { id cancelledAt }
}
"""

ORDER_CANCEL = """
mutation StoredeskOrderCancel($orderId: ID!, $reason: OrderCancelReason!,
    $refundMethod: OrderCancelRefundMethodInput!, $restock: Boolean!,
    $notifyCustomer: Boolean, $staffNote: String) {
  orderCancel(orderId: $orderId, reason: $reason, refundMethod: $refundMethod,
      restock: $restock, notifyCustomer: $notifyCustomer, staffNote: $staffNote) {
    job { id done }
    orderCancelUserErrors { field message code }
  }
}
"""

ORDER_UPDATE = """
mutation StoredeskOrderUpdate($input: OrderInput!) {
  orderUpdate(input: $input) {
    order { id }
    userErrors { field message }
  }
}
"""

RETURN_CONTEXT = """
query StoredeskReturnContext($id: ID!) {
  order(id: $id) {
    id
    fulfillments(first: 20) {
      fulfillmentLineItems(first: 100) { nodes { id quantity lineItem { id } } }
    }
  }
}
"""

RETURN_CREATE = """
mutation StoredeskReturnCreate($returnInput: ReturnInput!) {
  returnCreate(returnInput: $returnInput) {
    return { id name status }
    userErrors { field message }
  }
}
"""

# Order editing (scope `write_order_edits`): begin a session on the order, stage quantity
# changes (0 removes a line) and added variants on its calculated order, then commit.
VARIANT_BY_SKU = """
query StoredeskVariantBySku($query: String!) {
  productVariants(first: 2, query: $query) { nodes { id sku } }
}
"""

CALCULATED_LINES = """
  lineItems(first: 100) { nodes { id quantity sku variant { id } } }
"""

ORDER_EDIT_BEGIN = """
mutation StoredeskOrderEditBegin($id: ID!) {
  orderEditBegin(id: $id) {
    calculatedOrder { id""" + CALCULATED_LINES + """}
    orderEditSession { id }
    userErrors { field message }
  }
}
"""

ORDER_EDIT_SET_QUANTITY = """
mutation StoredeskOrderEditSetQuantity($id: ID!, $lineItemId: ID!, $quantity: Int!,
    $restock: Boolean) {
  orderEditSetQuantity(id: $id, lineItemId: $lineItemId, quantity: $quantity,
      restock: $restock) {
    calculatedLineItem { id quantity }
    userErrors { field message }
  }
}
"""

ORDER_EDIT_ADD_VARIANT = """
mutation StoredeskOrderEditAddVariant($id: ID!, $variantId: ID!, $quantity: Int!) {
  orderEditAddVariant(id: $id, variantId: $variantId, quantity: $quantity,
      allowDuplicates: false) {
    calculatedLineItem { id quantity }
    userErrors { field message }
  }
}
"""

ORDER_EDIT_COMMIT = """
mutation StoredeskOrderEditCommit($id: ID!, $staffNote: String) {
  orderEditCommit(id: $id, notifyCustomer: false, staffNote: $staffNote) {
    order { id }
    userErrors { field message }
  }
}
"""
