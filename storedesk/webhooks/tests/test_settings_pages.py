"""Olivia manages her store's webhooks from the settings pages; others cannot reach them."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.test import Client
from django.urls import reverse

from storedesk.inbox.actions import InboundMessage, receive_message
from storedesk.testing.fake_webhook_receiver import FakeWebhookReceiver
from storedesk.webhooks.models import (
    WebhookAttempt,
    WebhookDelivery,
    WebhookSubscription,
    signing_secret,
)

pytestmark = pytest.mark.django_db


def _browser(member) -> Client:
    browser = Client()
    browser.force_login(member.agent)
    return browser


@pytest.fixture
def receiver(settings) -> Iterator[FakeWebhookReceiver]:
    settings.FETCH_ALLOW_PRIVATE = True
    with FakeWebhookReceiver(secret="unknown-yet", path="/hooks") as fake:
        yield fake


def test_olivia_creates_sees_the_secret_once_and_redelivers(
    personas, receiver, django_capture_on_commit_callbacks
):
    olivia = _browser(personas.olivia)
    # when she adds a webhook for received messages
    created = olivia.post(reverse("settings:webhooks"),
                          {"url": receiver.url, "events": ["message.received"]})
    assert created.status_code == 302
    webhook = WebhookSubscription.objects.get(account=personas.harbor)
    # then its page shows the signing secret once (stored sealed, never as typed)
    secret = signing_secret(webhook.secret)
    assert secret.startswith("whsec_") and secret not in webhook.secret
    first = olivia.get(created.url).content.decode()
    assert secret in first
    assert secret not in olivia.get(created.url).content.decode()
    receiver.set_secret(secret)
    # and when a shopper writes, the delivery and its attempt are listed
    with django_capture_on_commit_callbacks(execute=True):
        receive_message(personas.harbor_api, InboundMessage(sender_id="s-1", text="Hi"))
    delivery = WebhookDelivery.objects.get(subscription=webhook)
    page = olivia.get(created.url).content.decode()
    assert 'data-testid="webhook-delivery"' in page and "HTTP 200" in page
    # when she redelivers it, the endpoint gets the same delivery id again
    with django_capture_on_commit_callbacks(execute=True):
        olivia.post(reverse("settings:webhook_redeliver", args=[webhook.pk, delivery.pk]))
    assert receiver.seen_ids == [str(delivery.pk)] * 2
    assert WebhookAttempt.objects.filter(delivery=delivery).count() == 2


def test_olivia_edits_rotates_and_deletes(personas):
    olivia = _browser(personas.olivia)
    olivia.post(reverse("settings:webhooks"),
                {"url": "https://hooks.harbor.test/in", "events": ["message.received"]})
    webhook = WebhookSubscription.objects.get(account=personas.harbor)
    url = reverse("settings:webhook", args=[webhook.pk])
    # edit the events and pause it
    saved = olivia.post(url, {"url": "https://hooks.harbor.test/in",
                              "events": ["conversation.assigned", "note.added"]})
    assert saved.status_code == 302
    webhook.refresh_from_db()
    assert webhook.events == ["conversation.assigned", "note.added"]
    assert webhook.is_active is False  # the unticked "Active" box
    # a bad URL is refused with the reason, nothing saved
    refused = olivia.post(url, {"url": "ftp://x", "events": ["note.added"], "is_active": "on"})
    assert refused.status_code == 400
    assert "https://" in refused.content.decode()
    # rotate: a new secret, shown once, the old one kept for the overlap
    old = signing_secret(webhook.secret)
    rotated = olivia.post(reverse("settings:webhook_rotate", args=[webhook.pk]))
    webhook.refresh_from_db()
    new = signing_secret(webhook.secret)
    assert new != old and signing_secret(webhook.previous_secret) == old
    assert new in olivia.get(rotated.url).content.decode()
    assert new not in olivia.get(rotated.url).content.decode()  # once
    # delete
    olivia.post(reverse("settings:webhook_delete", args=[webhook.pk]))
    assert not WebhookSubscription.objects.filter(pk=webhook.pk).exists()


def test_other_accounts_and_agents_get_404(personas):
    webhook = WebhookSubscription.objects.create(
        account=personas.harbor, url="https://hooks.harbor.test/in", events=["note.added"]
    )
    for member in (personas.bruno, personas.ahmet):
        browser = _browser(member)
        for name in ("settings:webhook", "settings:webhook_rotate", "settings:webhook_delete"):
            url = reverse(name, args=[webhook.pk])
            answer = browser.post(url) if name != "settings:webhook" else browser.get(url)
            assert answer.status_code == 404, (member, name)
    assert signing_secret(webhook.secret) not in _browser(personas.bruno).get(
        reverse("settings:webhooks")).content.decode()
    webhook.refresh_from_db()
    assert webhook.url == "https://hooks.harbor.test/in"
