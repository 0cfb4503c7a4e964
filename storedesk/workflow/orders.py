"""The conversation's latest order, as rules' conditions see it, read by another app.

The workflow knows no order rows (commerce imports the workflow, not the other way round): the
app that does registers a reader from its start-up code (storedesk.workflow_ui), as it
registers customer segments. Without a reader, a conversation has no order.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import Decimal

from storedesk.inbox.models import Conversation


@dataclass(frozen=True)
class OrderFacts:
    number: str
    statuses: frozenset[str]  # its state, payment and fulfilment (e.g. open, paid, unfulfilled)
    total: Decimal
    currency: str


@dataclass
class _Reader:
    read: Callable[[Conversation], OrderFacts | None] | None = None
    statuses: frozenset[str] = frozenset()


_READER = _Reader()


def register_order_reader(read: Callable[[Conversation], OrderFacts | None],
                          statuses: Iterable[str]) -> None:
    """Install the reader (once, at start-up) and the statuses a condition may name."""
    if _READER.read is not None:
        raise ValueError("An order reader is already registered")
    _READER.read, _READER.statuses = read, frozenset(statuses)


def known_statuses() -> frozenset[str]:
    return _READER.statuses


def latest_order(conversation: Conversation) -> OrderFacts | None:
    return _READER.read(conversation) if _READER.read is not None else None
