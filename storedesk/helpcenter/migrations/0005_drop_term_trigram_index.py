"""Typo correction reads the vocabulary through the (help center, language, first letter)
index on both databases now (search._corrections); the pg_trgm index on SearchTerm.term,
which only PostgreSQL had, is no longer used and is dropped (it cost every new term a GIN
update)."""

from django.db import migrations


def drop(apps, schema_editor) -> None:  # type: ignore[no-untyped-def]
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS hc_term_trgm")


def create(apps, schema_editor) -> None:  # type: ignore[no-untyped-def]
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        schema_editor.execute("CREATE INDEX IF NOT EXISTS hc_term_trgm ON "
                              "helpcenter_searchterm USING gin (term gin_trgm_ops)")


class Migration(migrations.Migration):
    dependencies = [("helpcenter", "0004_search_postings")]

    operations = [migrations.RunPython(drop, create)]
