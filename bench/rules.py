"""Workflow overhead on ingest: inbound messages per second with 200 active automation rules
and 200 SLA policies, beside the same run with none.

    .venv/bin/python bench/rules.py [--messages 400] [--database-url postgres://...]

One process, a fresh database (SQLite in a temp data dir by default; with --database-url a
PostgreSQL database that is created and dropped here), the queue in immediate mode so every
message's subscribers (SLA clock, routing, rules, webhooks) run before the next message: each
figure is receive_message + all the follow-up work a worker would do, per message, end to end.
Messages come from a pool of 100 shoppers in five languages (so half open a conversation and
half join one). Prints a table (msg/s wall-clock; CPU ms and SQL statements per message of
the measuring process, steadier on a loaded machine) and writes bench/results/rules.json.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"

TEXTS = [
    ("en", "Hi, where is my order #{n}? It was supposed to arrive yesterday."),
    ("pl", "Dzień dobry, chciałbym zwrócić zamówienie {n}, rozmiar nie pasuje."),
    ("tr", "Merhaba, {n} numaralı siparişimi iptal etmek istiyorum."),
    ("id", "Halo, apakah saya bisa mengubah alamat pengiriman untuk pesanan {n}?"),
    ("th", "สวัสดีค่ะ ต้องการขอคืนเงินสำหรับคำสั่งซื้อ {n} ค่ะ"),
]

RUN_CODE = r"""
import json, sys, time
import django
django.setup()
from django.core.management import call_command
call_command("migrate", verbosity=0)
from storedesk.accounts.actions import create_account, create_team
from storedesk.inbox.models import Inbox
from storedesk.inbox.actions import InboundMessage, receive_message
from storedesk.workflow import sla
from storedesk.workflow.actions_rules import create_rule
from storedesk.workflow.actions_sla import PolicySpec, create_sla_policy
from storedesk.workflow.models import SlaPolicy
from storedesk.workflow.rules import RuleSpec

with_workflow = sys.argv[1] == "with"
count = int(sys.argv[2])
texts = json.loads(sys.argv[3])
account = create_account("Bench", languages=["en", "pl", "tr", "id", "th"])
inbox = Inbox.objects.create(account=account, name="Bench chat", channel="webchat")
sla.ensure_defaults(account.pk)
if with_workflow:
    team = create_team(account, "Poland")
    for i in range(200):
        # mostly rules that do not match (as in a real account), a few that do
        create_rule(account, RuleSpec(
            name=f"rule {i}", triggers=["message_received", "conversation_created"],
            conditions=[{"field": "text", "op": "contains", "value": f"keyword{i}, other{i}"},
                        {"field": "language", "op": "is", "value": "pl"}],
            match_all=i % 50 != 0,
            actions=[{"type": "add_tag", "value": f"t{i % 7}"},
                     {"type": "assign_team", "value": team.pk}]))
        create_sla_policy(account, PolicySpec(
            name=f"policy {i}", position=1000 + i, channels=["email"] if i % 2 else ["api"],
            priorities=["urgent"], first_response_minutes=30 + i, resolution_minutes=600))
else:
    SlaPolicy.objects.filter(account=account).delete()
from django.db import connection
statements = [0]
def counting(execute, sql, params, many, context):
    statements[0] += 1
    return execute(sql, params, many, context)
started, cpu_started = time.perf_counter(), time.process_time()
with connection.execute_wrapper(counting):
    for n in range(count):
        language, text = texts[n % len(texts)]
        receive_message(inbox, InboundMessage(
            sender_id=f"shopper-{n % 100}", text=text.format(n=n), source_id=f"m-{n}",
            metadata={"language": language}))
elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu_started
print(json.dumps({"messages": count, "seconds": elapsed, "per_second": count / elapsed,
                  "cpu_ms_per_message": cpu * 1000 / count,
                  "statements_per_message": statements[0] / count}))
"""


def run(mode: str, count: int, database_url: str | None) -> dict[str, float]:
    with tempfile.TemporaryDirectory() as data_dir:
        env = {**os.environ, "STOREDESK_DATA_DIR": data_dir, "STOREDESK_QUEUE_IMMEDIATE": "1",
               "DJANGO_SETTINGS_MODULE": "config.settings"}
        env.pop("REDIS_URL", None)
        if database_url:
            env["DATABASE_URL"] = database_url
        else:
            env.pop("DATABASE_URL", None)
        out = subprocess.run(  # noqa: S603 - our own interpreter and code
            [sys.executable, "-c", RUN_CODE, mode, str(count), json.dumps(TEXTS)],
            cwd=ROOT, env=env, capture_output=True, text=True, check=True)
        return json.loads(out.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]


def pg_database(admin_url: str, name: str, create: bool) -> None:
    import psycopg

    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        if create:
            conn.execute(f'CREATE DATABASE "{name}"')


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--messages", type=int, default=400)
    parser.add_argument("--database-url", default=None,
                        help="a PostgreSQL admin URL (…/postgres); a bench database is made")
    args = parser.parse_args()
    backend = "postgres" if args.database_url else "sqlite"
    figures = {}
    for mode in ("none", "with"):
        url = None
        if args.database_url:
            url = args.database_url.rsplit("/", 1)[0] + "/storedesk_bench_rules"
            pg_database(args.database_url, "storedesk_bench_rules", create=True)
        try:
            figures[mode] = run(mode, args.messages, url)
        finally:
            if args.database_url:
                pg_database(args.database_url, "storedesk_bench_rules", create=False)
    base, loaded = figures["none"]["per_second"], figures["with"]["per_second"]
    overhead = (base - loaded) / base * 100
    print(f"backend {backend}, {args.messages} messages, one process, subscribers inline")
    print(f"{'workflow':<32}{'msg/s':>10}{'CPU ms/msg':>12}{'SQL/msg':>10}")
    for label, mode in (("no rules, no SLA policies", "none"),
                        ("200 rules + 200 SLA policies", "with")):
        f = figures[mode]
        print(f"{label:<32}{f['per_second']:>10.1f}{f['cpu_ms_per_message']:>12.1f}"
              f"{f['statements_per_message']:>10.1f}")
    print(f"overhead: {overhead:.1f}% of throughput")
    RESULTS.mkdir(exist_ok=True)
    out = RESULTS / "rules.json"
    previous = json.loads(out.read_text()) if out.exists() else {}
    previous[backend] = {"messages": args.messages, "none": figures["none"],
                         "with_200_rules_and_policies": figures["with"],
                         "overhead_percent": round(overhead, 1),
                         "machine": f"{platform.machine()} {os.cpu_count()} cpus"}
    out.write_text(json.dumps(previous, indent=2) + "\n")


if __name__ == "__main__":
    main()
