"""API schemas for contacts (explicit fields only)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import validate_email
from ninja import Field, Schema
from pydantic import field_validator


class IdentityOut(Schema):
    inbox_id: int
    source_id: str


class ContactOut(Schema):
    id: int
    name: str
    email: str
    phone: str
    language: str
    attributes: dict[str, Any]
    merged_into_id: int | None
    identities: list[IdentityOut]
    created_at: datetime
    updated_at: datetime

    @staticmethod
    def resolve_identities(obj: Any) -> list[Any]:
        return list(obj.identities.all())


class ContactPage(Schema):
    items: list[ContactOut]
    next_cursor: str | None


class ContactPatch(Schema):
    """Only the fields you send are changed; `attributes` is merged into the existing ones."""

    name: str | None = Field(None, max_length=200)
    email: str | None = Field(None, max_length=254)
    phone: str | None = Field(None, max_length=32)
    language: str | None = Field(None, max_length=8)
    attributes: dict[str, Any] | None = None

    @field_validator("email")
    @classmethod
    def _email(cls, value: str | None) -> str | None:
        if value:
            try:
                validate_email(value.strip())
            except DjangoValidationError as exc:
                raise ValueError("Enter a valid email address.") from exc
        return value


class MergeIn(Schema):
    duplicate_id: int
