"""Commerce models: stores and policies, catalog and orders, and what agents do to orders."""

from storedesk.commerce.models.aftercare import (
    OPEN_RETURN_STATUSES,
    ApprovalRequest,
    ApprovalStatus,
    DiscountCode,
    OrderEdit,
    PlatformWebhook,
    Refund,
    RefundStatus,
    Return,
    ReturnLine,
    ReturnStatus,
)
from storedesk.commerce.models.notices import RestockSubscription
from storedesk.commerce.models.orders import (
    Customer,
    FinancialStatus,
    FulfillmentStatus,
    Order,
    OrderLine,
    OrderStatus,
    Product,
    Shipment,
    ShipmentStatus,
    Variant,
)
from storedesk.commerce.models.store import (
    DEFAULT_REFUND_LIMITS,
    MAX_RETURN_WINDOW_DAYS,
    Platform,
    ShippingRate,
    Store,
)

__all__ = [
    "DEFAULT_REFUND_LIMITS", "MAX_RETURN_WINDOW_DAYS", "OPEN_RETURN_STATUSES", "ApprovalRequest",
    "ApprovalStatus", "Customer", "DiscountCode", "FinancialStatus", "FulfillmentStatus", "Order",
    "OrderEdit", "OrderLine", "OrderStatus", "Platform", "PlatformWebhook", "Product", "Refund",
    "RefundStatus", "RestockSubscription", "Return", "ReturnLine", "ReturnStatus", "Shipment",
    "ShipmentStatus",
    "ShippingRate", "Store", "Variant",
]
