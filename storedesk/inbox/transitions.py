"""The conversation status machine: every status change is checked here and nowhere else."""

from __future__ import annotations

from storedesk.core.errors import InvalidTransition
from storedesk.inbox.models import Status

# from-status -> the statuses an agent (or rule) may move it to.
TRANSITIONS: dict[str, frozenset[str]] = {
    Status.OPEN: frozenset({Status.PENDING, Status.SNOOZED, Status.RESOLVED, Status.CLOSED}),
    Status.PENDING: frozenset({Status.OPEN, Status.SNOOZED, Status.RESOLVED, Status.CLOSED}),
    # Snoozed -> snoozed moves the wake-up time (a preset or a new date on a snoozed one).
    Status.SNOOZED: frozenset(
        {Status.OPEN, Status.PENDING, Status.SNOOZED, Status.RESOLVED, Status.CLOSED}
    ),
    Status.RESOLVED: frozenset({Status.OPEN, Status.CLOSED}),
    # Closed is final: a new message from the shopper opens a new conversation.
    Status.CLOSED: frozenset(),
}

# Statuses in which a new incoming message lands in the same conversation (and reopens it).
REOPENABLE = frozenset({Status.OPEN, Status.PENDING, Status.SNOOZED, Status.RESOLVED})


def check_transition(current: str, target: str) -> None:
    if target not in Status.values:
        raise InvalidTransition(f"Unknown status {target!r}.")
    if target == current and target not in TRANSITIONS[current]:
        raise InvalidTransition(f"The conversation is already {current}.")
    if target not in TRANSITIONS[current]:
        raise InvalidTransition(f"A {current} conversation cannot become {target}.")
