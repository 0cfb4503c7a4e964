"""Settings for worker subprocesses in the dispatch tests: the real settings with a dispatch
table of one test-only subscriber, the same table the test process applies through a settings
override (both sides must agree on who has to apply an event before it counts as dispatched)."""

from config.settings import *  # noqa: F403

HANDLER = "storedesk.events.tests.handlers.note_on_received"  # handlers.HANDLER

EVENT_SUBSCRIBERS = {"message.received": [HANDLER]}
