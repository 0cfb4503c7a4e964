"""Back-in-stock notices: subscribe a shopper to a product (idempotent), and mark a
subscription notified once its notice was sent (claimed once: a notice never goes twice)."""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.utils import timezone

from storedesk.accounts.actor import Actor
from storedesk.commerce.models import Product
from storedesk.commerce.models.notices import RestockSubscription
from storedesk.contacts.models import Contact
from storedesk.core.errors import ActionError
from storedesk.events import record
from storedesk.events.kinds import EventKind
from storedesk.inbox.models import Conversation


def subscribe_restock(
    product: Product, contact: Contact, actor: Actor, *, conversation: Conversation | None = None
) -> tuple[RestockSubscription, bool]:
    """(subscription, created). Asking again for the same product returns the first one."""
    if product.account_id != contact.account_id:
        raise ActionError("The product and the shopper belong to different accounts.")
    existing = RestockSubscription.objects.filter(product=product, contact=contact).first()
    if existing is not None:
        return existing, False
    try:
        with transaction.atomic():
            subscription = RestockSubscription.objects.create(
                account_id=product.account_id, store_id=product.store_id, product=product,
                contact=contact, conversation=conversation,
            )
            record(EventKind.PRODUCT_RESTOCK_SUBSCRIBED, actor, account_id=product.account_id,
                   conversation_id=conversation.pk if conversation is not None else None,
                   data={"product_id": product.pk, "product": product.title[:200],
                         "subscription_id": subscription.pk})
    except IntegrityError:  # a concurrent duplicate won
        return RestockSubscription.objects.get(product=product, contact=contact), False
    return subscription, True


def claim_restock_notice(subscription: RestockSubscription) -> bool:
    """Mark the subscription notified; True for the one caller that flips it (that caller
    sends the notice in the same transaction), False when it already was."""
    claimed = RestockSubscription.objects.filter(
        pk=subscription.pk, account_id=subscription.account_id, notified_at__isnull=True,
    ).update(notified_at=timezone.now())
    return claimed == 1
