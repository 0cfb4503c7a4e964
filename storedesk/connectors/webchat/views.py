"""The widget's HTTP side: ``/widget.js`` and the visitor API under ``/widget/api/``.

No cookies and no session: a request names its inbox by public key (``X-Widget-Key`` header or
``key`` parameter) and its visitor by the signed token (``Authorization: Bearer ...``), so
there is no ambient credential for another site to ride on, and CSRF tokens do not apply.
Browsers call these cross-origin from the store's pages: the Origin must be one of the inbox's
allowed origins (or this server's own host), and only then does the answer carry CORS headers.
A request without an Origin is not a browser's cross-site request (curl, a server) and is
served on the token alone.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from functools import cache, wraps
from importlib import resources
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.http.response import HttpResponseBase
from django.views.decorators.csrf import csrf_exempt

from storedesk.connectors.webchat import visitor as service
from storedesk.connectors.webchat.tokens import Visitor, inbox_for_key, read_visitor
from storedesk.core.errors import ActionError
from storedesk.inbox.models import Inbox
from storedesk.inbox.storage import IncomingFile

ALLOWED_UPLOAD_TYPES = ("image/png", "image/jpeg", "image/gif", "image/webp", "application/pdf",
                        "text/plain")
MAX_JSON_BYTES = 64 * 1024


@cache
def _widget_source() -> bytes:
    return (resources.files(__package__ or "storedesk.connectors.webchat") / "static" / "webchat"
            / "widget.js").read_bytes()


def widget_js(request: HttpRequest) -> HttpResponse:
    response = HttpResponse(_widget_source(), content_type="text/javascript; charset=utf-8")
    response["Cache-Control"] = "public, max-age=300"
    response["Access-Control-Allow-Origin"] = "*"
    response["X-Content-Type-Options"] = "nosniff"
    return response


def _cors(response: Any, origin: str | None) -> Any:
    if origin:
        response["Access-Control-Allow-Origin"] = origin
        response["Access-Control-Allow-Methods"] = "GET, POST"
        response["Access-Control-Allow-Headers"] = "Authorization, Content-Type, X-Widget-Key"
        response["Access-Control-Max-Age"] = "600"
    response["Vary"] = "Origin"
    response["Cache-Control"] = "no-store"
    return response


def _error(detail: str, status: int, code: str = "", origin: str | None = None) -> HttpResponse:
    return _cors(JsonResponse({"detail": detail, "code": code}, status=status), origin)


def client_ip(request: HttpRequest) -> str:
    return str(request.META.get("REMOTE_ADDR") or "unknown")


Handler = Callable[..., Any]


def endpoint(*, methods: tuple[str, ...], visitor: bool = True) -> Callable[[Handler], Any]:
    """Inbox by key, origin check, CORS, the visitor from the token, errors as JSON."""

    def wrap(handler: Handler) -> Any:
        @csrf_exempt
        @wraps(handler)
        def view(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            origin = request.headers.get("Origin")
            key = request.headers.get("X-Widget-Key") or request.GET.get("key") or ""
            inbox = inbox_for_key(key)
            if inbox is None:
                return _error("Unknown chat widget.", 404)
            if origin is not None and not service.origin_allowed(
                    service.config_of(inbox), origin, request.get_host()):
                return _error("This website may not use this chat widget.", 403, "origin")
            if request.method == "OPTIONS":
                return _cors(HttpResponse(status=204), origin)
            if request.method not in methods:
                return _error("Method not allowed.", 405, origin=origin)
            who: Visitor | None = None
            if visitor:
                auth = request.headers.get("Authorization", "")
                who = read_visitor(auth.removeprefix("Bearer ").strip(), inbox)
                if who is None:
                    return _error("Start a chat session first.", 401, "token", origin)
            try:
                result = handler(request, inbox, who, *args, **kwargs)
            except service.WidgetError as exc:
                return _error(exc.detail, exc.status, exc.code, origin)
            except ActionError as exc:
                return _error(exc.detail, getattr(exc, "status", 400), "invalid", origin)
            if isinstance(result, HttpResponseBase):
                return _cors(result, origin)
            return _cors(JsonResponse(result, safe=False), origin)

        return view

    return wrap


def _json(request: HttpRequest) -> dict[str, Any]:
    if len(request.body) > MAX_JSON_BYTES:
        raise service.WidgetError("The request is too large.", code="too_long", status=413)
    try:
        data = json.loads(request.body or b"{}")
    except ValueError as exc:
        raise service.WidgetError("The body must be JSON.") from exc
    if not isinstance(data, dict):
        raise service.WidgetError("The body must be a JSON object.")
    return data


def _str(data: dict[str, Any], name: str, limit: int = 500) -> str:
    value = data.get(name)
    return value[:limit] if isinstance(value, str) else ""


@endpoint(methods=("POST",), visitor=False)
def session(request: HttpRequest, inbox: Inbox, _visitor: None) -> dict[str, Any]:
    """Start or resume: a (renewed) token, the texts, the look, availability and the thread."""
    service.check_rate("session_ip", client_ip(request))
    data = _json(request)
    raw_customer = data.get("customer")
    customer: dict[str, Any] = raw_customer if isinstance(raw_customer, dict) else {}
    claim = service.Claim(customer_id=_str(customer, "id", 200), email=_str(customer, "email", 254),
                          name=_str(customer, "name", 100),
                          signature=_str(customer, "signature", 128))
    languages = [str(x) for x in data.get("languages") or [] if isinstance(x, str)][:10]
    return service.start_session(inbox, _str(data, "token", 1024), claim, languages)


@endpoint(methods=("GET",))
def messages(request: HttpRequest, inbox: Inbox, visitor: Visitor) -> dict[str, Any]:
    """The thread, or what came after the cursor (``after`` = the last message id seen)."""
    raw = request.GET.get("after", "")
    after = int(raw) if raw.isdigit() and len(raw) < 19 else None
    return {"messages": service.history(inbox, visitor, after)}


@endpoint(methods=("POST",))
def upload(request: HttpRequest, inbox: Inbox, visitor: Visitor) -> dict[str, Any]:
    """A file (with optional text) from the visitor: allowed types, ATTACHMENT_MAX_BYTES."""
    from storedesk.connectors.webchat.transport import widget_message

    service.check_rate("upload_visitor", visitor.visitor_id)
    upload = request.FILES.get("file")
    if upload is None:
        raise service.WidgetError("Choose a file.")
    if upload.size is None or upload.size > settings.ATTACHMENT_MAX_BYTES:
        raise service.WidgetError("The file is too large.", code="too_large", status=413)
    content_type = (upload.content_type or "").split(";")[0].strip().lower()
    if content_type not in ALLOWED_UPLOAD_TYPES:
        raise service.WidgetError("Images, PDF and text files only.", code="file_type")
    message = service.post_message(
        inbox, visitor, text=request.POST.get("text", ""),
        client_id=request.POST.get("client_id", ""), ip=client_ip(request),
        files=[IncomingFile(filename=(upload.name or "file")[:200], content=upload.open("rb"),
                            content_type=content_type, size=upload.size)],
    )
    return {"message": widget_message(message)}


@endpoint(methods=("POST",))
def leave_email(request: HttpRequest, inbox: Inbox, visitor: Visitor) -> dict[str, Any]:
    from storedesk.connectors.webchat.transport import widget_message

    message = service.leave_email(inbox, visitor, _str(_json(request), "email", 254),
                                  ip=client_ip(request))
    return {"message": widget_message(message)}


@endpoint(methods=("GET",), visitor=False)
def articles(request: HttpRequest, inbox: Inbox, _visitor: None) -> dict[str, Any]:
    service.check_rate("search_ip", client_ip(request))
    if not service.config_of(inbox).help_search:
        return {"articles": []}
    return {"articles": service.search_articles(inbox, request.GET.get("lang", "en")[:8],
                                                request.GET.get("q", ""))}


@endpoint(methods=("GET",))
def orders(request: HttpRequest, inbox: Inbox, visitor: Visitor) -> dict[str, Any]:
    """The verified customer's orders; an unverified visitor gets none (and is told why)."""
    return {"verified": visitor.verified, "orders": service.orders(inbox, visitor)}


@endpoint(methods=("GET",))
def attachment(request: HttpRequest, inbox: Inbox, visitor: Visitor,
               attachment_id: int) -> HttpResponseBase:
    from storedesk.inbox.downloads import attachment_response
    from storedesk.inbox.models import Attachment

    found = Attachment.objects.filter(
        pk=attachment_id,
        message__in=service.visitor_messages(inbox, visitor),
    ).first()
    if found is None:
        return _error("Not found.", 404)
    return attachment_response(found)
