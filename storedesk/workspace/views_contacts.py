"""The customer sidebar and the contact page: profile, identities, past conversations, edit, merge.

Access first (get_contact: 404 outside the account), parse with a form, one action, a partial.
"""

from __future__ import annotations

import json
from typing import Any

from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from storedesk.accounts.actor import Actor
from storedesk.accounts.decorators import member_required
from storedesk.accounts.models import Membership
from storedesk.accounts.permissions import Perm, has_perm
from storedesk.contacts import actions
from storedesk.contacts.models import Contact
from storedesk.contacts.queries import get_contact, matching, visible_contacts
from storedesk.core.errors import ActionError, NotFound
from storedesk.workspace.forms_contacts import ContactForm, MergeForm, MergeSearchForm

PAST_CONVERSATIONS = 10
MERGE_RESULTS = 10


def _membership(request: HttpRequest) -> Membership:
    return request.membership  # type: ignore[attr-defined, no-any-return]


def _contact(request: HttpRequest, contact_id: int) -> Contact:
    try:
        return get_contact(_membership(request), contact_id)
    except NotFound as exc:
        raise Http404(exc.detail) from exc


def sidebar_context(
    membership: Membership,
    contact: Contact,
    *,
    current: Any = None,
    limit: int = PAST_CONVERSATIONS,
) -> dict[str, Any]:
    """Everything contacts/_sidebar.html shows. `current` is the open conversation, if any."""
    from storedesk.inbox.queries import visible_conversations

    past = visible_conversations(membership).filter(contact=contact).select_related("inbox")
    if current is not None:
        past = past.exclude(pk=current.pk)
    return {
        "contact": contact,
        "identities": list(contact.identities.select_related("inbox").order_by("pk")),
        "past_conversations": list(past.order_by("-last_message_at", "-pk")[:limit]),
        "current_conversation": current,
        "can_merge": has_perm(membership, Perm.MERGE_CONTACTS),
    }


def _card(
    request: HttpRequest, contact: Contact, *, status: int = 200, toast: str = "", **extra: Any
) -> HttpResponse:
    context = sidebar_context(_membership(request), contact)
    context["in_workspace"] = request.POST.get("in_workspace") == "1" or (
        request.GET.get("in_workspace") == "1"
    )
    context.update(extra)
    response = render(request, "contacts/_sidebar.html", context, status=status)
    if toast:
        response["HX-Trigger"] = json.dumps({"storedesk:toast": {"message": toast,
                                                                 "kind": "success"}})
    return response


@member_required
@require_GET
def detail(request: HttpRequest, contact_id: int) -> HttpResponse:
    contact = _contact(request, contact_id)
    if contact.merged_into_id:
        return redirect("contacts:detail", contact_id=contact.merged_into_id)
    context = sidebar_context(_membership(request), contact, limit=50)
    return render(request, "contacts/contact.html", context)


@member_required
@require_GET
def sidebar(request: HttpRequest, contact_id: int) -> HttpResponse:
    return _card(request, _contact(request, contact_id))


@member_required
@require_GET
def edit(request: HttpRequest, contact_id: int) -> HttpResponse:
    """The edit form (read-only GET); it posts to `contacts:update`."""
    contact = _contact(request, contact_id)
    form = ContactForm(languages=_membership(request).account.languages, contact=contact)
    return _card(request, contact, edit_form=form)


@member_required
@require_POST
def update(request: HttpRequest, contact_id: int) -> HttpResponse:
    membership = _membership(request)
    contact = _contact(request, contact_id)
    form = ContactForm(request.POST, languages=membership.account.languages, contact=contact)
    if form.is_valid():
        try:
            contact = actions.update_contact(contact, Actor.agent(membership), **form.cleaned_data)
        except ActionError as exc:
            form.add_error(None, exc.detail)
        except ValidationError as exc:
            for message in exc.messages:
                form.add_error(None, message)
        else:
            return _card(request, contact, toast=_("Contact saved."))
    return _card(request, contact, status=400, edit_form=form)


def _merge_allowed(request: HttpRequest) -> None:
    if not has_perm(_membership(request), Perm.MERGE_CONTACTS):
        raise Http404  # light agents do not merge contacts (they cannot see every conversation)


@member_required
@require_GET
def merge_search(request: HttpRequest, contact_id: int) -> HttpResponse:
    """Find the duplicate to merge into this contact (read-only)."""
    _merge_allowed(request)
    contact = _contact(request, contact_id)
    form = MergeSearchForm(request.GET)
    results: list[Contact] = []
    query = form.cleaned_data["q"] if form.is_valid() else ""
    if query:
        candidates = visible_contacts(_membership(request)).exclude(pk=contact.pk)
        results = list(matching(candidates, query).order_by("name", "pk")[:MERGE_RESULTS])
    return _card(request, contact, merge_form=form, merge_results=results, merge_query=query)


@member_required
@require_POST
def merge(request: HttpRequest, contact_id: int) -> HttpResponse:
    """Merge the chosen duplicate (`other`) into this contact."""
    _merge_allowed(request)
    membership = _membership(request)
    primary = _contact(request, contact_id)
    form = MergeForm(request.POST)
    if not form.is_valid():
        return _card(request, primary, status=400, merge_form=MergeSearchForm(),
                     merge_error=_("Pick a contact to merge."))
    duplicate = _contact(request, form.cleaned_data["other"])
    try:
        primary = actions.merge_contacts(primary, duplicate, Actor.agent(membership))
    except ActionError as exc:
        return _card(request, primary, status=400, merge_form=MergeSearchForm(),
                     merge_error=exc.detail)
    return _card(request, primary, toast=_("Contacts merged."))
