"""Extra fields of the API's conversations, provided by apps above the inbox.

The inbox imports no workflow, assistant or commerce code, yet a conversation in the API may
carry what they know about it (the workflow's `sla`). Such an app registers a field from its
`AppConfig.ready()`:

    register_conversation_field(ConversationField(
        name="sla", annotation=SlaOut | None, resolve=sla_values,
        description="The SLA clocks, or null when no policy applies."))

`resolve(conversations)` answers {conversation id: value} for a whole page in a fixed number
of queries (no query per row). The API's conversation schema is built once, when the inbox's
API module is imported (after every app's `ready()`); registering later is an error.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from storedesk.inbox.models import Conversation

ATTRIBUTE = "_extra_api_fields"


@dataclass(frozen=True)
class ConversationField:
    name: str
    annotation: Any  # the pydantic type of the value (shown in the OpenAPI schema)
    resolve: Callable[[Sequence[Conversation]], dict[int, Any]]
    description: str = ""


class _Fields:
    def __init__(self) -> None:
        self._fields: dict[str, ConversationField] = {}
        self.frozen = False

    def register(self, field: ConversationField) -> None:
        if self.frozen:
            raise RuntimeError(
                f"Conversation field {field.name!r} registered after the API schema was built "
                "(register it in AppConfig.ready())."
            )
        if field.name in self._fields:
            raise ValueError(f"Conversation field {field.name!r} is already registered")
        self._fields[field.name] = field

    def unregister(self, name: str) -> None:
        self._fields.pop(name, None)

    def all(self) -> list[ConversationField]:
        return list(self._fields.values())


conversation_fields = _Fields()


def register_conversation_field(field: ConversationField) -> None:
    conversation_fields.register(field)


def attach(conversations: Sequence[Conversation]) -> None:
    """Resolve every extra field for a page of conversations at once (one call per field)."""
    if not conversations:
        return
    values: dict[int, dict[str, Any]] = {c.pk: {} for c in conversations}
    for field in conversation_fields.all():
        resolved = field.resolve(conversations)
        for conversation in conversations:
            values[conversation.pk][field.name] = resolved.get(conversation.pk)
    for conversation in conversations:
        setattr(conversation, ATTRIBUTE, values[conversation.pk])


def value_of(conversation: Conversation, name: str) -> Any:
    """One extra field of one conversation: from `attach` if it ran, else resolved alone."""
    attached = getattr(conversation, ATTRIBUTE, None)
    if attached is None:
        attach([conversation])
        attached = getattr(conversation, ATTRIBUTE)
    return attached.get(name)


def with_extra_fields(base: type) -> type:
    """A subclass of the schema `base` with one field per registered conversation field."""
    conversation_fields.frozen = True
    fields = conversation_fields.all()
    if not fields:
        return base
    from ninja import Field

    namespace: dict[str, Any] = {"__annotations__": {}, "__module__": base.__module__}
    for field in fields:
        namespace["__annotations__"][field.name] = field.annotation
        namespace[field.name] = Field(None, description=field.description)
        namespace[f"resolve_{field.name}"] = staticmethod(
            lambda obj, _name=field.name: value_of(obj, _name)
        )
    return type(base.__name__, (base,), namespace)
