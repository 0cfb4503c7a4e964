"""Base classes shared by every tenant-owned model."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db import models


class CreatedAtField(models.DateTimeField):
    """`auto_now_add` that keeps a time the action gave: a row describing something that
    happened earlier (an imported message, a batch item with its original `created_at`) is
    stamped with that time; every other row gets the current time as before.

    Deconstructs as a plain DateTimeField, so it changes no migration.
    """

    def pre_save(self, model_instance: models.Model, add: bool) -> Any:
        given = getattr(model_instance, self.attname)
        if add and given is not None:
            return given
        return super().pre_save(model_instance, add)

    def deconstruct(self) -> Any:
        name, _path, args, kwargs = super().deconstruct()
        return name, "django.db.models.DateTimeField", args, kwargs


def stamped(at: datetime | None) -> dict[str, Any]:
    """`created_at=at` for a model's create() when the action was given a time, else nothing
    (the row gets the current time)."""
    return {} if at is None else {"created_at": at}


class TimestampedModel(models.Model):
    created_at = CreatedAtField(auto_now_add=True, db_index=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True


class TenantModel(TimestampedModel):
    """A row owned by one account. Every query on it goes through an access helper."""

    account = models.ForeignKey("accounts.Account", on_delete=models.CASCADE, related_name="+")

    class Meta:
        abstract = True
