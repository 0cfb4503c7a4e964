"""The chat widget: replies are pushed to the visitor's widget over the channel layer."""

from django.utils.translation import gettext_lazy as _

from storedesk.connectors.base import Connector
from storedesk.connectors.webchat.config import WebchatConfig, WebchatSetupForm
from storedesk.connectors.webchat.transport import WebchatTransport

connector = Connector(
    config=WebchatConfig,
    package=__package__ or "storedesk.connectors.webchat",
    transport=WebchatTransport,
    setup_form=WebchatSetupForm,
    add_label=_("Chat widget"),
)
