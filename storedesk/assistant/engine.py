"""One turn of the assistant: a shopper's message in, an answer (or a suggestion, or a hand-off)
out. Called by the `message.received` subscriber inside its transaction, so everything a turn
writes (language, intent, the reply, the order action, the hand-off) commits together or not at
all, once per event.
"""

from __future__ import annotations

import copy
import logging
import re
from dataclasses import dataclass
from datetime import timedelta
from functools import lru_cache
from typing import Any

from django.utils import timezone

from storedesk.accounts.actor import BOT, ActorType
from storedesk.assistant import ordinals, replies
from storedesk.assistant.actions import (
    create_suggestion,
    settings_for,
    state_for,
)
from storedesk.assistant.flows import FLOWS, ORDER_FLOWS, Turn
from storedesk.assistant.identity import find_order, gives_credentials, identify, proves
from storedesk.assistant.models import AssistantSettings, ConversationState, InboxAssistant, Mode
from storedesk.assistant.summary import handoff_summary
from storedesk.commerce.models import Order, Product, Store
from storedesk.events import EventKind
from storedesk.events.models import Event
from storedesk.inbox import actions as inbox_actions
from storedesk.inbox.models import (
    PRIORITY_RANK,
    Conversation,
    Direction,
    Message,
    Priority,
    SenderType,
    Status,
)

logger = logging.getLogger(__name__)

# A message older than this is history (a demo load, a sweep after an outage): never answered.
STALE_AFTER = timedelta(minutes=10)
MAX_FAILED_CHECKS = 3
# Under this confidence the bot does not act on its guess: the turn is "unsure" (hand-off).
ANSWER_FLOOR = 0.5
SAID_KEPT = 3
CATALOG_LIMIT = 2000
PREFIX = re.compile(r"^([^\d]*)\d")


@dataclass(frozen=True)
class TurnResult:
    """What a turn did (tests and the benchmark read it)."""

    answered: bool
    reason: str = ""
    intent: str = ""
    language: str = ""
    text: str = ""


def respond(event_id: int) -> TurnResult:
    event = Event.objects.filter(pk=event_id).first()
    if event is None or event.conversation_id is None:
        return TurnResult(False, "no such event")
    # Echo guard: the bot never answers what it (or a rule) wrote or caused.
    if event.actor_type != ActorType.CONTACT or event.cause_id is not None:
        return TurnResult(False, "not written by a shopper")
    message_id = (event.data or {}).get("message_id")
    if not isinstance(message_id, int):
        return TurnResult(False, "no message")
    message = (Message.objects.filter(pk=message_id, account_id=event.account_id)
               .select_related("conversation__inbox", "conversation__contact",
                               "conversation__store").first())
    if message is None or message.private or message.direction != Direction.INCOMING:
        return TurnResult(False, "not a shopper's message")
    conversation = message.conversation
    mode = (InboxAssistant.objects.filter(inbox_id=conversation.inbox_id)
            .values_list("mode", flat=True).first()) or Mode.OFF
    if mode == Mode.OFF:
        return TurnResult(False, "assistant off for this inbox")
    if message.created_at < timezone.now() - STALE_AFTER:
        return TurnResult(False, "stale message")
    if ((message.metadata or {}).get("email") or {}).get("automatic"):
        return TurnResult(False, "automatic mail")
    if conversation.status == Status.CLOSED:
        return TurnResult(False, "closed")
    text = message.text.strip()
    if not text:
        return TurnResult(False, "no text")
    actor = BOT.caused_by(event.pk)
    settings = settings_for(conversation.account_id)
    state = state_for(conversation)
    if state.last_message_id is not None and message.pk <= state.last_message_id:
        return TurnResult(False, "read already, with a later message")
    message = with_unread_before(message, state)
    state.last_message_id = message.pk
    ConversationState.objects.filter(pk=state.pk).update(last_message_id=message.pk)
    store = conversation.store or conversation.inbox.store
    understanding = understand(conversation, message, store, settings)
    conversation = inbox_actions.set_language(conversation, actor, understanding.language)
    labelled = _agent_labelled(conversation)
    previous_intent, previous_confidence = state.last_intent, state.last_confidence
    state.last_intent = understanding.intent
    state.last_confidence = float(understanding.confidence)
    if state.quiet or _agent_took_over(conversation, state):
        if not labelled:
            conversation = inbox_actions.set_intent(conversation, actor, understanding.intent)
        state.save(update_fields=["last_intent", "last_confidence", "updated_at"])
        return TurnResult(False, "a person is handling it", understanding.intent,
                          understanding.language)
    turn = Turn(
        conversation=conversation, message=message, store=store, settings=settings, state=state,
        identity=identify(conversation, message, list(state.verified_orders)), actor=actor,
        language=understanding.language,
        intent=(understanding.intent if understanding.confidence >= ANSWER_FLOOR else "other"),
        confidence=float(understanding.confidence), entities=understanding.entities,
        may_act=mode == Mode.AUTO, guess=best_guess(understanding),
        unsure=(understanding.intent == "other"
                or understanding.confidence < ANSWER_FLOOR),
    )
    if _continue_pending(turn):
        # An answer to the bot's own question ("maya@example.net" after "which email?") is
        # about what was asked, not what the message alone looks like (a newsletter sign-up):
        # the agent sees the shopper's question as the conversation's intent (and how sure
        # the bot was of that question, not of the bare answer).
        intent = turn.intent
        if intent == previous_intent:
            state.last_confidence = previous_confidence
    else:
        intent = understanding.intent
        if _follows_up_on_the_order(turn, understanding.intent, previous_intent):
            turn.intent = intent = previous_intent
            turn.unsure = False
        if turn.intent != "smalltalk":
            state.pending = {}  # a new question: the old one is dropped
        FLOWS.get(turn.intent, FLOWS["other"])(turn)
    state.last_intent = intent  # what this turn was about, for the next one
    if not labelled:
        turn.conversation = inbox_actions.set_intent(turn.conversation, actor, intent)
    return _deliver(turn, mode)


# --- Understanding --------------------------------------------------------------------------


def best_guess(understanding: Any) -> tuple[str, float]:
    """The intent the model leaned to, with that intent's own probability: its answer when it
    is one the bot knows, else the best-ranked known intent ("other" only when none is)."""
    if understanding.intent != "other":
        return understanding.intent, float(understanding.confidence)
    for intent, probability in understanding.ranking:
        if intent != "other":
            return intent, float(probability)
    return "other", float(understanding.confidence)


SUPPORTED = replies.LANGUAGES


def account_languages(conversation: Conversation) -> list[str]:
    languages = [code for code in (conversation.account.languages or []) if code in SUPPORTED]
    return languages or ["en"]


def _order_prefixes(store: Store | None) -> list[str]:
    if store is None:
        return []
    numbers = Order.objects.filter(store=store).order_by("-placed_at").values_list(
        "number", flat=True)[:200]
    found = {m.group(1) for n in numbers if (m := PREFIX.match(n)) and m.group(1)}
    return sorted(found)


def _catalog(store: Store | None) -> list[tuple[str, str]]:
    if store is None:
        return []
    return list(Product.objects.filter(store=store, active=True).order_by("pk")
                .values_list("external_id", "title")[:CATALOG_LIMIT])


def _prior_language(conversation: Conversation) -> str | None:
    """The strong prior: the language this conversation was in."""
    return conversation.language or None


def _previous_language(conversation: Conversation) -> str | None:
    """The language of the contact's latest other conversation: only a weak prior (a
    shopper who wrote in German last month and writes "Where is my order?" now is answered
    in English)."""
    previous = (Conversation.objects.filter(account_id=conversation.account_id,
                                            contact_id=conversation.contact_id)
                .exclude(pk=conversation.pk).exclude(language="")
                .order_by("-last_message_at").values_list("language", flat=True).first())
    return previous or None


def _browser_language(message: Message) -> str | None:
    metadata = message.metadata or {}
    chat = metadata.get("webchat") or {}
    value = chat.get("language") or metadata.get("browser_language")
    return str(value)[:8] if value else None


def _weak_prior(conversation: Conversation, message: Message) -> str | None:
    """The browser's language when the widget sent it, else the contact's earlier language
    (both go to the detector's weaker prior)."""
    return _browser_language(message) or _previous_language(conversation)


@lru_cache(maxsize=32)
def _account_model(account_id: int, version: int) -> Any:
    """An account's retrained model, loaded once per process and version (immutable)."""
    from storedesk.assistant import nlu

    data = (AssistantSettings.objects.filter(account_id=account_id, model_version=version)
            .values_list("model_data", flat=True).first())
    return nlu.IntentModel.loads(bytes(data)) if data else None


def model_for(settings: AssistantSettings) -> Any:
    if settings.model_version and settings.model_status == "custom":
        return _account_model(settings.account_id, settings.model_version)
    return None


MAX_UNREAD = 5


def unread_before(message: Message, state: ConversationState) -> list[Message]:
    """The shopper's messages before this one that no turn has read yet, oldest first: those
    written since the last reply (and since the last message a turn read) whose own turn has
    not run, because it was deferred (the model was still loading) or is still queued. A chat
    is read in order, so "LL-10421" then "maya@example.net" are one question with its answer,
    not an email address alone followed later by a stray order number."""
    conversation_id = message.conversation_id
    last_reply = (Message.objects.filter(conversation_id=conversation_id,
                                         direction=Direction.OUTGOING, private=False,
                                         pk__lt=message.pk)
                  .order_by("-pk").values_list("pk", flat=True).first())
    floor = max(last_reply or 0, state.last_message_id or 0)
    earlier = (Message.objects.filter(conversation_id=conversation_id,
                                      direction=Direction.INCOMING, private=False,
                                      pk__gt=floor, pk__lt=message.pk,
                                      created_at__gte=timezone.now() - STALE_AFTER)
               .exclude(text="").order_by("-pk")[:MAX_UNREAD])
    return list(reversed(earlier))


def with_unread_before(message: Message, state: ConversationState) -> Message:
    """This message as the turn reads it: with the unread ones before it prepended (a copy;
    nothing is written)."""
    earlier = unread_before(message, state)
    if not earlier:
        return message
    read = copy.copy(message)
    read.text = "\n".join([m.text.strip() for m in earlier] + [message.text.strip()])
    return read


def understand(conversation: Conversation, message: Message, store: Store | None,
               settings: AssistantSettings) -> Any:
    from storedesk.assistant import nlu
    from storedesk.assistant.warmup import check_ready

    check_ready()

    return nlu.understand(
        message.text[:4000],
        languages=account_languages(conversation),
        prior_language=_prior_language(conversation),
        browser_language=_weak_prior(conversation, message),
        order_prefixes=_order_prefixes(store),
        catalog=_catalog(store),
        model=model_for(settings),
        today=timezone.localdate(),
    )


def _agent_labelled(conversation: Conversation) -> bool:
    """An agent set this conversation's intent: a label, never overwritten by the bot."""
    last = (Event.objects.filter(conversation=conversation,
                                 kind=EventKind.CONVERSATION_INTENT_SET)
            .order_by("-created_at", "-pk").values_list("actor_type", flat=True).first())
    return last == ActorType.AGENT


def _agent_took_over(conversation: Conversation, state: ConversationState) -> bool:
    replies_by_agents = Message.objects.filter(
        conversation=conversation, direction=Direction.OUTGOING, private=False,
        sender_type=SenderType.AGENT)
    if state.active_since is not None:
        replies_by_agents = replies_by_agents.filter(created_at__gt=state.active_since)
    return replies_by_agents.exists()


# Read alone, "and when will it arrive?" looks like a question about a product coming back.
FOLLOW_UP_INTENTS = ("restock_alert", "product_question")


def _follows_up_on_the_order(turn: Turn, understood: str, previous: str) -> bool:
    """A question that names no product and no order, right after the bot answered where the
    shopper's order is ("Peki ne zaman gelir?", "En wanneer komt het aan?"), is about that
    order, not about a product (whose flows could only hand it to a person)."""
    return (previous == "order_status" and understood in FOLLOW_UP_INTENTS
            and not turn.entities.products and not turn.entities.order_numbers
            and bool(turn.identity.orders))


# --- A question the bot asked before --------------------------------------------------------


def _continue_pending(turn: Turn) -> bool:
    """Handle the answer to the bot's last question; False when this message is something
    else (then it is understood on its own). When it is the answer, the turn's intent is the
    question's (a failed check or a repeated ask included), unless answering it set one."""
    pending = dict(turn.state.pending or {})
    understood = turn.intent
    if not pending and _proof_unasked(turn):
        # "Where is LL-10421? maya@example.net": the question and the check in one go (or in
        # two messages read together) are the check the bot would have asked for, counted
        # the same way when it fails.
        pending = {"awaiting": "verification", "intent": turn.intent, "number": "",
                   "order_id": None}
    if not _answer_pending(turn, pending):
        return False
    asked = pending.get("intent")
    if turn.intent == understood and isinstance(asked, str) and asked:
        turn.intent = asked
    return True


def _proof_unasked(turn: Turn) -> bool:
    """Does this message, about an order flow, name an order the shopper may not hear about
    yet together with an email or postcode for it?"""
    if turn.intent not in ORDER_FLOWS or not turn.entities.order_numbers:
        return False
    order = find_order(turn.conversation, turn.entities.order_numbers[0])
    if order is not None and order.pk in turn.identity.order_ids:
        return False
    text = turn.message.text
    for number in turn.entities.order_numbers:
        text = text.replace(number, " ")
    return gives_credentials(text, tuple(turn.entities.emails), tuple(turn.entities.postcodes))


def _answer_pending(turn: Turn, pending: dict[str, Any]) -> bool:
    awaiting = pending.get("awaiting")
    if awaiting == "verification":
        return _verification(turn, pending)
    if awaiting in ("address", "address_confirm"):
        return _address_answer(turn, pending)
    if awaiting == "item_confirm":
        return _item_answer(turn, pending)
    if awaiting == "return_offer":
        return _return_offer_answer(turn, pending)
    if awaiting == "order_choice":
        listed = [pk for pk in pending.get("options") or [] if isinstance(pk, int)]
        found = Order.objects.filter(pk__in=listed, account_id=turn.conversation.account_id)
        by_pk = {o.pk: o for o in found}
        options = [by_pk[pk] for pk in listed if pk in by_pk]  # in the order they were listed
        wanted = {n.lstrip("#").lower() for n in turn.entities.order_numbers}
        tokens = {t.lower() for t in re.findall(r"[\w-]+", turn.message.text)}
        chosen = [o for o in options if o.number.lower() in wanted | tokens
                  or o.number.lower().split("-")[-1] in tokens]
        if not chosen and len(options) == len(listed):
            # "the second one", "ten drugi", "ikincisi": by its place in the list we gave
            index = ordinals.position(turn.message.text, len(options))
            chosen = [options[index]] if index is not None else []
        if len(chosen) != 1 or chosen[0].pk not in turn.identity.order_ids:
            return False
        turn.state.pending = {}
        _run_pending(turn, pending, chosen[0])
        return True
    return False


def _address_answer(turn: Turn, pending: dict[str, Any]) -> bool:
    """The new delivery address the bot asked for, or the yes/no to the one it read back."""
    from storedesk.assistant import address as addresses
    from storedesk.assistant.flows import apply_address, ask_address

    order_id = pending.get("order_id")
    order = (Order.objects.filter(pk=order_id, account_id=turn.conversation.account_id)
             .select_related("store").first() if isinstance(order_id, int) else None)
    if order is None or order.pk not in turn.identity.order_ids:
        return False
    text = turn.message.text
    if pending.get("awaiting") == "address_confirm":
        said = addresses.answer(text)
        if said == "yes" and turn.may_act:
            turn.state.pending = {}
            apply_address(turn, order, dict(pending.get("address") or {}))
            return True
        if said == "no" or addresses.parse_address(text, order.shipping_address or {}):
            # A correction, or "no" (then the address is asked for again).
            turn.order, turn.intent = order, "change_address"
            ask_address(turn, order, text)
            return True
        return False  # something else: read on its own (the address stays unchanged)
    if addresses.parse_address(text, order.shipping_address or {}) is None and \
            turn.intent not in ("change_address", "other", "smalltalk"):
        return False  # a new question instead of the address
    turn.order, turn.intent = order, "change_address"
    attempts = int(pending.get("attempts") or 0) + 1
    ask_address(turn, order, text)
    if turn.state.pending.get("awaiting") == "address":
        if attempts >= MAX_FAILED_CHECKS - 1:
            turn.state.pending = {}
            turn.replies.clear()
            from storedesk.assistant.flows import file_request

            file_request(turn, order, "change the delivery address of")
            turn.say("change_requested", order=order.number)
        else:
            turn.state.pending = {**turn.state.pending, "attempts": attempts}
    return True


def _item_answer(turn: Turn, pending: dict[str, Any]) -> bool:
    """The yes or no to the item swap the bot read back. Yes applies it; no asks the team
    (the bot could not tell what the shopper wants)."""
    from storedesk.assistant import address as addresses
    from storedesk.assistant.flows import apply_item_change, file_request

    order_id = pending.get("order_id")
    order = (Order.objects.filter(pk=order_id, account_id=turn.conversation.account_id)
             .select_related("store").first() if isinstance(order_id, int) else None)
    if order is None or order.pk not in turn.identity.order_ids:
        return False
    said = addresses.answer(turn.message.text)
    if said == "yes" and turn.may_act:
        turn.state.pending = {}
        apply_item_change(turn, order, pending)
        return True
    if said == "no":
        turn.state.pending = {}
        turn.order, turn.intent = order, "change_order"
        file_request(turn, order, "change the items of")
        turn.say("change_requested", order=order.number)
        return True
    return False  # something else: read on its own (the order stays unchanged)


def _return_offer_answer(turn: Turn, pending: dict[str, Any]) -> bool:
    """The yes or no to "Shall I start a return for order X?". Yes starts it (the return flow,
    with its own checks); no is acknowledged; anything else is read on its own."""
    from storedesk.assistant import address as addresses

    order_id = pending.get("order_id")
    order = (Order.objects.filter(pk=order_id, account_id=turn.conversation.account_id)
             .select_related("store").first() if isinstance(order_id, int) else None)
    if order is None or order.pk not in turn.identity.order_ids:
        return False
    said = addresses.answer(turn.message.text)
    if said == "yes":
        turn.state.pending = {}
        _run_pending(turn, pending, order)
        return True
    if said == "no":
        turn.state.pending = {}
        turn.say("offer_declined")
        return True
    return False


def _run_pending(turn: Turn, pending: dict[str, Any], order: Order) -> None:
    intent = pending.get("intent") or "order_status"
    if intent not in ORDER_FLOWS:
        intent = "order_status"
    turn.intent = intent
    ORDER_FLOWS[intent](turn, order)


def _verification(turn: Turn, pending: dict[str, Any]) -> bool:
    number = pending.get("number") or ""
    given_numbers = tuple(turn.entities.order_numbers)
    if number:
        # Once an order is named, a bare number is more likely the postcode asked for; only a
        # number that is an order of this account (or is written like one) names another.
        given_numbers = tuple(
            n for n in given_numbers
            if n == number or not n.isdigit() or find_order(turn.conversation, n) is not None)
    if given_numbers and given_numbers[0] != number:
        number = given_numbers[0]
        pending["number"] = number
        found = find_order(turn.conversation, number)
        pending["order_id"] = found.pk if found else None
    without_numbers = turn.message.text
    for n in given_numbers:
        without_numbers = without_numbers.replace(n, " ")
    offers = gives_credentials(without_numbers, tuple(turn.entities.emails),
                               tuple(turn.entities.postcodes))
    if not number:
        return False  # still no order number: read the message on its own
    if not offers:
        if given_numbers:  # a number alone: ask for the check that goes with it
            turn.state.pending = pending
            turn.say("ask_verification", order=number)
            return True
        return False
    order_id = pending.get("order_id")
    order = (Order.objects.filter(pk=order_id, account_id=turn.conversation.account_id)
             .select_related("customer", "store").first()
             if isinstance(order_id, int) else None)
    if proves(order, without_numbers, tuple(turn.entities.emails),
              tuple(turn.entities.postcodes)):
        assert order is not None
        from storedesk.assistant.actions import record_verified

        turn.state.verified_orders = sorted({*turn.state.verified_orders, order.pk})
        turn.state.failed_checks = 0
        turn.state.pending = {}
        record_verified(turn.conversation, turn.actor, order)
        turn.identity = identify(turn.conversation, turn.message, turn.state.verified_orders)
        _run_pending(turn, pending, order)
        return True
    turn.state.failed_checks += 1
    turn.state.pending = pending
    if turn.state.failed_checks >= MAX_FAILED_CHECKS:
        turn.state.pending = {}
        turn.say("handoff")
        turn.hand_off(f"the order check failed {turn.state.failed_checks} times")
    else:
        turn.say("verification_failed")
    return True


# --- Out ------------------------------------------------------------------------------------


def _deliver(turn: Turn, mode: str) -> TurnResult:
    conversation, state = turn.conversation, turn.state
    texts = [replies.render(key, turn.language, params, turn.settings.reply_overrides)
             for key, params in turn.replies]
    text = "\n\n".join(t for t in texts if t)
    keys = ",".join(key for key, _ in turn.replies)
    # (written before this reply joins what the bot said, so "earlier" means earlier)
    summary = handoff_summary(turn, text) if turn.handoff and mode == Mode.AUTO else ""
    if text and mode == Mode.AUTO:
        inbox_actions.send_reply(conversation, turn.actor, text)
        state.said = [*(state.said or [])[-(SAID_KEPT - 1):], text[:1000]]
    elif text:
        create_suggestion(conversation, turn.actor, text, intent=turn.intent,
                          reply_key=keys[:64], message=turn.message)
    if turn.requests:
        from storedesk.assistant.actions import record_request

        record_request(conversation, turn.actor, turn.order, turn.requests, turn.intent)
    if turn.urgent and PRIORITY_RANK[Priority(conversation.priority)] < PRIORITY_RANK[
            Priority.HIGH]:
        conversation = inbox_actions.set_priority(conversation, turn.actor, Priority.HIGH)
    if summary:
        inbox_actions.hand_off(conversation, turn.actor, summary)
        state.quiet = True
        state.pending = {}
    state.save()
    return TurnResult(True, turn.handoff, turn.intent, turn.language, text)

