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

import math
import re
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Annotated, Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import validate_email as django_validate_email
from django.utils import timezone
from pydantic import AfterValidator, BeforeValidator, Field, WithJsonSchema

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


def find_bad_json(value: Any, depth: int = 0) -> str | None:
    """Why a JSON value cannot be stored in both a jsonb and a SQLite JSON column, or None.

    jsonb refuses `\\u0000` in any string (keys too) and NaN/Infinity; integers must fit
    64 bits for SQLite's JSON functions to read them back the same.
    """
    if depth > 32:
        return "is nested too deeply"
    if isinstance(value, str):
        return find_unstorable(value)
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int):
        return find_bad_int(value)
    if isinstance(value, float):
        return None if math.isfinite(value) else "must not contain NaN or Infinity"
    if isinstance(value, list):
        for item in value:
            problem = find_bad_json(item, depth + 1)
            if problem:
                return problem
        return None
    if isinstance(value, dict):
        for key, item in value.items():
            problem = find_bad_json(str(key), depth + 1) or find_bad_json(item, depth + 1)
            if problem:
                return problem
        return None
    return "is not a JSON value"


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


# How far ahead of this server's clock an original time may be: another machine's clock.
CLOCK_SKEW = timedelta(minutes=5)


def check_original_time(label: str, value: datetime | None) -> datetime | None:
    """An action's optional `at`: when the thing happened, if earlier than now (history being
    loaded or imported). Timezone-aware, storable, and not in the future beyond `CLOCK_SKEW`."""
    if value is None:
        return None
    check_datetime(label, value)
    if value > timezone.now() + CLOCK_SKEW:
        raise ActionError(f"{label} must not be in the future.")
    return value


def check_json(label: str, value: Any) -> Any:
    if type(value) is dict and not value:
        return value  # the common empty metadata
    problem = find_bad_json(value)
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


def _json(value: Any) -> Any:
    problem = find_bad_json(value)
    if problem:
        raise ValueError(problem)
    return value


def _nonempty_email(value: str) -> str:
    problem = find_bad_email(value) if value else "is not a valid email address"
    if problem:
        raise ValueError(problem)
    return value


NO_NUL_PATTERN = "^[^\\u0000\\ufffe\\uffff]*$"


class _NoNulInSchema:
    """Say in the OpenAPI schema what `_text` enforces (clients and fuzzers can see it)."""

    def __get_pydantic_json_schema__(self, core_schema: Any, handler: Any) -> Any:
        schema = handler(core_schema)
        schema["pattern"] = NO_NUL_PATTERN
        return schema


class SchemaPattern:
    """Put a `pattern` in the OpenAPI schema for what a validator enforces (the last wins)."""

    def __init__(self, pattern: str) -> None:
        self.pattern = pattern

    def __get_pydantic_json_schema__(self, core_schema: Any, handler: Any) -> Any:
        schema = handler(core_schema)
        schema["pattern"] = self.pattern
        return schema


class DecimalInSchema:
    """Say in the OpenAPI schema what a Decimal input accepts: a JSON number, or a string of
    digits (pydantic's own schema says "any string", so clients and fuzzers would send words).
    The digits and places come from the field's `max_digits` / `decimal_places`, the sign from
    its lower bound, on both branches."""

    def __get_pydantic_json_schema__(self, core_schema: Any, handler: Any) -> Any:
        schema = handler(core_schema)
        if handler.mode != "validation":
            return schema
        while core_schema.get("type", "").startswith("function-") and "schema" in core_schema:
            core_schema = core_schema["schema"]  # the decimal under MoneyFloat
        places = core_schema.get("decimal_places")
        digits = core_schema.get("max_digits")
        lower = core_schema.get("ge", core_schema.get("gt"))
        unsigned = lower is not None and lower >= 0
        positive = core_schema.get("gt") is not None and core_schema["gt"] >= 0
        whole = f"{{1,{digits - (places or 0)}}}" if digits else "+"
        fraction = f"{{1,{places}}}" if places else "+"
        pattern = f"\\d{whole}" if places == 0 else f"\\d{whole}(\\.\\d{fraction})?"
        sign = "" if unsigned else "-?"
        nonzero = "(?=.*[1-9])" if positive else ""
        for branch in schema.get("anyOf", [schema]):
            if branch.get("type") == "string":
                branch["pattern"] = f"^{nonzero}{sign}{pattern}$"
            elif branch.get("type") == "number":
                if places is not None:
                    branch["multipleOf"] = float(Decimal(1).scaleb(-places))
                if digits is not None:
                    branch["exclusiveMaximum"] = float(10 ** (digits - (places or 0)))
                    if not unsigned:
                        branch["exclusiveMinimum"] = -float(10 ** (digits - (places or 0)))
        return schema


def _money_float(value: Any) -> Any:
    """A JSON number that is a two-place amount up to binary rounding (0.57 arriving as
    0.5700000000000001 after a client's arithmetic) is that amount; any other float is left
    for the decimal checks to refuse (0.001 has three places)."""
    if isinstance(value, float) and math.isfinite(value):
        rounded = round(value, 2)
        if abs(rounded - value) <= 1e-9 * max(1.0, abs(value)):
            return Decimal(f"{rounded:.2f}")
    return value


MoneyFloat = BeforeValidator(_money_float)

# Money in API input: a non-negative amount with at most 10 whole digits and 2 places (the
# columns are DecimalField(max_digits=12, decimal_places=2)), as a number or a digit string.
MoneyIn = Annotated[Decimal, Field(ge=0, max_digits=12, decimal_places=2), DecimalInSchema(),
                    MoneyFloat]
PositiveMoneyIn = Annotated[Decimal, Field(gt=0, max_digits=12, decimal_places=2),
                            DecimalInSchema(), MoneyFloat]


SafeStr = Annotated[str, AfterValidator(_text), _NoNulInSchema()]
SafeDatetime = Annotated[datetime, AfterValidator(_datetime)]
DbInt = Annotated[int, Field(ge=DB_INT_MIN, le=DB_INT_MAX)]
DbId = Annotated[int, Field(ge=1, le=DB_INT_MAX)]
# Free-form key/value data (contact attributes): flat, scalar values, storable everywhere.
AttributeKey = Annotated[str, Field(min_length=1, max_length=64), AfterValidator(_text),
                         _NoNulInSchema()]
AttributeValue = Annotated[str, Field(max_length=2000), AfterValidator(_text),
                           _NoNulInSchema()] | DbInt | float | bool | None
SafeJsonObject = Annotated[dict[AttributeKey, AttributeValue], BeforeValidator(_json),
                           Field(max_length=100)]
# A valid address (the schema says `format: email`); fields that may be cleared take
# `SafeEmail | Literal[""]`.
SafeEmail = Annotated[
    str,
    Field(max_length=254),
    AfterValidator(_text),
    AfterValidator(_nonempty_email),
    WithJsonSchema({"type": "string", "format": "email", "maxLength": 254}),
]


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
