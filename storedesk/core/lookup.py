"""The one scoped "get or 404": every access helper ends with it.

`queryset` must already be scoped to what the actor may see (the account, a light agent's
teams); `get_or_404` adds the lookup and turns "no such row" into `NotFound`, which the API
answers as 404 `{"detail"}` and views as a 404 page. A lookup value no database can hold (an id
beyond 64 bits, a NUL in a string) is simply not found, never a 500.
"""

from __future__ import annotations

from typing import Any, TypeVar

from django.db import models
from django.db.models import QuerySet

from storedesk.core.errors import NotFound
from storedesk.core.validation import find_bad_int, find_unstorable

M = TypeVar("M", bound=models.Model)


def _storable(value: Any) -> bool:
    if isinstance(value, bool):
        return True
    if isinstance(value, int):
        return find_bad_int(value) is None
    if isinstance(value, str):
        return find_unstorable(value) is None
    return True


def get_or_404(queryset: QuerySet[M], label: str, **lookup: Any) -> M:
    """The single row of `queryset` matching `lookup`, or NotFound("<label> not found.")."""
    if not all(_storable(value) for value in lookup.values()):
        raise NotFound(f"{label} not found.")
    found = queryset.filter(**lookup).first()
    if found is None:
        raise NotFound(f"{label} not found.")
    return found
