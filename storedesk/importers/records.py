"""What every reader produces: another helpdesk's conversations in one normalised shape.

A reader turns a vendor's export (files, or its API) into `Thread`s; the shared core
(`importers/core.py`) turns those into contacts, conversations, messages and attachments.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any


@dataclass(slots=True)
class Person:
    id: str  # the vendor's id for them ("" when unknown)
    name: str = ""
    email: str = ""
    phone: str = ""
    is_agent: bool = False  # a member of the store's team in the old helpdesk


@dataclass(slots=True)
class File:
    filename: str
    content_type: str = ""
    url: str | None = None  # fetched through core.safe_fetch
    data: bytes | None = None  # or the bytes themselves (base64 in a JSONL file)
    path: str | None = None  # or a file of the export, relative to its folder
    size: int | None = None  # as the vendor states it
    problem: str = ""  # why it cannot be imported, found while reading (bad base64 ...)


@dataclass(slots=True)
class Post:
    """One message of a thread: the shopper's, an agent's reply, a private note."""

    id: str  # the vendor's message id: with the vendor's name, the idempotency key
    at: datetime | None
    author: Person | None
    text: str
    html: str | None = None
    private: bool = False
    sender: str = ""  # "contact", "agent", "bot", "system"; "" = decided by the author
    files: list[File] = field(default_factory=list)


@dataclass(slots=True)
class Thread:
    """One conversation (a Zendesk ticket, a Help Scout conversation...)."""

    id: str
    contact: Person
    posts: list[Post]
    subject: str = ""
    status: str = "resolved"  # already one of ours (open, pending, snoozed, resolved, closed)
    priority: str = "normal"
    tags: list[str] = field(default_factory=list)
    assignee: Person | None = None
    at: datetime | None = None
    closed_at: datetime | None = None
    language: str = ""
    skip: str = ""  # a reason to leave the whole thread out (spam, deleted ...)
    extra: dict[str, Any] = field(default_factory=dict)
