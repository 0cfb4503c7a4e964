"""The one NinjaAPI: /api/v1/ (schema at /api/v1/openapi.json, docs at /api/v1/docs).

Every operation needs `Authorization: Bearer <token>` (401 otherwise) and is rate limited per
seat with settings.API_RATE_LIMIT. Errors are JSON {"detail": ...}: ActionError and its
subclasses keep their status code (400/403/404/409), request validation stays 422.
"""

from __future__ import annotations

import time
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import RequestDataTooBig
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import ValidationError as NinjaValidationError
from ninja.parser import Parser
from ninja.throttling import SimpleRateThrottle
from redis.exceptions import ConnectionError as RedisConnectionError

from storedesk.accounts.api_auth import token_auth
from storedesk.core.api_errors import document_error_responses, public_validation_errors
from storedesk.core.errors import ActionError
from storedesk.core.ratelimit import THROTTLE_VERDICT

# The names handlers give their body schema parameter (internal; never shown to clients).
BODY_PARAMS = {"payload", "body", "data"}


class SeatRateThrottle(SimpleRateThrottle):
    """A fixed-window request counter per membership, kept in the shared cache.

    Ninja's own throttles keep a list of every request time in the cache and rewrite it on each
    request (costly at thousands per minute, and racy across processes); one atomic INCR per
    request is cheap and correct with Redis behind the cache.
    """

    scope = "api"

    def get_cache_key(self, request: HttpRequest) -> str | None:
        caller = getattr(request, "auth", None)
        if caller is None:
            return None
        # A seat counts by its membership; an integration key (connectors) by itself.
        scope = getattr(caller, "throttle_key", None) or caller.pk
        return self.scope_key(str(scope))

    def allow_request(self, request: HttpRequest) -> bool:
        # The live ingest route (connectors/api/live.py) counts its requests itself, many at a
        # time; when it hands one over to Django it passes its verdict in the ASGI scope.
        verdict = getattr(request, "scope", {}).get(THROTTLE_VERDICT)
        if verdict is not None:
            return bool(verdict)
        if self.rate is None or self.num_requests is None or self.duration is None:
            return True
        key = self.get_cache_key(request)
        if key is None:
            return True
        return self.take(key, 1) <= self.num_requests

    def scope_key(self, scope: str) -> str:
        """The counter of one caller (`throttle_key`, or a membership's pk) in this window."""
        window = int(time.time() // (self.duration or 60))
        return f"throttle:api:{scope}:{window}"

    def take(self, key: str, count: int) -> int:
        """Add `count` requests to the counter `key`; return its value after them."""
        ttl = (self.duration or 60) + 5
        cache.add(key, 0, ttl)
        try:
            return int(cache.incr(key, count))
        except ValueError:  # expired between add and incr
            cache.add(key, count, ttl)
            return count

    def allowed(self, scope: str, count: int) -> list[bool]:
        """Count `count` requests of one caller at once: the verdict of each, in order (as if
        they had been counted one by one)."""
        if self.rate is None or self.num_requests is None or self.duration is None:
            return [True] * count
        last = self.take(self.scope_key(scope), count)
        first = last - count + 1
        return [first + i <= self.num_requests for i in range(count)]

    def wait(self) -> float | None:
        if self.duration is None:
            return None
        return float(self.duration - (time.time() % self.duration))


api_throttle = SeatRateThrottle(settings.API_RATE_LIMIT)

class ObjectBodyParser(Parser):
    """Every JSON body of this API is an object. Ninja would read a bare number, string or list
    as "no fields sent" and apply the defaults (a PUT of `-414692` saved the follow-up settings
    unchanged with a 200); anything but an object is refused as unparseable (400)."""

    def parse_body(self, request: HttpRequest) -> Any:
        data = super().parse_body(request)
        if not isinstance(data, dict):
            raise ValueError("the request body must be a JSON object")
        return data


class StoredeskAPI(NinjaAPI):
    def get_openapi_schema(self, **kwargs: Any) -> Any:
        schema = super().get_openapi_schema(**kwargs)
        document_error_responses(schema)
        return schema


api = StoredeskAPI(
    title="Storedesk API",
    version="1",
    description=(
        "Conversations, messages, contacts and inboxes of one Storedesk account. "
        "Authenticate with `Authorization: Bearer <token>` (`storedesk token create`)."
    ),
    urls_namespace="api",
    parser=ObjectBodyParser(),
    auth=token_auth,
    throttle=[api_throttle],
)


@api.exception_handler(ActionError)
def action_error(request: HttpRequest, exc: ActionError) -> HttpResponse:
    return api.create_response(request, {"detail": exc.detail}, status=exc.status_code)


@api.exception_handler(NinjaValidationError)
def request_validation_error(request: HttpRequest, exc: NinjaValidationError) -> HttpResponse:
    """422 naming the fields as the client sent them (never the handler's parameter names)."""
    detail = public_validation_errors(list(exc.errors), BODY_PARAMS)
    return api.create_response(request, {"detail": detail}, status=422)


@api.exception_handler(RequestDataTooBig)
def body_too_big(request: HttpRequest, exc: RequestDataTooBig) -> HttpResponse:
    limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    return api.create_response(
        request, {"detail": f"The request body is larger than {limit} bytes."}, status=413
    )


@api.exception_handler(RedisConnectionError)
def backing_service_down(request: HttpRequest, exc: RedisConnectionError) -> HttpResponse:
    return api.create_response(
        request, {"detail": "A backing service is unavailable; please retry shortly."},
        status=503,
    )


@api.exception_handler(DjangoValidationError)
def model_validation_error(request: HttpRequest, exc: DjangoValidationError) -> HttpResponse:
    detail: Any = exc.message_dict if hasattr(exc, "error_dict") else exc.messages
    return api.create_response(request, {"detail": detail}, status=400)


def _register_routers() -> None:
    from storedesk.accounts.api import router as accounts_router
    from storedesk.commerce.api import router as commerce_router
    from storedesk.connectors.api.inbound import router as inbound_router
    from storedesk.connectors.email.api import router as email_router
    from storedesk.connectors.email.inbound import router as email_inbound_router
    from storedesk.connectors.rest import router as connectors_router
    from storedesk.contacts.api import router as contacts_router
    from storedesk.helpcenter.api import router as helpcenter_router
    from storedesk.inbox.api import router as inbox_router
    from storedesk.webhooks.api import router as webhooks_router
    from storedesk.workflow.api import router as workflow_router
    from storedesk.workflow.api_followups import router as followups_router

    api.add_router("", accounts_router)
    api.add_router("", inbox_router)
    api.add_router("", inbound_router)
    api.add_router("", email_inbound_router)
    api.add_router("", email_router)
    api.add_router("", connectors_router)
    api.add_router("", contacts_router)
    api.add_router("", commerce_router)
    api.add_router("", webhooks_router)
    api.add_router("", helpcenter_router)
    api.add_router("", workflow_router)
    api.add_router("", followups_router)


_register_routers()
