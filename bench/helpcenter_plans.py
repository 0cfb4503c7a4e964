"""Which candidate plan is cheaper, by how many postings a query's terms have: PostgreSQL server
CPU and this process's CPU per query for scoring every match (`search._exhaustive_candidates`)
and the bounded scan (`search._candidates`), one-word and several-word queries apart. What
`search.EXHAUSTIVE_UP_TO` / `EXHAUSTIVE_MANY_WORDS_UP_TO` are set from.

    .venv/bin/python bench/helpcenter.py --backend postgres --corpus both --keep  # the databases
    .venv/bin/python bench/helpcenter_plans.py [--corpus zipf|worst] [--queries 60] [--reps 5]

Runs on the kept database `storedesk_bench_helpcenter_<corpus>` (the server must be on this
machine: its CPU is read from /proc/<pid>/stat, in 10 ms ticks, hence the repetitions). Each
query's two plans are also checked to return the same candidates.
"""

from __future__ import annotations

import argparse
import os
import random
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BUCKETS = [(0, 2000), (2000, 5000), (5000, 10000), (10000, 20000), (20000, 10**9)]


def child(corpus: str, queries_n: int, reps: int) -> None:
    sys.path[:0] = [str(ROOT), str(ROOT / "bench")]
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    import helpcenter as bench  # bench/helpcenter.py: the same generated vocabulary
    from django.db import connection

    from storedesk.helpcenter import search
    from storedesk.helpcenter.models import HelpCenter

    hc = HelpCenter.objects.get(store__slug="bench")
    words = bench.vocabulary(corpus)
    rng = random.Random(11)
    skip = 20 if corpus == "zipf" else 0
    queries = []
    for lang in bench.LANGUAGES:
        drawer = bench.Drawer(words[lang], corpus, rng)
        queries += [(lang, " ".join(drawer.draw(rng.randint(1, 3), skip=skip)))
                    for _ in range(queries_n // len(bench.LANGUAGES))]
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        pid = cursor.fetchone()[0]

    def server() -> float:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def measure(run: Callable[[], object]) -> tuple[float, float]:
        s0, c0 = server(), time.process_time()
        for _ in range(reps):
            run()
        return (server() - s0) / reps * 1000, (time.process_time() - c0) / reps * 1000

    rows = []
    for lang, text in queries:
        q = search._prepare(hc.pk, lang, text, False)
        if not q.groups:
            continue
        assert search._exhaustive_candidates(q) == search._candidates(q), text  # noqa: S101
        rows.append({"query": text, "words": len(q.groups),
                     "matching": sum(t.df_public for g in q.groups for t in g),
                     "every": measure(lambda q=q: search._exhaustive_candidates(q)),
                     "bounded": measure(lambda q=q: search._candidates(q))})
    print(f"{corpus}: {len(rows)} queries x {reps}, load average {os.getloadavg()[0]:.1f}")
    print(f"{'words':<7}{'matching postings':<20}{'n':>4}  {'every match: server + own CPU':>30}"
          f"  {'bounded scan: server + own CPU':>30}")
    for several in (False, True):
        for lo, hi in BUCKETS:
            part = [r for r in rows if (r["words"] > 1) == several and lo <= r["matching"] < hi]
            if not part:
                continue

            def avg(plan: str, i: int, part: list = part) -> float:
                return sum(r[plan][i] for r in part) / len(part)

            span = f"{lo:,}-{hi:,}" if hi < 10**9 else f"{lo:,}+"
            print(f"{'2-3' if several else '1':<7}{span:<20}{len(part):>4}  "
                  f"{avg('every', 0):>15.1f} + {avg('every', 1):>5.1f} ms"
                  f"  {avg('bounded', 0):>15.1f} + {avg('bounded', 1):>5.1f} ms")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", choices=["zipf", "worst"], default="zipf")
    parser.add_argument("--queries", type=int, default=60)
    parser.add_argument("--reps", type=int, default=5)
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.corpus, args.queries, args.reps)
        return
    sys.path.insert(0, str(ROOT / "bench"))
    import helpcenter as bench

    env = dict(os.environ, DATABASE_URL=bench.pg_url(f"{bench.PG_DB}_{args.corpus}"))
    env.pop("REDIS_URL", None)
    subprocess.run([sys.executable, __file__, "--child", "--corpus", args.corpus,
                    "--queries", str(args.queries), "--reps", str(args.reps)],
                   env=env, check=True)


if __name__ == "__main__":
    main()
