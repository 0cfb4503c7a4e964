"""Settings for an ingest run with a subscriber on `message.received` (BENCH_SETTINGS_MODULE).

The subscriber does nothing; what the run measures is the dispatch on the request path: one
`dispatch_events` task enqueued per ingest transaction after commit (Huey's SQLite queue file,
or Redis), instead of none when nobody subscribes. No queue worker runs during the bench.
"""

from config.settings import *  # noqa: F403
from config.settings import SUBSCRIBERS

EVENT_SUBSCRIBERS = {
    **SUBSCRIBERS,
    "message.received": [*SUBSCRIBERS.get("message.received", []), "bench.subscriber.noop"],
}
