"""Macros (canned responses). SLAs, business hours and automation rules join later."""

from __future__ import annotations

from typing import ClassVar

from django.db import models

from storedesk.core.models import TenantModel


class Macro(TenantModel):
    """A canned reply with template variables ({{contact.first_name}}) and follow-up actions."""

    name = models.CharField(max_length=120)
    text = models.TextField()
    # Optional actions applied with the reply: {"status": "resolved", "tags": ["refund"]}.
    actions = models.JSONField(default=dict, blank=True)
    language = models.CharField(max_length=8, blank=True)
    created_by = models.ForeignKey(
        "accounts.Agent", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    usage_count = models.PositiveIntegerField(default=0)

    class Meta:
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["account", "name"], name="macro_name_unique"),
        ]

    def __str__(self) -> str:
        return self.name
