"""The shared list cursor and "get or 404": hostile cursors and ids are a 400/404, never a 500,
through the API and the workspace list, on both databases."""

from __future__ import annotations

import pytest
from django.test import Client

from storedesk.inbox.actions import InboundMessage, receive_message

HUGE_IDS = ["99999999999999999999", str(2**63), "9223372036854775807"]


def shopper_writes(inbox, sender: str, text: str):
    return receive_message(inbox, InboundMessage(sender_id=sender, text=text)).conversation


@pytest.fixture
def busy_harbor(personas):
    for i in range(4):
        shopper_writes(personas.harbor_api, f"s{i}", f"hello {i}")
    return personas


def test_api_lists_walk_with_their_cursor_and_refuse_any_other(busy_harbor, api):
    # given Olivia's integration listing two conversations at a time
    client = api(busy_harbor.olivia)
    first = client.get("/api/v1/conversations", {"limit": 2}).json()
    second = client.get("/api/v1/conversations", {"limit": 2, "cursor": first["next_cursor"]})
    assert second.status_code == 200
    seen = [c["id"] for c in first["items"] + second.json()["items"]]
    assert len(set(seen)) == 4
    # when the cursor is tampered with, garbage, or taken from another list
    tampered = first["next_cursor"][:-3] + "abc"
    contacts_first = client.get("/api/v1/contacts", {"limit": 2}).json()
    for url, cursor in [
        ("/api/v1/conversations", tampered),
        ("/api/v1/conversations", "not a cursor"),
        ("/api/v1/conversations", "W10"),  # base64 of "[]" (the old unsigned format)
        ("/api/v1/conversations", contacts_first["next_cursor"]),
        ("/api/v1/contacts", first["next_cursor"]),
        ("/api/v1/conversations", "x" * 5000),
    ]:
        response = client.get(url, {"cursor": cursor})
        # then it is a clear 400 (or 422 for a value no text column holds), never a 500
        assert response.status_code == 400, (url, cursor, response.content)
        assert response.json() == {"detail": "Invalid cursor."}
    nul = client.get("/api/v1/conversations", {"cursor": "ab\x00c"})
    assert nul.status_code == 422 and "detail" in nul.json()


def test_ids_no_database_holds_are_not_found(busy_harbor, api):
    client = api(busy_harbor.olivia)
    for raw in HUGE_IDS:
        for url in (f"/api/v1/conversations/{raw}", f"/api/v1/contacts/{raw}",
                    f"/api/v1/inboxes/{raw}", f"/api/v1/stores/{raw}",
                    f"/api/v1/conversations/{raw}/messages"):
            response = client.get(url)
            assert response.status_code == 404, (url, response.content)
            assert "not found" in response.json()["detail"].lower()


def test_api_query_filters_refuse_values_no_database_holds(busy_harbor, api):
    client = api(busy_harbor.olivia)
    for params in ({"assignee": "²"}, {"assignee": "٣"}, {"assignee": HUGE_IDS[0]}):
        response = client.get("/api/v1/conversations", params)
        assert response.status_code == 400, (params, response.content)
        assert "assignee" in response.json()["detail"]
    for params in ({"inbox": HUGE_IDS[0]}, {"team": str(2**63)}, {"inbox": "0"},
                   {"tag": "a\x00b"}, {"status": "bogus"}):
        response = client.get("/api/v1/conversations", params)
        assert response.status_code == 422, (params, response.content)
        assert "detail" in response.json()


def test_the_workspace_list_refuses_a_forged_cursor_and_ignores_odd_filters(busy_harbor):
    client = Client()
    client.force_login(busy_harbor.olivia.agent)
    # odd filter values are dropped (the list still shows), never a 500
    for params in ({"assignee": "²"}, {"assignee": HUGE_IDS[0]}, {"inbox": HUGE_IDS[0]},
                   {"team": str(2**63)}, {"q": "a\x00b"}, {"tag": HUGE_IDS[1]}):
        response = client.get("/", params)
        assert response.status_code == 200, params
    # a cursor we did not sign is a 400 on the page and on "Load more"
    for headers in ({}, {"HX-Request": "true"}):
        response = client.get("/inbox/", {"cursor": "forged"}, headers=headers)
        assert response.status_code == 400
        assert b"Invalid cursor" in response.content
    # and a conversation number beyond 64 bits is a 404 page
    assert client.get(f"/conversations/{HUGE_IDS[0]}/").status_code == 404
