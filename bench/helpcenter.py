#!/usr/bin/env python
"""Help-center search latency at 10,000 articles x 5 languages (50,000 published translations).

    .venv/bin/python bench/helpcenter.py [--backend sqlite|postgres|both]
                                         [--corpus zipf|worst|both] [--articles 10000]
                                         [--queries 60] [--keep]

For each backend and corpus a child process gets a fresh database (a temporary SQLite file, or
the PostgreSQL database `storedesk_bench_helpcenter_<corpus>`, dropped at the end unless
--keep), migrates it, and fills one help center in en, pl, tr, id and th through the product's
own normaliser, segmenter and index rows (`text.terms`, `search_index.doc_weights`: SearchDoc,
SearchTerm with its document frequencies, SearchScope, SearchPosting), inserted in bulk rather
than one publish at a time.

Corpora:
- `zipf` (realistic): words follow Zipf's law (frequency ~ 1/rank) over ~30,000 words per
  language: first the real words of the shipped text in that language (the demo help center,
  the assistant's example messages, the UI catalog), most frequent first, then for Thai the
  rest of PyThaiNLP's dictionary and for the others pseudo-words spliced from real ones.
  Query words follow the same law minus the 20 most frequent words (function words).
- `worst`: the earlier generator: every word drawn from the demo help center's few hundred
  words per language, so each query term matches ~90 % of the articles.

Then `search.search()` (query expansion, typo correction, the bounded candidate scan, ranking,
snippets) is timed per language with queries of 1-3 words, a quarter of them misspelled; after
the timing every query's candidates are checked against scoring every match
(`search._exhaustive_candidates`). Prints p50/p95 (wall and CPU of this process), the posting
entries read per query, and writes bench/results/helpcenter.json. Target: p95 < 50 ms.
"""

from __future__ import annotations

import argparse
import bisect
import itertools
import json
import os
import platform
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
RESULTS = ROOT / "bench" / "results"
LANGUAGES = ["en", "pl", "tr", "id", "th"]
PG_ADMIN = os.environ.get("BENCH_PG_URL", "postgres://postgres@127.0.0.1:5432/postgres")
PG_DB = "storedesk_bench_helpcenter"
ZIPF_WORDS = 30_000


def pg_url(name: str) -> str:
    return urlunsplit(urlsplit(PG_ADMIN)._replace(path="/" + name))


def parent(args: argparse.Namespace) -> None:
    backends = ["sqlite", "postgres"] if args.backend == "both" else [args.backend]
    corpora = ["zipf", "worst"] if args.corpus == "both" else [args.corpus]
    results: dict = {}
    out = RESULTS / "helpcenter.json"
    for backend in backends:
        for corpus in corpora:
            key = f"{backend}/{corpus}"
            results[key] = run_child(args, backend, corpus)
            print_result(key, results[key])
    RESULTS.mkdir(parents=True, exist_ok=True)
    if out.exists():  # runs of other backends/corpora: keep their figures
        results = {**json.loads(out.read_text()).get("backends", {}), **results}
    out.write_text(json.dumps({
        "benchmark": "helpcenter search", "target_p95_ms": 50,
        "machine": f"{platform.machine()} {os.cpu_count()} cpus, {platform.python_version()}",
        "backends": results}, indent=2, ensure_ascii=False) + "\n")
    print(f"wrote {out}")


def run_child(args: argparse.Namespace, backend: str, corpus: str) -> dict:
    env = dict(os.environ)
    if backend == "sqlite" and args.keep:  # a fixed data dir, reused by the next --keep run
        data_dir = str(Path(tempfile.gettempdir()) / f"{PG_DB}_sqlite_{corpus}")
        os.makedirs(data_dir, exist_ok=True)
    else:
        data_dir = tempfile.mkdtemp(prefix="bench-helpcenter-")
    env["STOREDESK_DATA_DIR"] = data_dir
    env.pop("REDIS_URL", None)
    db = f"{PG_DB}_{corpus}"
    if backend == "postgres":
        import psycopg

        with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
            exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s",
                                  [db]).fetchone()
            if not (args.keep and exists):
                conn.execute(f"DROP DATABASE IF EXISTS {db}")
                conn.execute(f"CREATE DATABASE {db}")
        env["DATABASE_URL"] = pg_url(db)
    else:
        env.pop("DATABASE_URL", None)
    load_before = os.getloadavg()[0]
    try:
        done = subprocess.run(
            [sys.executable, __file__, "--child", "--articles", str(args.articles),
             "--queries", str(args.queries), "--seed", str(args.seed), "--corpus", corpus],
            env=env, check=False, capture_output=True, text=True)
    finally:
        if backend == "postgres" and not args.keep:
            import psycopg

            with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
                conn.execute(f"DROP DATABASE IF EXISTS {db} WITH (FORCE)")
        if not (backend == "sqlite" and args.keep):
            shutil.rmtree(data_dir, ignore_errors=True)
    sys.stderr.write(done.stderr[-3000:])
    done.check_returncode()
    result = json.loads(done.stdout.strip().splitlines()[-1])
    result["load_average"] = [round(load_before, 2), round(os.getloadavg()[0], 2)]
    result["measured_at"] = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    return result


def print_result(key: str, result: dict) -> None:
    print(f"\n{key}: {result['translations']} published translations, "
          f"{result['postings']} postings, {result['vocabulary']} terms, "
          f"load {result['load_seconds']:.0f}s, load average {result['load_average']}")
    print(f"{'language':<10}{'p50 ms':>9}{'p95 ms':>9}{'cpu p50':>9}{'cpu p95':>9}"
          f"{'hits avg':>10}{'read avg':>10}{'matches avg':>13}")
    for lang, row in [*result["languages"].items(), ("all", result["all"])]:
        print(f"{lang:<10}{row['p50_ms']:>9.1f}{row['p95_ms']:>9.1f}{row['cpu_p50_ms']:>9.1f}"
              f"{row['cpu_p95_ms']:>9.1f}{row.get('hits_avg', float('nan')):>10.1f}"
              f"{row['postings_read_avg']:>10.0f}{row['matches_avg']:>13.0f}")
    print(f"bounded scan == scoring every match: {result['verified']}")


# --- child: runs inside one configured database --------------------------------------------


def _words_of(lang: str) -> list[str]:
    """The real words of the text shipped in this language, in reading order."""
    import csv

    from storedesk.helpcenter.demo import CONTENT
    from storedesk.helpcenter.markdown import plain_text
    from storedesk.helpcenter.text import WORD, _thai_words

    texts = [plain_text(path.read_text(encoding="utf-8").split("---", 2)[2])
             for path in sorted((CONTENT / lang).glob("*.md"))]
    examples = ROOT / "storedesk" / "assistant" / "nlu" / "data" / "examples" / f"{lang}.csv"
    if examples.exists():
        with examples.open(encoding="utf-8") as f:
            texts += [row["text"] for row in csv.DictReader(f)]
    catalog = ROOT / "storedesk" / "locale" / lang / "LC_MESSAGES" / "django.po"
    if catalog.exists():
        key = "msgstr" if lang != "en" else "msgid"
        texts += [line.split('"', 1)[1].rstrip('"') for line in
                  catalog.read_text(encoding="utf-8").splitlines() if line.startswith(key)]
    else:  # English: the msgids of any catalog
        po = ROOT / "storedesk" / "locale" / "pl" / "LC_MESSAGES" / "django.po"
        texts += [line.split('"', 1)[1].rstrip('"') for line in
                  po.read_text(encoding="utf-8").splitlines() if line.startswith("msgid")]
    found: list[str] = []
    for text in texts:
        for token in WORD.findall(text):
            if lang == "th":
                found.extend(w for w in _thai_words(token) if w.strip() and not w.isascii())
            elif not token.isdigit() and "_" not in token and "%" not in token:
                found.append(token)
    return [w for w in found if len(w) > 1]


def vocabulary(corpus: str = "worst") -> dict[str, list[str]]:
    """`worst`: the demo help center's words, as often as they occur there (draw uniformly).
    `zipf`: ZIPF_WORDS distinct words ranked for Zipf's law (draw with weight 1/rank)."""
    from storedesk.helpcenter.demo import CONTENT
    from storedesk.helpcenter.markdown import plain_text
    from storedesk.helpcenter.text import _thai_words

    words: dict[str, list[str]] = {}
    for lang in LANGUAGES:
        if corpus == "zipf":
            words[lang] = zipf_words(lang)
            continue
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


def zipf_words(lang: str) -> list[str]:
    from collections import Counter

    counts = Counter(_words_of(lang))
    folded: set[str] = set()
    ranked = []
    for word, _ in counts.most_common():
        if word.lower() not in folded:
            folded.add(word.lower())
            ranked.append(word)
    rng = random.Random(f"zipf-{lang}")
    if lang == "th":
        from pythainlp.corpus import thai_words

        extra = sorted(w for w in thai_words() if w not in folded and " " not in w)
        rng.shuffle(extra)
        ranked += extra[: ZIPF_WORDS - len(ranked)]
    else:
        stock = [w.lower() for w in ranked if len(w) >= 4 and w.isalpha()]
        while len(ranked) < ZIPF_WORDS:  # pseudo-words: a real word's start + another's end
            a, b = rng.choice(stock), rng.choice(stock)
            word = a[: rng.randint(2, len(a) - 1)] + b[rng.randint(1, len(b) - 2):]
            if 3 <= len(word) <= 14 and word not in folded:
                folded.add(word)
                ranked.append(word)
    return ranked[:ZIPF_WORDS]


class Drawer:
    def __init__(self, words: list[str], corpus: str, rng: random.Random) -> None:
        self.words, self.rng = words, rng
        self.weights = ([1 / (r + 1) for r in range(len(words))] if corpus == "zipf"
                        else None)
        self.cumulative = list(itertools.accumulate(self.weights)) if self.weights else None

    def draw(self, n: int, skip: int = 0) -> list[str]:
        if self.cumulative is None:
            return [self.rng.choice(self.words) for _ in range(n)]
        lo = self.cumulative[skip - 1] if skip else 0.0
        out = []
        for _ in range(n):
            x = self.rng.uniform(lo, self.cumulative[-1])
            out.append(self.words[min(bisect.bisect_left(self.cumulative, x),
                                      len(self.words) - 1)])
        return out


def sentence(drawer: Drawer, n: int, lang: str) -> str:
    picked = drawer.draw(n)
    return "".join(picked) if lang == "th" else " ".join(picked)


def load(articles: int, corpus: str, rng: random.Random) -> tuple[Any, dict[str, Drawer]]:
    from collections import Counter

    from django.db import connection, transaction
    from django.utils import timezone

    from storedesk.accounts.actions import create_account
    from storedesk.commerce.models import Store
    from storedesk.helpcenter import search_index
    from storedesk.helpcenter.actions import ensure_help_center
    from storedesk.helpcenter.models import (
        Article,
        ArticleTranslation,
        SearchDoc,
        SearchScope,
        SearchTerm,
    )
    from storedesk.helpcenter.text import terms

    account = create_account("Bench", languages=LANGUAGES)
    store = Store.objects.create(account=account, slug="bench", name="Bench")
    hc = ensure_help_center(store)
    words = vocabulary(corpus)
    drawers = {lang: Drawer(words[lang], corpus, rng) for lang in LANGUAGES}
    now = timezone.now()
    batch = 1000
    term_ids: dict[tuple[str, str], int] = {}
    df: Counter[int] = Counter()
    pg = connection.vendor == "postgresql"
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
                    title = sentence(drawers[lang], rng.randint(3, 7), lang)
                    body = "\n\n".join(sentence(drawers[lang], rng.randint(15, 30), lang)
                                       for _ in range(rng.randint(3, 5)))
                    trs.append(ArticleTranslation(
                        account=account, article=article, language=lang, title=title[:200],
                        body=body, published_title=title[:200], published_body=body,
                        published_html=body, published_at=now, is_published=True))
                trs = ArticleTranslation.objects.bulk_create(trs)
                docs = []
                for tr, article in zip(trs, rows, strict=True):
                    docs.append(SearchDoc(
                        account=account, translation=tr, help_center=hc, language=lang,
                        internal=False, title_terms=" ".join(terms(tr.published_title)),
                        tag_terms=" ".join(terms(" ".join(article.tags))),
                        body_terms=" ".join(terms(tr.published_body)[:search_index.MAX_BODY_TERMS]),
                        plain=tr.published_body))
                docs = SearchDoc.objects.bulk_create(docs)
                weights = [search_index.doc_weights(d.title_terms, d.tag_terms, d.body_terms)
                           for d in docs]
                new = sorted({t for w in weights for t in w} - {t for (lg, t) in term_ids
                                                                  if lg == lang})
                for term in SearchTerm.objects.bulk_create(
                        [SearchTerm(help_center=hc, language=lang, term=t, first=t[0])
                         for t in new], batch_size=2000):
                    term_ids[(lang, term.term)] = term.pk
                postings = []
                for d, w in zip(docs, weights, strict=True):
                    for t, weight in w.items():
                        tid = term_ids[(lang, t)]
                        df[tid] += 1
                        postings.append((d.pk, tid, False, weight))
                with connection.cursor() as cursor:
                    if pg:
                        with cursor.cursor.copy(
                                "COPY helpcenter_searchposting (doc_id, term_id, internal, "
                                "weight) FROM STDIN") as copy:
                            for row in postings:
                                copy.write_row(row)
                    else:
                        cursor.executemany(
                            "INSERT INTO helpcenter_searchposting (doc_id, term_id, internal, "
                            "weight) VALUES (%s, %s, %s, %s)", postings)
        sys.stderr.write(f"{min(start + batch, articles)} articles\n")
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.executemany("UPDATE helpcenter_searchterm SET df_public = %s WHERE id = %s",
                           [(n, tid) for tid, n in df.items()])
        SearchScope.objects.bulk_create([SearchScope(help_center=hc, language=lang,
                                                     internal=False, docs=articles)
                                         for lang in LANGUAGES])
    with connection.cursor() as cursor:
        # PostgreSQL: also set the visibility map, as autovacuum does on a table in use (else
        # every index-only scan of the postings visits the heap as well)
        cursor.execute("VACUUM (ANALYZE)" if pg else "ANALYZE")
    return hc, drawers


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

    from storedesk.helpcenter import search as engine
    from storedesk.helpcenter.models import HelpCenter, SearchDoc, SearchPosting, SearchTerm

    call_command("migrate", verbosity=0)
    rng = random.Random(args.seed)
    started = time.perf_counter()
    kept = HelpCenter.objects.filter(store__slug="bench").first()
    if kept is not None:  # --keep: the database of an earlier run
        hc = kept
        words = vocabulary(args.corpus)
        drawers = {lang: Drawer(words[lang], args.corpus, rng) for lang in LANGUAGES}
    else:
        hc, drawers = load(args.articles, args.corpus, rng)
    load_seconds = time.perf_counter() - started
    result: dict = {"vendor": connection.vendor, "corpus": args.corpus,
                    "articles": args.articles,
                    "translations": SearchDoc.objects.count(),
                    "postings": SearchPosting.objects.count(),
                    "vocabulary": SearchTerm.objects.count(),
                    "load_seconds": round(load_seconds, 1), "languages": {}}
    every_wall, every_cpu, every_read, every_matches = [], [], [], []
    checked = same = 0
    skip = 20 if args.corpus == "zipf" else 0
    for lang in LANGUAGES:
        queries = []
        for n in range(args.queries):
            picked = drawers[lang].draw(rng.randint(1, 3), skip=skip)
            if n % 4 == 0:
                picked = [typo(rng, w) for w in picked]
            queries.append(" ".join(picked))
        for q in queries[:5]:  # warm-up (tokenizer, caches, plans)
            engine.search(hc, lang, q)
        wall, cpu, hits = [], [], []
        for q in queries:
            w0, c0 = time.perf_counter(), time.process_time()
            found = engine.search(hc, lang, q)
            wall.append((time.perf_counter() - w0) * 1000)
            cpu.append((time.process_time() - c0) * 1000)
            hits.append(len(found))
        read, matches = [], []
        for q in queries:  # untimed: how far the scan read, and that it found the same
            prepared = engine._prepare(hc.pk, lang, q, False)
            stats: dict[str, int] = {}
            bounded = engine._candidates(prepared, stats) if prepared.groups else []
            exhaustive = engine._exhaustive_candidates(prepared)
            read.append(stats.get("read", 0))
            matches.append(sum(t.df_public for g in prepared.groups for t in g))
            checked += 1
            same += [d for d, _ in bounded] == [d for d, _ in exhaustive]
        every_wall += wall
        every_cpu += cpu
        every_read += read
        every_matches += matches
        result["languages"][lang] = summary(wall, cpu, read, matches) | {
            "hits_avg": round(statistics.mean(hits), 1), "example_query": queries[1]}
    result["all"] = summary(every_wall, every_cpu, every_read, every_matches)
    result["verified"] = f"{same}/{checked} queries"
    print(json.dumps(result, ensure_ascii=False))


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return round(ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))], 2)


def summary(wall: list[float], cpu: list[float], read: list[int], matches: list[int]) -> dict:
    return {"queries": len(wall), "p50_ms": pct(wall, 50), "p95_ms": pct(wall, 95),
            "max_ms": round(max(wall), 2), "cpu_p50_ms": pct(cpu, 50),
            "cpu_p95_ms": pct(cpu, 95), "postings_read_avg": round(statistics.mean(read), 1),
            "matches_avg": round(statistics.mean(matches), 1)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backend", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--corpus", choices=["zipf", "worst", "both"], default="both")
    parser.add_argument("--articles", type=int, default=10_000)
    parser.add_argument("--queries", type=int, default=60)
    parser.add_argument("--seed", type=int, default=12)
    parser.add_argument("--keep", action="store_true",
                        help=f"keep the database afterwards and reuse it when it is there "
                        f"(PostgreSQL: {PG_DB}_<corpus>; SQLite: <tmp>/{PG_DB}_sqlite_<corpus>)")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args)
    else:
        parent(args)


if __name__ == "__main__":
    main()
