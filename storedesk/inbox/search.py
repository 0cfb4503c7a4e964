"""Search for the inbox list: messages, subject, contact name/email/phone, #number.

Accent- and case-insensitive in every language: the query is folded by `core.folding.fold`
and matched against columns folded the same way when the text was stored
(`Message.search_text`, `Conversation.search_subject`, `Contact.search_key`), so "zamowienia"
finds "zamówienia", "SIPARIS" finds "siparişim" and "yilmaz" finds "Yılmaz" on SQLite and
PostgreSQL alike."""

from __future__ import annotations

from django.db import connection
from django.db.models import BooleanField, Exists, OuterRef, Q, QuerySet
from django.db.models.expressions import RawSQL

from storedesk.accounts.models import Membership
from storedesk.contacts.models import Contact
from storedesk.core.folding import fold
from storedesk.inbox.models import Conversation, Message

MAX_QUERY_CHARS = 200

# A search term found in fewer messages (or contacts) than this is resolved to ids first; a
# commoner one is checked row by row while the list is walked in its sort order.
SEARCH_ID_CAP = 2000


def search(
    qs: QuerySet[Conversation], membership: Membership, text: str
) -> QuerySet[Conversation]:
    """Conversations whose messages, subject or contact (name, email, phone) contain `text`,
    compared folded (accents and case ignored).

    Substring matching (no word splitting) so Thai and other unspaced scripts work. On
    PostgreSQL the `LIKE '%..%'` over the folded columns is served by the pg_trgm GIN indexes
    of inbox 0008 and contacts 0004; on SQLite it is a plain LIKE.

    Two plans, chosen by a capped probe: a rare term (an order number, an email) becomes a
    list of conversation ids from the trigram index; a common word becomes a per-row EXISTS
    over the conversation's messages, so the list stops after one page of matches instead of
    collecting every matching message first.
    """
    text = text.strip()[:MAX_QUERY_CHARS]
    if not text:
        return qs
    number = text.lstrip("#")
    text = fold(text).strip()
    if not text:
        return qs.none()
    account_id = membership.account_id
    messages = Message.objects.filter(account_id=account_id, search_text__contains=text)
    hits = list(messages.values_list("conversation_id", flat=True)[:SEARCH_ID_CAP])
    # Fewer hits than the cap: every match was seen, so the ids are the answer.
    in_messages = Q(pk__in=set(hits)) if len(hits) < SEARCH_ID_CAP else _message_exists(text)
    contacts = Contact.objects.filter(search_key__contains=text, account_id=account_id)
    contact_ids = list(contacts.values_list("pk", flat=True)[:SEARCH_ID_CAP])
    in_contact = (
        Q(contact_id__in=contact_ids)
        if len(contact_ids) < SEARCH_ID_CAP
        else Q(contact_id__in=contacts.values("pk"))
    )
    match = in_messages | in_contact | Q(search_subject__contains=text)
    if number.isdigit() and len(number) < 10:
        match |= Q(display_id=int(number))
    return qs.filter(match)


def _message_exists(text: str) -> Q:
    """Has the conversation a message whose folded text contains `text` (folded already)?
    Checked row by row.

    On PostgreSQL the EXISTS carries `OFFSET 0`, which keeps the planner from turning it into
    a hashed subplan over every matching message (what it picks for a plain EXISTS, and what
    costs ~0.3 s for a word found in 100,000 messages); the per-row probe reads ~10 messages
    of each conversation through the (conversation, created_at) index and stops at one page.
    """
    if connection.vendor != "postgresql":
        found = Message.objects.filter(conversation_id=OuterRef("pk"), search_text__contains=text)
        return Q(Exists(found))
    quote = connection.ops.quote_name
    pattern = f"%{connection.ops.prep_for_like_query(text)}%"
    sql = (
        f"EXISTS (SELECT 1 FROM {quote(Message._meta.db_table)} m "  # noqa: S608
        f"WHERE m.conversation_id = {quote(Conversation._meta.db_table)}.id "
        "AND m.search_text LIKE %s OFFSET 0)"
    )
    # Only quoted table names are interpolated; the search text is a bound parameter.
    return Q(RawSQL(sql, [pattern], output_field=BooleanField()))  # noqa: S611
