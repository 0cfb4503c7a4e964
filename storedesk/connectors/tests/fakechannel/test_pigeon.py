"""A channel that exists only in this package plugs in through the registry setting alone:
Olivia sets it up on the settings page, Ahmet's reply is flown through its transport, and the
provider's signed webhooks come in once each, receipts included."""

from __future__ import annotations

import json

import pytest
from django.test import Client
from django.urls import reverse

from storedesk.accounts.actor import Actor
from storedesk.connectors.models import InboundEvent
from storedesk.connectors.secrets import reveal
from storedesk.connectors.tests.fakechannel.conftest import APP_SECRET, push, signed
from storedesk.events.models import Event
from storedesk.inbox.actions import send_reply
from storedesk.inbox.models import Conversation, Inbox, Message

_signed, _push = signed, push


def test_the_pigeon_channel_shows_up_on_the_settings_page(personas, pigeon_registered, olivia):
    # when Olivia opens the inbox settings with the pigeon package registered
    page = olivia.get(reverse("settings:inboxes")).content.decode()
    # then she can add a pigeon inbox, and its own template renders its fields
    assert 'data-channel="pigeon"' in page and "Carrier pigeon" in page
    form = olivia.get(reverse("settings:inbox_create", args=["pigeon"])).content.decode()
    assert 'data-testid="pigeon-setup"' in form and 'name="loft_dir"' in form


def test_without_the_setting_the_channel_does_not_exist(personas, olivia):
    page = olivia.get(reverse("settings:inboxes")).content.decode()
    assert "Carrier pigeon" not in page
    assert olivia.get(reverse("settings:inbox_create", args=["pigeon"])).status_code == 404


def test_set_up_in_settings_its_secret_is_sealed_and_never_shown(
    personas, pigeon_inbox, olivia, api
):
    sealed = pigeon_inbox.config["app_secret"]
    assert sealed.startswith("enc:v1:") and reveal(sealed) == APP_SECRET
    page = olivia.get(reverse("settings:inbox_edit", args=[pigeon_inbox.pk])).content.decode()
    assert APP_SECRET not in page and sealed not in page
    assert "Carrier pigeon" in page  # the channel's label, from its registry entry
    # and the API lists the inbox with its kind
    listed = {i["name"]: i["channel"] for i in api(personas.olivia).get("/api/v1/inboxes").json()}
    assert listed["Pigeon post"] == "pigeon"


def test_a_shopper_message_then_a_reply_flown_and_receipts(
    personas, pigeon_inbox, loft, client, django_capture_on_commit_callbacks
):
    # given the provider pushes a shopper's message
    raw, headers = _signed({"id": "evt-1", "type": "message", "from": "coop-17",
                            "name": "Pip", "text": "Is the seed mix in stock?"})
    with django_capture_on_commit_callbacks(execute=True):
        response = _push(client, pigeon_inbox, raw, headers)
    assert response.status_code == 202
    message = Message.objects.get(inbox=pigeon_inbox)
    assert message.text == "Is the seed mix in stock?"
    conversation = message.conversation
    # when Ahmet replies
    with django_capture_on_commit_callbacks(execute=True):
        reply = send_reply(conversation, Actor.agent(personas.ahmet), "Yes, 2 kg bags!")
    # then the pigeon transport flew it: one file in the loft, and the message is sent
    [flight] = list(loft.iterdir())
    assert json.loads(flight.read_text()) == {"to": "coop-17", "text": "Yes, 2 kg bags!",
                                              "idempotency_key": reply.delivery.pk}
    reply.refresh_from_db()
    assert reply.delivery_status == "sent"
    # when the provider reports it delivered, then read, then (late) delivered again
    for n, status in enumerate(["delivered", "read", "delivered"]):
        raw, headers = _signed({"id": f"rcpt-{n}", "type": "receipt",
                                "message": flight.stem, "status": status})
        with django_capture_on_commit_callbacks(execute=True):
            assert _push(client, pigeon_inbox, raw, headers).status_code == 202
    # then the message moved forward only, with one timeline row per real change
    reply.refresh_from_db()
    assert reply.delivery_status == "read"
    kinds = list(Event.objects.filter(conversation=conversation)
                 .filter(kind__in=["message.delivered", "message.read"])
                 .order_by("pk").values_list("kind", flat=True))
    assert kinds == ["message.delivered", "message.read"]
    # and the agents see both in the thread
    olivia = Client()
    olivia.force_login(personas.olivia.agent)
    thread = olivia.get(reverse("inbox:conversation", args=[conversation.display_id]))
    text = thread.content.decode()
    assert "A reply was delivered to the customer" in text
    assert "The customer read a reply" in text


def test_the_same_webhook_posted_twice_is_processed_once(
    personas, pigeon_inbox, client, django_capture_on_commit_callbacks
):
    raw, headers = _signed({"id": "evt-42", "type": "message", "from": "coop-3",
                            "text": "Two bags please"})
    with django_capture_on_commit_callbacks(execute=True):
        first = _push(client, pigeon_inbox, raw, headers)
    with django_capture_on_commit_callbacks(execute=True) as again_callbacks:
        again = _push(client, pigeon_inbox, raw, headers)
    assert (first.status_code, again.status_code) == (202, 202)
    assert (first.json()["duplicate"], again.json()["duplicate"]) == (False, True)
    assert again_callbacks == []  # nothing queued for the repeat
    assert InboundEvent.objects.filter(inbox=pigeon_inbox).count() == 1
    assert Message.objects.filter(inbox=pigeon_inbox).count() == 1
    event = InboundEvent.objects.get(inbox=pigeon_inbox)
    assert (event.status, bytes(event.body)) == ("done", raw)


@pytest.mark.parametrize("tamper", ["wrong-secret", "no-header", "body-changed"])
def test_a_bad_signature_is_refused_and_nothing_is_stored(personas, pigeon_inbox, client, tamper):
    raw, headers = _signed({"id": "evt-9", "type": "message", "from": "x", "text": "hi"},
                           secret="not-the-secret" if tamper == "wrong-secret" else APP_SECRET)
    if tamper == "no-header":
        headers = {}
    if tamper == "body-changed":
        raw = raw.replace(b"hi", b"HI")
    response = _push(client, pigeon_inbox, raw, headers)
    assert response.status_code == 401
    assert response.json() == {"detail": "Invalid signature."}
    assert not InboundEvent.objects.exists()
    assert not Message.objects.filter(inbox=pigeon_inbox).exists()


def test_unknown_or_deactivated_inbox_is_404_and_stores_nothing(personas, pigeon_inbox, client):
    raw, headers = _signed({"id": "evt-5", "type": "message", "from": "x", "text": "hi"})
    assert client.post(f"/hooks/pigeon/{personas.harbor_api.pk}/", raw,
                       content_type="application/json", **headers).status_code == 404
    Inbox.objects.filter(pk=pigeon_inbox.pk).update(is_active=False)
    assert _push(client, pigeon_inbox, raw, headers).status_code == 404
    assert not InboundEvent.objects.exists()


def test_a_failed_event_is_kept_shown_to_admins_and_retried(
    personas, pigeon_inbox, client, olivia, api, django_capture_on_commit_callbacks
):
    # given an event the handler cannot process (an event type it does not know yet)
    raw, headers = _signed({"id": "evt-7", "type": "carrier-lost", "from": "coop-9"})
    with django_capture_on_commit_callbacks(execute=True):
        assert _push(client, pigeon_inbox, raw, headers).status_code == 202
    event = InboundEvent.objects.get(inbox=pigeon_inbox)
    # then it is kept raw, failed, with its error
    assert (event.status, event.attempts, bytes(event.body)) == ("failed", 1, raw)
    assert "carrier-lost" in event.error
    # and admins see it on the settings page and in the API; agents do not
    page = olivia.get(reverse("settings:inbound_events")).content.decode()
    assert "evt-7" in page and "carrier-lost" in page
    listed = api(personas.olivia).get("/api/v1/inbound-events?status=failed").json()
    assert [(e["event_id"], e["status"]) for e in listed] == [("evt-7", "failed")]
    assert api(personas.ahmet).get("/api/v1/inbound-events").status_code == 403
    assert api(personas.bruno).get("/api/v1/inbound-events").json() == []
    # when the stored body becomes processable (the handler learned the type: simulated by
    # fixing the stored row, the way a deploy of a fixed handler would) and Olivia retries
    fixed = json.dumps({"id": "evt-7", "type": "message", "from": "coop-9", "text": "Lost?"})
    InboundEvent.objects.filter(pk=event.pk).update(body=fixed.encode())
    with django_capture_on_commit_callbacks(execute=True):
        response = olivia.post(reverse("settings:inbound_event_retry", args=[event.pk]))
    assert response.status_code == 302
    # then it is processed once, into a message
    event.refresh_from_db()
    assert (event.status, event.error) == ("done", "")
    assert Message.objects.get(inbox=pigeon_inbox).text == "Lost?"
    # and a retry of a done event is refused through the API
    retry = api(personas.olivia).post(f"/api/v1/inbound-events/{event.pk}/retry")
    assert retry.status_code == 400
    assert Conversation.objects.filter(inbox=pigeon_inbox).count() == 1


def test_a_store_scoped_event_without_a_handler_is_kept_failed(
    personas, django_capture_on_commit_callbacks
):
    # Commerce webhooks (Shopify...) use the same raw store, scoped to the store
    from storedesk.connectors.inbound import record_event

    with django_capture_on_commit_callbacks(execute=True):
        first = record_event("shopify", "order-1001-paid", b'{"id": 1001}', {},
                             store=personas.harbor_store)
    again = record_event("shopify", "order-1001-paid", b'{"id": 1001}', {},
                         store=personas.harbor_store)
    assert (first.created, again.created) == (True, False)
    event = InboundEvent.objects.get()
    assert (event.scope, event.store_id, event.inbox_id) == (
        f"store:{personas.harbor_store.pk}", personas.harbor_store.pk, None)
    # the custom store's platform handles no webhook topic: the event is kept, failed, retryable
    # (Shopify and WooCommerce stores apply theirs: commerce/tests/test_platform_webhooks.py)
    assert event.status == "failed" and "No handler for ''" in event.error


def test_an_oversized_webhook_is_413_and_stores_nothing(personas, pigeon_inbox, client, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1024
    raw, headers = _signed({"id": "evt-big", "type": "message", "from": "x", "text": "y" * 4096})
    response = _push(client, pigeon_inbox, raw, headers)
    assert response.status_code == 413 and "larger than 1024 bytes" in response.json()["detail"]
    assert not InboundEvent.objects.exists()
