"""The backend half of the search index (see helpcenter/search.py).

SQLite: an FTS5 table keyed by SearchDoc id (terms arrive pre-normalised, so the plain unicode61
tokenizer only splits on spaces). PostgreSQL: a tsvector column with a GIN index on the
SearchDoc table, and pg_trgm on the vocabulary for typo correction.
"""

from django.db import migrations

SQLITE = [
    "CREATE VIRTUAL TABLE IF NOT EXISTS helpcenter_fts USING fts5("
    "scope, title, tags, body, tokenize = \"unicode61 remove_diacritics 0 "
    "tokenchars '\u0e31\u0e34\u0e35\u0e36\u0e37\u0e38\u0e39\u0e3a\u0e47\u0e48\u0e49\u0e4a\u0e4b"
    "\u0e4c\u0e4d\u0e4e'\")",
]
SQLITE_DROP = ["DROP TABLE IF EXISTS helpcenter_fts"]
POSTGRES = [
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    "ALTER TABLE helpcenter_searchdoc ADD COLUMN vector tsvector",
    "CREATE INDEX hc_doc_vector ON helpcenter_searchdoc USING gin (vector)",
    "CREATE INDEX hc_term_trgm ON helpcenter_searchterm USING gin (term gin_trgm_ops)",
]
POSTGRES_DROP = [
    "DROP INDEX IF EXISTS hc_term_trgm",
    "DROP INDEX IF EXISTS hc_doc_vector",
    "ALTER TABLE helpcenter_searchdoc DROP COLUMN IF EXISTS vector",
]


def _run(statements_by_vendor):
    def run(apps, schema_editor):
        for sql in statements_by_vendor.get(schema_editor.connection.vendor, []):
            schema_editor.execute(sql)

    return run


class Migration(migrations.Migration):
    dependencies = [("helpcenter", "0001_initial")]

    operations = [
        migrations.RunPython(
            _run({"sqlite": SQLITE, "postgresql": POSTGRES}),
            _run({"sqlite": SQLITE_DROP, "postgresql": POSTGRES_DROP}),
        ),
    ]
