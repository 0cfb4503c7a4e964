"""The chat widget: replies are pushed to the visitor's widget over the channel layer."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.utils.translation import gettext_lazy as _

from storedesk.connectors.base import Connector
from storedesk.connectors.webchat.config import WebchatConfig, WebchatSetupForm
from storedesk.connectors.webchat.transport import WebchatTransport

if TYPE_CHECKING:
    from django.http import HttpRequest

    from storedesk.inbox.models import Inbox


def embed_context(inbox: Inbox, request: HttpRequest) -> dict[str, Any]:
    """The copy-ready snippet for the inbox settings page."""
    from storedesk.connectors.webchat.tokens import public_key

    base = request.build_absolute_uri("/").rstrip("/")
    key = public_key(inbox)
    return {
        "widget_key": key,
        "widget_snippet": f'<script src="{base}/widget.js" data-inbox="{key}" async></script>',
        "widget_identity_snippet": (
            f'<script src="{base}/widget.js" data-inbox="{key}"\n'
            '        data-customer-id="CUSTOMER_ID" data-customer-email="EMAIL"\n'
            '        data-customer-name="NAME" data-customer-signature="HMAC_HEX" async></script>'
        ),
    }


connector = Connector(
    config=WebchatConfig,
    package=__package__ or "storedesk.connectors.webchat",
    transport=WebchatTransport,
    setup_form=WebchatSetupForm,
    add_label=_("Chat widget"),
    settings_context=embed_context,
)
