"""Import benchmark: messages/s of `storedesk import jsonl` on SQLite and PostgreSQL.

    .venv/bin/python bench/import.py [--messages 3000000] [--backends sqlite,postgres]
                                     [--chunk 2000] [--profile-messages 60000]

Generates N messages of history in the JSONL format (storedesk/importers/sample.py: six
messages per conversation, five languages, a private note in each, 50,000 shoppers), then per
backend: a fresh database (SQLite in a temp STOREDESK_DATA_DIR; PostgreSQL in a database
`storedesk_bench_import`, created and dropped here; override with BENCH_IMPORT_PG_DB),
`migrate`, an account and an inbox, and `storedesk import jsonl FILE --inbox ID --json` in a
subprocess, timed end to end (process start and Django setup included). Beside it, the raw
PostgreSQL COPY rate of the same number of message-shaped rows, measured in the same run: into
a bare table (id + the same columns), and into a copy of `inbox_message` with all its indexes
(the trigram GIN index on the folded text included). With `--profile-messages M` (default
60,000; 0 to skip) a second, smaller import per backend runs under cProfile and the top
functions go to bench/results/import_profile_<backend>.txt. Results: bench/results/import.json.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import platform
import pstats
import resource
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
RESULTS = ROOT / "bench" / "results"
PYTHON = sys.executable
PG_ADMIN_URL = os.environ.get("BENCH_PG_ADMIN_URL", "postgres://postgres@127.0.0.1:5432/postgres")
PG_DB = os.environ.get("BENCH_IMPORT_PG_DB", "storedesk_bench_import")
PG_URL = PG_ADMIN_URL.rsplit("/", 1)[0] + "/" + PG_DB

SETUP = r"""
import json, django
django.setup()
from django.core.management import call_command
call_command("migrate", verbosity=0)
from storedesk.accounts.actions import add_member, create_account
from storedesk.accounts.models import Role
from storedesk.inbox.models import Inbox
account = create_account("Bench Import", languages=["en", "pl", "tr", "id", "th"])
add_member(account, "bench@example.com", role=Role.OWNER, name="Bench Owner")
inboxes = [Inbox.objects.create(account=account, name=f"History {n}", channel="email").pk
           for n in range(2)]
print(json.dumps({"inboxes": inboxes}))
"""

# The import command, and then (PostgreSQL on this machine) the CPU seconds its database
# backend used, read from /proc: the server's share of the work, whatever the load.
CHILD = r"""
import json, os, sys
from storedesk import cli
code = cli.main(sys.argv[1:])
from django.db import connection
cpu = None
if connection.vendor == "postgresql" and connection.connection is not None:
    try:
        with open(f"/proc/{connection.connection.info.backend_pid}/stat") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
        cpu = (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except OSError:
        pass
with open(os.environ["BENCH_SERVER_CPU_FILE"], "w") as out:
    json.dump({"server_cpu_seconds": cpu}, out)
sys.exit(code)
"""

COUNTS = r"""
import json, django
django.setup()
from storedesk.inbox.models import Conversation, Message
from storedesk.contacts.models import Contact
print(json.dumps({"conversations": Conversation.objects.count(),
                  "messages": Message.objects.count(), "contacts": Contact.objects.count()}))
"""


def backend_env(backend: str, data_dir: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL")}
    env.update({
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "STOREDESK_DATA_DIR": str(data_dir),
        "STOREDESK_SECRET_KEY": "bench-" + uuid.uuid4().hex,
        "STOREDESK_LOG_LEVEL": "WARNING",
        "PYTHONPATH": str(ROOT),
    })
    env.pop("PYTEST_VERSION", None)
    if backend == "postgres":
        env["DATABASE_URL"] = PG_URL
    return env


def recreate_pg() -> None:
    import psycopg

    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {PG_DB} WITH (FORCE)")
        conn.execute(f"CREATE DATABASE {PG_DB}")


def drop_pg() -> None:
    import psycopg

    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {PG_DB} WITH (FORCE)")


def run_python(code: str, env: dict[str, str]) -> dict[str, Any]:
    out = subprocess.run([PYTHON, "-c", code], env=env, cwd=ROOT, check=True,  # noqa: S603
                         capture_output=True, text=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def timed_import(env: dict[str, str], export: Path, inbox: int, chunk: int,
                 profile: Path | None = None) -> dict[str, Any]:
    child = export.parent / "import_child.py"
    child.write_text(CHILD)
    server_file = export.parent / "server_cpu.json"
    command = [PYTHON]
    if profile is not None:
        command += ["-m", "cProfile", "-o", str(profile)]
    command += [str(child), "import", "jsonl", str(export), "--inbox", str(inbox),
                "--chunk", str(chunk), "--json"]
    cpu_before = children_cpu()
    started = time.perf_counter()
    done = subprocess.run(command, env={**env, "BENCH_SERVER_CPU_FILE": str(server_file)},  # noqa: S603
                          cwd=ROOT, capture_output=True, text=True)
    wall = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(f"import failed:\n{done.stderr[-3000:]}")
    summary = json.loads(done.stdout.strip().splitlines()[-1])
    client_cpu = children_cpu() - cpu_before
    server_cpu = json.loads(server_file.read_text())["server_cpu_seconds"]
    summary.update({"wall_seconds": round(wall, 2),
                    "process_cpu_seconds": round(client_cpu, 2),
                    "server_backend_cpu_seconds": server_cpu,
                    "messages_per_second_wall": round(summary["messages"] / wall, 1),
                    "load_average_after": os.getloadavg()})
    if summary["messages"]:
        summary["cpu_microseconds_per_message"] = {
            "import_process": round(client_cpu / summary["messages"] * 1e6, 1),
            "database_backend": (round(server_cpu / summary["messages"] * 1e6, 1)
                                 if server_cpu is not None else None)}
    return summary


def profile_text(path: Path, label: str) -> str:
    buffer = io.StringIO()
    stats = pstats.Stats(str(path), stream=buffer)
    stats.sort_stats("tottime").print_stats(30)
    stats.sort_stats("cumulative").print_stats(40)
    return f"# {label}\n" + buffer.getvalue()


def raw_copy_rates(messages: int) -> dict[str, float]:
    """COPY of `messages` message-shaped rows: into a bare table, and into a copy of
    inbox_message with its indexes (run after the import, on the same database)."""
    import psycopg

    from storedesk.importers import sample

    rows = []
    for conversation in sample.conversations(messages):
        for m in conversation["messages"]:
            rows.append((m["text"], m["text"].lower(), m["created_at"], m["id"]))
    results: dict[str, float] = {}
    with psycopg.connect(PG_URL, autocommit=True) as conn:
        conn.execute("DROP TABLE IF EXISTS bench_copy_bare, bench_copy_indexed")
        conn.execute("CREATE TABLE bench_copy_bare (id bigserial PRIMARY KEY, text text, "
                     "search_text text, created_at timestamptz, source_id varchar(255), "
                     "metadata jsonb)")
        conn.execute("CREATE TABLE bench_copy_indexed "
                     "(LIKE inbox_message INCLUDING DEFAULTS INCLUDING INDEXES)")
        for table in ("bench_copy_bare", "bench_copy_indexed"):
            started = time.perf_counter()
            with conn.transaction(), conn.cursor() as cursor:
                if table == "bench_copy_bare":
                    sql = (f"COPY {table} (text, search_text, created_at, source_id, metadata) "
                           "FROM STDIN")
                    with cursor.copy(sql) as copy:
                        for text, folded, at, source_id in rows:
                            copy.write_row((text, folded, at, source_id, "{}"))
                else:
                    account_id, conversation_id, inbox_id = (
                        conn.execute("SELECT account_id, conversation_id, inbox_id "
                                     "FROM inbox_message LIMIT 1").fetchone())
                    cursor.execute("SELECT nextval(pg_get_serial_sequence('inbox_message', "
                                   "'id')) FROM generate_series(1, %s)", [len(rows)])
                    ids = [r[0] for r in cursor.fetchall()]
                    sql = ("COPY bench_copy_indexed (id, created_at, updated_at, account_id, "
                           "conversation_id, inbox_id, direction, sender_type, text, "
                           "search_text, html, private, source_id, delivery_status, "
                           "delivery_error, metadata, content_type, content) FROM STDIN")
                    with cursor.copy(sql) as copy:
                        for new_id, (text, folded, at, source_id) in zip(ids, rows, strict=True):
                            copy.write_row((new_id, at, at, account_id, conversation_id,
                                            inbox_id, "incoming", "contact", text, folded,
                                            None, False, "raw:" + source_id, "received", "",
                                            "{}", "text", "{}"))
            results[table] = round(len(rows) / (time.perf_counter() - started), 1)
        conn.execute("DROP TABLE bench_copy_bare, bench_copy_indexed")
    return {"raw_copy_bare_rows_per_second": results["bench_copy_bare"],
            "raw_copy_like_inbox_message_rows_per_second": results["bench_copy_indexed"]}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--messages", type=int, default=3_000_000)
    parser.add_argument("--backends", default="sqlite,postgres")
    parser.add_argument("--chunk", type=int, default=2000)
    parser.add_argument("--profile-messages", type=int, default=60_000)
    parser.add_argument("--raw-copy-messages", type=int, default=200_000,
                        help="rows of the raw COPY comparison (capped: it is a rate)")
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    from storedesk.importers import sample

    RESULTS.mkdir(parents=True, exist_ok=True)
    report: dict[str, Any] = {
        "messages": args.messages, "chunk": args.chunk,
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version(),
                    "load_average_before": os.getloadavg()},
        "started": time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime()),
        "backends": {},
    }
    with tempfile.TemporaryDirectory(prefix="storedesk-bench-import-") as tmp:
        export = Path(tmp) / "history.jsonl"
        started = time.perf_counter()
        with export.open("w") as out:
            conversations = sample.write(out, args.messages)
        report["generate_seconds"] = round(time.perf_counter() - started, 2)
        report["conversations"] = conversations
        report["export_bytes"] = export.stat().st_size
        small = Path(tmp) / "small.jsonl"
        if args.profile_messages:
            with small.open("w") as out:
                sample.write(out, args.profile_messages)
        print(f"generated {args.messages:,} messages in {conversations:,} conversations "
              f"({export.stat().st_size / 1e6:.0f} MB) in {report['generate_seconds']} s",
              flush=True)
        for backend in [b.strip() for b in args.backends.split(",") if b.strip()]:
            data_dir = Path(tmp) / f"data-{backend}"
            data_dir.mkdir()
            env = backend_env(backend, data_dir)
            if backend == "postgres":
                recreate_pg()
            try:
                setup = run_python(SETUP, env)
                result = timed_import(env, export, setup["inboxes"][0], args.chunk)
                result["stored"] = run_python(COUNTS, env)
                if backend == "postgres":
                    result.update(raw_copy_rates(min(args.messages, args.raw_copy_messages)))
                if args.profile_messages:
                    prof = Path(tmp) / f"{backend}.prof"
                    profiled = timed_import(env, small, setup["inboxes"][1], args.chunk, prof)
                    result["profiled_messages_per_second_wall"] = \
                        profiled["messages_per_second_wall"]
                    (RESULTS / f"import_profile_{backend}.txt").write_text(profile_text(
                        prof, f"{backend}: {args.profile_messages:,} messages under cProfile"))
            finally:
                if backend == "postgres":
                    drop_pg()
            report["backends"][backend] = result
            line = (f"{backend:>9}: {result['messages']:,} messages in "
                    f"{result['wall_seconds']:.1f} s = {result['messages_per_second_wall']:,.0f}"
                    f" msg/s (import's own clock {result['messages_per_second']:,.0f} msg/s; "
                    f"CPU {result['process_cpu_seconds']:.1f} s import process, "
                    f"{result['server_backend_cpu_seconds'] or 0:.1f} s database backend)")
            if backend == "postgres":
                line += (f"; raw COPY {result['raw_copy_bare_rows_per_second']:,.0f} rows/s "
                         f"bare, {result['raw_copy_like_inbox_message_rows_per_second']:,.0f} "
                         "rows/s into inbox_message's indexes")
            print(line, flush=True)
    report["machine"]["load_average_after"] = os.getloadavg()
    (RESULTS / "import.json").write_text(json.dumps(report, indent=2))
    print(f"load average before {report['machine']['load_average_before']}, after "
          f"{report['machine']['load_average_after']}; results in bench/results/import.json")
    return 0


if __name__ == "__main__":
    sys.exit(main())
