"""Webhook signing secrets are sealed at rest: the database never holds one in plain text
(new, rotated, or written before sealing and sealed by the migration), the API shows one only
in the answer that makes it, a key rotation re-seals them, and a secret no key opens fails its
deliveries with a clear reason instead of signing with garbage."""

from __future__ import annotations

import importlib
from collections.abc import Iterator
from io import StringIO

import pytest
from cryptography.fernet import Fernet
from django.apps import apps
from django.core.management import CommandError, call_command
from django.db import connection

from storedesk.core.sealing import is_sealed
from storedesk.outbox import runner
from storedesk.testing.fake_webhook_receiver import FakeWebhookReceiver
from storedesk.webhooks.models import (
    WebhookAttempt,
    WebhookSubscription,
    signing_secret,
)

pytestmark = pytest.mark.django_db

MIGRATION = importlib.import_module("storedesk.webhooks.migrations.0002_seal_webhook_secrets")


@pytest.fixture
def receiver(settings) -> Iterator[FakeWebhookReceiver]:
    settings.FETCH_ALLOW_PRIVATE = True  # the store's endpoint runs on loopback in this test
    with FakeWebhookReceiver(secret="not-yet-known", path="/hooks") as fake:
        yield fake


def _stored(pk: int) -> tuple[str, str]:
    """The two secret columns as the database holds them (no model code in between)."""
    table = WebhookSubscription._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT secret, previous_secret FROM {table} WHERE id = %s",  # noqa: S608
                       [pk])
        secret, previous = cursor.fetchone()
    return secret, previous


def _create(api, personas, url: str) -> dict:
    answer = api(personas.olivia).post("/api/v1/webhooks", {
        "url": url, "events": ["message.received"]}, content_type="application/json")
    assert answer.status_code == 201, answer.content
    return answer.json()


def test_secrets_are_sealed_at_rest_and_shown_only_when_made(personas, api):
    created = _create(api, personas, "https://hooks.harbor.test/in")
    secret = created["secret"]
    assert secret.startswith("whsec_")
    stored, previous = _stored(created["id"])
    assert is_sealed(stored) and secret not in stored and previous == ""
    # reading it back never shows it
    shown = api(personas.olivia).get(f"/api/v1/webhooks/{created['id']}")
    listed = api(personas.olivia).get("/api/v1/webhooks")
    assert "secret" not in shown.json() and secret not in listed.content.decode()
    assert stored not in shown.content.decode() + listed.content.decode()
    # rotating makes a new one, shown in that answer only; both stay sealed
    rotated = api(personas.olivia).post(f"/api/v1/webhooks/{created['id']}/rotate-secret")
    assert rotated.status_code == 201
    new = rotated.json()["secret"]
    assert new.startswith("whsec_") and new != secret
    stored, previous = _stored(created["id"])
    assert is_sealed(stored) and is_sealed(previous)
    assert new not in stored and secret not in previous
    assert signing_secret(stored) == new and signing_secret(previous) == secret


def test_deliveries_sign_with_the_opened_secrets(
    personas, api, receiver, django_capture_on_commit_callbacks
):
    from storedesk.inbox.actions import InboundMessage, receive_message

    created = _create(api, personas, receiver.url)
    receiver.set_secret(created["secret"])
    with django_capture_on_commit_callbacks(execute=True):
        receive_message(personas.harbor_api, InboundMessage(sender_id="s-1", text="Hi"))
    [request] = receiver.requests
    assert request.verified


def test_the_migration_seals_secrets_stored_in_plain_text(personas):
    webhook = WebhookSubscription.objects.create(
        account=personas.harbor, url="https://hooks.harbor.test/in", events=["note.added"])
    # given a row as it was before sealing (plain secrets in both columns)
    WebhookSubscription.objects.filter(pk=webhook.pk).update(
        secret="whsec_plain-current", previous_secret="whsec_plain-previous")
    untouched = WebhookSubscription.objects.create(
        account=personas.harbor, url="https://hooks.harbor.test/b", events=["note.added"])
    before = _stored(untouched.pk)
    # when the data migration runs
    MIGRATION.seal_secrets(apps, None)
    # then both are sealed and open to the same values; a sealed row is left as it was
    secret, previous = _stored(webhook.pk)
    assert is_sealed(secret) and is_sealed(previous)
    assert signing_secret(secret) == "whsec_plain-current"
    assert signing_secret(previous) == "whsec_plain-previous"
    assert _stored(untouched.pk) == before
    # and running it again changes nothing
    MIGRATION.seal_secrets(apps, None)
    assert _stored(webhook.pk) == (secret, previous)


def test_a_key_rotation_reseals_and_a_lost_key_fails_deliveries_clearly(
    personas, api, settings, receiver
):
    created = _create(api, personas, receiver.url)
    old_stored, _ = _stored(created["id"])
    # given a new dedicated key first (the secret-key-derived one still opens the old value)
    settings.ENCRYPTION_KEYS = [Fernet.generate_key().decode()]
    out = StringIO()
    call_command("reseal_webhook_secrets", stdout=out)
    assert "Resealed 1 webhook(s)." in out.getvalue()
    new_stored, _ = _stored(created["id"])
    assert new_stored != old_stored and signing_secret(new_stored) == created["secret"]
    # when the secret key changes with no fallback, the old derived key is gone: only the
    # dedicated key opens it, so it still signs
    settings.SECRET_KEY = "another-secret-key-" + "x" * 40
    assert signing_secret(new_stored) == created["secret"]
    # when the dedicated key is dropped too, nothing opens it
    settings.ENCRYPTION_KEYS = []
    with pytest.raises(CommandError, match="1 webhook"):
        call_command("reseal_webhook_secrets", stdout=StringIO(), stderr=StringIO())
    # and a delivery fails at once, saying what to do, without reaching the endpoint
    subscription = WebhookSubscription.objects.get(pk=created["id"])
    from storedesk.events.models import Event
    from storedesk.webhooks.actions import deliver_event

    event = Event.objects.create(account=personas.harbor, kind="message.received",
                                 actor_type="system", data={})
    delivery = deliver_event(subscription, event)
    assert delivery is not None
    assert runner.run("webhook", delivery.pk) == "failed"
    attempt = WebhookAttempt.objects.get(delivery=delivery)
    assert "rotate the secret" in attempt.error
    assert receiver.requests == []
