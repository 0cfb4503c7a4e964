"""The API channel: the store's own system posts shoppers' messages (inbound.py) and receives
replies as signed webhooks (transport.py)."""

from django.utils.translation import gettext_lazy as _

from storedesk.connectors.api.config import ApiConfig, ApiSetupForm
from storedesk.connectors.api.transport import WebhookTransport
from storedesk.connectors.base import Connector

connector = Connector(
    config=ApiConfig,
    package=__package__ or "storedesk.connectors.api",
    transport=WebhookTransport,
    setup_form=ApiSetupForm,
    add_label=_("API inbox"),
)
