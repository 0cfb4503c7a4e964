"""Backend CPU per SQL statement during `storedesk import ...` on PostgreSQL (issue 15).

    DATABASE_URL=postgres://... DJANGO_SETTINGS_MODULE=config.settings PYTHONPATH=. \\
        .venv/bin/python bench/import_statements.py import jsonl FILE --inbox ID --json

Runs the import command in this process and reads the CPU time of its database backend from
/proc (PostgreSQL on this machine) before and after every statement: Django's statements
(an execute wrapper), the COPYs (psycopg's Cursor.copy, which Django does not see) and each
COMMIT (where the deferred foreign-key checks run). Prints the totals per statement (numbers
folded to N), the backend's and this process's CPU, to stderr. CPU time, unlike wall time,
holds on a loaded machine. A measuring tool, not a benchmark with tracked results.
"""

from __future__ import annotations

import os
import re
import sys
import time
from collections import defaultdict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import django

TOTAL: dict[str, float] = defaultdict(float)
COUNT: dict[str, int] = defaultdict(int)


def backend_cpu() -> float:
    from django.db import connection

    pid = connection.connection.info.backend_pid
    with open(f"/proc/{pid}/stat") as stat:
        fields = stat.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def add(sql: str, seconds: float) -> None:
    key = re.sub(r"\d+", "N", " ".join(sql.split())[:90])
    TOTAL[key] += seconds
    COUNT[key] += 1


def timed(execute: Callable[..., Any], sql: str, params: Any, many: bool, context: Any) -> Any:
    before = backend_cpu()
    result = execute(sql, params, many, context)
    add(sql, backend_cpu() - before)
    return result


def main() -> None:
    django.setup()
    import psycopg
    from django.db import connection
    from django.db.backends.base.base import BaseDatabaseWrapper

    from storedesk import cli

    copy = psycopg.Cursor.copy
    commit = BaseDatabaseWrapper._commit  # type: ignore[attr-defined]

    @contextmanager
    def timed_copy(self: Any, statement: Any, *args: Any, **kwargs: Any) -> Iterator[Any]:
        before = backend_cpu()
        with copy(self, statement, *args, **kwargs) as running:
            yield running
        add(str(statement), backend_cpu() - before)

    def timed_commit(self: Any) -> Any:
        before = backend_cpu()
        result = commit(self)
        add("COMMIT", backend_cpu() - before)
        return result

    psycopg.Cursor.copy = timed_copy  # type: ignore[method-assign,assignment]
    BaseDatabaseWrapper._commit = timed_commit  # type: ignore[attr-defined]
    connection.ensure_connection()
    start, started = backend_cpu(), time.process_time()
    with connection.execute_wrapper(timed):
        cli.main(sys.argv[1:])
    backend, process = backend_cpu() - start, time.process_time() - started
    out = sys.stderr
    print(f"backend CPU {backend:.2f} s, import process CPU {process:.2f} s; "
          f"load average {os.getloadavg()}", file=out)
    for key, seconds in sorted(TOTAL.items(), key=lambda kv: -kv[1])[:25]:
        print(f"{seconds:7.2f} s {COUNT[key]:6d}x  {key}", file=out)


if __name__ == "__main__":
    main()
