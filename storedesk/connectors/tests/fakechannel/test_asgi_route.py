"""The lean ASGI route for provider webhooks (connectors/asgi.py) answers exactly as the Django
view does: through the real ASGI application (config.asgi), signed events in once, a repeat a
no-op, a bad signature, an unknown inbox, an oversized body and a foreign host refused with
nothing stored; other methods and the store webhooks still reach Django."""

from __future__ import annotations

import asyncio
import json

import pytest
from asgiref.sync import sync_to_async
from channels.testing import HttpCommunicator

from storedesk.connectors.models import InboundEvent
from storedesk.connectors.tests.fakechannel.conftest import signed
from storedesk.inbox.models import Inbox

pytestmark = pytest.mark.django_db(transaction=True)


def _application():
    from config.asgi import application

    return application


async def _post(path: str, raw: bytes, headers: dict[str, str], host: str = "testserver"):
    pairs = [(b"host", host.encode()), (b"content-type", b"application/json"),
             (b"content-length", str(len(raw)).encode())]
    pairs += [(k.removeprefix("HTTP_").replace("_", "-").lower().encode(), v.encode())
              for k, v in headers.items()]
    response = await HttpCommunicator(_application(), "POST", path, body=raw,
                                      headers=pairs).get_response(timeout=30)
    return response["status"], dict(response["headers"]), response["body"]


@pytest.fixture
def inbox(pigeon_inbox: Inbox, settings) -> Inbox:
    settings.ALLOWED_HOSTS = ["testserver"]
    return pigeon_inbox


async def test_a_signed_event_is_stored_once_and_a_repeat_is_a_duplicate(inbox):
    raw, headers = signed({"id": "asgi-1", "type": "message", "from": "coop-1", "text": "Hi"})
    first = await _post(f"/hooks/pigeon/{inbox.pk}/", raw, headers)
    again = await _post(f"/hooks/pigeon/{inbox.pk}/", raw, headers)
    assert (first[0], again[0]) == (202, 202)
    event = await InboundEvent.objects.aget(inbox=inbox, event_id="asgi-1")
    assert json.loads(first[2]) == {"id": event.pk, "duplicate": False}
    assert json.loads(again[2]) == {"id": event.pk, "duplicate": True}
    assert first[1][b"content-type"] == b"application/json"
    assert first[1][b"x-content-type-options"] == b"nosniff"
    # the raw body is kept byte for byte, with the signature header only
    assert bytes(event.body) == raw
    assert list(event.headers) == ["x-pigeon-signature"]
    assert await InboundEvent.objects.acount() == 1


@pytest.mark.parametrize("tamper", ["wrong-secret", "no-header", "body-changed"])
async def test_a_bad_signature_is_401_and_nothing_is_stored(inbox, tamper):
    raw, headers = signed({"id": "asgi-9", "type": "message", "from": "x", "text": "hi"},
                          secret="not-the-secret" if tamper == "wrong-secret" else
                          "pigeon-app-secret-7")
    if tamper == "no-header":
        headers = {}
    if tamper == "body-changed":
        raw = raw.replace(b"hi", b"HI")
    status, _, body = await _post(f"/hooks/pigeon/{inbox.pk}/", raw, headers)
    assert (status, json.loads(body)) == (401, {"detail": "Invalid signature."})
    assert not await InboundEvent.objects.aexists()


async def test_unknown_inactive_or_other_channel_inbox_is_404(inbox, personas):
    raw, headers = signed({"id": "asgi-5", "type": "message", "from": "x", "text": "hi"})
    for path in (f"/hooks/pigeon/{personas.harbor_api.pk}/", "/hooks/pigeon/999999999/",
                 f"/hooks/unknown/{inbox.pk}/", "/hooks/pigeon/99999999999999999/"):
        status, _, body = await _post(path, raw, headers)
        assert (status, json.loads(body)) == (404, {"detail": "Unknown inbox."}), path
    await Inbox.objects.filter(pk=inbox.pk).aupdate(is_active=False)
    assert (await _post(f"/hooks/pigeon/{inbox.pk}/", raw, headers))[0] == 404
    assert not await InboundEvent.objects.aexists()


async def test_an_event_without_an_id_is_400(inbox):
    raw, headers = signed({"type": "message", "from": "x", "text": "hi"})
    status, _, body = await _post(f"/hooks/pigeon/{inbox.pk}/", raw, headers)
    assert status == 400 and "no id" in json.loads(body)["detail"]
    assert not await InboundEvent.objects.aexists()


async def test_an_oversized_body_is_413_and_a_foreign_host_400(inbox, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1024
    raw, headers = signed({"id": "asgi-big", "type": "message", "from": "x", "text": "y" * 4096})
    status, _, body = await _post(f"/hooks/pigeon/{inbox.pk}/", raw, headers)
    assert status == 413 and "larger than 1024 bytes" in json.loads(body)["detail"]
    raw, headers = signed({"id": "asgi-host", "type": "message", "from": "x", "text": "hi"})
    status, _, _ = await _post(f"/hooks/pigeon/{inbox.pk}/", raw, headers, host="evil.example")
    assert status == 400
    assert not await InboundEvent.objects.aexists()


async def test_other_methods_still_reach_django(inbox):
    response = await HttpCommunicator(
        _application(), "GET", f"/hooks/pigeon/{inbox.pk}/",
        headers=[(b"host", b"testserver")]).get_response(timeout=30)
    assert response["status"] == 405


async def test_events_accepted_by_the_route_are_drained_into_messages(inbox):
    from storedesk.connectors import drain
    from storedesk.inbox.models import Message

    for n in range(3):
        raw, headers = signed({"id": f"asgi-d{n}", "type": "message", "from": "coop-4",
                               "text": f"Message {n}"})
        assert (await _post(f"/hooks/pigeon/{inbox.pk}/", raw, headers))[0] == 202
    # (the test queue runs the kicked drain at once; a drain now finds nothing left)
    report = await sync_to_async(drain.drain)()
    assert report.events == 0
    assert await InboundEvent.objects.filter(status="done").acount() == 3
    texts = [m.text async for m in Message.objects.filter(inbox=inbox).order_by("pk")]
    assert texts == ["Message 0", "Message 1", "Message 2"]


async def test_concurrent_pushes_are_written_together_and_each_answered_as_alone(inbox):
    # given a provider firing 30 events at once, 5 of them twice and 3 forged among them
    bodies = [{"id": f"asgi-c{n}", "type": "message", "from": f"coop-{n % 4}",
               "text": f"Order {n}?"} for n in range(30)]
    requests = [signed(body) for body in bodies] + [signed(body) for body in bodies[:5]]
    requests += [signed({"id": f"asgi-f{n}", "type": "message", "from": "x", "text": "hi"},
                        secret="not-the-secret") for n in range(3)]
    # when they arrive concurrently (the route's group commit writes them in batches)
    answers = await asyncio.gather(*(_post(f"/hooks/pigeon/{inbox.pk}/", raw, headers)
                                     for raw, headers in requests))
    # then every signed one is 202 and each event is new exactly once, with one id
    by_event: dict[str, list[dict]] = {}
    for (raw, _), (status, _, body) in zip(requests[:35], answers[:35], strict=True):
        assert status == 202
        by_event.setdefault(json.loads(raw)["id"], []).append(json.loads(body))
    for event_id, seen in by_event.items():
        assert sorted(a["duplicate"] for a in seen) == [False] + [True] * (len(seen) - 1)
        assert len({a["id"] for a in seen}) == 1, event_id
    # and the forged ones are 401 and stored nowhere; the 30 events are stored once each
    assert [status for status, _, _ in answers[35:]] == [401, 401, 401]
    stored = [e async for e in InboundEvent.objects.values_list("event_id", "pk")]
    assert sorted(stored) == sorted((k, v[0]["id"]) for k, v in by_event.items())
