"""Settings pages for admins and owners: agents, teams, inboxes, macros, tags, account, tokens."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.views.decorators.http import require_GET

from storedesk.accounts.decorators import admin_required


@admin_required
@require_GET
def index(request: HttpRequest) -> HttpResponse:
    return redirect("settings:agents") if False else _placeholder(request)


def _placeholder(request: HttpRequest) -> HttpResponse:
    from django.shortcuts import render

    return render(request, "settings/index.html", {"nav": "settings"})
