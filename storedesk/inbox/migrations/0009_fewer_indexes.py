"""Six indexes fewer on the two tables every message writes (issue 15: import speed).

- On PostgreSQL, three conversation indexes sorted `last_message_at DESC`, which there means
  NULLS FIRST: no query uses them (the list and the API page with NULLS LAST, served by
  migration 0002's PostgreSQL indexes with the same leading columns). SQLite keeps them: its
  DESC puts NULLs last, so they are its list indexes. Like 0002's, they now live outside the
  model state (backend-specific indexes).
- The single-column indexes of `Conversation.account`, `Conversation.identity` and
  `Message.conversation`: each is the first column of a composite index (`conv_display_unique`
  and the list indexes; `(identity, status)`; `(conversation, created_at, id)`), which serves
  the same look-ups and the cascading deletes.

The foreign keys lose `db_index` through SeparateDatabaseAndState with a plain DROP INDEX:
Django's own AlterField would copy both tables on SQLite to drop an index.
"""

import django.db.models.deletion
from django.db import migrations, models

# (account, status, -last_message_at, -id), (account, assignee, status, -last_message_at),
# (account, inbox, status, -last_message_at)
NULLS_FIRST_INDEXES = {
    "inbox_conve_account_75162e_idx": "account_id, status, last_message_at DESC, id DESC",
    "inbox_conve_account_821416_idx": "account_id, assignee_id, status, last_message_at DESC",
    "inbox_conve_account_aa12aa_idx": "account_id, inbox_id, status, last_message_at DESC",
}


def drop_on_postgresql(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in NULLS_FIRST_INDEXES:
        schema_editor.execute(f'DROP INDEX IF EXISTS "{name}"')


def create_on_postgresql(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, columns in NULLS_FIRST_INDEXES.items():
        schema_editor.execute(
            f'CREATE INDEX IF NOT EXISTS "{name}" ON inbox_conversation ({columns})')


FK_INDEXES = [
    # (index, table, column): Django's names for these foreign keys' indexes
    ("inbox_conversation_account_id_05696162", "inbox_conversation", "account_id"),
    ("inbox_conversation_identity_id_75a363cd", "inbox_conversation", "identity_id"),
    ("inbox_message_conversation_id_37bc0d72", "inbox_message", "conversation_id"),
]


class Migration(migrations.Migration):

    dependencies = [
        ("accounts", "0001_initial"),
        ("contacts", "0004_search_folding"),
        ("inbox", "0008_search_folding"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.RemoveIndex(model_name="conversation", name=name)
                for name in NULLS_FIRST_INDEXES
            ],
            database_operations=[migrations.RunPython(drop_on_postgresql, create_on_postgresql)],
        ),
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="conversation",
                    name="account",
                    field=models.ForeignKey(
                        db_index=False, on_delete=django.db.models.deletion.CASCADE,
                        related_name="+", to="accounts.account"),
                ),
                migrations.AlterField(
                    model_name="conversation",
                    name="identity",
                    field=models.ForeignKey(
                        db_index=False, on_delete=django.db.models.deletion.CASCADE,
                        related_name="conversations", to="contacts.contactidentity"),
                ),
                migrations.AlterField(
                    model_name="message",
                    name="conversation",
                    field=models.ForeignKey(
                        db_index=False, on_delete=django.db.models.deletion.CASCADE,
                        related_name="messages", to="inbox.conversation"),
                ),
            ],
            database_operations=[
                migrations.RunSQL(
                    f'DROP INDEX IF EXISTS "{name}"',
                    f'CREATE INDEX IF NOT EXISTS "{name}" ON "{table}" ("{column}")',
                )
                for name, table, column in FK_INDEXES
            ],
        ),
    ]
