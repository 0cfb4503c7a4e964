"""A receiver that trickles its answer cannot hold a worker past the deadline, cannot get a
second send from an expired lease, and cannot starve other destinations.

Real parts: a real Huey consumer (two worker threads) in a subprocess, a real socket server on
127.0.0.1 that sends its response headers one byte at a time, and the fake store webhook.
"""

from __future__ import annotations

import re

import pytest

from storedesk.accounts.actor import Actor
from storedesk.inbox.actions import InboundMessage, receive_message, send_reply
from storedesk.inbox.models import Delivery, Inbox, Message
from storedesk.outbox import engine
from storedesk.testing.fake_webhook_receiver import FakeWebhookReceiver
from storedesk.testing.queue_workers import wait_for
from storedesk.testing.trickling_server import TricklingServer

DEADLINE = 6
WORKER_ENV = {
    "STOREDESK_DELIVERY_DEADLINE": str(DEADLINE),
    "STOREDESK_DELIVERY_LEASE_MARGIN": "1",
    "STOREDESK_FETCH_TIMEOUT": "60",  # httpx's per-read limit would never fire anyway
    "STOREDESK_OUTBOX_DESTINATION_SLOTS": "1",
    "STOREDESK_OUTBOX_DEFER_SECONDS": "0.5",
    "STOREDESK_DELIVERY_BACKOFF_SECONDS": "600",  # a retry would come much later
}


def _point_at(inbox: Inbox, url: str) -> None:
    Inbox.objects.filter(pk=inbox.pk).update(config={"webhook_url": url})


def _row(message: Message) -> Delivery:
    return Delivery.objects.get(message=message)


@pytest.mark.django_db(transaction=True)
def test_a_trickling_receiver_is_cut_at_the_deadline_and_starves_no_one(
    personas, settings, start_worker
):
    settings.OUTBOX_ATTEMPT_DEADLINE_SECONDS = DEADLINE
    settings.OUTBOX_LEASE_MARGIN_SECONDS = 1
    with (
        TricklingServer(interval=0.3) as slow,
        FakeWebhookReceiver(secret=personas.northwind_api.signing_secret()) as fast,
    ):
        # given Harbor's store endpoint answers one byte every 0.3 s (its full answer would
        # take ~30 s, far past the lease), and Northwind's endpoint is healthy
        _point_at(personas.harbor_api, slow.url)
        _point_at(personas.northwind_api, fast.url)
        harbor = receive_message(
            personas.harbor_api, InboundMessage(sender_id="shopper-ayse", text="Kargom nerede?")
        ).conversation
        northwind = receive_message(
            personas.northwind_api, InboundMessage(sender_id="shopper-max", text="Wo ist es?")
        ).conversation
        # when two Harbor replies are queued before a Northwind one, for a worker with two threads
        slow_one = send_reply(harbor, Actor.agent(personas.ahmet), "Yolda.")
        slow_two = send_reply(harbor, Actor.agent(personas.ahmet), "Yarın gelir.")
        quick = send_reply(northwind, Actor.agent(personas.bruno), "Unterwegs.")
        start_worker("worker", env=WORKER_ENV, workers=2)
        # then Northwind's reply is delivered while Harbor's first one is still trickling:
        # the second Harbor reply waited for its host's share instead of taking the other thread
        wait_for(lambda: _row(quick).status == "sent", "Northwind's reply to be delivered")
        assert fast.applied_ids == [str(_row(quick).pk)]
        # (the other thread took Harbor's first reply before it; on a loaded machine its request
        # may reach the trickling host only after the quick delivery is done)
        wait_for(lambda: len(slow.requests) > 0, "Harbor's first attempt to reach its host")
        first = slow.requests[0]
        assert not first.finished.is_set(), "the trickling attempt ended before the fast one"
        assert len(slow.requests) == 1
        # and while that attempt runs, its lease has not run out: the sweeper would not take it
        trickling = Delivery.objects.get(pk=int(first.delivery_id))
        assert trickling.status == "sending"
        assert trickling.pk not in engine.due_ids(Delivery)
        # then each Harbor attempt ends at the deadline, as a retryable error
        for message in (slow_one, slow_two):
            wait_for(lambda m=message: _row(m).status != "sending" and _row(m).attempts == 1,
                     "the trickling attempt to end")
            wait_for(lambda m=message: _row(m).status == "queued", "the retry to be planned")
            row = _row(message)
            # (the fetch had what was left of the attempt's deadline: at most DEADLINE seconds)
            assert re.search(r"did not answer within [\d.]+ s", row.last_error), row.last_error
            assert row.attempts == 1
        assert all(r.finished.wait(30) and r.hung_up for r in slow.requests)
        # and each was sent exactly once: no second send from an expired lease
        assert sorted(r.delivery_id for r in slow.requests) == sorted(
            [str(_row(slow_one).pk), str(_row(slow_two).pk)]
        )
        assert engine.due_ids(Delivery) == []
