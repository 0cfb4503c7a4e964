"""Loading the shipped model before the first shopper writes (the demo starts it).

The first load of a fresh data dir trains the model (tens of seconds); a turn that arrives while
this process is still loading it is deferred (the event handler fails and is retried by the
queue and the sweeper) instead of holding a worker thread, so the server also stops promptly.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Sequence

logger = logging.getLogger(__name__)

# Set while this process's own warm-up thread runs (process-local by nature: it describes a
# thread of this process, not shared state).
_warming = threading.Event()


class ModelLoading(RuntimeError):
    """The shipped model is still loading in this process; the turn is retried later."""


def start(languages: Sequence[str]) -> None:
    from storedesk.assistant import nlu

    def run() -> None:
        try:
            nlu.understand("Where is my order?", languages=list(languages) or ["en"])
        except Exception:  # noqa: BLE001 - a turn will load (and report) it again
            logger.exception("loading the assistant's model failed")
        finally:
            _warming.clear()

    _warming.set()
    threading.Thread(target=run, name="assistant-warm-up", daemon=True).start()


def check_ready() -> None:
    if _warming.is_set():
        logger.warning("the assistant's model is still loading; the turn is retried")
        raise ModelLoading("The assistant's model is still loading.")
