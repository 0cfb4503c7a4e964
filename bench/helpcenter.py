#!/usr/bin/env python
"""Help-center search latency at 10,000 articles x 5 languages (50,000 published translations).

    .venv/bin/python bench/helpcenter.py [--backend sqlite|postgres|both] [--articles 10000]
                                         [--queries 60]

For each backend a child process gets a fresh database (a temporary SQLite file, or the
PostgreSQL database `storedesk_bench_helpcenter`, dropped at the end), migrates it, and fills one
help center in en, pl, tr, id and th. The text is generated from the words of the demo help
center (so every language has its real script, diacritics and Thai without spaces) and goes
through the same normalisation, segmentation and index writers as the product
(`text.terms`, `search._tsvector`, the FTS5 table), inserted in bulk rather than one publish at
a time. Then `search.search()` — query expansion, typo correction, candidate retrieval, BM25F
re-ranking, snippets — is timed per language with queries of 1-3 words, a quarter of them
misspelled. Prints p50/p95 (wall and CPU of this process) and writes
bench/results/helpcenter.json. Target: p95 < 50 ms.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
RESULTS = ROOT / "bench" / "results"
LANGUAGES = ["en", "pl", "tr", "id", "th"]
PG_ADMIN = os.environ.get("BENCH_PG_URL", "postgres://postgres@127.0.0.1:5432/postgres")
PG_DB = "storedesk_bench_helpcenter"


def pg_url(name: str) -> str:
    return urlunsplit(urlsplit(PG_ADMIN)._replace(path="/" + name))


def parent(args: argparse.Namespace) -> None:
    backends = ["sqlite", "postgres"] if args.backend == "both" else [args.backend]
    results: dict = {}
    out = RESULTS / "helpcenter.json"
    for backend in backends:
        env = dict(os.environ)
        data_dir = tempfile.mkdtemp(prefix="bench-helpcenter-")
        env["STOREDESK_DATA_DIR"] = data_dir
        env.pop("REDIS_URL", None)
        if backend == "postgres":
            import psycopg

            with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
                exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s",
                                      [PG_DB]).fetchone()
                if not (args.keep and exists):
                    conn.execute(f"DROP DATABASE IF EXISTS {PG_DB}")
                    conn.execute(f"CREATE DATABASE {PG_DB}")
            env["DATABASE_URL"] = pg_url(PG_DB)
        else:
            env.pop("DATABASE_URL", None)
        try:
            done = subprocess.run(
                [sys.executable, __file__, "--child", "--articles", str(args.articles),
                 "--queries", str(args.queries), "--seed", str(args.seed)],
                env=env, check=True, capture_output=True, text=True)
        finally:
            if backend == "postgres" and not args.keep:
                import psycopg

                with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
                    conn.execute(f"DROP DATABASE IF EXISTS {PG_DB} WITH (FORCE)")
        sys.stderr.write(done.stderr[-2000:])
        results[backend] = json.loads(done.stdout.strip().splitlines()[-1])
        print_result(backend, results[backend])
    RESULTS.mkdir(parents=True, exist_ok=True)
    if out.exists():  # another backend's run may have finished meanwhile: keep its figures
        results = {**json.loads(out.read_text()).get("backends", {}), **results}
    out.write_text(json.dumps({
        "benchmark": "helpcenter search", "target_p95_ms": 50,
        "machine": f"{platform.machine()} {os.cpu_count()} cpus, {platform.python_version()}",
        "backends": results}, indent=2, ensure_ascii=False) + "\n")
    print(f"wrote {out}")


def print_result(backend: str, result: dict) -> None:
    print(f"\n{backend}: {result['translations']} published translations, "
          f"load {result['load_seconds']:.0f}s")
    print(f"{'language':<10}{'p50 ms':>9}{'p95 ms':>9}{'cpu p95':>9}{'hits avg':>10}")
    for lang, row in result["languages"].items():
        print(f"{lang:<10}{row['p50_ms']:>9.1f}{row['p95_ms']:>9.1f}{row['cpu_p95_ms']:>9.1f}"
              f"{row['hits_avg']:>10.1f}")
    row = result["all"]
    print(f"{'all':<10}{row['p50_ms']:>9.1f}{row['p95_ms']:>9.1f}{row['cpu_p95_ms']:>9.1f}")


# --- child: runs inside one configured database --------------------------------------------


def vocabulary() -> dict[str, list[str]]:
    from storedesk.helpcenter.demo import CONTENT
    from storedesk.helpcenter.markdown import plain_text
    from storedesk.helpcenter.text import _thai_words

    words: dict[str, list[str]] = {}
    for lang in LANGUAGES:
        found: list[str] = []
        for path in sorted((CONTENT / lang).glob("*.md")):
            text = plain_text(path.read_text(encoding="utf-8").split("---", 2)[2])
            if lang == "th":
                for run in text.split():
                    found.extend(w for w in _thai_words(run) if w.strip() and not w.isascii())
            else:
                found.extend(w.strip(".,:;!?()*|") for w in text.split())
        words[lang] = [w for w in found if len(w) > 1]
    return words


def sentence(rng: random.Random, words: list[str], n: int, lang: str) -> str:
    picked = [rng.choice(words) for _ in range(n)]
    return "".join(picked) if lang == "th" else " ".join(picked)


def load(articles: int, rng: random.Random) -> tuple[object, dict[str, list[str]]]:
    from django.db import connection, transaction
    from django.utils import timezone

    from storedesk.accounts.actions import create_account
    from storedesk.commerce.models import Store
    from storedesk.helpcenter import search
    from storedesk.helpcenter.actions import ensure_help_center
    from storedesk.helpcenter.models import Article, ArticleTranslation, SearchDoc, SearchTerm
    from storedesk.helpcenter.text import terms

    account = create_account("Bench", languages=LANGUAGES)
    store = Store.objects.create(account=account, slug="bench", name="Bench")
    hc = ensure_help_center(store)
    words = vocabulary()
    now = timezone.now()
    batch = 1000
    for start in range(0, articles, batch):
        with transaction.atomic():
            rows = Article.objects.bulk_create([
                Article(account=account, help_center=hc, slug=f"article-{i}",
                        tags=[f"tag-{i % 50}"], helpful_yes=rng.randint(0, 20),
                        helpful_no=rng.randint(0, 5), view_count=rng.randint(0, 1000))
                for i in range(start, min(start + batch, articles))])
            for lang in LANGUAGES:
                trs = []
                for article in rows:
                    title = sentence(rng, words[lang], rng.randint(3, 7), lang)
                    body = "\n\n".join(sentence(rng, words[lang], rng.randint(15, 30), lang)
                                       for _ in range(rng.randint(3, 5)))
                    trs.append(ArticleTranslation(
                        account=account, article=article, language=lang, title=title[:200],
                        body=body, published_title=title[:200], published_body=body,
                        published_html=body, published_at=now, is_published=True))
                trs = ArticleTranslation.objects.bulk_create(trs)
                docs, vocab = [], set()
                for tr in trs:
                    title_t = " ".join(terms(tr.published_title))
                    body_t = " ".join(terms(tr.published_body))
                    vocab.update(w for w in f"{title_t} {body_t}".split() if len(w) >= 3)
                    docs.append(SearchDoc(account=account, translation=tr, help_center=hc,
                                          language=lang, internal=False, title_terms=title_t,
                                          tag_terms="", body_terms=body_t,
                                          plain=tr.published_body))
                docs = SearchDoc.objects.bulk_create(docs)
                scope = search._scope(hc.pk, False, lang)
                with connection.cursor() as cursor:
                    if connection.vendor == "postgresql":
                        cursor.executemany(
                            "UPDATE helpcenter_searchdoc SET vector = %s::tsvector, "
                            "head = %s::tsvector WHERE id = %s",
                            [(search._tsvector(scope, d.title_terms, d.tag_terms, d.body_terms),
                              search._head(scope, d.title_terms, d.tag_terms, d.body_terms),
                              d.pk) for d in docs])
                    else:
                        cursor.executemany(
                            "INSERT INTO helpcenter_fts(rowid, scope, title, tags, body) "
                            "VALUES (%s, %s, %s, %s, %s)",
                            [(d.pk, scope, d.title_terms, d.tag_terms, d.body_terms)
                             for d in docs])
                SearchTerm.objects.bulk_create(
                    [SearchTerm(help_center=hc, language=lang, term=w, first=w[0])
                     for w in vocab], ignore_conflicts=True, batch_size=2000)
        sys.stderr.write(f"{min(start + batch, articles)} articles\n")
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return hc, words


def typo(rng: random.Random, word: str) -> str:
    if len(word) < 5 or not word.isascii():
        return word
    i = rng.randint(1, len(word) - 2)
    return word[:i] + word[i + 1] + word[i] + word[i + 2:]


def child(args: argparse.Namespace) -> None:
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from storedesk.helpcenter.models import SearchDoc
    from storedesk.helpcenter.search import search

    call_command("migrate", verbosity=0)
    rng = random.Random(args.seed)
    started = time.perf_counter()
    from storedesk.helpcenter.models import HelpCenter

    kept = HelpCenter.objects.filter(store__slug="bench").first()
    if kept is not None:  # --keep: the database of an earlier run
        hc, words = kept, vocabulary()
    else:
        hc, words = load(args.articles, rng)
    load_seconds = time.perf_counter() - started
    result: dict = {"vendor": connection.vendor, "articles": args.articles,
                    "translations": SearchDoc.objects.count(),
                    "load_seconds": round(load_seconds, 1), "languages": {}}
    every_wall, every_cpu = [], []
    for lang in LANGUAGES:
        queries = []
        for n in range(args.queries):
            picked = [rng.choice(words[lang]) for _ in range(rng.randint(1, 3))]
            if n % 4 == 0:
                picked = [typo(rng, w) for w in picked]
            queries.append(" ".join(picked))
        for q in queries[:5]:  # warm-up (tokenizer, caches, plans)
            search(hc, lang, q)
        wall, cpu, hits = [], [], []
        for q in queries:
            w0, c0 = time.perf_counter(), time.process_time()
            found = search(hc, lang, q)
            wall.append((time.perf_counter() - w0) * 1000)
            cpu.append((time.process_time() - c0) * 1000)
            hits.append(len(found))
        every_wall += wall
        every_cpu += cpu
        result["languages"][lang] = summary(wall, cpu) | {
            "hits_avg": round(statistics.mean(hits), 1), "example_query": queries[1]}
    result["all"] = summary(every_wall, every_cpu)
    print(json.dumps(result, ensure_ascii=False))


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return round(ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))], 2)


def summary(wall: list[float], cpu: list[float]) -> dict:
    return {"queries": len(wall), "p50_ms": pct(wall, 50), "p95_ms": pct(wall, 95),
            "max_ms": round(max(wall), 2), "cpu_p50_ms": pct(cpu, 50),
            "cpu_p95_ms": pct(cpu, 95)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backend", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--articles", type=int, default=10_000)
    parser.add_argument("--queries", type=int, default=60)
    parser.add_argument("--seed", type=int, default=12)
    parser.add_argument("--keep", action="store_true",
                        help=f"PostgreSQL: keep {PG_DB} afterwards and reuse it when it is there")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args)
    else:
        parent(args)


if __name__ == "__main__":
    main()
