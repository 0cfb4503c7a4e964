"""Settings with the test-only pigeon channel registered (the same registry entry the tests add
through a settings override): for worker subprocesses and bench/webhook_storm.py."""

from config.settings import *  # noqa: F403

STOREDESK_EXTRA_CHANNELS = ["storedesk.connectors.tests.fakechannel.connector:ENTRY"]
