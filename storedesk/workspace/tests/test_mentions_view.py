"""The Mentions view: conversations in which a teammate @mentioned me in a note."""

from __future__ import annotations

import re

from storedesk.accounts.actor import Actor
from storedesk.inbox.actions import add_note, assign
from storedesk.inbox.models import Mention
from storedesk.workspace.tests.test_views_list import HTMX, row_ids, shopper_writes, signed_in


def test_the_mentioned_agent_finds_the_conversation_in_mentions(personas):
    # given two waiting shoppers, and olivia asking ahmet about one of them in a note
    asked = shopper_writes(personas.harbor_api, "ayse", "Kargom nerede?")
    other = shopper_writes(personas.harbor_api, "jan", "Gdzie jest moja paczka?")
    add_note(asked, Actor.agent(personas.olivia), "@ahmet can you check the courier?")
    assert Mention.objects.filter(membership=personas.ahmet, conversation=asked).count() == 1

    # when ahmet opens his Mentions view
    ahmet = signed_in(personas.ahmet)
    mine = row_ids(ahmet.get("/inbox/?view=mentions", **HTMX).content)

    # then he sees that conversation only, and the nav counts it
    assert mine == [asked.pk]
    assert other.pk not in mine
    counts = ahmet.get("/inbox/counts/", **HTMX).content.decode()
    assert re.search(r'data-count="mentions">1<', counts)

    # and olivia, who wrote the note, has no mentions
    olivia = signed_in(personas.olivia)
    assert row_ids(olivia.get("/inbox/?view=mentions", **HTMX).content) == []
    assert re.search(r'data-count="mentions">0<', olivia.get("/inbox/counts/", **HTMX)
                     .content.decode())


def test_mentions_never_show_what_a_light_agent_cannot_see(personas):
    # given lina (light agent, Returns team) mentioned on a conversation outside her team
    outside = shopper_writes(personas.harbor_api, "ayse", "Merhaba")
    add_note(outside, Actor.agent(personas.olivia), "@lina FYI")
    lina = signed_in(personas.lina)
    # then her Mentions view stays empty
    assert row_ids(lina.get("/inbox/?view=mentions", **HTMX).content) == []
    # until the conversation moves to her team
    assign(outside, Actor.agent(personas.olivia), assignee=None, team=personas.returns,
           set_team=True)
    assert row_ids(lina.get("/inbox/?view=mentions", **HTMX).content) == [outside.pk]
