"""Settings pages for store webhooks (admins and owners; everyone else gets a 404).

List and create; one webhook's page edits its URL and events, pauses it, rotates or shows its
secret (once, right after create or rotate), deletes it, and lists its latest deliveries with
their attempts and a redeliver button. Access -> parse -> one action -> redirect.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from storedesk.accounts.decorators import admin_required
from storedesk.accounts.models import Membership
from storedesk.core.errors import ActionError, NotFound
from storedesk.core.sealing import Unreadable
from storedesk.webhooks import actions, queries
from storedesk.webhooks.forms import WebhookEditForm, WebhookForm
from storedesk.webhooks.models import WebhookSubscription, signing_secret

REVEAL = "settings.show_webhook_secret"


def _member(request: HttpRequest) -> Membership:
    return request.membership  # type: ignore[attr-defined,no-any-return]


def _subscription(request: HttpRequest, webhook_id: int) -> WebhookSubscription:
    try:
        return queries.get_subscription(_member(request), webhook_id)
    except NotFound as exc:
        raise Http404 from exc


def _page(request: HttpRequest, template: str, context: dict[str, Any],
          status: int = 200) -> HttpResponse:
    return render(request, template, {"nav": "settings", "section": "webhooks", **context},
                  status=status)


@admin_required
@require_http_methods(["GET", "POST"])
def webhooks(request: HttpRequest) -> HttpResponse:
    member = _member(request)
    form = WebhookForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            created = actions.create_subscription(
                member, url=form.cleaned_data["url"], events=form.cleaned_data["events"],
                description=form.cleaned_data["description"],
            )
        except ActionError as exc:
            form.add_error(None, _(exc.detail))
        else:
            request.session[REVEAL] = created.subscription.pk
            messages.success(request, _("Webhook created. Copy its signing secret now."))
            return redirect("settings:webhook", webhook_id=created.subscription.pk)
    status = 400 if form.errors else 200
    return _page(request, "webhooks/settings/webhooks.html",
                 {"form": form, "webhooks": queries.subscriptions(member)}, status=status)


@admin_required
@require_http_methods(["GET", "POST"])
def webhook(request: HttpRequest, webhook_id: int) -> HttpResponse:
    member = _member(request)
    subscription = _subscription(request, webhook_id)
    initial = {"url": subscription.url, "events": subscription.events,
               "description": subscription.description, "is_active": subscription.is_active}
    form = WebhookEditForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            actions.update_subscription(
                member, subscription, url=form.cleaned_data["url"],
                events=form.cleaned_data["events"], is_active=form.cleaned_data["is_active"],
                description=form.cleaned_data["description"],
            )
        except ActionError as exc:
            form.add_error(None, _(exc.detail))
        else:
            messages.success(request, _("Webhook saved."))
            return redirect("settings:webhook", webhook_id=subscription.pk)
    secret = None
    if request.method == "GET" and request.session.get(REVEAL) == subscription.pk:
        # right after create or rotate, once: the flag is consumed with this page
        del request.session[REVEAL]
        try:
            secret = signing_secret(subscription.secret)
        except Unreadable:
            secret = None
    context = {
        "webhook": subscription,
        "form": form,
        "secret": secret,
        "deliveries": queries.deliveries(member, subscription),
    }
    return _page(request, "webhooks/settings/webhook.html", context,
                 status=400 if form.errors else 200)


@admin_required
@require_POST
def webhook_rotate(request: HttpRequest, webhook_id: int) -> HttpResponse:
    subscription = _subscription(request, webhook_id)
    actions.rotate_secret(_member(request), subscription)
    request.session[REVEAL] = subscription.pk
    messages.success(request, _("New signing secret made. The previous one keeps working for "
                                "24 hours."))
    return redirect("settings:webhook", webhook_id=subscription.pk)


@admin_required
@require_POST
def webhook_delete(request: HttpRequest, webhook_id: int) -> HttpResponse:
    actions.delete_subscription(_member(request), _subscription(request, webhook_id))
    messages.success(request, _("Webhook deleted."))
    return redirect("settings:webhooks")


@admin_required
@require_POST
def webhook_redeliver(request: HttpRequest, webhook_id: int, delivery_id: int) -> HttpResponse:
    member = _member(request)
    subscription = _subscription(request, webhook_id)
    try:
        delivery = queries.get_delivery(member, subscription, delivery_id)
    except NotFound as exc:
        raise Http404 from exc
    try:
        actions.redeliver(member, delivery)
    except ActionError as exc:
        messages.error(request, _(exc.detail))
    else:
        messages.success(request, _("Delivery %(id)s queued again.") % {"id": delivery.pk})
    return redirect("settings:webhook", webhook_id=subscription.pk)
