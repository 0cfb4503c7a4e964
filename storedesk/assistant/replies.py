"""What the bot says: one gettext catalog per language, with the facts filled in.

The English texts below are the msgids; the translations live in
`storedesk/assistant/replies/<lang>/LC_MESSAGES/assistant.po` (+ the compiled `.mo`), a gettext
domain of its own read with Python's `gettext`. The folder is deliberately not called `locale`:
Django's makemessages would then route this app's UI strings into it instead of the shared UI
catalogs. The marker `reply_text` is not a keyword makemessages extracts, so these texts never
reach the UI catalogs (`storedesk/locale/*/django.po`).

Agents may override any text per account and language (`AssistantSettings.reply_overrides`);
an override must use exactly the placeholders of the default text.
"""

from __future__ import annotations

import gettext
import re
from functools import cache
from pathlib import Path
from typing import Any

REPLIES_DIR = Path(__file__).resolve().parent / "replies"
DOMAIN = "assistant"
LANGUAGES = ("en", "pl", "tr", "id", "th", "de", "es", "fr", "pt", "it", "nl")
PLACEHOLDER = re.compile(r"%\((\w+)\)s")


def reply_text(text: str) -> str:
    """Marks an English reply text (a msgid of the assistant's own catalogs)."""
    return text


DEFAULTS: dict[str, str] = {
    "smalltalk": reply_text(
        "Hi! I'm the %(store)s assistant. I can check your order, explain delivery and "
        "returns, or pass you to a colleague."),
    "feedback": reply_text(
        "Thank you for your message! I've passed it on to the team."),
    "ask_identity": reply_text(
        "I can check that for you. Please send your order number and the email address or "
        "postcode used for the order."),
    "ask_identity_return": reply_text(
        "To start a return, please send your order number and the email address or postcode "
        "used for the order."),
    "ask_verification": reply_text(
        "To protect your privacy, please send the email address or postcode used for order "
        "%(order)s."),
    "verification_failed": reply_text(
        "Sorry, that doesn't match our records for this order. Please check the email "
        "address or postcode and try again."),
    "ask_which_order": reply_text(
        "You have several open orders: %(orders)s. Which one do you mean?"),
    "no_orders": reply_text(
        "I couldn't find an order for you. I'm passing you to a colleague who can help."),
    "order_unfulfilled": reply_text(
        "Your order %(order)s from %(date)s is being prepared and hasn't shipped yet."),
    "order_shipped": reply_text(
        "Your order %(order)s has shipped with %(carrier)s. Tracking number: %(tracking)s. "
        "Follow it here: %(url)s. Expected delivery: %(eta)s."),
    "order_shipped_no_eta": reply_text(
        "Your order %(order)s has shipped with %(carrier)s. Tracking number: %(tracking)s. "
        "Follow it here: %(url)s."),
    "order_delivered": reply_text(
        "Your order %(order)s was delivered on %(date)s."),
    "order_cancelled": reply_text(
        "Your order %(order)s was cancelled on %(date)s."),
    "delivery_rates": reply_text(
        "Delivery options for your country (%(country)s): %(rates)s."),
    "rate_line": reply_text(
        "%(method)s %(cost)s, %(min)s-%(max)s days"),
    "free_shipping": reply_text(
        "Orders from %(amount)s ship free."),
    "cancel_done": reply_text(
        "Done: I've cancelled order %(order)s. Any payment goes back to your original "
        "payment method."),
    "cancel_requested": reply_text(
        "Order %(order)s hasn't shipped yet, so it can still be cancelled. I've passed your "
        "cancellation to our team; they will confirm it here."),
    "cancel_not_possible": reply_text(
        "Order %(order)s has already shipped, so it can't be cancelled any more. Once it "
        "arrives you can return it within %(days)s days."),
    "change_requested": reply_text(
        "Order %(order)s hasn't shipped yet, so it can still be changed. I've passed your "
        "request to our team; they will confirm it here."),
    "change_not_possible": reply_text(
        "Order %(order)s has already shipped, so it can't be changed any more."),
    "already_requested": reply_text(
        "I've already passed this request for order %(order)s to our team; they will get "
        "back to you here."),
    "return_started": reply_text(
        "I've started return %(rma)s for order %(order)s (%(items)s). %(instructions)s"),
    "return_requested": reply_text(
        "Order %(order)s can be returned within %(days)s days of delivery. I've passed your "
        "return request to our team; they will send you the return details here."),
    "return_window_closed": reply_text(
        "The %(days)s-day return window for order %(order)s has closed. I'm passing you to a "
        "colleague who can take a look."),
    "return_not_returnable": reply_text(
        "Sorry, %(items)s from order %(order)s can't be returned under our policy. I'm "
        "passing you to a colleague who can take a look."),
    "return_not_shipped": reply_text(
        "Order %(order)s hasn't shipped yet. If you don't want it any more, I can cancel it: "
        "just say so."),
    "refund_requested": reply_text(
        "I've asked for a refund of %(amount)s on order %(order)s. A team member will review "
        "it and you'll hear back here."),
    "refund_not_paid": reply_text(
        "Order %(order)s has no payment that could be refunded."),
    "refund_done": reply_text(
        "A refund of %(amount)s for order %(order)s was issued on %(date)s. Depending on "
        "your bank it can take a few business days to show."),
    "refund_in_review": reply_text(
        "The refund of %(amount)s for order %(order)s is being reviewed by our team."),
    "refund_none": reply_text(
        "I don't see a refund on order %(order)s yet. I'm passing you to a colleague who can "
        "check."),
    "return_policy": reply_text(
        "You can return items within %(days)s days of delivery."),
    "offer_return": reply_text(
        "Shall I start a return for order %(order)s? Please answer yes or no."),
    "offer_declined": reply_text(
        "All right, I won't start a return. Is there anything else I can help with?"),
    "article": reply_text(
        "This article should help: %(title)s %(url)s"),
    "product_in_stock": reply_text(
        "%(product)s is in stock right now."),
    "product_out_of_stock": reply_text(
        "%(product)s is out of stock right now. Write \"notify me\" and I'll put you on the "
        "back-in-stock list."),
    "restock_subscribed": reply_text(
        "I've put you on the back-in-stock list for %(product)s."),
    "complaint": reply_text(
        "I'm really sorry about this. I've marked your message as urgent and a colleague "
        "will take over here shortly."),
    "handoff_human": reply_text(
        "Of course. I'm passing you to a colleague, who will reply here shortly."),
    "handoff": reply_text(
        "Thanks for your message. I'm passing it to a colleague, who will reply here "
        "shortly."),
    "return_already_started": reply_text(
        "A return for order %(order)s is already under way: %(rma)s. %(instructions)s"),
    "ask_address": reply_text(
        "Please send the new delivery address for order %(order)s: street and number, "
        "postcode and city (and the country if it changes)."),
    "confirm_address": reply_text(
        "I'll change the delivery address of order %(order)s to: %(address)s. Is that "
        "right? Please answer yes or no."),
    "address_changed": reply_text(
        "Done: order %(order)s will be delivered to %(address)s."),
    "restock_notice": reply_text(
        "Good news: %(product)s is back in stock."),
    "confirm_item_change": reply_text(
        "I'll change %(quantity)s × %(old)s to %(new)s on order %(order)s. Is that right? "
        "Please answer yes or no."),
    "items_changed": reply_text(
        "Done: order %(order)s now has %(quantity)s × %(new)s instead of %(old)s."),
    "items_changed_refunded": reply_text(
        "Done: order %(order)s now has %(quantity)s × %(new)s instead of %(old)s. The "
        "difference of %(amount)s goes back to your original payment method."),
    "items_changed_refund_pending": reply_text(
        "Done: order %(order)s now has %(quantity)s × %(new)s instead of %(old)s. A colleague "
        "will confirm the refund of the difference of %(amount)s."),
}


def placeholders(text: str) -> set[str]:
    return set(PLACEHOLDER.findall(text))


@cache
def _catalog(language: str) -> gettext.NullTranslations:
    # Immutable files shipped with the code: one parsed catalog per language and process.
    return gettext.translation(DOMAIN, localedir=str(REPLIES_DIR), languages=[language],
                               fallback=True)


def default_text(key: str, language: str) -> str:
    """The shipped text of `key` in `language` (English when the language has no catalog)."""
    source = DEFAULTS[key]
    if language not in LANGUAGES:
        return source
    return _catalog(language).gettext(source)


def text_for(key: str, language: str, overrides: dict[str, Any] | None = None) -> str:
    custom = ((overrides or {}).get(key) or {}).get(language)
    if isinstance(custom, str) and custom.strip():
        return custom
    return default_text(key, language)


def render(key: str, language: str, params: dict[str, Any] | None = None,
           overrides: dict[str, Any] | None = None) -> str:
    """The reply `key` in `language` with the facts filled in."""
    template = text_for(key, language, overrides)
    values = {name: str(value) for name, value in (params or {}).items()}
    for name in placeholders(template):
        values.setdefault(name, "")
    return (template % values).strip()


def check_override(key: str, text: str) -> str | None:
    """Why this override cannot be used (None: it can)."""
    if key not in DEFAULTS:
        return f"Unknown reply {key!r}."
    wanted = placeholders(DEFAULTS[key])
    found = placeholders(text)
    # Anything else that looks like a %-format would break the rendering.
    stripped = PLACEHOLDER.sub("", text).replace("%%", "")
    if "%" in stripped:
        return "Use %% for a percent sign; placeholders look like %(name)s."
    if found != wanted:
        missing = ", ".join(f"%({n})s" for n in sorted(wanted - found))
        extra = ", ".join(f"%({n})s" for n in sorted(found - wanted))
        parts = [p for p in (f"missing {missing}" if missing else "",
                             f"unknown {extra}" if extra else "") if p]
        return "The placeholders must match the default text: " + "; ".join(parts) + "."
    return None
