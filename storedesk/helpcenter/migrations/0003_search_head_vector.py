"""PostgreSQL: a small `head` tsvector beside `vector` (title, tags and the first body terms) to
rank candidates by. ts_rank over the full vector detoasts every matching row's whole body; with
thousands of matches that was most of a search's time. `vector` still decides what matches.
Existing rows are filled from the SearchDoc terms. Nothing changes on SQLite (FTS5's bm25 reads
its own index)."""

from django.db import migrations

HEAD_BODY_TERMS = 40  # search.HEAD_BODY_TERMS at the time of this migration


def _lexeme(term):
    return "'" + term.replace("\\", "\\\\").replace("'", "''") + "'"


def _head(scope, title, tags, body):
    positions = {scope: ["1A"]}
    pos = 2
    for weight, text in (("A", title), ("B", tags), ("C", " ".join(body.split()[:HEAD_BODY_TERMS]))):
        for term in text.split():
            positions.setdefault(term, []).append(f"{pos}{weight}")
            pos += 1
    return " ".join(f"{_lexeme(t)}:{','.join(p[:256])}" for t, p in positions.items())


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("ALTER TABLE helpcenter_searchdoc ADD COLUMN head tsvector")
    SearchDoc = apps.get_model("helpcenter", "SearchDoc")
    rows = SearchDoc.objects.values_list("pk", "help_center_id", "language", "internal",
                                         "title_terms", "tag_terms", "body_terms")
    with schema_editor.connection.cursor() as cursor:
        batch = []
        for pk, hc, language, internal, title, tags, body in rows.iterator(chunk_size=2000):
            scope = f"scope{hc}{'i' if internal else 'p'}{language}"
            batch.append((_head(scope, title, tags, body), pk))
            if len(batch) >= 2000:
                cursor.executemany("UPDATE helpcenter_searchdoc SET head = %s::tsvector "
                                   "WHERE id = %s", batch)
                batch = []
        if batch:
            cursor.executemany("UPDATE helpcenter_searchdoc SET head = %s::tsvector WHERE id = %s",
                               batch)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("ALTER TABLE helpcenter_searchdoc DROP COLUMN IF EXISTS head")


class Migration(migrations.Migration):
    dependencies = [("helpcenter", "0002_search_index")]

    operations = [migrations.RunPython(forwards, backwards)]
