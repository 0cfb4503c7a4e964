"""Extension points of the workspace: sidebar panels, composer tools, timeline renderers,
thread footers.

A capability plugs into the conversation view by registering here from its own app (in its
`AppConfig.ready()`), never by editing the conversation view:

    from storedesk.workspace.registry import SidebarPanel, sidebar_panels

    sidebar_panels.register(SidebarPanel(
        key="orders", label=_("Orders"), template="commerce/_orders_panel.html",
        context=orders_panel_context, order=20,
    ))

A panel's or tool's `context(slot)` returns the template's context, or None to show nothing
for this conversation (e.g. no store connected). Templates also get `conversation`, `contact`,
`me` (the Membership) and `request`. Timeline renderers turn one event row into one activity
line; there is one per event kind (the dotted kinds of the event catalog). Thread footers are
what is still to come at the end of the thread (the workflow's scheduled replies, with their
own buttons); like panels, `context(slot)` returns None to show nothing.

Everything here is read once per request; registration happens at start-up, so the registries
hold no per-request state.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Generic, Protocol, TypeVar

from django.utils.functional import Promise

if TYPE_CHECKING:
    from django.http import HttpRequest

    from storedesk.accounts.models import Membership
    from storedesk.contacts.models import Contact
    from storedesk.inbox.models import Conversation, Inbox


@dataclass(frozen=True)
class Slot:
    """What a panel or a tool is shown for: one agent looking at one conversation."""

    request: HttpRequest
    membership: Membership
    conversation: Conversation
    contact: Contact


@dataclass(frozen=True)
class SidebarPanel:
    key: str
    label: str | Promise  # a lazy translation
    template: str
    context: Callable[[Slot], dict[str, Any] | None]
    order: int = 100


@dataclass(frozen=True)
class ComposerTool:
    key: str
    label: str | Promise
    template: str
    context: Callable[[Slot], dict[str, Any] | None]
    order: int = 100
    # Composer modes the tool is shown in ("reply", "note").
    modes: frozenset[str] = field(default=frozenset({"reply"}))
    # Tools with their own fields in the reply form (the email channel's Cc/Bcc): reads them
    # from the POST when a reply is sent, in a conversation the tool is shown for, and returns
    # what the reply keeps in Message.metadata under the tool's key (None: nothing). Raises
    # django.core.exceptions.ValidationError to stop the send with its message.
    on_reply: Callable[[Slot, Mapping[str, Any]], Any] | None = None


@dataclass(frozen=True)
class ThreadFooter:
    """Shown at the end of the thread, after the latest message (re-rendered with it)."""

    key: str
    template: str
    context: Callable[[Slot], dict[str, Any] | None]
    order: int = 100


@dataclass(frozen=True)
class ChannelSignature:
    """A channel's own signature setting (the email inbox's footer), keyed by channel kind:
    a reply falls back to it after the agent's and the inbox's workspace signatures."""

    key: str
    signature: Callable[[Inbox], str]
    order: int = 100


class TimelineEvent(Protocol):
    """The fields of a timeline row a renderer may read."""

    kind: str
    actor_type: str
    data: Any


@dataclass(frozen=True)
class RenderContext:
    """Shared lookups for rendering one thread's activity lines."""

    who: str  # the actor's name, in the agent's language
    names: dict[int, str]  # membership id -> display name
    teams: dict[int, str]  # team id -> name


TimelineRenderer = Callable[[Any, RenderContext], str]


class _Keyed(Protocol):
    @property
    def key(self) -> str: ...

    @property
    def order(self) -> int: ...


K = TypeVar("K", bound=_Keyed)


class Registry(Generic[K]):
    """Items by key, listed by (order, key). Registering a key twice is an error."""

    def __init__(self, name: str) -> None:
        self.name = name
        self._items: dict[str, K] = {}

    def register(self, item: K) -> K:
        if item.key in self._items:
            raise ValueError(f"{self.name}: {item.key!r} is already registered")
        self._items[item.key] = item
        return item

    def unregister(self, key: str) -> None:
        self._items.pop(key, None)

    def __iter__(self) -> Iterator[K]:
        return iter(sorted(self._items.values(), key=lambda i: (i.order, i.key)))

    def __contains__(self, key: object) -> bool:
        return key in self._items

    def get(self, key: str) -> K | None:
        return self._items.get(key)

    @contextmanager
    def registered(self, item: K) -> Iterator[K]:
        """Register for the duration of a block (tests)."""
        self.register(item)
        try:
            yield item
        finally:
            self.unregister(item.key)


class RendererRegistry:
    """One renderer per event kind."""

    def __init__(self) -> None:
        self._renderers: dict[str, TimelineRenderer] = {}

    def register(self, kind: str, renderer: TimelineRenderer | None = None) -> Any:
        """`timeline_renderers.register("order.refunded", fn)`, or as a decorator."""
        if renderer is None:
            return lambda fn: self.register(kind, fn)
        if kind in self._renderers:
            raise ValueError(f"timeline renderer for {kind!r} is already registered")
        self._renderers[str(kind)] = renderer
        return renderer

    def unregister(self, kind: str) -> None:
        self._renderers.pop(kind, None)

    def get(self, kind: str) -> TimelineRenderer | None:
        return self._renderers.get(kind)

    def __contains__(self, kind: object) -> bool:
        return kind in self._renderers

    @contextmanager
    def registered(self, kind: str, renderer: TimelineRenderer) -> Iterator[TimelineRenderer]:
        self.register(kind, renderer)
        try:
            yield renderer
        finally:
            self.unregister(kind)


sidebar_panels: Registry[SidebarPanel] = Registry("sidebar panels")
composer_tools: Registry[ComposerTool] = Registry("composer tools")
channel_signatures: Registry[ChannelSignature] = Registry("channel signatures")
thread_footers: Registry[ThreadFooter] = Registry("thread footers")
timeline_renderers = RendererRegistry()
