"""Shoppers and the identities they write from on each channel."""

from __future__ import annotations

from typing import ClassVar

from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower

from storedesk.core.models import TenantModel


class Contact(TenantModel):
    name = models.CharField(max_length=200, blank=True)
    email = models.EmailField(blank=True)
    phone = models.CharField(max_length=32, blank=True)
    language = models.CharField(max_length=8, blank=True)
    attributes = models.JSONField(default=dict, blank=True)
    # `core.folding.contact_search_key(name, email, phone)`, written with them by the actions.
    search_key = models.TextField(blank=True, default="", editable=False)
    # Set when this contact was merged into another; merged contacts are hidden from lists.
    merged_into = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        indexes: ClassVar = [
            models.Index(fields=["account", "email"]),
            models.Index(fields=["account", "phone"]),
        ]
        constraints: ClassVar = [
            # One shopper, one contact: concurrent first messages from a new email address
            # cannot both create a contact (the loser re-reads the winner's row).
            models.UniqueConstraint(
                Lower("email"), "account",
                condition=~Q(email="") & Q(merged_into__isnull=True),
                name="contact_email_unique",
            ),
        ]

    def __str__(self) -> str:
        return self.name or self.email or self.phone or f"Contact {self.pk}"

    @property
    def first_name(self) -> str:
        return (self.name or "").split(" ")[0]


class ContactIdentity(TenantModel):
    """Who the contact is on one inbox: an email address, a chat visitor id, a phone number..."""

    inbox = models.ForeignKey("inbox.Inbox", on_delete=models.CASCADE, related_name="identities")
    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="identities")
    source_id = models.CharField(max_length=255)

    class Meta:
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["inbox", "source_id"], name="identity_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.source_id} on inbox {self.inbox_id}"
