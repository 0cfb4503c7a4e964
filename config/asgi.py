"""ASGI entry point: HTTP through Django, websockets through Channels."""

from __future__ import annotations

import os

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

from django.core.asgi import get_asgi_application  # noqa: E402

django_asgi_app = get_asgi_application()

from channels.auth import AuthMiddlewareStack  # noqa: E402
from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402

from storedesk.core.body_limit import BodyLimit  # noqa: E402
from storedesk.realtime.origin import SameOriginValidator  # noqa: E402
from storedesk.realtime.routing import websocket_urlpatterns  # noqa: E402

application = ProtocolTypeRouter(
    {
        # The per-request upload cap is checked before Django reads (and spools) the body.
        "http": BodyLimit(django_asgi_app),
        # Origin first: a socket opened by another site's page never reaches the session.
        "websocket": SameOriginValidator(AuthMiddlewareStack(URLRouter(websocket_urlpatterns))),
    }
)
