from __future__ import annotations

from django.db.models import QuerySet

from storedesk.accounts.models import Membership
from storedesk.contacts.models import Contact
from storedesk.core.folding import fold
from storedesk.core.lookup import get_or_404


def visible_contacts(membership: Membership) -> QuerySet[Contact]:
    return Contact.objects.filter(account_id=membership.account_id, merged_into__isnull=True)


def get_contact(membership: Membership, contact_id: int) -> Contact:
    """The contact in the actor's account (404 otherwise). Light agents see contacts too."""
    return get_or_404(
        Contact.objects.filter(account_id=membership.account_id), "Contact", pk=contact_id
    )


def matching(qs: QuerySet[Contact], term: str) -> QuerySet[Contact]:
    """Contacts whose name, email or phone contains `term`, accents and case ignored
    ("yilmaz" finds "Ayşe Yılmaz"); the same folding as the inbox search."""
    folded = fold(term).strip()
    return qs.filter(search_key__contains=folded) if folded else qs.none()
