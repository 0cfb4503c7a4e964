"""Indexes for the inbox list and its search (PostgreSQL only; SQLite runs at embedded scale).

Search: `icontains` compiles to `UPPER(col::text) LIKE UPPER('%q%')` on PostgreSQL, which a
pg_trgm GIN index on `UPPER(col)` serves for any substring of 3+ characters, in any script
(Thai has no spaces, so word-based full-text search would miss most phrases).

List: keyset pages sort by (waiting_since ASC NULLS LAST, id), (last_message_at DESC NULLS
LAST, id DESC) and (priority_rank DESC NULLS LAST, waiting_since, id); these btree indexes match
those orders exactly for the account-wide, per-assignee and per-inbox views, so a page is an
index range scan of 51 rows. A covering index serves the nav counts (GROUP BY inbox, team,
assignee over the open conversations) as an index-only scan.
"""

from django.db import migrations

TRIGRAM_INDEXES = [
    ("inbox_message_text_trgm", "inbox_message", "UPPER(text)"),
    ("inbox_conv_subject_trgm", "inbox_conversation", "UPPER(subject)"),
    ("contacts_contact_name_trgm", "contacts_contact", "UPPER(name)"),
    ("contacts_contact_email_trgm", "contacts_contact", "UPPER(email)"),
    ("contacts_contact_phone_trgm", "contacts_contact", "UPPER(phone)"),
]

NEWEST = "last_message_at DESC NULLS LAST, id DESC"
WAITING = "waiting_since ASC NULLS LAST, id ASC"
PRIORITY = "priority_rank DESC NULLS LAST, waiting_since ASC NULLS LAST, id ASC"
LIST_INDEXES = [
    ("inbox_conv_list_newest", "account_id, status, " + NEWEST),
    # The "All" view (every status).
    ("inbox_conv_list_all_newest", "account_id, " + NEWEST),
    ("inbox_conv_list_all_waiting", "account_id, " + WAITING),
    ("inbox_conv_list_priority", "account_id, status, " + PRIORITY),
    ("inbox_conv_list_asg_newest", "account_id, assignee_id, status, " + NEWEST),
    ("inbox_conv_list_asg_waiting", "account_id, assignee_id, status, " + WAITING),
    ("inbox_conv_list_inbox_newest", "account_id, inbox_id, status, " + NEWEST),
    ("inbox_conv_list_inbox_waiting", "account_id, inbox_id, status, " + WAITING),
    ("inbox_conv_list_team_waiting", "account_id, team_id, status, " + WAITING),
    # The nav counts: one GROUP BY over the open conversations as an index-only scan.
    ("inbox_conv_counts", "account_id, status, inbox_id, team_id, assignee_id, id"),
]


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for name, table, expression in TRIGRAM_INDEXES:
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {name} ON {table} USING gin ({expression} gin_trgm_ops)"
        )
    for name, columns in LIST_INDEXES:
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {name} ON inbox_conversation ({columns})"
        )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, _table, _expression in TRIGRAM_INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")
    for name, _columns in LIST_INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):

    dependencies = [
        ("inbox", "0001_initial"),
        ("contacts", "0001_initial"),
    ]

    operations = [migrations.RunPython(create, drop, elidable=False)]
