"""System check: the subscriber table names known kinds and importable handlers."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core import checks

from storedesk.events.kinds import EventKind


@checks.register()
def check_subscriber_table(**_: Any) -> list[checks.CheckMessage]:
    from storedesk.events.subscribers import resolve

    errors: list[checks.CheckMessage] = []
    kinds = {k.value for k in EventKind}
    for kind, handlers in settings.EVENT_SUBSCRIBERS.items():
        if kind not in kinds:
            errors.append(checks.Error(f"EVENT_SUBSCRIBERS names unknown kind {kind!r}.",
                                       id="events.E001"))
        for path in handlers:
            try:
                resolve(path)
            except ImportError as exc:
                errors.append(checks.Error(f"Subscriber {path!r} of {kind!r}: {exc}",
                                           id="events.E002"))
    return errors
