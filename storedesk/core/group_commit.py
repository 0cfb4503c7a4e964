"""Group commit: the concurrent requests of one event loop written together by one thread.

`GroupCommit.submit(item)` queues an item and waits for its own outcome. One writer thread per
process takes whatever is queued (at most ``max_batch``), hands it to ``write`` (one call, one
outcome per item, in order) and answers each waiting request; items that arrive meanwhile form
the next batch. Under light load a batch is one item and nothing waits; under load the batches
grow by themselves and the per-item cost of a transaction, a commit and a queue push falls.

``write`` runs in the writer thread and must answer every item; should it raise, every item of
that batch gets ``failed`` (the caller decides what that means: hand the request to Django, or a
503). ``idle``, when given, runs in the writer thread each time the queue is empty (e.g. to give
the database connection back, which the batches of a storm then keep between them). Used by the
live ingest route (connectors/api/group_commit.py) and the provider-webhook route
(connectors/asgi.py).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Generic, TypeVar

logger = logging.getLogger(__name__)

Item = TypeVar("Item")
Outcome = TypeVar("Outcome")


class GroupCommit(Generic[Item, Outcome]):
    """Coalesces the items submitted on one event loop into batches written by one thread."""

    def __init__(self, write: Callable[[Sequence[Item]], list[Outcome]], *, failed: Outcome,
                 max_batch: int, name: str, idle: Callable[[], None] | None = None) -> None:
        self._write = write
        self._idle = idle
        self._failed = failed
        self._max_batch = max_batch
        self._name = name
        self._queue: list[tuple[Item, asyncio.Future[Outcome]]] = []
        self._draining = False
        self._drainer: asyncio.Task[None] | None = None  # a reference keeps the task alive
        self._executor = ThreadPoolExecutor(1, thread_name_prefix=name)

    async def submit(self, item: Item) -> Outcome:
        loop = asyncio.get_running_loop()
        future: asyncio.Future[Outcome] = loop.create_future()
        self._queue.append((item, future))
        if not self._draining:
            self._draining = True
            self._drainer = loop.create_task(self._drain())
        return await future

    async def _drain(self) -> None:
        loop = asyncio.get_running_loop()
        try:
            while self._queue:
                await self._write_queued(loop)
                if self._idle is not None:
                    # Requests may arrive meanwhile: the loop takes them before it ends.
                    try:
                        await loop.run_in_executor(self._executor, self._idle)
                    except Exception:
                        logger.exception("%s: the idle step failed", self._name)
        finally:
            self._draining = False

    async def _write_queued(self, loop: asyncio.AbstractEventLoop) -> None:
        while self._queue:
            batch = self._queue[: self._max_batch]
            del self._queue[: self._max_batch]
            try:
                outcomes = await loop.run_in_executor(
                    self._executor, self._write, [item for item, _ in batch]
                )
            except Exception:
                logger.exception("%s: a batch failed as a whole", self._name)
                outcomes = [self._failed] * len(batch)
            for (_, future), outcome in zip(batch, outcomes, strict=True):
                if not future.done():
                    future.set_result(outcome)
