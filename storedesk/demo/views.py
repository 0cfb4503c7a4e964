"""`/demo/shop`: a fictional store page with the chat widget embedded exactly as a store would
(one script tag), served only when STOREDESK_DEMO_SHOP is on (`storedesk demo` turns it on)."""

from __future__ import annotations

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from storedesk.connectors.webchat.tokens import inbox_for_key, public_key
from storedesk.inbox.models import Inbox


def shop(request: HttpRequest) -> HttpResponse:
    if not settings.DEMO_SHOP:
        raise Http404
    wanted = request.GET.get("inbox", "")
    inbox = inbox_for_key(wanted) if wanted else (
        Inbox.objects.filter(channel="webchat", is_active=True).order_by("pk").first())
    if inbox is None:
        raise Http404("No chat inbox")
    return render(request, "demo/shop.html", {"key": public_key(inbox), "lang": request.GET.get(
        "lang", "")[:8]})
