"""Back-in-stock notices: subscribe a shopper to a product, or to one of its variants
(idempotent while waiting; a new round once notified), and mark a subscription notified once
its notice was sent (claimed once: a round's notice never goes twice)."""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from storedesk.accounts.actor import Actor
from storedesk.commerce.models import Product, Variant
from storedesk.commerce.models.notices import RestockSubscription
from storedesk.contacts.models import Contact
from storedesk.core.errors import ActionError
from storedesk.events import record
from storedesk.events.kinds import EventKind
from storedesk.inbox.models import Conversation


def subscribe_restock(
    product: Product, contact: Contact, actor: Actor, *, conversation: Conversation | None = None,
    variant: Variant | None = None,
) -> tuple[RestockSubscription, bool]:
    """(subscription, waiting anew). Asking again while waiting returns the same subscription;
    asking again after its notice was sent waits anew (next round, on this conversation).
    With a variant, the shopper waits for that variant only (its own subscription)."""
    if product.account_id != contact.account_id:
        raise ActionError("The product and the shopper belong to different accounts.")
    if conversation is not None and conversation.account_id != product.account_id:
        raise ActionError("The conversation belongs to another account.")
    if variant is not None and variant.product_id != product.pk:
        raise ActionError("The variant is not one of the product's.")
    existing = RestockSubscription.objects.filter(product=product, variant=variant,
                                                  contact=contact).first()
    if existing is not None:
        return _rearm(existing, actor, conversation)
    try:
        with transaction.atomic():
            subscription = RestockSubscription.objects.create(
                account_id=product.account_id, store_id=product.store_id, product=product,
                variant=variant, contact=contact, conversation=conversation,
            )
            record(EventKind.PRODUCT_RESTOCK_SUBSCRIBED, actor, account_id=product.account_id,
                   conversation_id=conversation.pk if conversation is not None else None,
                   data={"product_id": product.pk, "product": product.title[:200],
                         "variant_id": variant.pk if variant is not None else None,
                         "subscription_id": subscription.pk})
    except IntegrityError:  # a concurrent duplicate won
        return RestockSubscription.objects.get(product=product, variant=variant,
                                               contact=contact), False
    return subscription, True


@transaction.atomic
def _rearm(subscription: RestockSubscription, actor: Actor,
           conversation: Conversation | None) -> tuple[RestockSubscription, bool]:
    # One conditional update decides between concurrent asks (and against a notice being
    # claimed): only a notified subscription starts a new round.
    rearmed = RestockSubscription.objects.filter(
        pk=subscription.pk, notified_at__isnull=False,
    ).update(notified_at=None, wait_round=F("wait_round") + 1,
             conversation=conversation or subscription.conversation)
    subscription.refresh_from_db()
    if not rearmed:
        return subscription, False
    record(EventKind.PRODUCT_RESTOCK_SUBSCRIBED, actor, account_id=subscription.account_id,
           conversation_id=subscription.conversation_id,
           data={"product_id": subscription.product_id,
                 "product": subscription.product.title[:200],
                 "subscription_id": subscription.pk, "round": subscription.wait_round})
    return subscription, True


def claim_restock_notice(subscription: RestockSubscription) -> bool:
    """Mark the subscription notified; True for the one caller that flips it (that caller
    sends the notice in the same transaction), False when it already was."""
    claimed = RestockSubscription.objects.filter(
        pk=subscription.pk, account_id=subscription.account_id, notified_at__isnull=True,
    ).update(notified_at=timezone.now())
    return claimed == 1
