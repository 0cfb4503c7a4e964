"""The provider-webhook accept path written in batches (`inbound.accept_many`, behind the ASGI
route's group commit): a batch costs a fixed number of statements whatever its size, each push
gets the answer it would get alone, a changed app secret takes effect at once, and one push the
database refuses does not cost the others their place."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from storedesk.connectors import inbound
from storedesk.connectors.asgi import accept_batch
from storedesk.connectors.models import InboundEvent
from storedesk.connectors.tests.fakechannel.conftest import APP_SECRET, push, signed


def _push(inbox_id: int, body: dict, secret: str = APP_SECRET, kind: str = "pigeon"):
    raw, headers = signed(body, secret=secret)
    names = {k.removeprefix("HTTP_").replace("_", "-").lower(): v for k, v in headers.items()}
    return inbound.Push(kind, inbox_id, names, raw)


def _message(event_id: str, text: str = "Hello") -> dict:
    return {"id": event_id, "type": "message", "from": "coop-3", "text": text}


def test_a_batch_is_three_statements_and_one_kick_and_each_push_gets_its_own_answer(
    personas, pigeon_inbox, django_capture_on_commit_callbacks
):
    # given an event stored before (the provider's retry will repeat it)
    inbound.accept_many([_push(pigeon_inbox.pk, _message("evt-old"))])
    old = InboundEvent.objects.get(event_id="evt-old")
    # when a batch of 40 pushes arrives: 30 new events, one of them twice, the old one again,
    # a forged one, one without an id, one for an inbox of another channel, one for no inbox
    pushes = [_push(pigeon_inbox.pk, _message(f"evt-{n}", f"Order {n}?")) for n in range(30)]
    pushes += [
        _push(pigeon_inbox.pk, _message("evt-7", "Order 7?")),
        _push(pigeon_inbox.pk, _message("evt-old")),
        _push(pigeon_inbox.pk, _message("evt-forged"), secret="not-the-app-secret"),
        _push(pigeon_inbox.pk, {"type": "message", "from": "x", "text": "no id"}),
        _push(personas.harbor_api.pk, _message("evt-api")),
        _push(999_999_999, _message("evt-nowhere")),
    ]
    with (CaptureQueriesContext(connection) as queries,
          django_capture_on_commit_callbacks() as kicks):
        results = inbound.accept_many(pushes)

    # then the inboxes, the insert and the repeats took one statement each, and one drain kick
    assert [q["sql"].split()[0] for q in queries.captured_queries] == [
        "SELECT", "INSERT", "SELECT"]
    assert len(kicks) == 1
    # and each push got what it would get alone, in order
    first = {r.event.event_id: r.event.pk for r in results[:30]
             if isinstance(r, inbound.Accepted)}
    assert [(r.created, r.event.event_id) for r in results[:30]] == [
        (True, f"evt-{n}") for n in range(30)]
    again, old_again = results[30], results[31]
    assert isinstance(again, inbound.Accepted) and isinstance(old_again, inbound.Accepted)
    assert (again.created, again.event.pk) == (False, first["evt-7"])
    assert (old_again.created, old_again.event.pk) == (False, old.pk)
    refused = [(r.status, r.detail) for r in results[32:] if isinstance(r, inbound.Refused)]
    assert refused == [(401, "Invalid signature."), (400, refused[1][1]),
                       (404, "Unknown inbox."), (404, "Unknown inbox.")]
    assert "no id" in refused[1][1]
    # and exactly the 31 verified events are stored, once each, with their raw bytes
    stored = InboundEvent.objects.filter(inbox=pigeon_inbox)
    assert stored.count() == 31
    assert bytes(stored.get(event_id="evt-12").body) == pushes[12].body
    assert not InboundEvent.objects.filter(event_id__in=["evt-forged", "evt-api",
                                                        "evt-nowhere"]).exists()


def test_a_changed_app_secret_takes_effect_at_once(personas, pigeon_inbox, olivia, loft, client):
    # given events signed with the app secret are accepted (the secret is opened, and kept)
    raw, headers = signed(_message("evt-before"))
    assert push(client, pigeon_inbox, raw, headers).status_code == 202
    # when Olivia sets a new app secret
    response = olivia.post(reverse("settings:inbox_edit", args=[pigeon_inbox.pk]),
                           {"name": "Pigeon post", "loft_dir": str(loft),
                            "app_secret": "pigeon-app-secret-8"})
    assert response.status_code == 302
    # then the old secret's signatures are refused at once, and the new one's accepted
    raw, headers = signed(_message("evt-old-key"))
    assert push(client, pigeon_inbox, raw, headers).status_code == 401
    raw, headers = signed(_message("evt-new-key"), secret="pigeon-app-secret-8")
    assert push(client, pigeon_inbox, raw, headers).status_code == 202
    assert set(InboundEvent.objects.values_list("event_id", flat=True)) == {
        "evt-before", "evt-new-key"}


@pytest.mark.django_db(transaction=True)
def test_a_push_the_database_refuses_does_not_cost_the_others_their_place(pigeon_inbox):
    # given a batch whose middle event id holds a NUL character (PostgreSQL text cannot store
    # it; SQLite can)
    pushes = [_push(pigeon_inbox.pk, _message(event_id))
              for event_id in ("evt-a", "evt-\x00-nul", "evt-b")]
    # when the group commit writes the batch
    answers = accept_batch(pushes)
    # then the others are stored and answered 202 whatever happens to the NUL one
    assert [a[0] for a in (answers[0], answers[2])] == [202, 202]
    stored = set(InboundEvent.objects.values_list("event_id", flat=True))
    assert {"evt-a", "evt-b"} <= stored
    if connection.vendor == "postgresql":
        assert answers[1] == (503, {"detail": "The event could not be stored; send it again."})
        assert stored == {"evt-a", "evt-b"}
    else:
        assert answers[1][0] == 202
        assert stored == {"evt-a", "evt-\x00-nul", "evt-b"}
