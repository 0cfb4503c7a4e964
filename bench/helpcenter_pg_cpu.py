"""PostgreSQL server CPU per help-center search, read from the backend's /proc stat: the figure
that survives a busy machine (wall-clock latency does not).

    .venv/bin/python bench/helpcenter.py --backend postgres --corpus both --keep  # the databases
    .venv/bin/python bench/helpcenter_pg_cpu.py [--corpus zipf|worst|both] [--queries 40]

For each kept database (`storedesk_bench_helpcenter_<corpus>`) it runs generated queries (the
same generator as bench/helpcenter.py, spread over the five languages) three ways, twice each:
the bounded candidate scan (`search._candidates`), scoring every match
(`search._exhaustive_candidates`, what a scan without early termination costs) and the whole
`search.search()`. It prints the server's CPU per query and, for search(), the benchmark
process's own CPU per query. The server must be on this machine (it reads /proc/<pid>/stat).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def child(corpus: str, queries_n: int) -> None:
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
    rng = random.Random(3)
    skip = 20 if corpus == "zipf" else 0
    queries = []
    for lang in bench.LANGUAGES:
        drawer = bench.Drawer(words[lang], corpus, rng)
        for _ in range(queries_n // len(bench.LANGUAGES)):
            queries.append((lang, " ".join(drawer.draw(rng.randint(1, 3), skip=skip))))
    prepared = [search._prepare(hc.pk, lang, text, False) for lang, text in queries]
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        pid = cursor.fetchone()[0]

    def server_cpu() -> float:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def per_query(run) -> tuple[float, float]:  # type: ignore[no-untyped-def]
        start, own = server_cpu(), time.process_time()
        for n in range(len(queries)):
            run(n)
        return ((server_cpu() - start) / len(queries) * 1000,
                (time.process_time() - own) / len(queries) * 1000)

    out: dict = {"corpus": corpus, "queries": len(queries),
                 "load_average": round(os.getloadavg()[0], 2)}
    for round_ in (1, 2):
        out[f"bounded_{round_}"] = per_query(lambda n: search._candidates(prepared[n]))
        out[f"exhaustive_{round_}"] = per_query(
            lambda n: search._exhaustive_candidates(prepared[n]))
        out[f"search_{round_}"] = per_query(lambda n: search.search(hc, *queries[n]))
    out["load_average_after"] = round(os.getloadavg()[0], 2)
    print(json.dumps(out))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", choices=["zipf", "worst", "both"], default="both")
    parser.add_argument("--queries", type=int, default=40)
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.corpus, args.queries)
        return
    sys.path.insert(0, str(ROOT / "bench"))
    import helpcenter as bench

    for corpus in ["zipf", "worst"] if args.corpus == "both" else [args.corpus]:
        env = dict(os.environ, DATABASE_URL=bench.pg_url(f"{bench.PG_DB}_{corpus}"))
        env.pop("REDIS_URL", None)
        done = subprocess.run([sys.executable, __file__, "--child", "--corpus", corpus,
                               "--queries", str(args.queries)], env=env, check=True,
                              capture_output=True, text=True)
        r = json.loads(done.stdout.strip().splitlines()[-1])
        print(f"\n{corpus}: {r['queries']} queries, load average {r['load_average']} -> "
              f"{r['load_average_after']}")
        print(f"{'':<34}{'server CPU ms/query':>22}{'bench process CPU ms':>22}")
        for what, label in (("bounded", "candidates, bounded scan"),
                            ("exhaustive", "candidates, every match scored"),
                            ("search", "search() end to end")):
            server = ", ".join(f"{r[f'{what}_{n}'][0]:.1f}" for n in (1, 2))
            own = ", ".join(f"{r[f'{what}_{n}'][1]:.1f}" for n in (1, 2))
            print(f"{label:<34}{server:>22}{own:>22}")


if __name__ == "__main__":
    main()
