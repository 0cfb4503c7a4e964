"""Keyset pagination with signed, opaque cursors: the one module every list uses.

A cursor holds the sort-key values and the id of the last row shown, signed with the secret key
and a salt naming the list (and its sort), so a client cannot forge one, nor carry a cursor from
one list or sort to another. A tampered, truncated or garbage cursor raises `InvalidCursor`
(an `ActionError`, so the API answers 400 `{"detail": "Invalid cursor."}` and views can show
the first page or a 400) — never a 500.

Ordering is by `keys` (field name, descending?) then by `id` in the direction of `id_desc`;
NULL sort values come last in either direction, as the list UIs show them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Generic, TypeVar

from django.core import signing
from django.db import models
from django.db.models import F, Q, QuerySet
from django.db.models.expressions import OrderBy

from storedesk.core.errors import ActionError
from storedesk.core.validation import DB_INT_MAX, DB_INT_MIN, find_unstorable

M = TypeVar("M", bound=models.Model)

MAX_CURSOR_LENGTH = 1000
MAX_PAGE = 100


class InvalidCursor(ActionError):
    def __init__(self) -> None:
        super().__init__("Invalid cursor.")


@dataclass(frozen=True)
class Keyset:
    """A sort order: `keys` are (field, descending) pairs; `id` breaks ties."""

    name: str  # part of the signature salt: a cursor only fits the list and sort it came from
    keys: tuple[tuple[str, bool], ...] = ()
    id_desc: bool = True

    def order_by(self) -> list[OrderBy]:
        order = [
            F(field).desc(nulls_last=True) if desc else F(field).asc(nulls_last=True)
            for field, desc in self.keys
        ]
        order.append(F("id").desc() if self.id_desc else F("id").asc())
        return order


@dataclass
class Page(Generic[M]):
    items: list[M]
    next_cursor: str | None


def _salt(keyset: Keyset) -> str:
    return f"storedesk.cursor:{keyset.name}"


def _plain(value: Any) -> Any:
    return value.isoformat() if isinstance(value, datetime) else value


def encode_cursor(keyset: Keyset, row: models.Model) -> str:
    values = [_plain(getattr(row, field)) for field, _desc in keyset.keys]
    return signing.dumps([values, row.pk], salt=_salt(keyset), compress=True)


def _field_kind(model: type[models.Model], name: str) -> str:
    field = model._meta.get_field(name)
    if isinstance(field, models.DateTimeField):
        return "datetime"
    if isinstance(field, models.IntegerField | models.AutoField | models.ForeignKey):
        return "int"
    return "str"


def _checked_int(value: Any) -> int:
    if not isinstance(value, int) or isinstance(value, bool):
        raise InvalidCursor
    if not DB_INT_MIN <= value <= DB_INT_MAX:
        raise InvalidCursor
    return value


def _checked(kind: str, value: Any) -> Any:
    if value is None:
        return None
    if kind == "int":
        return _checked_int(value)
    if not isinstance(value, str) or find_unstorable(value):
        raise InvalidCursor
    if kind == "datetime":
        try:
            parsed = datetime.fromisoformat(value)
        except ValueError as exc:
            raise InvalidCursor from exc
        if parsed.tzinfo is None:
            raise InvalidCursor
        return parsed
    return value


def decode_cursor(keyset: Keyset, model: type[models.Model], token: str) -> tuple[list[Any], int]:
    """The (sort values, last id) inside a cursor; anything not made by us is InvalidCursor."""
    if len(token) > MAX_CURSOR_LENGTH or find_unstorable(token):
        raise InvalidCursor
    try:
        data = signing.loads(token, salt=_salt(keyset))
    except (signing.BadSignature, ValueError, UnicodeError) as exc:
        raise InvalidCursor from exc
    if not isinstance(data, list) or len(data) != 2 or not isinstance(data[0], list):
        raise InvalidCursor
    raw, last_id = data
    if len(raw) != len(keyset.keys):
        raise InvalidCursor
    values = [
        _checked(_field_kind(model, field), value)
        for (field, _desc), value in zip(keyset.keys, raw, strict=True)
    ]
    return values, _checked_int(last_id)


def after(keyset: Keyset, values: Sequence[Any], last_id: int) -> Q:
    """Rows strictly after (values, last_id) in the keyset's order (NULLs last).

    OR over i of: keys before i equal, key i after. Because NULLs sort last, "after a value"
    includes NULL, and nothing non-null comes after a NULL.
    """
    clauses: list[Q] = []
    equal = Q()
    for (field, desc), value in zip(keyset.keys, values, strict=True):
        if value is None:
            equal &= Q(**{f"{field}__isnull": True})
            continue
        beyond = Q(**{f"{field}__lt" if desc else f"{field}__gt": value})
        clauses.append(equal & (beyond | Q(**{f"{field}__isnull": True})))
        equal &= Q(**{field: value})
    clauses.append(equal & Q(**{"id__lt" if keyset.id_desc else "id__gt": last_id}))
    result = Q()
    for clause in clauses:
        result |= clause
    return result


def paginate(
    qs: QuerySet[M], keyset: Keyset, *, limit: int, cursor: str | None = None
) -> Page[M]:
    """One page of `qs` in the keyset's order, after `cursor`, with the cursor of the next."""
    if cursor:
        values, last_id = decode_cursor(keyset, qs.model, cursor)
        qs = qs.filter(after(keyset, values, last_id))
    rows = list(qs.order_by(*keyset.order_by())[: limit + 1])
    next_cursor = None
    if len(rows) > limit:
        rows = rows[:limit]
        next_cursor = encode_cursor(keyset, rows[-1])
    return Page(items=rows, next_cursor=next_cursor)


def check_limit(limit: int, maximum: int = MAX_PAGE) -> int:
    if limit < 1 or limit > maximum:
        raise ActionError(f"limit must be between 1 and {maximum}.")
    return limit
