"""An inbox's signing secret (the API channel's webhook signatures, the chat widget's public
key and verified identities) is sealed at rest: the migration seals the plain ones without
changing what they sign, a key rotation re-seals them, and a secret no key opens fails closed
(sends fail permanently saying why; no widget key or identity hash matches)."""

from __future__ import annotations

import hashlib
import hmac
import importlib
from io import StringIO

import pytest
from cryptography.fernet import Fernet
from django.apps import apps
from django.core.management import CommandError, call_command
from django.db import connection

from storedesk.connectors.webchat.tokens import inbox_for_key, public_key, verify_identity
from storedesk.core.sealing import is_sealed
from storedesk.inbox.models import Inbox

pytestmark = pytest.mark.django_db

MIGRATION = importlib.import_module("storedesk.inbox.migrations.0010_seal_inbox_secrets")


def _stored(inbox: Inbox) -> str:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT secret FROM {Inbox._meta.db_table} WHERE id = %s",  # noqa: S608
                       [inbox.pk])
        return str(cursor.fetchone()[0])


def test_inbox_secrets_are_sealed_and_the_migration_seals_plain_ones(personas):
    chat = personas.harbor_chat
    stored = _stored(chat)
    assert is_sealed(stored) and chat.signing_secret() not in stored
    # given a chat inbox as it was before sealing, with its widget key in a shop's page
    Inbox.objects.filter(pk=chat.pk).update(secret="plain-secret-from-before")
    chat.refresh_from_db()
    digest = hmac.new(b"plain-secret-from-before", b"storedesk-widget-public-key",
                      hashlib.sha256).hexdigest()
    key = f"{chat.pk}.{digest[:16]}"
    # when the data migration runs
    MIGRATION.seal_secrets(apps, None)
    chat.refresh_from_db()
    # then the secret is sealed, opens to the same value, and the embedded key still works
    assert is_sealed(_stored(chat)) and "plain-secret-from-before" not in _stored(chat)
    assert chat.signing_secret() == "plain-secret-from-before"
    assert public_key(chat) == key and inbox_for_key(key) == chat
    signature = hmac.new(b"plain-secret-from-before", b"cust-7", hashlib.sha256).hexdigest()
    assert verify_identity(chat, customer_id="cust-7", email="", signature=signature)
    # and a second run changes nothing
    before = _stored(chat)
    MIGRATION.seal_secrets(apps, None)
    assert _stored(chat) == before


def test_a_key_rotation_reseals_and_a_lost_key_fails_closed(personas, settings):
    chat, api = personas.harbor_chat, personas.harbor_api
    plain, key = chat.signing_secret(), public_key(chat)
    signature = hmac.new(plain.encode(), b"cust-7", hashlib.sha256).hexdigest()
    before = _stored(chat)
    # when a new dedicated key comes first and the secrets are re-sealed
    settings.ENCRYPTION_KEYS = [Fernet.generate_key().decode()]
    call_command("reseal_secrets", stdout=StringIO())
    chat.refresh_from_db()
    # then they are sealed anew and sign as before
    assert _stored(chat) != before and chat.signing_secret() == plain
    assert public_key(chat) == key
    # when every key that opens them is gone
    settings.ENCRYPTION_KEYS = []
    settings.SECRET_KEY = "another-secret-key-" + "y" * 40
    with pytest.raises(CommandError):
        call_command("reseal_secrets", stdout=StringIO(), stderr=StringIO())
    chat.refresh_from_db()
    # then nothing matches: no widget key, no verified identity (fail closed)
    assert public_key(chat) == "" and inbox_for_key(key) is None
    assert not verify_identity(chat, customer_id="cust-7", email="", signature=signature)
    # and the API channel's sends fail permanently, saying what to do
    from storedesk.accounts.actor import Actor
    from storedesk.inbox.actions import InboundMessage, receive_message, send_reply
    from storedesk.inbox.models import Delivery
    from storedesk.outbox import runner

    Inbox.objects.filter(pk=api.pk).update(config={"webhook_url": "https://hooks.harbor.test/"})
    conversation = receive_message(api, InboundMessage(sender_id="s-1", text="Hi")).conversation
    reply = send_reply(conversation, Actor.agent(personas.olivia), "Hello!")
    assert runner.run("message", Delivery.objects.get(message=reply).pk) == "failed"
    reply.refresh_from_db()
    assert "put back the key it was sealed with" in reply.delivery_error


def test_olivia_rotates_a_chat_inbox_secret_shown_once(personas):
    from django.test import Client
    from django.urls import reverse

    from storedesk.accounts.models import AuditLog

    chat = personas.harbor_chat
    old_secret, old_key = chat.signing_secret(), public_key(chat)
    olivia = Client()
    olivia.force_login(personas.olivia.agent)
    # when she rotates the chat inbox's signing secret
    rotated = olivia.post(reverse("settings:inbox_rotate_secret", args=[chat.pk]))
    assert rotated.status_code == 302
    chat.refresh_from_db()
    new_secret = chat.signing_secret()
    # then the new one is sealed, shown once, and the old key and secret no longer work
    assert new_secret != old_secret and is_sealed(_stored(chat)) and new_secret not in _stored(chat)
    assert new_secret in olivia.get(rotated.url).content.decode()
    assert new_secret not in olivia.get(rotated.url).content.decode()
    assert inbox_for_key(old_key) is None and inbox_for_key(public_key(chat)) == chat
    signature = hmac.new(old_secret.encode(), b"cust-7", hashlib.sha256).hexdigest()
    assert not verify_identity(chat, customer_id="cust-7", email="", signature=signature)
    assert AuditLog.objects.filter(action="inbox.secret_rotated", object_id=str(chat.pk)).exists()
    # and Northwind's admin cannot rotate it (404), nothing changes
    bruno = Client()
    bruno.force_login(personas.bruno.agent)
    assert bruno.post(reverse("settings:inbox_rotate_secret", args=[chat.pk])).status_code == 404
    chat.refresh_from_db()
    assert chat.signing_secret() == new_secret


def test_the_signing_secret_is_opened_once_per_process_and_a_rotation_takes_effect_at_once(
    personas,
):
    from storedesk.core import sealing
    from storedesk.inbox.actions import rotate_inbox_secret

    chat = personas.harbor_chat
    old = chat.signing_secret()
    old_signature = hmac.new(old.encode(), b"cust-7", hashlib.sha256).hexdigest()
    assert verify_identity(chat, customer_id="cust-7", email="", signature=old_signature)
    # when the next widget requests read the inbox afresh, the secret is not opened again
    opened = sealing._open.cache_info()
    for _request in range(3):
        fresh = Inbox.objects.get(pk=chat.pk)
        assert verify_identity(fresh, customer_id="cust-7", email="", signature=old_signature)
    after = sealing._open.cache_info()
    assert after.misses == opened.misses and after.hits >= opened.hits + 3
    # when the admin rotates the secret, the next request signs and checks with the new one
    new = rotate_inbox_secret(Inbox.objects.get(pk=chat.pk))
    fresh = Inbox.objects.get(pk=chat.pk)
    assert fresh.signing_secret() == new != old
    new_signature = hmac.new(new.encode(), b"cust-7", hashlib.sha256).hexdigest()
    assert not verify_identity(fresh, customer_id="cust-7", email="", signature=old_signature)
    assert verify_identity(fresh, customer_id="cust-7", email="", signature=new_signature)
