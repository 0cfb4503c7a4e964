"""The inbox list's query layer: views, filters, sorts, keyset pages, search, unread, counts."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.http import QueryDict
from django.utils import timezone

from storedesk.accounts.actor import Actor
from storedesk.core.pagination import InvalidCursor
from storedesk.inbox import search as inbox_search
from storedesk.inbox.actions import (
    InboundMessage,
    add_note,
    assign,
    change_status,
    mark_read,
    receive_message,
    send_reply,
    set_priority,
    tag,
)
from storedesk.inbox.models import Conversation, Priority, Status
from storedesk.workspace import listing


def shopper_writes(inbox, sender: str, text: str, **extra):
    return receive_message(inbox, InboundMessage(sender_id=sender, text=text, **extra)).conversation


def page(membership, **params) -> listing.Page:
    query = QueryDict(mutable=True)
    for key, value in params.items():
        query[key] = str(value)
    return listing.list_page(membership, listing.parse_filters(query))


def numbers(result: listing.Page) -> list[int]:
    return [c.display_id for c in result.rows]


def all_pages(membership, **params) -> list[int]:
    """Walk every keyset page of a list the way the "Load more" link does."""
    seen: list[int] = []
    cursor = ""
    for _ in range(100):
        result = page(membership, cursor=cursor, **params) if cursor else page(membership, **params)
        seen += numbers(result)
        cursor = result.next_cursor
        if not cursor:
            return seen
    raise AssertionError("pagination did not end")


@pytest.fixture
def harbor_day(personas):
    """A morning at Harbor & Vine: four conversations in different hands and states."""
    p = personas
    olivia = Actor.agent(p.olivia)
    mine = shopper_writes(p.harbor_api, "ayse", "Siparişim nerede?", name="Ayşe Demir")
    ahmets = shopper_writes(p.harbor_email, "jan", "Zamówienie nie dotarło",
                            email="jan.kowalski@example.pl", name="Jan Kowalski")
    nobodys = shopper_writes(p.harbor_chat, "somchai", "ยังไม่ได้รับสินค้า", name="Somchai")
    done = shopper_writes(p.harbor_api, "budi", "Terima kasih, sudah sampai")
    assign(mine, olivia, assignee=p.olivia)
    assign(ahmets, olivia, assignee=p.ahmet, team=p.returns, set_team=True)
    change_status(done, olivia, Status.RESOLVED)
    return {"mine": mine, "ahmets": ahmets, "nobodys": nobodys, "done": done}


def test_the_standard_views_split_the_work(personas, harbor_day):
    # given Olivia's morning; when she opens each view; then each shows its share
    d = harbor_day
    olivia = personas.olivia
    assert numbers(page(olivia, view="mine")) == [d["mine"].display_id]
    assert numbers(page(olivia, view="unassigned")) == [d["nobodys"].display_id]
    assert set(numbers(page(olivia))) == {
        d["mine"].display_id, d["ahmets"].display_id, d["nobodys"].display_id
    }
    assert set(numbers(page(olivia, view="all"))) == {c.display_id for c in d.values()}
    assert numbers(page(olivia, view="all", status="resolved")) == [d["done"].display_id]


def test_filters_narrow_the_list(personas, harbor_day):
    d = harbor_day
    olivia, actor = personas.olivia, Actor.agent(personas.olivia)
    # given a tag, a priority and a language on some conversations
    tag(d["nobodys"], actor, "damaged")
    set_priority(d["ahmets"], actor, Priority.URGENT)
    Conversation.objects.filter(pk=d["mine"].pk).update(language="tr")  # as the assistant would
    damaged = d["nobodys"].tags.get().pk
    # then every filter keeps only what matches
    assert numbers(page(olivia, inbox=personas.harbor_email.pk)) == [d["ahmets"].display_id]
    assert numbers(page(olivia, team=personas.returns.pk)) == [d["ahmets"].display_id]
    assert numbers(page(olivia, tag=damaged)) == [d["nobodys"].display_id]
    assert numbers(page(olivia, channel="webchat")) == [d["nobodys"].display_id]
    assert numbers(page(olivia, language="TR")) == [d["mine"].display_id]
    assert numbers(page(olivia, priority="urgent")) == [d["ahmets"].display_id]
    assert numbers(page(olivia, assignee=personas.ahmet.pk)) == [d["ahmets"].display_id]
    assert numbers(page(olivia, assignee="none")) == [d["nobodys"].display_id]
    # and nonsense values are dropped rather than failing the page
    assert len(page(olivia, status="bogus", sort="sideways", inbox="x").rows) == 3


def test_sort_orders(personas):
    p = personas
    olivia = Actor.agent(p.olivia)
    now = timezone.now()
    # given three shoppers who started waiting at different times, and one already answered
    old = shopper_writes(p.harbor_api, "a", "first")
    middle = shopper_writes(p.harbor_api, "b", "second")
    recent = shopper_writes(p.harbor_api, "c", "third")
    answered = shopper_writes(p.harbor_api, "d", "fourth")
    send_reply(answered, olivia, "On its way!")
    for conv, minutes in ((old, 90), (middle, 30), (recent, 5)):
        # arrange the clock: the shopper's message arrived `minutes` ago
        Conversation.objects.filter(pk=conv.pk).update(
            waiting_since=now - timedelta(minutes=minutes),
            last_message_at=now - timedelta(minutes=minutes),
        )
    set_priority(recent, olivia, Priority.HIGH)
    order = {c.pk: c.display_id for c in (old, middle, recent, answered)}
    # when sorted by oldest waiting: the longest wait first, answered ones last
    assert numbers(page(p.olivia, sort="waiting")) == [
        order[old.pk], order[middle.pk], order[recent.pk], order[answered.pk]
    ]
    # newest activity first
    assert numbers(page(p.olivia, sort="newest")) == [
        order[answered.pk], order[recent.pk], order[middle.pk], order[old.pk]
    ]
    # priority first, then the longest wait
    assert numbers(page(p.olivia, sort="priority")) == [
        order[recent.pk], order[old.pk], order[middle.pk], order[answered.pk]
    ]


@pytest.mark.parametrize("sort", ["waiting", "newest", "priority"])
def test_keyset_pages_have_no_duplicates_and_no_gaps(personas, sort):
    # given 130 open conversations with many equal sort keys and some without a wait
    p = personas
    actor = Actor.agent(p.olivia)
    convs = [shopper_writes(p.harbor_api, f"s{i}", f"message {i}") for i in range(130)]
    base = timezone.now() - timedelta(hours=2)
    for i, conv in enumerate(convs):
        waiting = None if i % 7 == 0 else base + timedelta(minutes=i % 5)  # ties on purpose
        Conversation.objects.filter(pk=conv.pk).update(
            waiting_since=waiting, last_message_at=base + timedelta(minutes=i % 4),
            priority_rank=i % 3,
        )
    change_status(convs[3], actor, Status.RESOLVED)
    # when Olivia clicks "Load more" until the end
    walked = all_pages(p.olivia, sort=sort)
    # then every open conversation shows up exactly once, in the sort order
    expected_count = 129
    assert len(walked) == expected_count
    assert len(set(walked)) == expected_count
    qs = listing.filtered_conversations(p.olivia, listing.Filters(sort=sort))
    assert walked == list(
        qs.order_by(*listing.KEYSETS[sort].order_by()).values_list("display_id", flat=True)
    )


def test_a_forged_or_foreign_cursor_is_refused(personas):
    p = personas
    for i in range(55):
        shopper_writes(p.harbor_api, f"s{i}", "hello")
    first = page(p.olivia)
    assert first.next_cursor
    # when the cursor is tampered with, or belongs to another sort order, it is refused
    with pytest.raises(InvalidCursor):
        page(p.olivia, cursor=first.next_cursor[:-2] + "xx")
    with pytest.raises(InvalidCursor):
        page(p.olivia, sort="newest", cursor=first.next_cursor)
    # and the real one still gives the rest
    assert len(page(p.olivia, cursor=first.next_cursor).rows) == 5


def test_search_finds_phrases_in_any_language_and_contacts(personas, harbor_day):
    d = harbor_day
    olivia = personas.olivia
    # given an order number only in a private note
    add_note(d["nobodys"], Actor.agent(olivia), "Carrier says order HV-10023 was lost")
    # then substrings are found in Turkish, Polish and Thai messages
    assert numbers(page(olivia, q="Siparişim")) == [d["mine"].display_id]
    assert numbers(page(olivia, q="nie dotarło")) == [d["ahmets"].display_id]
    assert numbers(page(olivia, q="ได้รับสินค้า")) == [d["nobodys"].display_id]
    assert numbers(page(olivia, q="hv-10023")) == [d["nobodys"].display_id]
    # a contact by part of their email or name, and a conversation by its number
    assert numbers(page(olivia, q="kowalski@example")) == [d["ahmets"].display_id]
    assert numbers(page(olivia, q="somchai")) == [d["nobodys"].display_id]
    assert numbers(page(olivia, q=f"#{d['done'].display_id}", view="all")) == [
        d["done"].display_id
    ]
    assert numbers(page(olivia, q="nothing like this")) == []


@pytest.mark.parametrize("cap", [2000, 1])
def test_search_ignores_accents_and_case_in_every_ui_language(
    personas, harbor_day, monkeypatch, cap
):
    # (both plans: the id list for rare terms, the row-by-row EXISTS for common ones)
    monkeypatch.setattr(inbox_search, "SEARCH_ID_CAP", cap)
    d = harbor_day
    olivia = personas.olivia
    turkish = shopper_writes(personas.harbor_api, "gokhan", "KARGOM IZMIR'DE KALDI",
                             name="Gökhan Yılmaz")
    # then Polish typed without diacritics finds it, whatever the case
    assert numbers(page(olivia, q="zamowienie nie dotarlo")) == [d["ahmets"].display_id]
    assert numbers(page(olivia, q="ZAMÓWIENIE")) == [d["ahmets"].display_id]
    # Turkish: dotless ı, dotted İ and ş typed as plain letters, and the other way round
    assert numbers(page(olivia, q="siparisim")) == [d["mine"].display_id]
    assert numbers(page(olivia, q="SİPARİŞİM")) == [d["mine"].display_id]
    assert numbers(page(olivia, q="izmir'de")) == [turkish.display_id]
    assert numbers(page(olivia, q="İzmir")) == [turkish.display_id]
    # a contact's name by its plain spelling
    assert numbers(page(olivia, q="yilmaz")) == [turkish.display_id]
    assert numbers(page(olivia, q="ayse demir")) == [d["mine"].display_id]
    # Thai keeps its vowel and tone marks (they are letters there, not accents)
    assert numbers(page(olivia, q="ไม่ได้รับ")) == [d["nobodys"].display_id]
    assert numbers(page(olivia, q="ไมไดรับ")) == []
    # Indonesian, any case
    assert numbers(page(olivia, q="SUDAH SAMPAI")) == [d["done"].display_id]
    # a query of accents only finds nothing rather than everything
    assert numbers(page(olivia, q="\u0301")) == []


def test_an_email_subject_is_searched_folded(personas):
    conv = receive_message(personas.harbor_email, InboundMessage(
        sender_id="lena@example.de", email="lena@example.de", text="Hallo",
        subject="Rücksendung Größe 42",
    )).conversation
    assert numbers(page(personas.olivia, q="rucksendung grosse")) == [conv.display_id]


def test_folded_columns_are_filled_for_rows_stored_before_them(personas, harbor_day):
    """The migration fills search columns of rows written before they existed."""
    import importlib

    from django.apps import apps

    from storedesk.contacts.models import Contact
    from storedesk.inbox.models import Message

    d = harbor_day
    # given rows as they were before the folded columns
    Message.objects.filter(conversation=d["ahmets"]).update(search_text="")
    Contact.objects.filter(pk=d["mine"].contact_id).update(search_key="")
    assert numbers(page(personas.olivia, q="zamowienie")) == []
    # when the migrations' fill steps run
    importlib.import_module("storedesk.inbox.migrations.0008_search_folding").fill(apps, None)
    importlib.import_module("storedesk.contacts.migrations.0004_search_folding").fill(apps, None)
    # then they are found again
    assert numbers(page(personas.olivia, q="zamowienie")) == [d["ahmets"].display_id]
    assert numbers(page(personas.olivia, q="ayse")) == [d["mine"].display_id]


def test_light_agent_sees_only_her_teams_conversations(personas, harbor_day):
    # given Lina, a light agent on Returns, where only Ahmet's conversation lives
    d = harbor_day
    lina = personas.lina
    # then every view, search and count shows only that one
    assert numbers(page(lina)) == [d["ahmets"].display_id]
    assert numbers(page(lina, view="all")) == [d["ahmets"].display_id]
    assert numbers(page(lina, q="Siparişim")) == []
    assert numbers(page(lina, q="somchai")) == []
    counts = listing.view_counts(lina)
    assert (counts["open"], counts["unassigned"], counts["mine"]) == (1, 0, 0)
    assert listing.list_row(lina, d["nobodys"].pk) is None


def test_another_account_sees_nothing_of_harbor(personas, harbor_day):
    # given Bruno at Northwind with one conversation of his own
    own = shopper_writes(personas.northwind_api, "ayse", "Siparişim nerede?")
    bruno = personas.bruno
    # then he sees only Northwind's, even when searching Harbor's words
    assert numbers(page(bruno, view="all")) == [own.display_id]
    assert [c.pk for c in page(bruno, q="Siparişim").rows] == [own.pk]
    assert numbers(page(bruno, q="kowalski")) == []
    assert page(bruno, inbox=personas.harbor_api.pk).rows == []
    assert listing.view_counts(bruno)["open"] == 1
    assert listing.list_row(bruno, harbor_day["mine"].pk) is None


def test_unread_follows_what_the_agent_has_read(personas):
    p = personas
    conv = shopper_writes(p.harbor_api, "ayse", "Merhaba")
    # a new conversation is unread for everyone
    assert page(p.olivia).rows[0].unread
    # when Olivia reads it, it is read for her but not for Ahmet
    mark_read(conv, Actor.agent(p.olivia))
    assert not page(p.olivia).rows[0].unread
    assert page(p.ahmet).rows[0].unread
    # a new message makes it unread again (arranged one second later than the read)
    shopper_writes(p.harbor_api, "ayse", "Orada mısınız?")
    Conversation.objects.filter(pk=conv.pk).update(
        last_message_at=timezone.now() + timedelta(seconds=1)
    )
    assert page(p.olivia).rows[0].unread


def test_view_counts(personas, harbor_day):
    d = harbor_day
    tag(d["nobodys"], Actor.agent(personas.olivia), "damaged")
    counts = listing.view_counts(personas.olivia)
    assert (counts["open"], counts["mine"], counts["unassigned"]) == (3, 1, 1)
    assert counts["inboxes"] == {
        personas.harbor_api.pk: 1, personas.harbor_email.pk: 1, personas.harbor_chat.pk: 1
    }
    assert counts["teams"] == {personas.returns.pk: 1}
    assert list(counts["tags"].values()) == [1]


def test_a_page_costs_the_same_queries_for_3_or_50_rows(
    personas, django_assert_num_queries
):
    p = personas
    actor = Actor.agent(p.olivia)
    for i in range(3):
        conv = shopper_writes(p.harbor_api, f"s{i}", "hello")
        tag(conv, actor, f"t{i}")
    # two capped search probes, one query for the rows (with unread + preview), one for tag names
    with django_assert_num_queries(4):
        assert len(page(p.olivia, q="hello").rows) == 3
    for i in range(3, 60):
        conv = shopper_writes(p.harbor_email, f"s{i}", "hello")
        assign(conv, actor, assignee=p.ahmet, team=p.returns, set_team=True)
        tag(conv, actor, f"t{i % 5}")
    with django_assert_num_queries(4):
        rows = page(p.olivia, q="hello").rows
        assert len(rows) == 50
        # rendering reads only what was fetched
        assert all(r.inbox.name and str(r.contact) for r in rows)
        assert len([r.assignee.agent.email for r in rows if r.assignee]) == 47
        assert sum(len(r.tag_names) for r in rows) == 50


def test_common_and_rare_terms_find_the_same_conversations(personas, monkeypatch):
    # given a word in many conversations and an email on one contact
    p = personas
    convs = [shopper_writes(p.harbor_api, f"s{i}", f"Gdzie jest paczka {i}?") for i in range(6)]
    shopper_writes(p.harbor_api, "other", "Merhaba")
    shopper_writes(p.harbor_email, "jan", "Cześć", email="jan.kowalski@example.pl")
    rare = sorted(numbers(page(p.olivia, q="paczka")))
    # when the probe cap is tiny, "paczka" and "example" count as common terms
    monkeypatch.setattr(inbox_search, "SEARCH_ID_CAP", 2)
    common = sorted(numbers(page(p.olivia, q="paczka")))
    # then both plans give the same answer
    assert rare == common == sorted(c.display_id for c in convs)
    assert len(numbers(page(p.olivia, q="example.pl"))) == 1
