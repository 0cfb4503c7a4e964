"""Contact.search_key: name, email and phone folded (core/folding.py), what searches match.

Existing contacts are filled in here; on PostgreSQL a pg_trgm GIN index serves substring
search on it (any script, 3+ characters)."""

from django.db import migrations, models

BATCH = 2000


def fill(apps, schema_editor):
    from storedesk.core.folding import contact_search_key

    Contact = apps.get_model("contacts", "Contact")
    batch = []
    for contact in Contact.objects.only("name", "email", "phone").iterator(chunk_size=BATCH):
        contact.search_key = contact_search_key(contact.name, contact.email, contact.phone)
        batch.append(contact)
        if len(batch) >= BATCH:
            Contact.objects.bulk_update(batch, ["search_key"])
            batch = []
    if batch:
        Contact.objects.bulk_update(batch, ["search_key"])


def index(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    schema_editor.execute(
        "CREATE INDEX IF NOT EXISTS contacts_contact_search_trgm "
        "ON contacts_contact USING gin (search_key gin_trgm_ops)"
    )


def unindex(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS contacts_contact_search_trgm")


class Migration(migrations.Migration):

    dependencies = [
        ("contacts", "0003_contact_email_unique"),
    ]

    operations = [
        migrations.AddField(
            model_name="contact",
            name="search_key",
            field=models.TextField(blank=True, default="", editable=False),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop, elidable=False),
        migrations.RunPython(index, unindex, elidable=False),
    ]
