"""Reading the one dispatch table: `settings.EVENT_SUBSCRIBERS`, from config/subscribers.py."""

from __future__ import annotations

from collections.abc import Callable
from functools import cache

from django.conf import settings
from django.utils.module_loading import import_string

Handler = Callable[[int], None]


def handlers_for(kind: str) -> list[str]:
    """The dotted paths subscribed to `kind` (empty when nobody listens)."""
    table: dict[str, list[str]] = settings.EVENT_SUBSCRIBERS
    return list(table.get(kind, ()))


@cache
def resolve(path: str) -> Handler:
    handler: Handler = import_string(path)
    return handler
