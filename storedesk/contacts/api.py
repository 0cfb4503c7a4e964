"""REST API v1: contacts (list, search, read, edit, merge)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Query, Router

from storedesk.accounts.actor import Actor
from storedesk.accounts.models import Membership
from storedesk.contacts import actions
from storedesk.contacts.queries import get_contact, matching, visible_contacts
from storedesk.contacts.schemas import ContactOut, ContactPage, ContactPatch, MergeIn
from storedesk.core.pagination import MAX_PAGE, Keyset, check_limit, paginate
from storedesk.core.validation import SafeStr

router = Router(tags=["contacts"])

CONTACTS = Keyset("api.contacts", (), id_desc=True)


def _member(request: HttpRequest) -> Membership:
    return request.auth  # type: ignore[attr-defined,no-any-return]


@router.get("/contacts", response=ContactPage, url_name="contacts")
def list_contacts(
    request: HttpRequest, q: SafeStr | None = None, limit: int = Query(25, ge=1, le=MAX_PAGE),
    cursor: SafeStr | None = None,
) -> Any:
    """Newest first; `q` searches name, email and phone."""
    limit = check_limit(limit)
    qs = visible_contacts(_member(request))
    term = (q or "").strip()
    if term:
        qs = matching(qs, term)
    return paginate(qs.prefetch_related("identities"), CONTACTS, limit=limit, cursor=cursor)


@router.get("/contacts/{contact_id}", response=ContactOut, url_name="contact")
def get_contact_detail(request: HttpRequest, contact_id: int) -> Any:
    return get_contact(_member(request), contact_id)


@router.patch("/contacts/{contact_id}", response=ContactOut, url_name="contact_update")
def update_contact(request: HttpRequest, contact_id: int, payload: ContactPatch) -> Any:
    member = _member(request)
    contact = get_contact(member, contact_id)
    changes = payload.model_dump(exclude_unset=True)
    actions.update_contact(contact, Actor.agent(member), **changes)
    return get_contact(member, contact_id)


@router.post("/contacts/{contact_id}/merge", response=ContactOut, url_name="contact_merge")
def merge_contact(request: HttpRequest, contact_id: int, payload: MergeIn) -> Any:
    """Merge `duplicate_id` into this contact: its identities and conversations move here."""
    member = _member(request)
    primary = get_contact(member, contact_id)
    duplicate = get_contact(member, payload.duplicate_id)
    actions.merge_contacts(primary, duplicate, Actor.agent(member))
    return get_contact(member, contact_id)
