"""Back-in-stock notices: when commerce says a product is back (`product.back_in_stock`), every
shopper waiting for it hears so on the conversation they subscribed from, on its channel, in
that conversation's language, once. A shopper waiting for one variant (a size, a colour) hears
only when that variant came back; one waiting for the product, when the product could be bought
again (the event says which: `product_back`, `variant_ids`).

Each subscription is claimed (`commerce.claim_restock_notice`) and its notice written
(`inbox.actions.send_notice`, sender `bot`, keyed by the subscription and its round) in the
subscriber's one transaction, so the notice is sent exactly once even when the event is handled
twice or by two workers; asking again after a notice starts a new round. The notice reaches a
resolved or closed conversation too, without reopening it; the shopper's answer goes through
the normal receive path. A subscription whose conversation is gone (erased) cannot be written
to: it stays waiting and is logged.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from django.db.models import Q

from storedesk.accounts.actor import BOT
from storedesk.assistant import replies
from storedesk.assistant.actions import settings_for
from storedesk.commerce import actions as commerce
from storedesk.commerce.models.notices import RestockSubscription
from storedesk.events.models import Event
from storedesk.inbox import actions as inbox_actions
from storedesk.inbox.models import Conversation

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Notified:
    sent: int = 0
    unreachable: int = 0


def _language(conversation: Conversation) -> str:
    language = conversation.language
    if language in replies.LANGUAGES:
        return language
    account_languages = [c for c in conversation.account.languages or []
                         if c in replies.LANGUAGES]
    return account_languages[0] if account_languages else "en"


def notify_back_in_stock(event_id: int) -> Notified:
    event = Event.objects.filter(pk=event_id).first()
    if event is None:
        return Notified()
    data = event.data or {}
    product_id = data.get("product_id")
    if not isinstance(product_id, int):
        return Notified()
    variant_ids = [v for v in data.get("variant_ids") or [] if isinstance(v, int)]
    scope = Q(variant_id__in=variant_ids)
    if data.get("product_back", True):  # events before variants were told apart: the product
        scope |= Q(variant__isnull=True)
    waiting = (RestockSubscription.objects
               .filter(scope, account_id=event.account_id, product_id=product_id,
                       notified_at__isnull=True)
               .select_related("product", "variant", "conversation__account").order_by("pk"))
    settings = settings_for(event.account_id)
    actor = BOT.caused_by(event.pk)
    sent = unreachable = 0
    for subscription in waiting:
        conversation = subscription.conversation
        if conversation is None:
            unreachable += 1
            logger.warning("back-in-stock notice %s: its conversation is gone",
                           subscription.pk)
            continue
        if not commerce.claim_restock_notice(subscription):
            continue
        name = subscription.product.title
        if subscription.variant is not None and subscription.variant.title:
            name = f"{name} ({subscription.variant.title})"
        text = replies.render("restock_notice", _language(conversation), {"product": name},
                              settings.reply_overrides)
        _message, created = inbox_actions.send_notice(
            conversation, actor, text, notice="back_in_stock",
            key=f"restock-{subscription.pk}-{subscription.wait_round}")
        sent += int(created)
    return Notified(sent=sent, unreachable=unreachable)
