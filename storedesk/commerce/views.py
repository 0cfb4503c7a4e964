"""The orders panel's HTMX endpoints: refund, return, cancel, address, item edits (and their
price preview), approval decisions.

Every view: access (the conversation through the inbox's access helper, the order through
commerce's, both scoped to the agent's account: 404 otherwise) → parse (a form) → one action →
render the panel again with what happened. Mutations are POST only and CSRF protected.
"""

from __future__ import annotations

from typing import Any

from django import forms as django_forms
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from storedesk.accounts.actor import Actor
from storedesk.accounts.decorators import member_required
from storedesk.accounts.models import Membership
from storedesk.commerce import actions
from storedesk.commerce.forms import (
    AddressForm,
    CancelForm,
    DecisionForm,
    EditLinesForm,
    RefundForm,
    ReturnForm,
)
from storedesk.commerce.models import Order
from storedesk.commerce.queries import get_approval, get_order
from storedesk.commerce.workspace import panel_context
from storedesk.core.errors import ActionError, NotFound
from storedesk.inbox.models import Conversation

PANEL = "commerce/_orders_panel.html"


def _membership(request: HttpRequest) -> Membership:
    return request.membership  # type: ignore[attr-defined, no-any-return]


def _access(request: HttpRequest, display_id: int, order_id: int | None = None,
            ) -> tuple[Conversation, Order | None]:
    from storedesk.inbox.queries import get_conversation_by_display_id

    membership = _membership(request)
    try:
        conversation = get_conversation_by_display_id(membership, display_id)
        order = get_order(membership, order_id) if order_id is not None else None
    except NotFound as exc:
        raise Http404(exc.detail) from exc
    return conversation, order


def _panel(request: HttpRequest, conversation: Conversation, *, message: str = "",
           error: str = "", forms: dict[str, Any] | None = None) -> HttpResponse:
    context = panel_context(_membership(request), conversation.contact, conversation,
                            message=message, error=error, forms=forms)
    return render(request, PANEL, context, status=400 if error else 200)


def _form_error(form: django_forms.Form) -> str:
    errors = [str(e) for e in form.non_field_errors()]
    for name, field_errors in form.errors.items():
        if name != "__all__":
            label = form.fields[name].label or name
            errors += [f"{label}: {e}" for e in field_errors]
    return " ".join(errors)


@member_required
@require_GET
def panel(request: HttpRequest, display_id: int) -> HttpResponse:
    conversation, _order = _access(request, display_id)
    return _panel(request, conversation)


@member_required
@require_POST
def refund(request: HttpRequest, display_id: int, order_id: int) -> HttpResponse:
    conversation, order = _access(request, display_id, order_id)
    assert order is not None
    form = RefundForm(request.POST, order=order)
    if not form.is_valid():
        return _panel(request, conversation, error=_form_error(form))
    try:
        outcome = actions.request_refund(
            order, Actor.agent(_membership(request)),
            actions.RefundAsk(
                idempotency_key=form.cleaned_data["idempotency_key"],
                amount=form.cleaned_data.get("amount"), lines=tuple(form.chosen_lines()),
                restock=form.cleaned_data.get("restock") or False,
                reason=form.cleaned_data.get("reason") or "",
            ),
            conversation=conversation,
        )
    except ActionError as exc:
        return _panel(request, conversation, error=exc.detail)
    if outcome.refund is not None:
        message = _("Refunded %(amount)s %(currency)s on order #%(number)s.") % {
            "amount": outcome.refund.amount, "currency": outcome.refund.currency,
            "number": order.number}
    else:
        assert outcome.approval is not None
        message = _("%(amount)s %(currency)s is above your refund limit: an admin was asked "
                    "to approve it.") % {"amount": outcome.approval.amount,
                                         "currency": order.currency}
    return _panel(request, conversation, message=message)


@member_required
@require_POST
def start_return(request: HttpRequest, display_id: int, order_id: int) -> HttpResponse:
    conversation, order = _access(request, display_id, order_id)
    assert order is not None
    form = ReturnForm(request.POST, order=order)
    if not form.is_valid():
        return _panel(request, conversation, error=_form_error(form))
    condition = form.cleaned_data.get("condition") or ""
    try:
        created = actions.start_return(
            order, Actor.agent(_membership(request)),
            [actions.ReturnItem(line_id, qty, condition) for line_id, qty in form.chosen_lines()],
            reason=form.cleaned_data["reason"], conversation=conversation,
        )
    except ActionError as exc:
        return _panel(request, conversation, error=exc.detail)
    return _panel(request, conversation,
                  message=_("Return %(rma)s authorised.") % {"rma": created.rma_number})


@member_required
@require_POST
def cancel(request: HttpRequest, display_id: int, order_id: int) -> HttpResponse:
    conversation, order = _access(request, display_id, order_id)
    assert order is not None
    form = CancelForm(request.POST)
    if not form.is_valid():
        return _panel(request, conversation, error=_form_error(form))
    try:
        actions.cancel_order(order, Actor.agent(_membership(request)),
                             reason=form.cleaned_data.get("reason") or "",
                             refund_key=form.cleaned_data["idempotency_key"],
                             conversation=conversation)
    except ActionError as exc:
        return _panel(request, conversation, error=exc.detail)
    return _panel(request, conversation,
                  message=_("Order #%(number)s cancelled.") % {"number": order.number})


@member_required
@require_POST
def change_address(request: HttpRequest, display_id: int, order_id: int) -> HttpResponse:
    conversation, order = _access(request, display_id, order_id)
    assert order is not None
    form = AddressForm(request.POST)
    if not form.is_valid():
        return _panel(request, conversation, error=_form_error(form))
    try:
        actions.edit_shipping_address(order, Actor.agent(_membership(request)),
                                      form.cleaned_data, conversation=conversation)
    except ActionError as exc:
        return _panel(request, conversation, error=exc.detail)
    return _panel(request, conversation, message=_("Shipping address changed."))


@member_required
@require_POST
def edit_lines(request: HttpRequest, display_id: int, order_id: int) -> HttpResponse:
    conversation, order = _access(request, display_id, order_id)
    assert order is not None
    form = EditLinesForm(request.POST, order=order)
    if not form.is_valid():
        return _panel(request, conversation, error=_form_error(form))
    try:
        outcome = actions.edit_order_lines(
            order, Actor.agent(_membership(request)), form.changes(),
            idempotency_key=form.cleaned_data["idempotency_key"],
            reason=form.cleaned_data.get("reason") or "", conversation=conversation)
    except ActionError as exc:
        return _panel(request, conversation, error=exc.detail)
    edit = outcome.edit
    message = _("Items changed on order #%(number)s.") % {"number": order.number}
    if edit.refund is not None:
        message += " " + _("Refunded %(amount)s %(currency)s.") % {
            "amount": edit.refund.amount, "currency": order.currency}
    elif edit.approval is not None:
        message += " " + _("The refund of %(amount)s %(currency)s is above your limit: an "
                           "admin was asked to approve it.") % {
            "amount": edit.approval.amount, "currency": order.currency}
    return _panel(request, conversation, message=message)


@member_required
@require_POST
def preview_lines(request: HttpRequest, display_id: int, order_id: int) -> HttpResponse:
    """What the item edit form would cost or refund, as a line of text (nothing written)."""
    _conversation, order = _access(request, display_id, order_id)
    assert order is not None
    form = EditLinesForm(request.POST, order=order)
    if not form.is_valid():
        return HttpResponse(_form_error(form), content_type="text/plain; charset=utf-8")
    try:
        difference = actions.price_difference(order, form.changes())
    except ActionError as exc:
        return HttpResponse(exc.detail, content_type="text/plain; charset=utf-8")
    values = {"amount": abs(difference), "currency": order.currency}
    if difference > 0:
        text = _("%(amount)s %(currency)s more: the shopper would have to pay it, so this "
                 "cannot be done here.") % values
    elif difference < 0:
        text = _("Refunds %(amount)s %(currency)s.") % values
    else:
        text = _("Same total: nothing to refund.")
    return HttpResponse(text, content_type="text/plain; charset=utf-8")


@member_required
@require_POST
def decide(request: HttpRequest, display_id: int, approval_id: int) -> HttpResponse:
    conversation, _order = _access(request, display_id)
    membership = _membership(request)
    try:
        approval = get_approval(membership, approval_id)
    except NotFound as exc:
        raise Http404(exc.detail) from exc
    form = DecisionForm(request.POST)
    if not form.is_valid():
        return _panel(request, conversation, error=_form_error(form))
    approve = form.cleaned_data["decision"] == "approve"
    try:
        actions.decide_approval(approval, Actor.agent(membership), approve=approve,
                                note=form.cleaned_data.get("note") or "")
    except ActionError as exc:
        return _panel(request, conversation, error=exc.detail)
    message = _("Refund approved and issued.") if approve else _("Refund request rejected.")
    return _panel(request, conversation, message=message)
