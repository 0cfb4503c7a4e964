from __future__ import annotations

from django.db.models import QuerySet

from storedesk.accounts.models import Membership
from storedesk.contacts.models import Contact
from storedesk.core.lookup import get_or_404


def visible_contacts(membership: Membership) -> QuerySet[Contact]:
    return Contact.objects.filter(account_id=membership.account_id, merged_into__isnull=True)


def get_contact(membership: Membership, contact_id: int) -> Contact:
    """The contact in the actor's account (404 otherwise). Light agents see contacts too."""
    return get_or_404(
        Contact.objects.filter(account_id=membership.account_id), "Contact", pk=contact_id
    )
