"""API schemas for contacts (explicit fields only)."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from ninja import Field, Schema

from storedesk.contacts.models import Contact
from storedesk.core.validation import DbId, SafeEmail, SafeJsonObject, SafeStr, model_max_length


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
    """Only the fields you send are changed; `attributes` is merged into the existing ones.

    None of the fields may be `null`: send `""` to clear a text field.
    """

    # The defaults are only "not sent" markers: an explicit null fails validation (422).
    name: SafeStr = Field(None, max_length=model_max_length(Contact, "name"))  # type: ignore[assignment]
    email: SafeEmail | Literal[""] = Field(None)  # type: ignore[arg-type]
    phone: SafeStr = Field(None, max_length=model_max_length(Contact, "phone"))  # type: ignore[assignment]
    language: SafeStr = Field(None, max_length=model_max_length(Contact, "language"))  # type: ignore[assignment]
    attributes: SafeJsonObject = Field(None)  # type: ignore[arg-type]


class MergeIn(Schema):
    duplicate_id: DbId
