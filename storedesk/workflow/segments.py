"""Customer segments SLA policies can name ("vip"), provided by other apps.

The workflow knows no order data: an app that does (commerce) registers a segment with a
predicate over a conversation from its start-up code, as it registers macro variables. A
segment nobody registered matches no conversation.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from storedesk.inbox.models import Conversation


@dataclass(frozen=True)
class Segment:
    key: str
    label: Any  # a lazy translation
    matches: Callable[[Conversation], bool]


SEGMENTS: dict[str, Segment] = {}


def register_segment(key: str, label: Any, matches: Callable[[Conversation], bool]) -> None:
    if key in SEGMENTS:
        raise ValueError(f"Segment {key!r} is already registered")
    SEGMENTS[key] = Segment(key, label, matches)


def in_segment(key: str, conversation: Conversation) -> bool:
    segment = SEGMENTS.get(key)
    return bool(segment and segment.matches(conversation))
