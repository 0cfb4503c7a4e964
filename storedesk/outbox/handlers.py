"""What an outbox kind provides, and the one table of kinds (`config/outbox.py`).

The outbox lives below the inbox and the webhooks app: it knows no domain. Each kind of row
names a handler class in `config.outbox.HANDLERS`; the handler loads its rows, says which
shares of the workers a row belongs to, makes the attempt (the network call) and records the
outcome in its own tables.
"""

from __future__ import annotations

from typing import Any, Protocol

from django.utils.module_loading import import_string

from storedesk.outbox.engine import Outcome
from storedesk.outbox.fairness import Share
from storedesk.outbox.models import OutboxRow


class OutboxHandler(Protocol):
    model: type[OutboxRow]

    def load(self, row_id: int) -> Any | None:
        """The row with what `shares` and `attempt` need, or None when it is gone."""
        ...

    def shares(self, row: Any) -> list[Share]:
        """The groups this row must not exceed its part of (destination host, account)."""
        ...

    def attempt(self, row: Any) -> Outcome:
        """Send it once (runs under the attempt deadline, outside any transaction)."""
        ...

    def record(self, row: Any, outcome: Outcome) -> None:
        """Write the settled outcome in the owner's tables (runs inside the settle transaction)."""
        ...


def handler_for(kind: str) -> OutboxHandler:
    from config.outbox import HANDLERS

    try:
        path = HANDLERS[kind]
    except KeyError as exc:
        raise LookupError(f"No outbox handler for {kind!r}; add it to config/outbox.py.") from exc
    handler: OutboxHandler = import_string(path)()
    return handler


def kinds() -> list[str]:
    from config.outbox import HANDLERS

    return list(HANDLERS)
