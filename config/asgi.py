"""ASGI entry point: HTTP through Django, websockets through Channels."""

from __future__ import annotations

import os
from typing import Any

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

from django.core.asgi import get_asgi_application  # noqa: E402

django_asgi_app = get_asgi_application()

from channels.auth import AuthMiddlewareStack  # noqa: E402
from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402

from config.api import api_throttle  # noqa: E402
from storedesk.connectors.api.live import LiveInboundRoute  # noqa: E402
from storedesk.connectors.asgi import WebhookRoute  # noqa: E402
from storedesk.connectors.webchat.consumer import WidgetConsumer  # noqa: E402
from storedesk.core.body_limit import BodyLimit  # noqa: E402
from storedesk.realtime.origin import SameOriginValidator  # noqa: E402
from storedesk.realtime.publish import bind_server_loop  # noqa: E402
from storedesk.realtime.routing import websocket_urlpatterns  # noqa: E402

# Origin first: a socket opened by another site's page never reaches the session.
agent_sockets = SameOriginValidator(AuthMiddlewareStack(URLRouter(websocket_urlpatterns)))
# The chat widget runs on the stores' own sites: no session, no cookies; the consumer checks
# the Origin against the inbox's allowed origins and the visitor's signed token itself.
widget_sockets = WidgetConsumer.as_asgi()


async def websockets(scope: dict[str, Any], receive: Any, send: Any) -> Any:
    bind_server_loop()  # in-memory layer: sends from queue workers go through this loop
    if scope.get("path") == "/ws/widget/":
        return await widget_sockets(scope, receive, send)
    return await agent_sockets(scope, receive, send)


application = ProtocolTypeRouter(
    {
        # The per-request upload cap is checked before Django reads (and spools) the body.
        # The live ingest route (POST /api/v1/inboxes/{id}/messages with an integration key)
        # is answered in front of Django, its messages written in groups; see its module.
        # Provider webhooks (POST /hooks/<kind>/<id>/) too: verify, one INSERT, 202
        # (connectors/asgi.py).
        "http": BodyLimit(WebhookRoute(LiveInboundRoute(django_asgi_app, throttle=api_throttle))),
        "websocket": websockets,
    }
)
