"""Loading the shipped model before the first shopper writes (the demo does it).

When the model is already trained in the data dir (`make demo` trains it before it starts the
demo; any earlier start left it there) `prepare` loads it and the language detectors in the
calling thread: about 3 s of CPU, before the server takes its first request, so the first
answer waits for nothing. Otherwise (a fresh data dir) training takes about 20 s of CPU, so
`start` does it in the background and a turn that arrives meanwhile is deferred (the event
handler fails and is retried by the queue and the sweeper) instead of holding a worker thread,
so the server also stops promptly.
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


def is_trained() -> bool:
    """Is a trained shipped model in this data dir's cache (loading it takes well under 1 s)?"""
    from storedesk.assistant.nlu import shipped

    return any(shipped.cache_dir().glob("shipped-*.npz"))


def prepare(languages: Sequence[str]) -> bool:
    """Load the model and the detectors now when the model is trained (True), else start
    training it in the background (False)."""
    if not is_trained():
        start(languages)
        return False
    from storedesk.assistant import nlu

    nlu.understand("Where is my order?", languages=list(languages) or ["en"])
    return True


def check_ready() -> None:
    if _warming.is_set():
        logger.warning("the assistant's model is still loading; the turn is retried")
        raise ModelLoading("The assistant's model is still loading.")
