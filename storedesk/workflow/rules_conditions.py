"""The typed registry of automation-rule conditions: what a rule may test, how a value is
validated on save (`clean`), read from the conversation (`read`) and compared (`test`).

Conditions read `Facts`: the conversation and the event, with extras read lazily and once per
event for all rules (tags, message text, the latest order, our last reply). Order facts come
from commerce through `workflow.orders` (registered by workflow_ui), segments through
`workflow.segments`: the workflow itself reads no order rows.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop

from storedesk.core.errors import ActionError
from storedesk.core.folding import fold
from storedesk.events.models import Event
from storedesk.inbox.channels import is_channel
from storedesk.inbox.models import Conversation, Direction, Message, Priority, Status
from storedesk.workflow import orders
from storedesk.workflow.segments import SEGMENTS, in_segment

_UNSET: Any = object()


@dataclass
class Facts:
    """What conditions read: the conversation and the event (None for a scheduled sweep's
    look), with lazily read extras."""

    conversation: Conversation
    event: Event | None
    _tags: frozenset[str] | None = None
    _text: str | None = None
    _order: Any = _UNSET
    _last_reply: Any = _UNSET

    @property
    def tags(self) -> frozenset[str]:
        if self._tags is None:
            self._tags = frozenset(self.conversation.tags.values_list("name", flat=True))
        return self._tags

    @property
    def text(self) -> str:
        """The event's message, else the conversation's latest incoming message (folded)."""
        if self._text is None:
            message_id = ((self.event.data if self.event else None) or {}).get("message_id")
            qs = Message.objects.filter(conversation=self.conversation)
            message = (qs.filter(pk=message_id).first() if message_id else None) or (
                qs.filter(direction="incoming").order_by("-created_at", "-pk").first())
            self._text = message.search_text if message else ""
        return self._text

    @property
    def order(self) -> orders.OrderFacts | None:
        """The conversation's latest order (commerce's reader), or None."""
        if self._order is _UNSET:
            self._order = orders.latest_order(self.conversation)
        return self._order  # type: ignore[no-any-return]

    @property
    def last_reply_at(self) -> datetime:
        """When the team last answered the shopper (the opening time if never)."""
        if self._last_reply is _UNSET:
            self._last_reply = (
                Message.objects.filter(conversation=self.conversation,
                                       direction=Direction.OUTGOING, private=False)
                .order_by("-created_at").values_list("created_at", flat=True).first()
                or self.conversation.created_at)
        return self._last_reply  # type: ignore[no-any-return]


@dataclass(frozen=True)
class Condition:
    key: str
    label: Any
    ops: tuple[str, ...]
    read: Callable[[Facts], Any]
    clean: Callable[[int, Any], Any]  # (account id, raw value) -> stored value, or ActionError
    test: Callable[[Any, str, Any], bool] = field(
        default=lambda actual, op, value: (actual == value) == (op == "is"))
    help: Any = ""  # what the value looks like (settings form)


# --- Cleaners (shared with the actions' registry) ------------------------------------------------


def choice(allowed: Callable[[str], bool], message: str) -> Callable[[int, Any], Any]:
    def clean(account_id: int, raw: Any) -> Any:
        value = str(raw or "").strip().lower()
        if not allowed(value):
            raise ActionError(message)
        return value
    return clean


def words(account_id: int, raw: Any) -> list[str]:
    found = [fold(w.strip()) for w in str(raw or "").split(",") if w.strip()]
    if not found or len(found) > 50 or any(len(w) > 200 for w in found):
        raise ActionError(gettext_noop("List 1 to 50 words or phrases, separated by commas."))
    return found


def code(account_id: int, raw: Any) -> str:
    value = str(raw or "").strip().lower()
    if not value or len(value) > 64:
        raise ActionError(gettext_noop("A value of 1-64 characters is needed."))
    return value


def hours(account_id: int, raw: Any) -> int:
    try:
        value = int(raw)
    except (TypeError, ValueError) as exc:
        raise ActionError(gettext_noop("A number of hours is needed.")) from exc
    if not 0 <= value <= 24 * 366:
        raise ActionError(gettext_noop("A number of hours is needed."))
    return value


def _amount(account_id: int, raw: Any) -> str:
    try:
        value = Decimal(str(raw).strip())
    except (InvalidOperation, ValueError) as exc:
        raise ActionError(gettext_noop("An amount such as 100 or 49.99 is needed.")) from exc
    if not value.is_finite() or not 0 <= value < Decimal("1e12"):
        raise ActionError(gettext_noop("An amount such as 100 or 49.99 is needed."))
    return str(value)


def _domain(account_id: int, raw: Any) -> str:
    value = str(raw or "").strip().lower().lstrip("@")
    labels = value.split(".")
    if (len(value) > 253 or len(labels) < 2
            or not all(label and len(label) <= 63 and label.replace("-", "").isalnum()
                       for label in labels)):
        raise ActionError(gettext_noop("A domain such as example.com is needed."))
    return value


def _segment(account_id: int, raw: Any) -> str:
    value = str(raw or "").strip().lower()
    if value not in SEGMENTS:
        raise ActionError(gettext_noop("Unknown customer segment."))
    return value


def _order_status(account_id: int, raw: Any) -> str:
    value = str(raw or "").strip().lower()
    if value not in orders.known_statuses():
        raise ActionError(gettext_noop("Unknown order status."))
    return value


def _attribute(account_id: int, raw: Any) -> dict[str, str]:
    key, sep, value = str(raw or "").partition("=")
    key, value = key.strip(), value.strip().lower()
    if not sep or not key or len(key) > 64 or len(value) > 200:
        raise ActionError(gettext_noop("Write the attribute as name=value, e.g. plan=gold."))
    return {"key": key, "value": value}


# --- Readers and tests ---------------------------------------------------------------------------


def _hours_since(at: datetime | None) -> float:
    return (timezone.now() - at).total_seconds() / 3600 if at else 0.0


def _more_or_less(actual: Any, op: str, value: Any) -> bool:
    if actual is None:
        return False
    limit = Decimal(str(value))
    return bool(actual > limit) if op == "more_than" else bool(actual < limit)


def _email_domain(f: Facts) -> str:
    return f.conversation.contact.email.lower().rpartition("@")[2]


def _attribute_matches(attributes: Any, op: str, value: dict[str, str]) -> bool:
    actual = attributes.get(value["key"]) if isinstance(attributes, dict) else None
    found = actual is not None and str(actual).strip().lower() == value["value"]
    return found == (op == "is")


def _order_total(f: Facts) -> Decimal | None:
    return f.order.total if f.order else None


def _order_statuses(f: Facts) -> frozenset[str]:
    return f.order.statuses if f.order else frozenset()


CONDITIONS: dict[str, Condition] = {
    c.key: c for c in (
        Condition("channel", _("Channel"), ("is", "is_not"), lambda f: f.conversation.inbox.channel,
                  choice(is_channel, gettext_noop("Unknown channel."))),
        Condition("language", _("Language"), ("is", "is_not"),
                  lambda f: f.conversation.language.split("-")[0], code),
        Condition("intent", _("Intent"), ("is", "is_not"), lambda f: f.conversation.intent,
                  code),
        Condition("priority", _("Priority"), ("is", "is_not"), lambda f: f.conversation.priority,
                  choice(lambda v: v in Priority.values, gettext_noop("Unknown priority."))),
        Condition("status", _("Status"), ("is", "is_not"), lambda f: f.conversation.status,
                  choice(lambda v: v in Status.values, gettext_noop("Unknown status."))),
        Condition("tag", _("Tag"), ("has", "has_not"), lambda f: f.tags, code,
                  lambda tags, op, value: (value in tags) == (op == "has")),
        Condition("text", _("Message text"), ("contains", "not_contains"), lambda f: f.text,
                  words,
                  lambda text, op, found: any(w in text for w in found) == (op == "contains")),
        Condition("contact_email", _("Contact email"), ("contains", "not_contains"),
                  lambda f: f.conversation.contact.email.lower(), code,
                  lambda email, op, value: (value in email) == (op == "contains")),
        Condition("email_domain", _("Contact email domain"), ("is", "is_not"), _email_domain,
                  _domain, help=_("e.g. example.com")),
        Condition("segment", _("Customer segment"), ("is", "is_not"),
                  lambda f: f.conversation, _segment,
                  lambda conversation, op, key: in_segment(key, conversation) == (op == "is"),
                  help=_("e.g. vip")),
        Condition("contact_attribute", _("Contact attribute"), ("is", "is_not"),
                  lambda f: f.conversation.contact.attributes, _attribute, _attribute_matches,
                  help=_("name=value, e.g. plan=gold")),
        Condition("order_status", _("Latest order status"), ("is", "is_not"), _order_statuses,
                  _order_status,
                  lambda statuses, op, value: (value in statuses) == (op == "is"),
                  help=_("e.g. cancelled, refunded, unfulfilled")),
        Condition("order_total", _("Latest order total"), ("more_than", "less_than"),
                  _order_total, _amount, _more_or_less, help=_("e.g. 500")),
        Condition("hours_since_customer", _("Hours since the customer wrote"),
                  ("more_than", "less_than"),
                  lambda f: _hours_since(f.conversation.last_incoming_at), hours,
                  lambda h, op, value: h > value if op == "more_than" else h < value),
        Condition("hours_since_reply", _("Hours since our last reply"),
                  ("more_than", "less_than"), lambda f: _hours_since(f.last_reply_at), hours,
                  lambda h, op, value: h > value if op == "more_than" else h < value),
    )
}


def matches(conditions: list[dict[str, Any]], match_all: bool, facts: Facts) -> bool:
    if not conditions:
        return True
    results = (
        CONDITIONS[c["field"]].test(CONDITIONS[c["field"]].read(facts), c["op"], c["value"])
        for c in conditions if c.get("field") in CONDITIONS
    )
    return all(results) if match_all else any(results)
