"""The storm test's worker settings: the pigeon channel, and no subscribers.

The storm's follow-ups (assistant, rules, SLA clocks, store webhooks: four tasks per message)
would queue ahead of the sweep's drain task in the one FIFO queue and only slow the test down;
the message.received rows are still written (the test counts them), with no subscriber.
"""

from storedesk.connectors.tests.fakechannel.settings_pigeon import *  # noqa: F403

EVENT_SUBSCRIBERS: dict[str, list[str]] = {}
