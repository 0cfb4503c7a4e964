"""Group commit for the live ingest route: concurrent single-message requests of one process are
written together, through the one batch action (`inbox.actions.receive_messages`).

`core.group_commit.GroupCommit` queues the requests of one process and hands them, at most
`MAX_BATCH` at a time, to `write_batch` in one writer thread, which writes them in one
transaction per inbox and answers each; requests that arrive meanwhile form the next batch.
Under light load a batch is one request and nothing waits; under load the batches grow by
themselves and the cost per message falls (one transaction, one commit, one queue push for the
domain events, one integration-key query and one rate-limit counter update per caller, for the
whole batch).

`write_batch` decides, per request, what the Ninja endpoint would have decided, in the same
order: the key (an unknown or revoked key is handed to Django, which answers 401), the per-key
rate limit (counted here for the whole batch; a request over the limit is handed to Django with
that verdict, which answers 429 without counting it again), the inbox (not the key's, not an
API inbox or disabled: handed to Django with the verdict "allowed", which answers 404/400), then
the message. A message the action refuses (its `ActionError`) is handed to Django too, which
runs the single-message path and answers with the error in the request's language; nothing was
written for it. So every answer other than 200/201 comes from Django itself.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from django.db import OperationalError, close_old_connections
from django.utils import timezone

from storedesk.connectors.actions import touch_integration_key
from storedesk.connectors.api.schemas import InboundIn, inbound_message
from storedesk.connectors.auth import TOUCH_EVERY_SECONDS as TOUCH_EVERY
from storedesk.connectors.models import IntegrationKey
from storedesk.core.errors import ActionError
from storedesk.inbox.actions import Received, receive_messages
from storedesk.inbox.models import Inbox

logger = logging.getLogger(__name__)

MAX_BATCH = 200
DEADLOCK_RETRIES = 3


@dataclass(frozen=True)
class Pending:
    """One request: the SHA-256 of its key, the inbox of its path, its validated body."""

    key_hash: str
    inbox_id: int
    payload: InboundIn


@dataclass(frozen=True)
class Answer:
    """The request is answered here: 201 (new message) or 200 (seen before)."""

    status: int
    conversation_id: int
    message_id: int


@dataclass(frozen=True)
class Delegate:
    """Django answers the request. `verdict`: None = not counted against the rate limit yet;
    True/False = counted here, allowed / over the limit."""

    verdict: bool | None


Outcome = Answer | Delegate


class Throttle(Protocol):
    """What the batch needs of the API's per-caller rate limit (config/api.py's throttle)."""

    def allowed(self, scope: str, count: int) -> list[bool]: ...


def write_batch(items: Sequence[Pending], throttle: Throttle) -> list[Outcome]:
    """Decide and write a batch of requests (in the writer thread); one outcome per item."""
    close_old_connections()
    try:
        return _write_batch(items, throttle)
    finally:
        close_old_connections()


def _write_batch(items: Sequence[Pending], throttle: Throttle) -> list[Outcome]:
    outcomes: list[Outcome | None] = [None] * len(items)
    keys = {
        key.key_hash: key
        for key in IntegrationKey.objects.select_related("inbox").filter(
            key_hash__in={item.key_hash for item in items}
        )
    }
    by_key: dict[str, list[int]] = defaultdict(list)
    for index, item in enumerate(items):
        key = keys.get(item.key_hash)
        if key is None or not key.is_usable:
            outcomes[index] = Delegate(None)  # 401 from Django, not counted (as Ninja)
        else:
            by_key[item.key_hash].append(index)
    _touch_keys([keys[h] for h in by_key])

    by_inbox: dict[int, list[int]] = defaultdict(list)
    for key_hash, indexes in by_key.items():
        key = keys[key_hash]
        verdicts = throttle.allowed(key.throttle_key, len(indexes))
        for index, allowed in zip(indexes, verdicts, strict=True):
            inbox = key.inbox
            if not allowed:
                outcomes[index] = Delegate(False)
            elif (items[index].inbox_id != key.inbox_id or inbox.channel != "api"
                  or not inbox.is_active):
                outcomes[index] = Delegate(True)  # Django answers 404 / 400
            else:
                by_inbox[key.inbox_id].append(index)

    inboxes = {key.inbox_id: key.inbox for key in keys.values()}
    for inbox_id, indexes in by_inbox.items():
        # The same order in every process (by shopper): concurrent batches lock the shoppers'
        # identities and conversations in one order, which keeps them from deadlocking.
        indexes.sort(key=lambda i: items[i].payload.source_id)
        results = _receive(inboxes[inbox_id], [items[i].payload for i in indexes])
        for index, result in zip(indexes, results, strict=True):
            outcomes[index] = _outcome(result)
    return [o if o is not None else Delegate(True) for o in outcomes]


def _touch_keys(keys: list[IntegrationKey]) -> None:
    """last_used_at, as connectors/auth.py moves it (at most every TOUCH_EVERY_SECONDS)."""
    now = timezone.now()
    for key in keys:
        if key.last_used_at is None or (now - key.last_used_at).total_seconds() > TOUCH_EVERY:
            touch_integration_key(key.pk, now)


def _receive(inbox: Inbox, payloads: list[InboundIn]) -> list[Received | ActionError | None]:
    """receive_messages, retried when PostgreSQL picks this batch as a deadlock's victim (it
    rolled back whole); None for every item when it keeps failing (Django then answers each)."""
    batch = [inbound_message(p) for p in payloads]
    for attempt in range(DEADLOCK_RETRIES + 1):
        try:
            return list(receive_messages(inbox, batch))
        except OperationalError:
            if attempt == DEADLOCK_RETRIES:
                logger.exception("live ingest batch failed %d times", attempt + 1)
        except Exception:
            logger.exception("live ingest batch failed; each request goes through Django")
            break
    return [None] * len(batch)


def _outcome(result: Received | ActionError | None) -> Outcome:
    if isinstance(result, Received):
        return Answer(
            status=201 if result.created else 200,
            conversation_id=result.conversation.pk,
            message_id=result.message.pk,
        )
    # Refused (nothing was written): Django runs the single path and words the error.
    return Delegate(True)
