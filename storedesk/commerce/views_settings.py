"""Settings pages for stores (admins and owners; everyone else gets a 404): the list and
creation; one store's platform connection (secrets write-only: a hint of the last four
characters is all that is shown back), "Test connection" and "Sync orders and products now",
its return policy and refund limits per role, and its shipping rates. Access -> parse -> one
action -> redirect with a message.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from storedesk.accounts.decorators import admin_required
from storedesk.accounts.models import Agent, Membership
from storedesk.commerce import actions, credentials
from storedesk.commerce.forms_settings import (
    PolicyForm,
    ShippingRateForm,
    StoreForm,
    connection_form,
)
from storedesk.commerce.models import Platform, ShippingRate, Store
from storedesk.commerce.platforms import platform_for
from storedesk.commerce.platforms.base import PlatformError
from storedesk.core.errors import ActionError
from storedesk.core.oncommit import enqueue_on_commit


def _member(request: HttpRequest) -> Membership:
    return request.membership  # type: ignore[attr-defined,no-any-return]


def _agent(request: HttpRequest) -> Agent:
    return request.user  # type: ignore[return-value]


def _store(request: HttpRequest, store_id: int) -> Store:
    store = Store.objects.filter(account_id=_member(request).account_id, pk=store_id).first()
    if store is None:
        raise Http404
    return store


def _page(request: HttpRequest, template: str, context: dict[str, Any],
          status: int = 200) -> HttpResponse:
    return render(request, template, {"nav": "settings", "section": "stores", **context},
                  status=status)


def _errors(request: HttpRequest, form: Any) -> None:
    for name, errors in form.errors.items():
        label = form.fields[name].label if name in form.fields else ""
        for error in errors:
            messages.error(request, f"{label}: {error}" if label else str(error))


@admin_required
@require_http_methods(["GET", "POST"])
def stores(request: HttpRequest) -> HttpResponse:
    member = _member(request)
    form = StoreForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            store = actions.create_store(
                member.account, slug=form.cleaned_data["slug"], name=form.cleaned_data["name"],
                platform=form.cleaned_data["platform"], currency=form.cleaned_data["currency"],
                by=_agent(request))
        except ActionError as exc:
            form.add_error(None, _(exc.detail))
        else:
            messages.success(request, _("Store added."))
            return redirect("settings:store", store_id=store.pk)
    rows = Store.objects.filter(account_id=member.account_id).order_by("name")
    return _page(request, "commerce/settings/stores.html", {"form": form, "stores": rows},
                 status=400 if form.errors else 200)


def _store_context(store: Store, **forms: Any) -> dict[str, Any]:
    form_class = connection_form(store.platform)
    config = store.config or {}
    connection = forms.get("connection")
    if connection is None and form_class is not None:
        connection = form_class(initial={k: v for k, v in config.items()
                                         if k not in credentials.SECRET_KEYS})
    return {
        "store": store,
        "connection": connection,
        "hints": {key: credentials.hint(config, key) for key in sorted(credentials.SECRET_KEYS)
                  if config.get(key)},
        "policy": forms.get("policy") or PolicyForm(initial=PolicyForm.initial_for(store)),
        "rate_form": forms.get("rate_form") or ShippingRateForm(initial={"country": "*"}),
        "rates": store.shipping_rates.order_by("country", "method"),
        "webhook_path": f"/hooks/store/{store.platform}/{store.pk}/",
    }


@admin_required
@require_http_methods(["GET", "POST"])
def store(request: HttpRequest, store_id: int) -> HttpResponse:
    """GET: the store's page. POST: its platform connection."""
    found = _store(request, store_id)
    form_class = connection_form(found.platform)
    if request.method == "POST":
        if form_class is None:
            raise Http404
        form = form_class(request.POST)
        if form.is_valid():
            values = dict(form.cleaned_data)
            if found.platform == Platform.WOOCOMMERCE:
                values["source"] = values["site_url"]
            try:
                actions.connect_store(found, by=_agent(request), values=values)
            except ActionError as exc:
                messages.error(request, _(exc.detail))
            else:
                messages.success(request, _("Connection saved. Use “Test connection” to check "
                                            "it."))
                return redirect("settings:store", store_id=found.pk)
        return _page(request, "commerce/settings/store.html",
                     _store_context(found, connection=form), status=400)
    return _page(request, "commerce/settings/store.html", _store_context(found))


@admin_required
@require_POST
def store_test(request: HttpRequest, store_id: int) -> HttpResponse:
    found = _store(request, store_id)
    try:
        said = platform_for(found).test_connection()
    except PlatformError as exc:
        messages.error(request, _("Connection failed: %(reason)s") % {"reason": exc})
    else:
        messages.success(request, _("Connected to %(shop)s.") % {"shop": said})
    return redirect("settings:store", store_id=found.pk)


@admin_required
@require_POST
def store_sync(request: HttpRequest, store_id: int) -> HttpResponse:
    """Queue a reconciliation now (the page shows its outcome: last sync, watermark, error)."""
    from storedesk.commerce.tasks import reconcile_store

    found = _store(request, store_id)
    if found.platform == Platform.CUSTOM:
        messages.info(request, _("A custom store pushes its orders to Storedesk: there is "
                                 "nothing to sync."))
    else:
        enqueue_on_commit(reconcile_store, found.pk)
        messages.success(request, _("Sync of orders and products started."))
    return redirect("settings:store", store_id=found.pk)


@admin_required
@require_POST
def store_policy(request: HttpRequest, store_id: int) -> HttpResponse:
    found = _store(request, store_id)
    form = PolicyForm(request.POST)
    if not form.is_valid():
        return _page(request, "commerce/settings/store.html",
                     _store_context(found, policy=form), status=400)
    data = form.cleaned_data
    try:
        actions.set_policy(
            found, by=_agent(request), return_window_days=data["return_window_days"],
            non_returnable_categories=form.categories(),
            return_condition=data.get("return_condition") or "",
            return_instructions=data.get("return_instructions") or "",
            refund_limits=form.limits(),
            free_shipping_threshold=data.get("free_shipping_threshold"))
    except ActionError as exc:
        messages.error(request, _(exc.detail))
    else:
        messages.success(request, _("Return policy and refund limits saved."))
    return redirect("settings:store", store_id=found.pk)


@admin_required
@require_POST
def store_rate(request: HttpRequest, store_id: int) -> HttpResponse:
    found = _store(request, store_id)
    form = ShippingRateForm(request.POST)
    if not form.is_valid():
        _errors(request, form)
        return redirect("settings:store", store_id=found.pk)
    try:
        actions.set_shipping_rate(found, by=_agent(request), **form.cleaned_data)
    except ActionError as exc:
        messages.error(request, _(exc.detail))
    else:
        messages.success(request, _("Shipping rate saved."))
    return redirect("settings:store", store_id=found.pk)


@admin_required
@require_POST
def store_rate_delete(request: HttpRequest, store_id: int, rate_id: int) -> HttpResponse:
    found = _store(request, store_id)
    rate = ShippingRate.objects.filter(store=found, pk=rate_id).first()
    if rate is None:
        raise Http404
    actions.delete_shipping_rate(rate, by=_agent(request))
    messages.success(request, _("Shipping rate removed."))
    return redirect("settings:store", store_id=found.pk)
