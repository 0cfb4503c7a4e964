"""Freshdesk accounts larger than one listing: the API lists at most 300 pages per
`updated_since`, so the reader walks the tickets in windows (against the local fake, whose
page limit is lowered to two pages of two tickets, so a handful of tickets needs many windows).
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from storedesk.importers.freshdesk import FreshdeskApiReader
from storedesk.importers.http import VendorApi, VendorError, basic

# update times with ties, as bulk updates leave them (several tickets in one second)
UPDATED = ["2021-01-01T10:00:00Z", "2021-01-02T10:00:00Z", "2021-01-02T10:00:00Z",
           "2021-01-02T10:00:00Z", "2021-01-03T10:00:00Z", "2021-01-04T10:00:00Z",
           "2021-01-04T10:00:00Z", "2021-01-05T10:00:00Z", "2021-01-06T10:00:00Z"]


def _ticket(n: int, updated: str) -> dict[str, Any]:
    return {"id": 100 + n, "subject": f"Ticket {n}", "status": 4, "priority": 2,
            "requester_id": 9000 + n, "created_at": "2020-12-31T09:00:00Z",
            "updated_at": updated, "spam": False,
            "requester": {"id": 9000 + n, "name": f"Shopper {n}",
                          "email": f"shopper{n}@example.net"},
            "description": f"<p>Question {n}</p>", "description_text": f"Question {n}",
            "conversations": [{"id": 5000 + n, "body_text": f"Answer {n}", "incoming": False,
                               "private": False, "user_id": 7002,
                               "created_at": updated}]}


def _serve(vendors: Any, updated: list[str], pages: int = 2) -> FreshdeskApiReader:
    # listed in another order than their update times, as a real account's are
    tickets = [_ticket(n, at) for n, at in reversed(list(enumerate(updated)))]
    (vendors.fixtures / "freshdesk" / "tickets.json").write_text(json.dumps(tickets), "utf-8")
    vendors.freshdesk_max_pages = pages
    return FreshdeskApiReader(VendorApi(vendors.base, basic("FKEY", "X")), max_pages=pages)


def _ids(items: list[Any]) -> list[str]:
    return [item.thread.id for item in items]


def test_an_account_over_the_page_limit_is_read_whole_in_windows(vendors):
    # given nine tickets behind a list that shows at most two pages of two per filter
    reader = _serve(vendors, UPDATED)
    # when the reader reads them
    items = list(reader.read(None))
    # then every ticket comes exactly once, oldest update first, with its replies
    assert _ids(items) == [str(100 + n) for n in range(len(UPDATED))]
    assert all(len(item.thread.posts) == 2 for item in items)
    # through several updated_since windows, never asking past the last page allowed
    lists = [parse_qs(urlsplit(path).query) for path in vendors.requests
             if urlsplit(path).path == "/api/v2/tickets"]
    assert len({q["updated_since"][0] for q in lists}) >= 3
    assert {q["page"][0] for q in lists} == {"1", "2"}
    assert {q["order_by"][0] for q in lists} == {"updated_at"}


def test_a_resume_from_any_ticket_reads_exactly_the_rest(vendors):
    # given the same account, read once to take each ticket's checkpoint
    reader = _serve(vendors, UPDATED)
    items = list(reader.read(None))
    order = _ids(items)
    for k, item in enumerate(items):
        # when a run killed after ticket k resumes from its checkpoint
        rest = _ids(list(reader.read(json.loads(json.dumps(item.checkpoint)))))
        # then it reads the tickets after k, none before, none twice
        assert rest == order[k + 1:], (k, item.checkpoint)


def test_an_old_checkpoint_without_a_window_starts_again_from_the_beginning(vendors):
    reader = _serve(vendors, UPDATED[:3])
    assert _ids(list(reader.read({"page": 2, "done": 1}))) == ["100", "101", "102"]


def test_more_tickets_in_one_second_than_a_window_holds_is_a_clear_error(vendors):
    # given five tickets updated in the same second, and windows of four
    reader = _serve(vendors, ["2021-03-03T03:03:03Z"] * 5)
    # when read, the four that fit come, then the reader says why it cannot go on
    read = []
    with pytest.raises(VendorError, match="updated at 2021-03-03T03:03:03Z"):
        for item in reader.read(None):
            read.append(item.thread.id)
    assert read == ["100", "101", "102", "103"]
