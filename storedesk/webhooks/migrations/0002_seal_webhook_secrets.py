"""Webhook signing secrets are sealed at rest (storedesk/core/sealing.py): room for the sealed
value, and the secrets stored in plain text before are sealed in place."""

from django.db import migrations, models

import storedesk.webhooks.models
from storedesk.core.sealing import Sealer, is_sealed

# The salt of storedesk.webhooks.models.SEALER (kept here as it was when this ran).
SEALER = Sealer(b"storedesk.webhooks.secrets")


def seal_secrets(apps, schema_editor):
    WebhookSubscription = apps.get_model("webhooks", "WebhookSubscription")
    for subscription in WebhookSubscription.objects.order_by("pk").iterator():
        changes = {}
        if subscription.secret and not is_sealed(subscription.secret):
            changes["secret"] = SEALER.seal(subscription.secret)
        if subscription.previous_secret and not is_sealed(subscription.previous_secret):
            changes["previous_secret"] = SEALER.seal(subscription.previous_secret)
        if changes:
            WebhookSubscription.objects.filter(pk=subscription.pk).update(**changes)


def open_secrets(apps, schema_editor):
    WebhookSubscription = apps.get_model("webhooks", "WebhookSubscription")
    for subscription in WebhookSubscription.objects.order_by("pk").iterator():
        changes = {}
        if is_sealed(subscription.secret):
            changes["secret"] = SEALER.reveal(subscription.secret)
        if is_sealed(subscription.previous_secret):
            changes["previous_secret"] = SEALER.reveal(subscription.previous_secret)
        if changes:
            WebhookSubscription.objects.filter(pk=subscription.pk).update(**changes)


class Migration(migrations.Migration):
    dependencies = [
        ("webhooks", "0001_initial"),
    ]

    operations = [
        migrations.AlterField(
            model_name="webhooksubscription",
            name="previous_secret",
            field=models.CharField(blank=True, max_length=400),
        ),
        migrations.AlterField(
            model_name="webhooksubscription",
            name="secret",
            field=models.CharField(default=storedesk.webhooks.models.new_sealed_secret,
                                   max_length=400),
        ),
        # Going back means going back to code that reads the secrets plain (and to columns
        # too short for a sealed value): the reverse opens them again.
        migrations.RunPython(seal_secrets, open_secrets),
    ]
