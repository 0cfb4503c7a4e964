"""Inbox signing secrets are sealed at rest (storedesk/core/sealing.py): room for the sealed
value, and the secrets stored in plain text before are sealed in place (the plain value, and so
the widget's public key and the API channel's signatures, stay the same)."""

from django.db import migrations, models

import storedesk.inbox.models
from storedesk.core.sealing import Sealer, is_sealed

# The salt of storedesk.inbox.models.SEALER (kept here as it was when this ran).
SEALER = Sealer(b"storedesk.inbox.secrets")


def seal_secrets(apps, schema_editor):
    Inbox = apps.get_model("inbox", "Inbox")
    for pk, secret in Inbox.objects.order_by("pk").values_list("pk", "secret").iterator():
        if secret and not is_sealed(secret):
            Inbox.objects.filter(pk=pk).update(secret=SEALER.seal(secret))


def open_secrets(apps, schema_editor):
    Inbox = apps.get_model("inbox", "Inbox")
    for pk, secret in Inbox.objects.order_by("pk").values_list("pk", "secret").iterator():
        if is_sealed(secret):
            Inbox.objects.filter(pk=pk).update(secret=SEALER.reveal(secret))


class Migration(migrations.Migration):
    dependencies = [
        ("inbox", "0009_fewer_indexes"),
    ]

    operations = [
        migrations.AlterField(
            model_name="inbox",
            name="secret",
            field=models.CharField(default=storedesk.inbox.models._new_sealed_secret,
                                   max_length=400),
        ),
        # Going back means going back to code that reads the secrets plain (and to a column
        # too short for a sealed value): the reverse opens them again.
        migrations.RunPython(seal_secrets, open_secrets),
    ]
