"""Macro rendering: canned replies with {{variables}}, rendered as plain text.

Rendering is a plain substitution, never a Django template: a macro's author cannot reach
template tags or attributes beyond the allowlisted variables below. Unknown variables render
empty (and `unknown_variables` lists them so the settings form can warn). The result is plain
text: it goes through `send_reply` as text and templates autoescape it when displayed, so HTML
in a contact's name is shown as text, never interpreted.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from storedesk.accounts.models import Membership
    from storedesk.inbox.models import Conversation
    from storedesk.workflow.models import Macro

VARIABLE_RE = re.compile(r"\{\{\s*([A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*)\s*\}\}")


def _first(name: str) -> str:
    return (name or "").strip().split(" ")[0] if name else ""


def _last(name: str) -> str:
    parts = (name or "").strip().split(" ")
    return parts[-1] if len(parts) > 1 else ""


Context = tuple["Conversation", "Membership | None"]

# name -> (description for the cheat-sheet, how to get it)
VARIABLES: dict[str, tuple[Any, Callable[[Context], Any]]] = {
    "contact.first_name": (_("The customer's first name"), lambda c: _first(c[0].contact.name)),
    "contact.last_name": (_("The customer's last name"), lambda c: _last(c[0].contact.name)),
    "contact.name": (_("The customer's full name"), lambda c: c[0].contact.name),
    "contact.email": (_("The customer's email"), lambda c: c[0].contact.email),
    "contact.phone": (_("The customer's phone number"), lambda c: c[0].contact.phone),
    "agent.first_name": (
        _("Your first name"),
        lambda c: _first(c[1].agent.display_name) if c[1] else "",
    ),
    "agent.name": (_("Your name"), lambda c: c[1].agent.display_name if c[1] else ""),
    "agent.email": (_("Your email"), lambda c: c[1].agent.email if c[1] else ""),
    "conversation.display_id": (_("The conversation number"), lambda c: c[0].display_id),
    "conversation.subject": (_("The conversation subject"), lambda c: c[0].subject),
    "inbox.name": (_("The inbox name"), lambda c: c[0].inbox.name),
    "store.name": (
        _("The store name"),
        lambda c: c[0].store.name if c[0].store is not None else c[0].account.name,
    ),
}


def register_variable(name: str, description: Any, getter: Callable[[Context], Any]) -> None:
    """A variable provided by another app (e.g. commerce's `order.number`), registered at
    start-up from that app's `AppConfig.ready()`, so macros never import the provider. A getter
    returns None or "" when there is no value (the composer then marks the variable)."""
    if not VARIABLE_RE.fullmatch("{{" + name + "}}"):
        raise ValueError(f"Invalid variable name {name!r}")
    if name in VARIABLES:
        raise ValueError(f"Variable {name!r} is already registered")
    VARIABLES[name] = (description, getter)


def variables_in(text: str) -> list[str]:
    """Every variable name used in a text, in order, without duplicates."""
    seen: list[str] = []
    for match in VARIABLE_RE.finditer(text or ""):
        if match.group(1) not in seen:
            seen.append(match.group(1))
    return seen


def unknown_variables(text: str) -> list[str]:
    return [name for name in variables_in(text) if name not in VARIABLES]


def render_text(
    text: str,
    conversation: Conversation,
    membership: Membership | None,
    *,
    keep_missing: bool = False,
) -> str:
    """Substitute the variables of `text` for this conversation and agent.

    With `keep_missing` a variable that is unknown or has no value stays as written
    (`{{order.number}}`), so the composer can mark it instead of sending a gap.
    """
    context: Context = (conversation, membership)
    cache: dict[str, str] = {}

    def substitute(match: re.Match[str]) -> str:
        name = match.group(1)
        if name not in cache:
            entry = VARIABLES.get(name)
            try:
                value = entry[1](context) if entry else ""
            except AttributeError:  # e.g. a conversation without a store
                value = ""
            cache[name] = "" if value is None else str(value)
        if keep_missing and not cache[name].strip():
            return "{{" + name + "}}"
        return cache[name]

    return VARIABLE_RE.sub(substitute, text or "")


def render_macro(
    macro: Macro,
    conversation: Conversation,
    membership: Membership | None,
    *,
    keep_missing: bool = False,
) -> str:
    """The macro's reply text for this conversation, as plain text."""
    if macro.account_id != conversation.account_id:
        from storedesk.core.errors import NotFound

        raise NotFound("Macro not found.")
    return render_text(macro.text, conversation, membership, keep_missing=keep_missing)


def cheat_sheet() -> list[tuple[str, Any]]:
    """(variable, description) pairs for the settings form and the composer."""
    return [("{{" + name + "}}", desc) for name, (desc, _getter) in VARIABLES.items()]
