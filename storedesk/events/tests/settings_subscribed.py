"""Settings for worker subprocesses in the dispatch tests: the real settings plus a test-only
subscriber in the dispatch table (the same override the test process applies)."""

from config.settings import *  # noqa: F403
from config.settings import SUBSCRIBERS

HANDLER = "storedesk.events.tests.handlers.note_on_received"  # handlers.HANDLER

EVENT_SUBSCRIBERS = {
    **SUBSCRIBERS,
    "message.received": [*SUBSCRIBERS.get("message.received", []), HANDLER],
}
