"""The relational search index (see helpcenter/search.py): document frequencies per
visibility in SearchTerm, document counts in SearchScope and one weighted SearchPosting per
term of each indexed translation. The backend indexes it replaces (the FTS5 table on SQLite,
the `vector`/`head` tsvector columns on PostgreSQL) are dropped; pg_trgm on the vocabulary
stays (typo correction). Existing SearchDoc rows are indexed from their stored terms."""

from collections import Counter, defaultdict

import django.db.models.deletion
from django.db import migrations, models

# search.doc_weights / REFERENCE_BODY_TERMS at the time of this migration
REFERENCE_BODY_TERMS = 120


def _weights(title, tags, body):
    title_tf, tags_tf, body_terms = Counter(title.split()), Counter(tags.split()), body.split()
    body_tf = Counter(body_terms)
    norm = 0.25 + 0.75 * len(body_terms) / REFERENCE_BODY_TERMS
    return {t: max(1, round((8 * title_tf[t] + 4 * tags_tf[t] + body_tf[t] / norm) * 1000))
            for t in title_tf.keys() | tags_tf.keys() | body_tf.keys()}


def forwards(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        schema_editor.execute("DROP TABLE IF EXISTS helpcenter_fts")
    elif vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS hc_doc_vector")
        schema_editor.execute("ALTER TABLE helpcenter_searchdoc DROP COLUMN IF EXISTS vector")
        schema_editor.execute("ALTER TABLE helpcenter_searchdoc DROP COLUMN IF EXISTS head")
    SearchDoc = apps.get_model("helpcenter", "SearchDoc")
    SearchTerm = apps.get_model("helpcenter", "SearchTerm")
    SearchScope = apps.get_model("helpcenter", "SearchScope")
    SearchPosting = apps.get_model("helpcenter", "SearchPosting")
    docs: Counter[tuple[int, str, bool]] = Counter()
    df: dict[tuple[int, str, str], list[int]] = defaultdict(lambda: [0, 0])
    postings = []
    rows = SearchDoc.objects.values_list("pk", "help_center_id", "language", "internal",
                                         "title_terms", "tag_terms", "body_terms")
    for pk, hc, language, internal, title, tags, body in rows.iterator(chunk_size=1000):
        docs[(hc, language, internal)] += 1
        for term, weight in _weights(title, tags, body).items():
            df[(hc, language, term)][int(internal)] += 1
            postings.append((pk, (hc, language, term), internal, weight))
    if not docs:
        return
    SearchScope.objects.bulk_create([
        SearchScope(help_center_id=hc, language=lang, internal=internal, docs=n)
        for (hc, lang, internal), n in docs.items()])
    SearchTerm.objects.bulk_create(
        [SearchTerm(help_center_id=hc, language=lang, term=term, first=term[0])
         for hc, lang, term in df], ignore_conflicts=True, batch_size=1000)
    ids = {}
    for pk, hc, lang, term in SearchTerm.objects.values_list(
            "pk", "help_center_id", "language", "term").iterator(chunk_size=2000):
        ids[(hc, lang, term)] = pk
    for key, (public, internal) in df.items():
        SearchTerm.objects.filter(pk=ids[key]).update(df_public=public, df_internal=internal)
    SearchPosting.objects.bulk_create(
        [SearchPosting(doc_id=pk, term_id=ids[key], internal=internal, weight=weight)
         for pk, key, internal, weight in postings], batch_size=2000)


def backwards(apps, schema_editor):
    """Recreates the old backend structures empty (republish to fill them)."""
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        schema_editor.execute(
            "CREATE VIRTUAL TABLE IF NOT EXISTS helpcenter_fts USING fts5("
            "scope, title, tags, body, tokenize = \"unicode61 remove_diacritics 0 "
            "tokenchars '\u0e31\u0e34\u0e35\u0e36\u0e37\u0e38\u0e39\u0e3a\u0e47\u0e48"
            "\u0e49\u0e4a\u0e4b\u0e4c\u0e4d\u0e4e'\")")
    elif vendor == "postgresql":
        schema_editor.execute("ALTER TABLE helpcenter_searchdoc ADD COLUMN vector tsvector")
        schema_editor.execute("ALTER TABLE helpcenter_searchdoc ADD COLUMN head tsvector")
        schema_editor.execute(
            "CREATE INDEX hc_doc_vector ON helpcenter_searchdoc USING gin (vector)")


class Migration(migrations.Migration):

    dependencies = [
        ('helpcenter', '0003_search_head_vector'),
    ]

    operations = [
        migrations.AddField(
            model_name='searchterm',
            name='df_internal',
            field=models.IntegerField(default=0),
        ),
        migrations.AddField(
            model_name='searchterm',
            name='df_public',
            field=models.IntegerField(default=0),
        ),
        migrations.CreateModel(
            name='SearchPosting',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('internal', models.BooleanField()),
                ('weight', models.PositiveIntegerField()),
                ('doc', models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='+', to='helpcenter.searchdoc')),
                ('term', models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='+', to='helpcenter.searchterm')),
            ],
            options={
                'indexes': [models.Index(fields=['term', 'internal', '-weight', 'doc'], name='hc_posting_impact')],
                'constraints': [models.UniqueConstraint(fields=('doc', 'term'), name='hc_posting_doc_term')],
            },
        ),
        migrations.CreateModel(
            name='SearchScope',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('language', models.CharField(max_length=8)),
                ('internal', models.BooleanField()),
                ('docs', models.IntegerField(default=0)),
                ('help_center', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='helpcenter.helpcenter')),
            ],
            options={
                'constraints': [models.UniqueConstraint(fields=('help_center', 'language', 'internal'), name='hc_scope_unique')],
            },
        ),
        migrations.RunPython(forwards, backwards),
    ]
