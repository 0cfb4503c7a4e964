"""The inbox list through HTTP: pages, partials, live rows, counts and bulk actions."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from storedesk.accounts.actor import Actor
from storedesk.inbox.actions import InboundMessage, assign, receive_message
from storedesk.inbox.models import Conversation, Status
from storedesk.testing.personas import PASSWORD

HTMX = {"HTTP_HX_REQUEST": "true"}


def signed_in(membership, *, csrf_checks: bool = False) -> Client:
    client = Client(enforce_csrf_checks=csrf_checks)
    assert client.login(email=membership.agent.email, password=PASSWORD)
    return client


def shopper_writes(inbox, sender: str, text: str, **extra) -> Conversation:
    return receive_message(inbox, InboundMessage(sender_id=sender, text=text, **extra)).conversation


def row_ids(html: bytes) -> list[int]:
    return [int(n) for n in re.findall(r'id="conv-row-(\d+)"', html.decode())]


def csrf_token(client: Client) -> str:
    response = client.get("/inbox/", **HTMX)
    match = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', response.content.decode())
    assert match, "the bulk form carries a CSRF token"
    return match.group(1)


def test_anonymous_visitors_are_sent_to_sign_in(db):
    response = Client().get("/")
    assert response.status_code == 302
    assert response["Location"].startswith("/login/")
    assert Client().get("/inbox/").status_code == 302


def test_the_workspace_shows_the_list_with_rows_linking_to_conversations(personas):
    # given a shopper who wrote in
    conv = shopper_writes(personas.harbor_api, "ayse", "Siparişim nerede?", name="Ayşe")
    # when Olivia opens the workspace
    response = signed_in(personas.olivia).get("/")
    # then the list pane shows the conversation as a link into the conversation pane
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="list-pane"' in html and 'id="conversation-pane"' in html
    assert row_ids(response.content) == [conv.pk]
    assert f'hx-get="/conversations/{conv.display_id}/"' in html
    assert 'hx-target="#conversation-pane"' in html
    assert "Siparişim nerede?" in html and "Ayşe" in html
    assert 'class="unread-dot"' in html


def test_filter_changes_return_the_pane_and_push_a_reloadable_url(personas):
    a = shopper_writes(personas.harbor_api, "ayse", "Siparişim nerede?")
    shopper_writes(personas.harbor_chat, "jan", "Gdzie jest paczka?")
    client = signed_in(personas.olivia)
    # when Olivia filters by channel through htmx
    response = client.get("/inbox/", {"channel": "api", "sort": "newest"}, **HTMX)
    # then she gets the pane with the matching rows, and the URL to push keeps the filters
    assert row_ids(response.content) == [a.pk]
    assert "<html" not in response.content.decode()
    assert response["HX-Push-Url"] == "/?channel=api&sort=newest"
    # and reloading that URL (no htmx) renders the full page with the same filter
    reloaded = client.get("/", {"channel": "api", "sort": "newest"})
    assert "<html" in reloaded.content.decode()
    assert row_ids(reloaded.content) == [a.pk]


def test_load_more_walks_every_row_once(personas):
    convs = [shopper_writes(personas.harbor_api, f"s{i}", f"hello {i}") for i in range(120)]
    client = signed_in(personas.olivia)
    # given the first page
    response = client.get("/inbox/", **HTMX)
    seen = row_ids(response.content)
    assert len(seen) == 50
    # when the agent clicks "Load more" until it disappears
    for _ in range(5):
        link = re.search(r'hx-get="(/inbox/\?[^"]*cursor=[^"]+)"', response.content.decode())
        if not link:
            break
        response = client.get(link.group(1).replace("&amp;", "&"), **HTMX)
        assert 'id="list-pane-inner"' not in response.content.decode()  # rows only
        seen += row_ids(response.content)
    # then all 120 conversations were shown exactly once, oldest wait first
    assert seen == [c.pk for c in convs]


def test_one_row_for_live_updates(personas):
    conv = shopper_writes(personas.harbor_api, "ayse", "Merhaba")
    olivia = signed_in(personas.olivia)
    # the row comes back alone, for swapping into the list
    response = olivia.get(f"/inbox/rows/{conv.pk}/", **HTMX)
    assert row_ids(response.content) == [conv.pk]
    # when it no longer matches the list's filters the answer is empty (the row goes away)
    assign(conv, Actor.agent(personas.olivia), assignee=personas.ahmet)
    gone = olivia.get(f"/inbox/rows/{conv.pk}/", {"view": "unassigned"}, **HTMX)
    assert gone.status_code == 200 and gone.content.strip() == b""
    # another account's agent and a light agent outside the team get a 404
    assert signed_in(personas.bruno).get(f"/inbox/rows/{conv.pk}/").status_code == 404
    assert signed_in(personas.lina).get(f"/inbox/rows/{conv.pk}/").status_code == 404


def test_counts_partial(personas):
    shopper_writes(personas.harbor_api, "ayse", "Merhaba")
    shopper_writes(personas.harbor_api, "jan", "Dzień dobry")
    response = signed_in(personas.olivia).get("/inbox/counts/", **HTMX)
    html = response.content.decode()
    assert re.search(r'data-count="open">2<', html)
    assert re.search(r'data-count="unassigned">2<', html)
    assert re.search(r'data-count="mine">0<', html)
    assert re.search(rf'data-count="inbox-{personas.harbor_api.pk}">2<', html)
    bruno = signed_in(personas.bruno).get("/inbox/counts/", **HTMX).content.decode()
    assert re.search(r'data-count="open">0<', bruno)
    assert "Harbor API" not in bruno


def test_light_agent_and_other_account_lists(personas):
    returns = shopper_writes(personas.harbor_api, "ayse", "İade etmek istiyorum")
    assign(returns, Actor.agent(personas.olivia), assignee=None, team=personas.returns,
           set_team=True)
    shopper_writes(personas.harbor_api, "jan", "Gdzie jest paczka?")
    assert row_ids(signed_in(personas.lina).get("/inbox/", **HTMX).content) == [returns.pk]
    bruno = signed_in(personas.bruno)
    assert row_ids(bruno.get("/inbox/", {"view": "all"}, **HTMX).content) == []
    assert row_ids(bruno.get("/inbox/", {"q": "paczka"}, **HTMX).content) == []


# --- Bulk actions ---------------------------------------------------------------------------


def test_bulk_is_post_only_and_csrf_protected(personas):
    conv = shopper_writes(personas.harbor_api, "ayse", "Merhaba")
    client = signed_in(personas.olivia, csrf_checks=True)
    data = {"action": "close", "conversations": [conv.pk]}
    # GET never changes anything
    assert client.get("/inbox/bulk", data).status_code == 405
    # a POST without the CSRF token is refused
    assert client.post("/inbox/bulk", data, **HTMX).status_code == 403
    conv.refresh_from_db()
    assert conv.status == Status.OPEN
    # with the token it goes through
    token = csrf_token(client)
    response = client.post("/inbox/bulk", {**data, "csrfmiddlewaretoken": token}, **HTMX)
    assert response.status_code == 200
    conv.refresh_from_db()
    assert conv.status == Status.RESOLVED
    # and anonymous visitors are sent to sign in
    assert Client().post("/inbox/bulk", data).status_code == 302


def test_bulk_assign_close_and_tag(personas):
    a = shopper_writes(personas.harbor_api, "ayse", "Merhaba")
    b = shopper_writes(personas.harbor_api, "jan", "Dzień dobry")
    client = signed_in(personas.olivia)
    # assign both to Ahmet
    response = client.post(
        "/inbox/bulk",
        {"action": "assign", "assignee": personas.ahmet.pk, "conversations": [a.pk, b.pk]},
        **HTMX,
    )
    assert response.status_code == 200
    assert "2 conversations updated" in response.content.decode()
    assert set(Conversation.objects.values_list("assignee_id", flat=True)) == {personas.ahmet.pk}
    # then to me, then to nobody
    client.post("/inbox/bulk", {"action": "assign", "assignee": "me", "conversations": [a.pk]})
    a.refresh_from_db()
    assert a.assignee_id == personas.olivia.pk
    client.post("/inbox/bulk", {"action": "assign", "assignee": "none", "conversations": [a.pk]})
    a.refresh_from_db()
    assert a.assignee_id is None
    # tag both
    client.post("/inbox/bulk", {"action": "tag", "tag": "VIP", "conversations": [a.pk, b.pk]})
    assert sorted(Conversation.objects.filter(tags__name="vip").values_list("pk", flat=True)) \
        == sorted([a.pk, b.pk])
    # close both, keeping the list's filters in the refreshed pane
    response = client.post(
        "/inbox/bulk",
        {"action": "close", "conversations": [a.pk, b.pk], "return_query": "view=all"},
        **HTMX,
    )
    assert set(Conversation.objects.values_list("status", flat=True)) == {Status.RESOLVED}
    assert sorted(row_ids(response.content)) == sorted([a.pk, b.pk])
    # closing again reports each as skipped instead of failing the batch
    again = client.post("/inbox/bulk", {"action": "close", "conversations": [a.pk]}, **HTMX)
    assert again.status_code == 200
    assert f"#{a.display_id}:" in again.content.decode()


def test_bulk_never_touches_what_the_agent_cannot_see(personas):
    harbor = shopper_writes(personas.harbor_api, "ayse", "Merhaba")
    northwind = shopper_writes(personas.northwind_api, "ayse", "Hello")
    # when Bruno sends Harbor's conversation id along with his own
    response = signed_in(personas.bruno).post(
        "/inbox/bulk", {"action": "close", "conversations": [harbor.pk, northwind.pk]}, **HTMX
    )
    # then only his own is closed, and the other is reported as not found
    assert response.status_code == 200
    assert "1 selected conversation was not found" in response.content.decode()
    harbor.refresh_from_db()
    northwind.refresh_from_db()
    assert (harbor.status, northwind.status) == (Status.OPEN, Status.RESOLVED)
    # a light agent cannot touch another team's conversation either
    signed_in(personas.lina).post(
        "/inbox/bulk", {"action": "assign", "assignee": "me", "conversations": [harbor.pk]}
    )
    harbor.refresh_from_db()
    assert harbor.assignee_id is None
    # nor can anyone assign to an agent of another account
    bad = signed_in(personas.olivia).post(
        "/inbox/bulk",
        {"action": "assign", "assignee": personas.bruno.pk, "conversations": [harbor.pk]},
    )
    assert bad.status_code == 400
    harbor.refresh_from_db()
    assert harbor.assignee_id is None


@pytest.mark.parametrize(
    "data",
    [
        {"action": "close"},  # nothing selected
        {"action": "explode", "conversations": ["1"]},
        {"action": "close", "conversations": ["1; DROP TABLE"]},
        {"action": "tag", "tag": "<script>", "conversations": ["1"]},
        {"action": "assign", "assignee": "everyone", "conversations": ["1"]},
    ],
)
def test_bulk_rejects_malformed_requests(personas, data):
    assert signed_in(personas.olivia).post("/inbox/bulk", data).status_code == 400


def test_the_list_request_costs_the_same_queries_for_few_or_many_rows(
    personas, django_assert_max_num_queries
):
    client = signed_in(personas.olivia)
    for i in range(3):
        shopper_writes(personas.harbor_api, f"s{i}", "hello")
    client.get("/inbox/", **HTMX)  # warm the session
    with django_assert_max_num_queries(15) as few:
        client.get("/inbox/", **HTMX)
    actor = Actor.agent(personas.olivia)
    for i in range(3, 70):
        conv = shopper_writes(personas.harbor_email, f"s{i}", "hello")
        assign(conv, actor, assignee=personas.ahmet, team=personas.returns, set_team=True)
    with django_assert_max_num_queries(15) as many:
        response = client.get("/inbox/", **HTMX)
    assert len(row_ids(response.content)) == 50
    assert len(many.captured_queries) == len(few.captured_queries)


def test_the_nav_loads_its_counts_and_keeps_the_current_view_marked(personas):
    shopper_writes(personas.harbor_api, "ayse", "Merhaba")
    client = signed_in(personas.olivia)
    # the full page renders the nav at once and asks for the counts when it loads
    page = client.get("/", {"view": "mine"}).content.decode()
    assert 'hx-trigger="load, storedesk:counts from:body"' in page
    assert re.search(r'data-nav="view:mine"\s+aria-current="page"', page)
    # the counts come back for the same entry, and then only refresh on events
    nav = client.get("/inbox/counts/", {"nav": f"inbox:{personas.harbor_api.pk}"}, **HTMX)
    html = nav.content.decode()
    assert 'hx-trigger="storedesk:counts from:body"' in html
    assert re.search(rf'data-nav="inbox:{personas.harbor_api.pk}"\s+aria-current="page"', html)
    # a made-up entry falls back to "All open"
    odd = client.get("/inbox/counts/", {"nav": "<script>"}, **HTMX).content.decode()
    assert re.search(r'data-nav="view:open"\s+aria-current="page"', odd)
    assert "<script>" not in odd


def test_bulk_asks_the_nav_to_refresh_its_counts(personas):
    conv = shopper_writes(personas.harbor_api, "ayse", "Merhaba")
    response = signed_in(personas.olivia).post(
        "/inbox/bulk", {"action": "close", "conversations": [conv.pk]}, **HTMX
    )
    assert response["HX-Trigger"] == "storedesk:counts"


@pytest.mark.parametrize("cap", [2000, 1])
def test_like_wildcards_in_a_search_match_literally(personas, monkeypatch, cap):
    # given messages with and without a percent sign (both search plans: ids and row walk)
    from storedesk.inbox import search as inbox_search

    monkeypatch.setattr(inbox_search, "SEARCH_ID_CAP", cap)
    sale = shopper_writes(personas.harbor_api, "ayse", "Is the 20% discount still on?")
    shopper_writes(personas.harbor_api, "jan", "Gdzie jest paczka?")
    client = signed_in(personas.olivia)
    # then "%" and "_" are plain characters, not wildcards
    assert row_ids(client.get("/inbox/", {"q": "20%"}, **HTMX).content) == [sale.pk]
    assert row_ids(client.get("/inbox/", {"q": "%"}, **HTMX).content) == [sale.pk]
    assert row_ids(client.get("/inbox/", {"q": "_"}, **HTMX).content) == []


def test_long_groups_in_the_nav_start_folded_unless_the_current_list_is_in_them(personas):
    # given eight tags (more than the nav shows unfolded) and three inboxes
    from storedesk.inbox.actions import tag

    conv = shopper_writes(personas.harbor_api, "ayse", "Merhaba")
    for i in range(8):
        tag(conv, Actor.agent(personas.olivia), f"topic-{i}")
    client = signed_in(personas.olivia)
    folded = re.compile(r'<details class="view-group">\s*<summary class="view-heading">Tags')
    unfolded = re.compile(r'<details class="view-group" open>\s*<summary class="view-heading">Tags')
    # then the tags start folded, the short inbox list open
    page = client.get("/").content.decode()
    assert folded.search(page)
    assert re.search(r'<details class="view-group" open>\s*<summary class="view-heading">Inboxes',
                     page)
    # and a tag's own list shows the tags unfolded
    some_tag = conv.tags.order_by("name").first()
    assert unfolded.search(client.get("/", {"tag": some_tag.pk}).content.decode())


def test_search_covers_every_status_by_default(personas):
    from storedesk.accounts.actor import Actor
    from storedesk.inbox.actions import change_status

    # given a shopper whose conversation was resolved last week
    conversation = shopper_writes(personas.harbor_api, "marta", "Zamówienie 5521 nie dotarło",
                                  email="marta@shopper.test", name="Marta")
    change_status(conversation, Actor.agent(personas.olivia), Status.RESOLVED)
    client = signed_in(personas.olivia)
    # when she writes again and an agent searches her email in the default (Open) list
    found = row_ids(client.get("/inbox/", {"q": "marta@shopper.test"}, **HTMX).content)
    # then the resolved conversation is found, by email and by order number
    assert found == [conversation.pk]
    assert row_ids(client.get("/inbox/", {"q": "5521"}, **HTMX).content) == [conversation.pk]
    # and an explicit status filter still narrows the search
    assert row_ids(client.get("/inbox/", {"q": "5521", "status": "open"}, **HTMX).content) == []
    # while the Open list without a search still shows open conversations only
    assert conversation.pk not in row_ids(client.get("/inbox/", **HTMX).content)
