"""Settings pages for inboxes (every channel in the registry), their integration keys, and the
inbound provider events. Admins and owners only (everyone else gets a 404).

Each channel's own fields and template come from its connector package; these views only
know the registry. Mounted inside the ``settings`` URL namespace (see urls_settings.py).
"""

from __future__ import annotations

from typing import Any, cast

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from storedesk.accounts.decorators import admin_required
from storedesk.accounts.models import Agent
from storedesk.connectors import actions, inbound
from storedesk.connectors.base import Connector, SetupForm
from storedesk.connectors.models import InboundEvent, InboundStatus, IntegrationKey
from storedesk.connectors.registry import connector_for, get_entry, setup_entries
from storedesk.connectors.settings_forms import InboxBasicsForm, IntegrationKeyForm
from storedesk.core.errors import ActionError
from storedesk.core.sealing import Unreadable
from storedesk.inbox import actions as inbox_actions
from storedesk.inbox.models import Inbox

REVEAL_SECRET = "settings.show_secret_for"  # noqa: S105 - a session key name
REVEAL_KEY = "settings.show_integration_key"
EVENTS_SHOWN = 100


def _page(request: HttpRequest, template: str, context: dict[str, Any],
          section: str = "inboxes", status: int = 200) -> HttpResponse:
    return render(request, template, {"nav": "settings", "section": section, **context},
                  status=status)


def _agent(request: HttpRequest) -> Agent:
    return cast(Agent, request.user)


def _account_id(request: HttpRequest) -> int:
    return request.membership.account_id  # type: ignore[attr-defined,no-any-return]


def _inbox(request: HttpRequest, inbox_id: int) -> Inbox:
    found = Inbox.objects.filter(account_id=_account_id(request), pk=inbox_id).first()
    if found is None:
        raise Http404
    return found


@admin_required
@require_GET
def inboxes(request: HttpRequest) -> HttpResponse:
    rows = Inbox.objects.filter(account_id=_account_id(request)).select_related(
        "team").order_by("-is_active", "name")
    return _page(request, "connectors/settings/inboxes.html",
                 {"inboxes": rows, "channels": setup_entries()})


def _form_page(request: HttpRequest, *, connector: Connector, kind: str, inbox: Inbox | None,
               basics: InboxBasicsForm, form: SetupForm, extra: dict[str, Any]) -> HttpResponse:
    entry = get_entry(kind)
    context = {"form": form, "basics": basics, "inbox": inbox, "channel": kind,
               "channel_label": entry.label if entry else kind, **extra}
    if inbox is not None and connector.settings_context is not None:
        context.update(connector.settings_context(inbox, request))
    # Rendered by the template engine with autoescaping, so it is safe to insert as is.
    context["channel_fields"] = mark_safe(  # noqa: S308
        connector.render(form.template_name_in_package, context, request)
    )
    status = 400 if basics.errors or form.errors else 200
    return _page(request, "connectors/settings/inbox_form.html", context, status=status)


def _setup(kind: str) -> Connector:
    connector = connector_for(kind)
    if connector is None or connector.setup_form is None:
        raise Http404
    return connector


@admin_required
@require_http_methods(["GET", "POST"])
def inbox_create(request: HttpRequest, channel: str) -> HttpResponse:
    connector = _setup(channel)
    assert connector.setup_form is not None
    account = request.membership.account  # type: ignore[attr-defined]
    basics = InboxBasicsForm(request.POST or None, account_id=account.pk)
    form = connector.setup_form(request.POST or None)
    if request.method == "POST" and basics.is_valid() and form.is_valid():
        try:
            inbox = actions.set_up_inbox(
                account, channel, name=basics.cleaned_data["name"], config=form.to_config(),
                team=basics.cleaned_data.get("team"), by=_agent(request),
            )
        except ActionError as exc:
            form.add_error(None, _(exc.detail))
        else:
            request.session[REVEAL_SECRET] = inbox.pk  # the signing secret, once
            messages.success(request, _("Inbox created."))
            return redirect("settings:inbox_edit", inbox_id=inbox.pk)
    return _form_page(request, connector=connector, kind=channel, inbox=None, basics=basics,
                      form=form, extra={})


def _keys_context(request: HttpRequest, inbox: Inbox) -> dict[str, Any]:
    revealed = request.session.pop(REVEAL_KEY, None) if request.method == "GET" else None
    new_key = revealed["raw"] if revealed and revealed.get("inbox") == inbox.pk else None
    keys = IntegrationKey.objects.filter(inbox=inbox, account_id=inbox.account_id).order_by(
        "revoked_at", "-created_at")
    return {"keys": keys, "key_form": IntegrationKeyForm(), "new_key": new_key,
            "inbound_url": request.build_absolute_uri(f"/api/v1/inboxes/{inbox.pk}/messages")}


@admin_required
@require_http_methods(["GET", "POST"])
def inbox_edit(request: HttpRequest, inbox_id: int) -> HttpResponse:
    inbox = _inbox(request, inbox_id)
    connector = connector_for(inbox.channel)
    if connector is None or connector.setup_form is None:
        return _page(request, "connectors/settings/inbox_form.html",
                     {"inbox": inbox, "form": None, "channel": inbox.channel})
    current = connector.load_config(inbox)
    basics = InboxBasicsForm(request.POST or None, account_id=inbox.account_id,
                             initial={"name": inbox.name, "team": inbox.team_id})
    form = connector.setup_form(request.POST or None, current=current)
    if request.method == "POST" and basics.is_valid() and form.is_valid():
        try:
            actions.change_inbox_setup(inbox, name=basics.cleaned_data["name"],
                                       config=form.to_config(),
                                       team=basics.cleaned_data.get("team"), by=_agent(request))
        except ActionError as exc:
            form.add_error(None, _(exc.detail))
        else:
            messages.success(request, _("Inbox saved."))
            return redirect("settings:inbox_edit", inbox_id=inbox.pk)
    secret = ""
    if request.method == "GET" and request.session.get(REVEAL_SECRET) == inbox.pk:
        del request.session[REVEAL_SECRET]  # right after creation, once
        try:
            secret = inbox.signing_secret()
        except Unreadable:
            secret = ""
    extra: dict[str, Any] = {"show_secret": bool(secret), "secret": secret}
    if inbox.channel in actions.KEY_CHANNELS:
        extra.update(_keys_context(request, inbox))
    return _form_page(request, connector=connector, kind=inbox.channel, inbox=inbox,
                      basics=basics, form=form, extra=extra)


@admin_required
@require_POST
def inbox_rotate_secret(request: HttpRequest, inbox_id: int) -> HttpResponse:
    inbox = _inbox(request, inbox_id)
    inbox_actions.rotate_inbox_secret(inbox, by=_agent(request))
    request.session[REVEAL_SECRET] = inbox.pk  # the new secret, once
    messages.success(request, _("New signing secret made; copy it now."))
    return redirect("settings:inbox_edit", inbox_id=inbox.pk)


@admin_required
@require_POST
def inbox_deactivate(request: HttpRequest, inbox_id: int) -> HttpResponse:
    inbox = _inbox(request, inbox_id)
    inbox_actions.deactivate_inbox(inbox, by=_agent(request))
    messages.success(request, _("Inbox deactivated."))
    return redirect("settings:inboxes")


# --- Integration keys -----------------------------------------------------------------------


def _reveal(request: HttpRequest, inbox: Inbox, raw: str) -> None:
    request.session[REVEAL_KEY] = {"inbox": inbox.pk, "raw": raw}


@admin_required
@require_POST
def key_create(request: HttpRequest, inbox_id: int) -> HttpResponse:
    inbox = _inbox(request, inbox_id)
    form = IntegrationKeyForm(request.POST)
    name = form.cleaned_data["name"] if form.is_valid() else ""
    try:
        raw = actions.create_integration_key(inbox, name=name, by=_agent(request))[1]
    except ActionError as exc:
        messages.error(request, _(exc.detail))
    else:
        _reveal(request, inbox, raw)
        messages.success(request, _("Integration key created."))
    return redirect("settings:inbox_edit", inbox_id=inbox.pk)


def _key(request: HttpRequest, inbox: Inbox, key_id: int) -> IntegrationKey:
    key = IntegrationKey.objects.filter(account_id=inbox.account_id, inbox=inbox,
                                        pk=key_id).first()
    if key is None:
        raise Http404
    return key


@admin_required
@require_POST
def key_rotate(request: HttpRequest, inbox_id: int, key_id: int) -> HttpResponse:
    inbox = _inbox(request, inbox_id)
    key = _key(request, inbox, key_id)
    try:
        raw = actions.rotate_integration_key(key, by=_agent(request))[1]
    except ActionError as exc:
        messages.error(request, _(exc.detail))
    else:
        _reveal(request, inbox, raw)
        messages.success(request, _("Key rotated: the old one no longer works."))
    return redirect("settings:inbox_edit", inbox_id=inbox.pk)


@admin_required
@require_POST
def key_revoke(request: HttpRequest, inbox_id: int, key_id: int) -> HttpResponse:
    inbox = _inbox(request, inbox_id)
    actions.revoke_integration_key(_key(request, inbox, key_id), by=_agent(request))
    messages.success(request, _("Key revoked."))
    return redirect("settings:inbox_edit", inbox_id=inbox.pk)


# --- Inbound provider events ----------------------------------------------------------------


@admin_required
@require_GET
def inbound_events(request: HttpRequest) -> HttpResponse:
    show = request.GET.get("status") or "failed"
    rows = InboundEvent.objects.filter(account_id=_account_id(request)).select_related("inbox")
    if show in InboundStatus.values:
        rows = rows.filter(status=show)
    else:
        show = "all"
    return _page(request, "connectors/settings/inbound_events.html", {
        "events": rows.order_by("-created_at", "-pk")[:EVENTS_SHOWN], "show": show,
        "statuses": InboundStatus.choices,
    }, section="inbound_events")


@admin_required
@require_POST
def inbound_event_retry(request: HttpRequest, event_id: int) -> HttpResponse:
    event = InboundEvent.objects.filter(account_id=_account_id(request), pk=event_id).first()
    if event is None:
        raise Http404
    try:
        inbound.retry_event(event, by=_agent(request))
    except ActionError as exc:
        messages.error(request, _(exc.detail))
    else:
        messages.success(request, _("The event is queued again."))
    return redirect("settings:inbound_events")
