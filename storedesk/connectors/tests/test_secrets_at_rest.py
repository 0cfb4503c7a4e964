"""SMTP passwords (and every connector secret) are sealed at rest: a database dump, through
Django or through raw SQL, never shows them; key rotation re-seals them; old plain-text
passwords are sealed by the data migration. Runs on SQLite and on PostgreSQL (DATABASE_URL)."""

from __future__ import annotations

import io
import json

import pytest
from cryptography.fernet import Fernet
from django.core.management import call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from storedesk.connectors.actions import change_inbox_setup, reseal_secrets, set_up_inbox
from storedesk.connectors.email.config import EmailConfig
from storedesk.connectors.secrets import reveal, seal
from storedesk.core.sealing import Unreadable
from storedesk.inbox.models import Inbox

PASSWORD = "Tr0ub4dor&3-smtp-pass"  # noqa: S105 - test value


def _smtp_inbox(personas) -> Inbox:
    return set_up_inbox(personas.harbor, "email", name="Returns mail", config={
        "address": "returns@harbor.test",
        "smtp": {"host": "smtp.harbor.test", "port": 587, "security": "starttls",
                 "username": "returns", "password": seal(PASSWORD)},
    })


def test_smtp_password_is_not_in_a_dumpdata_dump(personas):
    inbox = _smtp_inbox(personas)
    out = io.StringIO()
    call_command("dumpdata", "inbox.inbox", "connectors", stdout=out)
    dump = out.getvalue()
    assert "returns@harbor.test" in dump  # the dump does hold the inbox
    assert PASSWORD not in dump
    assert reveal(inbox.config["smtp"]["password"]) == PASSWORD


def test_smtp_password_is_not_in_the_table_read_with_raw_sql(personas):
    _smtp_inbox(personas)
    table = connection.ops.quote_name(Inbox._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT * FROM {table}")  # noqa: S608 - fixed table name
        rows = cursor.fetchall()
    dump = json.dumps(rows, default=str)
    assert "smtp.harbor.test" in dump
    assert PASSWORD not in dump


def test_a_typed_config_refuses_a_plain_password(personas):
    from storedesk.core.errors import ActionError

    with pytest.raises(ActionError):
        set_up_inbox(personas.harbor, "email", name="Leaky", config={
            "address": "leak@harbor.test",
            "smtp": {"host": "smtp.harbor.test", "password": PASSWORD}})
    assert not Inbox.objects.filter(name="Leaky").exists()


def test_key_rotation_reseals_every_secret(personas, settings):
    # given a password sealed under the key derived from the secret key
    inbox = _smtp_inbox(personas)
    before = inbox.config["smtp"]["password"]
    # when the operator adds a dedicated key and re-seals
    new_key = Fernet.generate_key().decode()
    settings.ENCRYPTION_KEYS = [new_key]
    assert reveal(before) == PASSWORD  # the old seal still opens during the rotation
    count, problems = reseal_secrets()
    # (the password, and every inbox's signing secret)
    assert (count, problems) == (1 + Inbox.objects.count(), [])
    inbox.refresh_from_db()
    after = inbox.config["smtp"]["password"]
    # then the secret is sealed under the new key: it opens even once the old secret key is
    # gone, while the old seal does not
    settings.SECRET_KEY = "a-completely-different-secret-key-for-this-test"
    assert reveal(after) == PASSWORD
    with pytest.raises(Unreadable):
        reveal(before)


def test_a_secret_no_key_opens_is_reported_not_lost(personas, settings):
    inbox = _smtp_inbox(personas)
    settings.SECRET_KEY = "the-secret-key-was-lost-and-replaced"
    count, problems = reseal_secrets()
    # the password and each inbox's signing secret are reported, none is changed
    assert count == 0 and len(problems) == 1 + Inbox.objects.count()
    assert [p for p in problems if "Returns mail" in p and "signing secret" not in p]
    inbox.refresh_from_db()
    assert inbox.config["smtp"]["password"].startswith("enc:v1:")  # left as it was


def test_editing_the_inbox_keeps_the_sealed_password(personas):
    inbox = _smtp_inbox(personas)
    sealed = inbox.config["smtp"]["password"]
    config = EmailConfig.model_validate(inbox.config)
    change_inbox_setup(inbox, name="Returns", config=config.model_copy(
        update={"address": "r@harbor.test"}))
    inbox.refresh_from_db()
    assert inbox.config["smtp"]["password"] == sealed and inbox.config["address"] == "r@harbor.test"


@pytest.mark.django_db(transaction=True)
def test_the_data_migration_seals_plain_passwords_stored_before():
    # given the schema before sealing, with an email inbox holding a plain password
    executor = MigrationExecutor(connection)
    before = [("connectors", "0001_initial"), ("inbox", "0004_alter_inbox_channel")]
    executor.migrate(before)
    apps = executor.loader.project_state(before).apps
    Account = apps.get_model("accounts", "Account")
    OldInbox = apps.get_model("inbox", "Inbox")
    account = Account.objects.create(name="Old", slug="old-mig", languages=["en"])
    old = OldInbox.objects.create(account=account, name="Old mail", channel="email", config={
        "address": "old@example.com",
        "smtp": {"host": "smtp.example.com", "port": 587, "security": "starttls",
                 "username": "old", "password": PASSWORD}})
    empty = OldInbox.objects.create(account=account, name="No pass", channel="email", config={
        "address": "np@example.com", "smtp": {"host": "smtp.example.com", "password": ""}})
    # when the migrations run forward
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())
    # then the password is sealed, still the same secret, and valid for the typed config
    migrated = Inbox.objects.get(pk=old.pk)
    sealed = migrated.config["smtp"]["password"]
    assert sealed.startswith("enc:v1:") and reveal(sealed) == PASSWORD
    assert EmailConfig.model_validate(migrated.config).smtp is not None
    assert "password" not in Inbox.objects.get(pk=empty.pk).config["smtp"]
