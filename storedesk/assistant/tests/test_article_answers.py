"""The assistant quotes the help center (`flows.article_for`): only published, public articles
of the store's own help center, in the shopper's language; anything else hands the
conversation to a person."""

from __future__ import annotations

import pytest
from django.conf import settings

from storedesk.accounts.actor import BOT
from storedesk.assistant.actions import settings_for, state_for
from storedesk.assistant.flows import FLOWS, Turn, article_for
from storedesk.assistant.identity import Identity
from storedesk.commerce.models import Store
from storedesk.helpcenter.actions import ensure_help_center
from storedesk.helpcenter.tests.conftest import write
from storedesk.inbox.actions import InboundMessage, receive_message
from storedesk.inbox.models import Inbox

pytestmark = pytest.mark.django_db

GIFT_CARDS = "Paying with a gift card"
GIFT_BODY = ("Enter the gift card code at checkout. A gift card pays for any order; the rest "
             "of the amount goes on your card.")


def turn_for(inbox: Inbox, text: str, language: str, *, intent: str = "payment") -> Turn:
    """A turn as the engine builds it for a shopper's message on `inbox` (its store)."""
    message = receive_message(inbox, InboundMessage(sender_id=f"shopper-{language}",
                                                    text=text)).message
    conversation = message.conversation
    return Turn(
        conversation=conversation, message=message, store=inbox.store,
        settings=settings_for(conversation.account_id), state=state_for(conversation),
        identity=Identity(channel=inbox.channel, verified=False), actor=BOT,
        language=language, intent=intent, confidence=0.9, entities=None, may_act=False,
    )


def test_a_published_article_in_the_shoppers_language_is_quoted_with_its_link(personas):
    help_center = ensure_help_center(personas.harbor_store)
    write(help_center, "gift-cards", "en", GIFT_CARDS, GIFT_BODY)
    write(help_center, "gift-cards", "pl", "Płatność kartą podarunkową",
          "Wpisz kod karty podarunkowej przy kasie. Karta podarunkowa opłaci każde zamówienie.")
    base = f"{settings.BASE_URL}/help/{help_center.slug}"

    english = turn_for(personas.harbor_api, "Can I pay with a gift card?", "en")
    assert article_for(english, english.message.text) == (
        GIFT_CARDS, f"{base}/en/a/gift-cards/")
    polish = turn_for(personas.harbor_api, "Czy mogę zapłacić kartą podarunkową?", "pl")
    assert article_for(polish, polish.message.text) == (
        "Płatność kartą podarunkową", f"{base}/pl/a/gift-cards/")

    # the payment flow says it, and the conversation stays with the bot
    FLOWS["payment"](english)
    assert english.replies == [("article", {"title": GIFT_CARDS,
                                            "url": f"{base}/en/a/gift-cards/"})]
    assert english.handoff == ""


def test_no_article_in_that_language_drafts_and_unpublished_ones_are_never_quoted(personas):
    help_center = ensure_help_center(personas.harbor_store)
    write(help_center, "gift-cards", "en", GIFT_CARDS, GIFT_BODY)
    write(help_center, "gift-cards", "tr", "Hediye kartıyla ödeme",
          "Ödeme sırasında hediye kartı kodunu girin.", publish=False)

    # a Turkish shopper: the only Turkish translation is a draft
    turkish = turn_for(personas.harbor_api, "Hediye kartıyla ödeyebilir miyim?", "tr")
    assert article_for(turkish, turkish.message.text) is None
    # the English article is not offered to a Turkish shopper either, even for English words
    assert article_for(turkish, "gift card") is None


def test_internal_articles_are_never_quoted(personas):
    help_center = ensure_help_center(personas.harbor_store)
    # the best match is an agents-only playbook; a weaker public article matches too
    write(help_center, "refund-playbook", "en", "Refund playbook: gift card exceptions",
          "Gift card refund exceptions for agents: gift card gift card refund, chargeback matrix.",
          visibility="internal")
    write(help_center, "gift-cards", "en", GIFT_CARDS, GIFT_BODY)

    turn = turn_for(personas.harbor_api, "gift card refund", "en")
    found = article_for(turn, turn.message.text)
    assert found is not None and found[0] == GIFT_CARDS
    # and when only the internal article matches, nothing is quoted
    only_internal = turn_for(personas.harbor_api, "chargeback matrix", "en")
    assert article_for(only_internal, only_internal.message.text) is None


def test_another_accounts_articles_are_never_quoted(personas):
    northwind_store = Store.objects.create(account=personas.northwind, slug="northwind",
                                           name="Northwind")
    northwind_help = ensure_help_center(northwind_store)
    write(northwind_help, "gift-cards", "en", "Northwind gift cards", GIFT_BODY)
    # Harbor has a help center too, without that article
    write(ensure_help_center(personas.harbor_store), "shipping", "en", "Shipping times",
          "Parcels leave our warehouse within two working days.")

    turn = turn_for(personas.harbor_api, "Can I pay with a gift card?", "en")
    assert article_for(turn, turn.message.text) is None
    # even a turn naming the other account's store finds nothing of it
    turn.store = northwind_store
    assert article_for(turn, turn.message.text) is None


def test_no_match_hands_the_conversation_to_a_person(personas):
    help_center = ensure_help_center(personas.harbor_store)
    write(help_center, "shipping", "en", "Shipping times",
          "Parcels leave our warehouse within two working days.")

    turn = turn_for(personas.harbor_api, "Do you accept invoices for companies?", "en",
                    intent="invoice")
    FLOWS["invoice"](turn)
    assert turn.replies == [("handoff", {})]
    assert turn.handoff

    # a store without a help center (or a help center that is not public) hands off as well
    help_center.is_public = False
    help_center.save(update_fields=["is_public"])
    private = turn_for(personas.harbor_api, "Shipping times?", "en", intent="account")
    FLOWS["account"](private)
    assert private.replies == [("handoff", {})] and private.handoff
