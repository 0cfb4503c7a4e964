"""What both databases can store, checked at every entry point (API schemas, forms, connectors).

SQLite stores almost anything and PostgreSQL refuses some of it with a 500, so a value is only
accepted when BOTH can hold it and read it back the same:

- text: no NUL (PostgreSQL text cannot hold U+0000), no lone surrogates (not encodable as UTF-8),
  no non-characters U+FFFE/U+FFFF; and never longer than the column (`max_length`), which SQLite
  does not enforce;
- datetimes: timezone-aware, and inside years 2..9998 once converted to UTC, so that neither the
  database nor Python (year 1..9999) overflows when the value is shown in any time zone
  (`9999-12-31T23:59:59-14:00` is year 10000 in UTC);
- integers: inside the signed 64-bit range of `bigint` / SQLite INTEGER.

The checks come in three shapes over the same rules: `find_*` functions that return a message,
pydantic `Annotated` types for Ninja schemas (`SafeStr`, `SafeDatetime`, `DbInt`, `DbId`) and
Django validators for forms (`validate_storable_text`, `validate_storable_datetime`). Connectors
call `check_text` / `check_datetime`, which raise `ActionError` (400).
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Annotated, Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import validate_email as django_validate_email
from pydantic import AfterValidator, BeforeValidator, Field

from storedesk.core.errors import ActionError

DB_INT_MIN = -(2**63)
DB_INT_MAX = 2**63 - 1
MIN_YEAR = 2
MAX_YEAR = 9998

_UNSTORABLE = re.compile("[\x00\ud800-\udfff\ufffe\uffff]")


# --- The rules ------------------------------------------------------------------------------


def find_unstorable(value: str) -> str | None:
    """Why `value` cannot be stored as text, or None when it can."""
    match = _UNSTORABLE.search(value)
    if match is None:
        return None
    char = match.group()
    if char == "\x00":
        return "must not contain NUL characters"
    return f"must not contain the character U+{ord(char):04X}"


def find_bad_datetime(value: datetime) -> str | None:
    if value.tzinfo is None or value.utcoffset() is None:
        return "must include a timezone offset"
    try:
        in_utc = value.astimezone(UTC)
    except OverflowError:
        return f"must be between the years {MIN_YEAR} and {MAX_YEAR} in UTC"
    if not MIN_YEAR <= in_utc.year <= MAX_YEAR:
        return f"must be between the years {MIN_YEAR} and {MAX_YEAR} in UTC"
    return None


def find_bad_int(value: int) -> str | None:
    if not DB_INT_MIN <= value <= DB_INT_MAX:
        return "is out of range"
    return None


def find_bad_email(value: str) -> str | None:
    if not value:
        return None
    try:
        django_validate_email(value)
    except DjangoValidationError:
        return "is not a valid email address"
    return None


# --- For connectors and actions (ActionError, 400) ------------------------------------------


def check_text(label: str, value: str, max_length: int | None = None) -> str:
    problem = find_unstorable(value)
    if problem:
        raise ActionError(f"{label} {problem}.")
    if max_length is not None and len(value) > max_length:
        raise ActionError(f"{label} must be at most {max_length} characters.")
    return value


def check_datetime(label: str, value: datetime | None) -> datetime | None:
    if value is None:
        return None
    problem = find_bad_datetime(value)
    if problem:
        raise ActionError(f"{label} {problem}.")
    return value


def check_email(label: str, value: str) -> str:
    problem = find_bad_email(value)
    if problem:
        raise ActionError(f"{label} {problem}.")
    return value


# --- For Ninja schemas (pydantic: a ValueError becomes a 422 naming the field) ---------------


def _text(value: str) -> str:
    problem = find_unstorable(value)
    if problem:
        raise ValueError(problem)
    return value


def _datetime(value: datetime) -> datetime:
    problem = find_bad_datetime(value)
    if problem:
        raise ValueError(problem)
    return value


def _int(value: int) -> int:
    problem = find_bad_int(value)
    if problem:
        raise ValueError(problem)
    return value


def _email(value: str) -> str:
    problem = find_bad_email(value)
    if problem:
        raise ValueError(problem)
    return value


SafeStr = Annotated[str, AfterValidator(_text)]
SafeDatetime = Annotated[datetime, AfterValidator(_datetime)]
DbInt = Annotated[int, AfterValidator(_int)]
DbId = Annotated[int, Field(ge=1, le=DB_INT_MAX)]
SafeEmail = Annotated[str, AfterValidator(_text), AfterValidator(_email)]


def _strip(value: Any) -> Any:
    return value.strip() if isinstance(value, str) else value


StrippedSafeStr = Annotated[str, BeforeValidator(_strip), AfterValidator(_text)]


# --- For Django forms -----------------------------------------------------------------------


def validate_storable_text(value: Any) -> None:
    if isinstance(value, str):
        problem = find_unstorable(value)
        if problem:
            raise DjangoValidationError(f"This value {problem}.", code="unstorable")


def validate_storable_datetime(value: Any) -> None:
    if isinstance(value, datetime):
        problem = find_bad_datetime(value)
        if problem:
            raise DjangoValidationError(f"This date {problem}.", code="out_of_range")


def model_max_length(model: Any, field: str) -> int:
    """The column's max_length, so a schema's limit is the database's."""
    length = model._meta.get_field(field).max_length
    assert length is not None, f"{model.__name__}.{field} has no max_length"
    return int(length)
