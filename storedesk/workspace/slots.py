"""Render the registered sidebar panels, composer tools and thread footers for one conversation."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.template.loader import render_to_string
from django.utils.safestring import SafeString, mark_safe

from storedesk.inbox.models import Conversation
from storedesk.workspace.registry import Slot, composer_tools, sidebar_panels, thread_footers


@dataclass(frozen=True)
class Rendered:
    key: str
    label: str
    html: SafeString
    modes: frozenset[str] = frozenset()

    @property
    def mode_class(self) -> str:
        """The composer's CSS class that hides a tool in the other mode."""
        if self.modes == {"reply"}:
            return "composer-reply-only"
        if self.modes == {"note"}:
            return "composer-note-only"
        return ""


def _slot(request: HttpRequest, conversation: Conversation) -> Slot:
    return Slot(
        request=request,
        membership=request.membership,  # type: ignore[attr-defined]
        conversation=conversation,
        contact=conversation.contact,
    )


def _base(slot: Slot) -> dict[str, Any]:
    return {"conversation": slot.conversation, "contact": slot.contact, "me": slot.membership}


def render_sidebar_panels(request: HttpRequest, conversation: Conversation) -> list[Rendered]:
    slot = _slot(request, conversation)
    out = []
    for panel in sidebar_panels:
        context = panel.context(slot)
        if context is None:
            continue
        html = render_to_string(panel.template, {**_base(slot), **context}, request=request)
        out.append(Rendered(panel.key, str(panel.label), mark_safe(html)))  # noqa: S308
    return out


def render_thread_footers(request: HttpRequest, conversation: Conversation) -> list[Rendered]:
    slot = _slot(request, conversation)
    out = []
    for footer in thread_footers:
        context = footer.context(slot)
        if context is None:
            continue
        html = render_to_string(footer.template, {**_base(slot), **context}, request=request)
        out.append(Rendered(footer.key, "", mark_safe(html)))  # noqa: S308
    return out


def render_composer_tools(
    request: HttpRequest, conversation: Conversation, composer: dict[str, Any]
) -> list[Rendered]:
    """Tools get the composer's context too (`composer_form`, `composer_mode`, `closed`)."""
    slot = _slot(request, conversation)
    out = []
    for tool in composer_tools:
        context = tool.context(slot)
        if context is None:
            continue
        html = render_to_string(
            tool.template, {**composer, **_base(slot), **context}, request=request
        )
        out.append(Rendered(tool.key, str(tool.label), mark_safe(html), tool.modes))  # noqa: S308
    return out


def tool_metadata(request: HttpRequest, conversation: Conversation) -> dict[str, Any]:
    """What the reply form's tools add to the reply (`ComposerTool.on_reply`), by tool key.

    Only tools shown for this conversation are asked; every tool's errors are collected
    into one ValidationError."""
    slot = _slot(request, conversation)
    found: dict[str, Any] = {}
    errors: list[str] = []
    for tool in composer_tools:
        if tool.on_reply is None or "reply" not in tool.modes or tool.context(slot) is None:
            continue
        try:
            value = tool.on_reply(slot, request.POST)
        except ValidationError as exc:
            errors.extend(exc.messages)
            continue
        if value is not None:
            found[tool.key] = value
    if errors:
        raise ValidationError(errors)
    return found
