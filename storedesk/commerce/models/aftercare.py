"""What agents do to orders: refunds, returns, approvals, goodwill codes (actions write them)."""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from storedesk.commerce.models.orders import Order, OrderLine
from storedesk.commerce.models.store import Store, money_field
from storedesk.core.models import TenantModel


class RefundStatus(models.TextChoices):
    PENDING = "pending", _("Pending")  # written, not yet confirmed by the platform
    SUCCEEDED = "succeeded", _("Succeeded")
    FAILED = "failed", _("Failed")


class Refund(TenantModel):
    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="refunds")
    amount = money_field()
    currency = models.CharField(max_length=3)
    reason = models.CharField(max_length=500, blank=True)
    restock = models.BooleanField(default=False)
    # [{"line_id": 1, "quantity": 2}]
    lines = models.JSONField(default=list, blank=True)
    status = models.CharField(
        max_length=16, choices=RefundStatus.choices, default=RefundStatus.PENDING
    )
    error = models.CharField(max_length=500, blank=True)
    # Client-chosen; the same key asks for the same refund (retry, double click, duplicate).
    idempotency_key = models.CharField(max_length=100)
    external_id = models.CharField(max_length=100, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    conversation = models.ForeignKey(
        "inbox.Conversation", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        constraints: ClassVar = [
            models.UniqueConstraint(
                fields=["account", "idempotency_key"], name="refund_idempotency_unique"
            ),
        ]


class ReturnStatus(models.TextChoices):
    REQUESTED = "requested", _("Requested")
    APPROVED = "approved", _("Approved")
    RECEIVED = "received", _("Received")
    REFUNDED = "refunded", _("Refunded")
    REJECTED = "rejected", _("Rejected")
    CANCELLED = "cancelled", _("Cancelled")


OPEN_RETURN_STATUSES = (ReturnStatus.REQUESTED, ReturnStatus.APPROVED, ReturnStatus.RECEIVED)


class Return(TenantModel):
    """A return merchandise authorisation (RMA): which lines come back, why, and how."""

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="returns")
    rma_number = models.CharField(max_length=32)
    reason = models.CharField(max_length=500)
    status = models.CharField(
        max_length=16, choices=ReturnStatus.choices, default=ReturnStatus.APPROVED
    )
    instructions = models.TextField(blank=True)
    label_url = models.URLField(max_length=500, blank=True)
    external_id = models.CharField(max_length=100, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    conversation = models.ForeignKey(
        "inbox.Conversation", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["account", "rma_number"], name="return_rma_unique"),
        ]


class ReturnLine(TenantModel):
    return_request = models.ForeignKey(Return, on_delete=models.CASCADE, related_name="lines")
    line = models.ForeignKey(OrderLine, on_delete=models.CASCADE, related_name="+")
    quantity = models.PositiveIntegerField()
    condition = models.CharField(max_length=200, blank=True)


class ApprovalStatus(models.TextChoices):
    PENDING = "pending", _("Waiting for approval")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")


class ApprovalRequest(TenantModel):
    """An order action above the requester's limit, waiting for an admin's decision."""

    store = models.ForeignKey(Store, on_delete=models.CASCADE, related_name="+")
    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="approvals")
    kind = models.CharField(max_length=16, default="refund")
    # The request exactly as asked (amount, lines, restock, reason, idempotency_key).
    payload = models.JSONField(default=dict)
    amount = money_field()
    status = models.CharField(
        max_length=16, choices=ApprovalStatus.choices, default=ApprovalStatus.PENDING
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    requested_role = models.CharField(max_length=16)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.CharField(max_length=500, blank=True)
    idempotency_key = models.CharField(max_length=100)
    refund = models.ForeignKey(
        Refund, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    conversation = models.ForeignKey(
        "inbox.Conversation", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        constraints: ClassVar = [
            models.UniqueConstraint(
                fields=["account", "idempotency_key"], name="approval_idempotency_unique"
            ),
        ]
        indexes: ClassVar = [models.Index(fields=["account", "status"])]


class DiscountCode(TenantModel):
    """A goodwill code given to a shopper (a fixed amount or a percentage off the next order)."""

    store = models.ForeignKey(Store, on_delete=models.CASCADE, related_name="discount_codes")
    order = models.ForeignKey(
        Order, on_delete=models.SET_NULL, null=True, blank=True, related_name="discount_codes"
    )
    code = models.CharField(max_length=40)
    amount = money_field(null=True, blank=True)
    percent = models.PositiveSmallIntegerField(null=True, blank=True)
    currency = models.CharField(max_length=3)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["store", "code"], name="discount_code_unique"),
        ]


class PlatformWebhook(TenantModel):
    """A verified webhook from a store platform, kept once per (store, event id) for dedupe."""

    store = models.ForeignKey(Store, on_delete=models.CASCADE, related_name="+")
    event_id = models.CharField(max_length=200)
    topic = models.CharField(max_length=100)
    processed_at = models.DateTimeField(null=True, blank=True)
    error = models.CharField(max_length=500, blank=True)

    class Meta:
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["store", "event_id"], name="platform_webhook_unique"),
        ]


class OrderEdit(TenantModel):
    """Item changes applied to an unfulfilled order (variant swap, quantity, removal), written
    by `commerce.actions.edit_order_lines`; the same key asks for the same edit (acts once)."""

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="edits")
    idempotency_key = models.CharField(max_length=100)
    # [{"line_id", "external_id", "sku", "title", "quantity", "new_sku", "new_title",
    #   "new_quantity", "new_product_external_id"}]: what the line was and became (0: removed).
    changes = models.JSONField(default=list)
    difference = money_field()  # the new lines' value less the old (negative: refunded)
    refund = models.ForeignKey(
        Refund, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    approval = models.ForeignKey(
        "commerce.ApprovalRequest", on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+",
    )
    # "" (custom store or not pushed yet), "pushed", or "failed" with the platform's reason.
    push_status = models.CharField(max_length=16, blank=True)
    push_error = models.CharField(max_length=500, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    conversation = models.ForeignKey(
        "inbox.Conversation", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        constraints: ClassVar = [
            models.UniqueConstraint(
                fields=["account", "idempotency_key"], name="order_edit_idempotency_unique"
            ),
        ]
