"""One unmerged contact per (account, email): merge existing duplicates, then add the constraint.

Duplicates could be created by concurrent first messages from the same new address before this
constraint existed. They are merged the way `contacts.actions.merge_contacts` merges (the oldest
contact keeps the identities, conversations and messages; the others point to it through
`merged_into`), so nothing is lost.
"""

import django.db.models.functions.text
from django.db import migrations, models
from django.db.models import Count
from django.db.models.functions import Lower


def merge_duplicate_emails(apps, schema_editor):
    Contact = apps.get_model("contacts", "Contact")
    ContactIdentity = apps.get_model("contacts", "ContactIdentity")
    Conversation = apps.get_model("inbox", "Conversation")
    Message = apps.get_model("inbox", "Message")
    live = Contact.objects.filter(merged_into__isnull=True).exclude(email="")
    groups = (
        live.annotate(lower_email=Lower("email"))
        .values("account_id", "lower_email")
        .annotate(n=Count("id"))
        .filter(n__gt=1)
    )
    for group in groups:
        same = list(
            live.annotate(lower_email=Lower("email"))
            .filter(account_id=group["account_id"], lower_email=group["lower_email"])
            .order_by("pk")
        )
        primary, duplicates = same[0], same[1:]
        ids = [d.pk for d in duplicates]
        ContactIdentity.objects.filter(contact_id__in=ids).update(contact_id=primary.pk)
        Conversation.objects.filter(contact_id__in=ids).update(contact_id=primary.pk)
        Message.objects.filter(sender_contact_id__in=ids).update(sender_contact_id=primary.pk)
        Contact.objects.filter(pk__in=ids).update(merged_into_id=primary.pk)


class Migration(migrations.Migration):

    dependencies = [
        ('accounts', '0001_initial'),
        ('contacts', '0002_initial'),
        ('inbox', '0001_initial'),
    ]

    operations = [
        migrations.RunPython(merge_duplicate_emails, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name='contact',
            constraint=models.UniqueConstraint(django.db.models.functions.text.Lower('email'), models.F('account'), condition=models.Q(models.Q(('email', ''), _negated=True), ('merged_into__isnull', True)), name='contact_email_unique'),
        ),
    ]
