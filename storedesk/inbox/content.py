"""Structured message content: rich replies for the widget and the bot (choices, cards, an
article, an order), each kind with a typed schema. `text` always holds a plain-text fallback,
so channels that only carry text (email, the API webhook, the timeline) show something
sensible; the fallback is built here when the sender gives none.

The schemas are pydantic models (Ninja schemas in the API); every string is checked against
what both databases store, every link must be https.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationError

from storedesk.core.errors import ActionError
from storedesk.core.validation import SafeStr, SchemaPattern


class ContentType:
    TEXT = "text"
    CHOICES = "choices"
    CARDS = "cards"
    ARTICLE = "article"
    ORDER = "order"
    ALL = ("text", "choices", "cards", "article", "order")


def _https(value: str) -> str:
    if not value.startswith("https://") or len(value) <= len("https://"):
        raise ValueError("must be an https:// link")
    return value


HttpsUrl = Annotated[
    SafeStr,
    Field(max_length=2000),
    AfterValidator(_https),
    SchemaPattern("^https://[^\\u0000]+$"),
]
Label = Annotated[SafeStr, Field(min_length=1, max_length=80)]
Line = Annotated[SafeStr, Field(max_length=500)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Choice(_Strict):
    label: Label
    value: Annotated[SafeStr, Field(min_length=1, max_length=200)]


class ChoicesContent(_Strict):
    """Quick replies: the shopper picks one; the widget sends its `value` back."""

    prompt: Line = ""
    choices: list[Choice] = Field(..., min_length=1, max_length=10)


class Button(_Strict):
    label: Label
    url: HttpsUrl


class Card(_Strict):
    title: Label
    subtitle: Line = ""
    image_url: HttpsUrl | None = None
    url: HttpsUrl | None = None
    buttons: list[Button] = Field(default_factory=list, max_length=3)


class CardsContent(_Strict):
    """A carousel of cards (products, options)."""

    cards: list[Card] = Field(..., min_length=1, max_length=10)


class ArticleContent(_Strict):
    """A help-center article."""

    title: Label
    url: HttpsUrl
    summary: Line = ""


class OrderLine(_Strict):
    name: Label
    quantity: int = Field(1, ge=1, le=100_000)


class OrderContent(_Strict):
    """An order's status card."""

    order_number: Annotated[SafeStr, Field(min_length=1, max_length=64)]
    status: Label
    total: Annotated[SafeStr, Field(max_length=32)] = ""
    url: HttpsUrl | None = None
    lines: list[OrderLine] = Field(default_factory=list, max_length=50)


SCHEMAS: dict[str, type[_Strict]] = {
    ContentType.CHOICES: ChoicesContent,
    ContentType.CARDS: CardsContent,
    ContentType.ARTICLE: ArticleContent,
    ContentType.ORDER: OrderContent,
}
ContentTypeName = Literal["text", "choices", "cards", "article", "order"]
StructuredContent = ChoicesContent | CardsContent | ArticleContent | OrderContent


def clean_content(content_type: str, content: Any) -> dict[str, Any]:
    """The validated content for its kind ({} for text); ActionError (400) otherwise."""
    if content_type == ContentType.TEXT:
        if content:
            raise ActionError("A text message has no structured content.")
        return {}
    schema = SCHEMAS.get(content_type)
    if schema is None:
        raise ActionError(f"Unknown content type {content_type!r}.")
    if isinstance(content, BaseModel):
        content = content.model_dump()
    try:
        parsed = schema.model_validate(content)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise ActionError(f"content.{where}: {first['msg']}") from exc
    return parsed.model_dump(mode="json")


def fallback_text(content_type: str, content: dict[str, Any]) -> str:
    """Plain text standing in for structured content where only text can be shown."""
    if content_type == ContentType.CHOICES:
        lines = [content.get("prompt", "")] if content.get("prompt") else []
        lines += [f"- {c['label']}" for c in content["choices"]]
        return "\n".join(lines)
    if content_type == ContentType.CARDS:
        lines = []
        for card in content["cards"]:
            parts = [card["title"], card.get("subtitle", ""), card.get("url") or ""]
            lines.append(" — ".join(p for p in parts if p))
        return "\n".join(lines)
    if content_type == ContentType.ARTICLE:
        parts = [content["title"], content.get("summary", ""), content["url"]]
        return "\n".join(p for p in parts if p)
    if content_type == ContentType.ORDER:
        head = f"Order {content['order_number']}: {content['status']}"
        if content.get("total"):
            head += f" ({content['total']})"
        lines = [head, *(f"{ln['quantity']} × {ln['name']}" for ln in content.get("lines", []))]
        if content.get("url"):
            lines.append(content["url"])
        return "\n".join(lines)
    return ""
