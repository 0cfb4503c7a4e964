"""Folded search columns: Message.search_text and Conversation.search_subject hold
`core.folding.fold()` of the text and subject, so the list search is accent- and
case-insensitive the same way on SQLite and PostgreSQL (whatever the database's locale).

Existing rows are filled in here. On PostgreSQL pg_trgm GIN indexes on the folded columns
replace the `UPPER(...)` ones of 0002 (nothing searches the raw columns any more); the contact
ones move to contacts.0004 (`search_key`)."""

from django.db import migrations, models

BATCH = 2000

OLD_TRIGRAMS = [
    ("inbox_message_text_trgm", "inbox_message", "UPPER(text)"),
    ("inbox_conv_subject_trgm", "inbox_conversation", "UPPER(subject)"),
    ("contacts_contact_name_trgm", "contacts_contact", "UPPER(name)"),
    ("contacts_contact_email_trgm", "contacts_contact", "UPPER(email)"),
    ("contacts_contact_phone_trgm", "contacts_contact", "UPPER(phone)"),
]
NEW_TRIGRAMS = [
    ("inbox_message_search_trgm", "inbox_message", "search_text"),
    ("inbox_conv_search_subject_trgm", "inbox_conversation", "search_subject"),
]


def _fill(model, source, target):
    from storedesk.core.folding import fold

    batch = []
    rows = model.objects.exclude(**{source: ""}).only(source)
    for row in rows.iterator(chunk_size=BATCH):
        setattr(row, target, fold(getattr(row, source)))
        batch.append(row)
        if len(batch) >= BATCH:
            model.objects.bulk_update(batch, [target])
            batch = []
    if batch:
        model.objects.bulk_update(batch, [target])


def fill(apps, schema_editor):
    _fill(apps.get_model("inbox", "Message"), "text", "search_text")
    _fill(apps.get_model("inbox", "Conversation"), "subject", "search_subject")


def reindex(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for name, _table, _expression in OLD_TRIGRAMS:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")
    for name, table, column in NEW_TRIGRAMS:
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {name} ON {table} USING gin ({column} gin_trgm_ops)"
        )


def unreindex(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, _table, _column in NEW_TRIGRAMS:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")
    for name, table, expression in OLD_TRIGRAMS:
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {name} ON {table} USING gin ({expression} gin_trgm_ops)"
        )


class Migration(migrations.Migration):

    dependencies = [
        ("inbox", "0007_message_content"),
        ("contacts", "0004_search_folding"),
    ]

    operations = [
        migrations.AddField(
            model_name="conversation",
            name="search_subject",
            field=models.CharField(blank=True, default="", editable=False, max_length=512),
        ),
        migrations.AddField(
            model_name="message",
            name="search_text",
            field=models.TextField(blank=True, default="", editable=False),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop, elidable=False),
        migrations.RunPython(reindex, unreindex, elidable=False),
    ]
