"""Seal the SMTP passwords that email inboxes stored in plain text before connector secrets
were encrypted (see storedesk/connectors/secrets.py)."""

from django.db import migrations

from storedesk.connectors.secrets import is_sealed, seal


def seal_passwords(apps, schema_editor):
    Inbox = apps.get_model("inbox", "Inbox")
    for inbox in Inbox.objects.filter(channel="email").iterator():
        config = dict(inbox.config or {})
        smtp = config.get("smtp")
        if not isinstance(smtp, dict):
            continue
        password = smtp.get("password")
        if not password:
            smtp.pop("password", None)
        elif not is_sealed(password):
            smtp["password"] = seal(str(password))
        else:
            continue
        config["smtp"] = smtp
        Inbox.objects.filter(pk=inbox.pk).update(config=config)


class Migration(migrations.Migration):
    dependencies = [
        ("connectors", "0001_initial"),
        ("inbox", "0004_alter_inbox_channel"),
    ]

    operations = [
        # Not reversible on purpose: un-sealing would write the secrets back in plain text.
        migrations.RunPython(seal_passwords, migrations.RunPython.noop),
    ]
