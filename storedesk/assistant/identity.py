"""Who the shopper is, as far as the bot may trust it: identity before data.

A shopper is verified for an order by the channel (the API channel: the store's own backend
vouches for the contact; the email channel: the order's email is the sender's address; the chat
widget: an HMAC-verified customer id or email) or in the chat itself (the order number plus the
email address or postcode on that order). Nothing about an order reaches a shopper who is not
verified for it, and the answer to a wrong check is the same whether the order exists or not.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Q

from storedesk.commerce.models import Order
from storedesk.commerce.queries import customers_of_contact, orders_of_verified_customer
from storedesk.inbox.models import Conversation, Message

RECENT_ORDERS = 10
TOKEN = re.compile(r"[\w.@+-]+", re.UNICODE)
# What may stand before an order number's digits as the store's prefix ("LL-", "#", "SO/").
PREFIX_ONLY = re.compile(r"#?[^\W\d_]{1,6}[-_/ ]?|#", re.UNICODE)


@dataclass
class Identity:
    channel: str
    verified: bool  # the channel vouches for who the shopper is
    orders: list[Order] = field(default_factory=list)  # orders the shopper may hear about

    @property
    def order_ids(self) -> set[int]:
        return {o.pk for o in self.orders}


def _orders(conversation: Conversation) -> Any:
    return (Order.objects.filter(account_id=conversation.account_id)
            .select_related("store", "customer")
            .order_by("-placed_at", "-id"))


def identify(conversation: Conversation, message: Message,
             chat_verified_ids: list[int]) -> Identity:
    channel = conversation.inbox.channel
    metadata = message.metadata or {}
    orders: list[Order] = []
    verified = False
    if channel == "api":
        # The store's backend posted the message: it vouches for the contact.
        verified = True
        orders = list(_orders(conversation).filter(
            customer__in=customers_of_contact(conversation.contact).values("pk"))[:RECENT_ORDERS])
    elif channel == "email":
        email_meta = metadata.get("email") or {}
        sender = str(email_meta.get("from") or "").strip().lower()
        if sender and not email_meta.get("forged_thread_token"):
            verified = True
            orders = list(_orders(conversation).filter(
                customer__email__iexact=sender)[:RECENT_ORDERS])
    elif channel == "webchat":
        chat = metadata.get("webchat") or {}
        if chat.get("verified"):
            verified = True
            customer_id = str(chat.get("customer_id") or "")
            email = "" if customer_id else conversation.contact.email
            found = orders_of_verified_customer(
                conversation.account_id, conversation.inbox.store_id, external_id=customer_id,
                email=email, limit=RECENT_ORDERS)
            orders = list(_orders(conversation).filter(pk__in=[o.pk for o in found]))
    if chat_verified_ids:
        known = {o.pk for o in orders}
        extra = _orders(conversation).filter(pk__in=chat_verified_ids).exclude(pk__in=known)
        orders = sorted([*orders, *extra], key=lambda o: (o.placed_at, o.pk), reverse=True)
    return Identity(channel=channel, verified=verified, orders=orders)


def find_order(conversation: Conversation, number: str) -> Order | None:
    """The order with this number in the conversation's account (its store's first)."""
    number = number.strip().lstrip("#")
    if not number:
        return None
    candidates = _orders(conversation).filter(Q(number__iexact=number) | Q(
        number__iexact=f"#{number}"))
    found = _preferred(conversation, candidates)
    if found is None and number.isdigit():
        # Shoppers copy the digits and drop the store's prefix: "order 10421" for LL-10421.
        prefixed = [pk for pk, full in Order.objects.filter(
            account_id=conversation.account_id, number__iendswith=number).values_list(
            "pk", "number")[:20] if PREFIX_ONLY.fullmatch(full[:-len(number)])]
        found = _preferred(conversation, _orders(conversation).filter(pk__in=prefixed))
    return found


def _preferred(conversation: Conversation, candidates: Any) -> Order | None:
    """The conversation's store's order first, else the newest."""
    if conversation.store_id:
        preferred = candidates.filter(store_id=conversation.store_id).first()
        if preferred is not None:
            return preferred
    return candidates.first()


def _normal_postcode(value: str) -> str:
    return re.sub(r"[\s-]", "", value).lower()


def proves(order: Order | None, text: str, emails: tuple[str, ...] = (),
           postcodes: tuple[str, ...] = ()) -> bool:
    """True when the message names the order's email address or delivery postcode.

    `order` None (no such order) never proves anything, and costs the same answer.
    """
    if order is None:
        return False
    tokens = {t.strip(".,;:!?").lower() for t in TOKEN.findall(text)}
    given_emails = {e.lower() for e in emails} | {t for t in tokens if "@" in t}
    order_email = (order.customer.email if order.customer else "").strip().lower()
    if order_email and order_email in given_emails:
        return True
    zip_code = _normal_postcode(str((order.shipping_address or {}).get("zip") or ""))
    if len(zip_code) >= 3:
        given = {_normal_postcode(p) for p in postcodes} | {_normal_postcode(t) for t in tokens}
        compact = _normal_postcode(text)
        if zip_code in given or (not zip_code.isdigit() and zip_code in compact):
            return True
    return False


def gives_credentials(text: str, emails: tuple[str, ...], postcodes: tuple[str, ...]) -> bool:
    """Does the message offer an email address or something like a postcode?"""
    if emails or postcodes or "@" in text:
        return True
    return bool(re.search(r"\b\d{2}[- ]?\d{3}\b|\b\d{4,6}\b|\b[A-Z]{1,2}\d[A-Z\d]? ?\d[A-Z]{2}\b",
                          text))
