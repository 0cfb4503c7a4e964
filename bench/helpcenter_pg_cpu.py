"""PostgreSQL server CPU per help-center candidate query, read from the backend's /proc stat:
the figure that survives a busy machine (wall-clock latency does not).

    .venv/bin/python bench/helpcenter.py --backend postgres --keep   # makes the database
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/storedesk_bench_helpcenter \\
        .venv/bin/python bench/helpcenter_pg_cpu.py

Runs 40 generated queries (8 per language) through the candidate query ranked by the full
`vector` and by the small `head` vector, twice each, then the plain match count. The server
must be on this machine (it reads /proc/<backend pid>/stat).
"""

from __future__ import annotations

import os
import random
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RANKED = ("SELECT id FROM helpcenter_searchdoc WHERE vector @@ %s::tsquery "
          "ORDER BY ts_rank({column}, %s::tsquery, 1) DESC, id LIMIT 50")
COUNT = "SELECT count(*) FROM helpcenter_searchdoc WHERE vector @@ %s::tsquery"


def main() -> None:
    sys.path[:0] = [str(ROOT), str(ROOT / "bench")]
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    import helpcenter as bench  # bench/helpcenter.py: the same generated vocabulary
    from django.db import connection

    from storedesk.helpcenter import search
    from storedesk.helpcenter.models import HelpCenter

    hc = HelpCenter.objects.get(store__slug="bench")
    words = bench.vocabulary()
    rng = random.Random(3)
    queries = []
    for lang in bench.LANGUAGES:
        for _ in range(8):
            text = " ".join(rng.choice(words[lang]) for _ in range(rng.randint(1, 3)))
            groups = search._expand(hc.pk, lang, text)
            alts = [a for group in groups for a in group]
            queries.append(search._match_query([search._scope(hc.pk, False, lang)], alts))
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        pid = cursor.fetchone()[0]

    def server_cpu() -> float:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def per_query(sql: str, two_params: bool) -> float:
        with connection.cursor() as cursor:
            start = server_cpu()
            for q in queries:
                cursor.execute(sql, [q, q] if two_params else [q])
                cursor.fetchall()
            return (server_cpu() - start) / len(queries) * 1000

    for column in ("vector", "head", "vector", "head"):
        ms = per_query(RANKED.format(column=column), True)
        print(f"candidates ranked by {column:<7} {ms:6.1f} ms server CPU per query")
    print(f"match count only            {per_query(COUNT, False):6.1f} ms server CPU per query")


if __name__ == "__main__":
    main()
