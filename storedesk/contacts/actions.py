"""Writes for contacts: profile edits and merging two contacts into one."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction

from storedesk.accounts.actions import audit
from storedesk.accounts.actor import Actor
from storedesk.accounts.permissions import Perm, require
from storedesk.contacts.models import Contact, ContactIdentity
from storedesk.core import bulk
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


# --- Imported history -----------------------------------------------------------------------


@dataclass(frozen=True)
class PastContact:
    """A shopper known to another helpdesk, for `import_contacts`."""

    key: str  # the caller's key for the result (e.g. "zendesk:user:42")
    source_id: str  # their identity on the inbox (their email, else the vendor's user id)
    name: str = ""
    email: str = ""
    phone: str = ""


def import_contacts(
    account_id: int, inbox_id: int, people: Sequence[PastContact]
) -> dict[str, tuple[int, int]]:
    """Contacts and their identities on one inbox, in bulk: key -> (contact id, identity id).

    Idempotent: an identity already on the inbox is reused; otherwise the shopper joins a
    contact of the account with the same email (then phone) as live messages do, or a new
    contact is made. Call inside the importing transaction.
    """
    found: dict[str, tuple[int, int]] = {}
    wanted: dict[str, PastContact] = {}
    for person in people:
        email = person.email.strip().lower()
        check_text("name", person.name, model_max_length(Contact, "name"))
        check_text("phone", person.phone, model_max_length(Contact, "phone"))
        check_email("email", email)
        check_text("identity", person.source_id, model_max_length(ContactIdentity, "source_id"))
        if not person.source_id.strip():
            raise ActionError(f"Contact {person.key}: the identity is empty.")
        wanted.setdefault(person.source_id, person)
    identities = _identities(inbox_id, account_id, list(wanted))
    new = [p for sid, p in wanted.items() if sid not in identities]
    by_email, by_phone = _known_contacts(account_id, new)
    contact_of: dict[str, int] = {}  # source_id -> contact id, for new identities
    to_create: list[dict[str, Any]] = []
    waiting: dict[str, list[str]] = {}  # email -> source ids sharing a contact made here
    for person in new:
        email = person.email.strip().lower()
        contact_id = by_email.get(email) if email else None
        if contact_id is None and person.phone:
            contact_id = by_phone.get(person.phone)
        if contact_id is not None:
            contact_of[person.source_id] = contact_id
            continue
        if email and email in waiting:
            waiting[email].append(person.source_id)
            continue
        to_create.append({
            "account_id": account_id, "name": person.name, "email": email,
            "phone": person.phone,
            "search_key": contact_search_key(person.name, email, person.phone),
            "_source_ids": [person.source_id],
        })
        if email:
            waiting[email] = to_create[-1]["_source_ids"]
    made = bulk.insert_rows(Contact, to_create)
    for row, contact_id in zip(to_create, made, strict=True):
        for source_id in row["_source_ids"]:
            contact_of[source_id] = contact_id
    pairs = list(contact_of.items())
    rows = [{"account_id": account_id, "inbox_id": inbox_id, "source_id": sid,
             "contact_id": contact_id} for sid, contact_id in pairs]
    made_ids = bulk.insert_rows(ContactIdentity, rows)
    for (sid, contact_id), identity_id in zip(pairs, made_ids, strict=True):
        identities[sid] = (contact_id, identity_id)
    for person in people:
        found[person.key] = identities[person.source_id]
    return found


def _identities(
    inbox_id: int, account_id: int, source_ids: list[str]
) -> dict[str, tuple[int, int]]:
    found: dict[str, tuple[int, int]] = {}
    for part in _chunks(source_ids):
        for sid, contact_id, pk in ContactIdentity.objects.filter(
            account_id=account_id, inbox_id=inbox_id, source_id__in=part
        ).values_list("source_id", "contact_id", "pk"):
            found[sid] = (contact_id, pk)
    return found


def _known_contacts(
    account_id: int, people: Sequence[PastContact]
) -> tuple[dict[str, int], dict[str, int]]:
    """The account's live contacts by (lowercased) email and by phone, for these people."""
    emails = sorted({p.email.strip().lower() for p in people if p.email.strip()})
    phones = sorted({p.phone for p in people if p.phone})
    live = Contact.objects.filter(account_id=account_id, merged_into__isnull=True)
    by_email: dict[str, int] = {}
    by_phone: dict[str, int] = {}
    for part in _chunks(emails):
        for email, pk in live.filter(email__in=part).order_by("-pk").values_list("email", "pk"):
            by_email[email.lower()] = pk  # the oldest wins, as in receive_message
    for part in _chunks(phones):
        for phone, pk in live.filter(phone__in=part).order_by("-pk").values_list("phone", "pk"):
            by_phone[phone] = pk
    return by_email, by_phone


def _chunks(values: list[str], size: int = 2000) -> Iterator[list[str]]:
    for start in range(0, len(values), size):
        yield values[start:start + size]
