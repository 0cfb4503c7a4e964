"""Writes for contacts: profile edits and merging two contacts into one."""

from __future__ import annotations

from typing import Any

from django.db import IntegrityError, transaction

from storedesk.accounts.actions import audit
from storedesk.accounts.actor import Actor
from storedesk.accounts.permissions import Perm, require
from storedesk.contacts.models import Contact, ContactIdentity
from storedesk.core.errors import ActionError
from storedesk.core.folding import contact_search_key
from storedesk.core.oncommit import publish_on_commit
from storedesk.core.validation import check_email, check_json, check_text, model_max_length
from storedesk.events import EventKind, record

EDITABLE = ("name", "email", "phone", "language")


@transaction.atomic
def update_contact(contact: Contact, actor: Actor, **changes: Any) -> Contact:
    require(actor, Perm.EDIT_CONTACTS)
    unknown = set(changes) - set(EDITABLE) - {"attributes"}
    if unknown:
        raise ActionError(f"Unknown contact fields: {', '.join(sorted(unknown))}.")
    contact = Contact.objects.select_for_update().get(pk=contact.pk)
    changed: dict[str, Any] = {}
    for name, value in changes.items():
        if value is None:
            continue
        if name == "email":
            value = check_email("email", value.strip().lower())
        if name == "attributes":
            if not isinstance(value, dict):
                raise ActionError("attributes must be an object.")
            value = {**contact.attributes, **check_json("attributes", value)}
        else:
            check_text(name, value, model_max_length(Contact, name))
        if getattr(contact, name) != value:
            changed[name] = value
            setattr(contact, name, value)
    if changed:
        contact.full_clean(exclude=["account", "merged_into"])
        fields = [*changed, "updated_at"]
        if {"name", "email", "phone"} & set(changed):
            contact.search_key = contact_search_key(contact.name, contact.email, contact.phone)
            fields.append("search_key")
        try:
            with transaction.atomic():
                contact.save(update_fields=fields)
        except IntegrityError:
            raise ActionError(
                "Another contact already has this email address; merge the two instead."
            ) from None
        audit("contact.updated", account=contact.account_id,
              actor=actor.membership.agent if actor.membership else None, obj=contact,
              fields=sorted(changed))
        publish_on_commit(contact.account_id, {"type": "contact.updated", "contact_id": contact.pk})
    return contact


@transaction.atomic
def merge_contacts(primary: Contact, duplicate: Contact, actor: Actor) -> Contact:
    """Move the duplicate's identities (and, through the inbox, its conversations) to the
    primary, then retire it; writes a `contact.merged` event."""
    require(actor, Perm.MERGE_CONTACTS)
    if primary.pk == duplicate.pk:
        raise ActionError("A contact cannot be merged into itself.")
    if primary.account_id != duplicate.account_id:
        raise ActionError("Contacts from different accounts cannot be merged.")
    locked = {c.pk: c for c in Contact.objects.select_for_update().filter(
        pk__in=[primary.pk, duplicate.pk])}
    primary, duplicate = locked[primary.pk], locked[duplicate.pk]
    if duplicate.merged_into_id or primary.merged_into_id:
        raise ActionError("One of these contacts was already merged.")
    from storedesk.inbox.actions import move_conversations

    ContactIdentity.objects.filter(contact=duplicate).update(contact=primary)
    # Retire the duplicate first: the primary may take over its email address, and only one
    # unmerged contact per account may hold an address (contact_email_unique).
    duplicate.merged_into = primary
    duplicate.save(update_fields=["merged_into", "updated_at"])
    for name in ("name", "email", "phone", "language"):
        if not getattr(primary, name) and getattr(duplicate, name):
            setattr(primary, name, getattr(duplicate, name))
    primary.attributes = {**duplicate.attributes, **primary.attributes}
    primary.search_key = contact_search_key(primary.name, primary.email, primary.phone)
    primary.save()
    merged = record(EventKind.CONTACT_MERGED, actor, account_id=primary.account_id,
                    data={"contact_id": primary.pk, "merged_contact_id": duplicate.pk})
    # The inbox owns conversations and messages: it moves them, each move caused by the merge.
    move_conversations(duplicate, primary, actor.caused_by(merged.pk))
    audit("contact.merged", account=primary.account_id,
          actor=actor.membership.agent if actor.membership else None, obj=primary,
          merged=duplicate.pk)
    publish_on_commit(primary.account_id, {"type": "contact.updated", "contact_id": primary.pk})
    return primary
