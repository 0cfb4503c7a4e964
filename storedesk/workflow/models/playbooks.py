"""Playbooks: internal help-center articles (procedures) linked to intents and tags, shown on
the conversations they match."""

from __future__ import annotations

from typing import ClassVar

from django.db import models

from storedesk.core.models import TenantModel


class Playbook(TenantModel):
    """`article` is an internal help-center article; it matches a conversation whose intent is
    one of `intents` or that carries one of `tags` (either list may be empty, not both)."""

    name = models.CharField(max_length=120)
    article = models.ForeignKey("helpcenter.Article", on_delete=models.CASCADE, related_name="+")
    intents = models.JSONField(default=list, blank=True)
    tags = models.JSONField(default=list, blank=True)
    position = models.PositiveIntegerField(default=0)
    is_active = models.BooleanField(default=True)

    class Meta:
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["account", "name"], name="playbook_name"),
        ]

    def __str__(self) -> str:
        return self.name
