"""Ingest CPU per message, in one process: the figure that survives a busy shared machine.

    .venv/bin/python bench/ingest_cpu.py [--messages 300] [--rounds 5] [--output FILE]

Throughput on a 2-core machine shared with other work is dominated by the scheduler; the CPU
time the ingest path itself spends is much steadier. This runs the same request as
bench/ingest.py (POST /api/v1/inboxes/{id}/messages through django.test.Client: middleware,
auth, Ninja, receive_message) on a fresh SQLite database in a temp dir, and reports the
process CPU time (time.process_time) per message, the median of `--rounds` rounds of
`--messages` each, after 100 warm-up posts. BENCH_SETTINGS_MODULE selects another settings
module (bench.settings_subscribed: a subscriber on message.received). Writes JSON to --output
(default bench/results/ingest_cpu.json).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

CODE = r"""
import json, statistics, sys, time, django
django.setup()
from django.core.management import call_command
call_command("migrate", verbosity=0)
from django.test import Client
from storedesk.accounts.actions import add_member, create_account, create_api_token
from storedesk.accounts.models import Role
from storedesk.inbox.models import Inbox
account = create_account("Bench Store", languages=["en"])
owner = add_member(account, "bench@example.com", role=Role.OWNER, name="Bench Owner")
inbox = Inbox.objects.create(account=account, name="Bench API", channel="api")
try:
    from storedesk.connectors.actions import create_integration_key
except ImportError:
    _, token = create_api_token(owner, name="bench")
else:
    _, token = create_integration_key(inbox, name="bench")
client = Client(headers={"Authorization": "Bearer " + token})
url = f"/api/v1/inboxes/{inbox.pk}/messages"
n_messages, rounds, mode, concurrency = (int(sys.argv[1]), int(sys.argv[2]), sys.argv[3],
                                        int(sys.argv[4]))
counter = 0
def body():
    global counter
    counter += 1
    shopper = counter % 500
    return {"source_id": f"cust-{shopper}", "name": f"Shopper {shopper}",
            "email": f"shopper{shopper}@example.com", "text": f"Where is order {counter}?",
            "message_id": f"m-{counter}"}
def post():
    r = client.post(url, json.dumps(body()), content_type="application/json")
    assert r.status_code in (200, 201), r.content
if mode == "asgi":
    # The served application (config.asgi: the live route in front of Django) called the way
    # uvicorn calls it, `concurrency` requests in flight, without sockets or HTTP parsing.
    import asyncio
    from config.asgi import application
    headers = [(b"host", b"127.0.0.1"), (b"content-type", b"application/json"),
               (b"authorization", ("Bearer " + token).encode())]
    async def one():
        payload = json.dumps(body()).encode()
        scope = {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1",
                 "method": "POST", "scheme": "http", "path": url, "raw_path": url.encode(),
                 "query_string": b"", "root_path": "", "client": ("127.0.0.1", 5000),
                 "server": ("127.0.0.1", 8000),
                 "headers": headers + [(b"content-length", str(len(payload)).encode())]}
        sent = False
        async def receive():
            nonlocal sent
            if not sent:
                sent = True
                return {"type": "http.request", "body": payload, "more_body": False}
            await asyncio.sleep(3600)
        status = []
        async def send(message):
            if message["type"] == "http.response.start":
                status.append(message["status"])
        await application(scope, receive, send)
        assert status and status[0] in (200, 201), status
    async def run(n):
        queue = iter(range(n))
        async def worker():
            for _ in queue:
                await one()
        await asyncio.gather(*(worker() for _ in range(concurrency)))
    def batch(n):
        asyncio.run(run(n))
else:
    def batch(n):
        for _ in range(n):
            post()
batch(100)
per_round = []
for _ in range(rounds):
    t0 = time.process_time()
    batch(n_messages)
    per_round.append(1000 * (time.process_time() - t0) / n_messages)
print(json.dumps({"cpu_ms_per_message": per_round,
                  "median": round(statistics.median(per_round), 3)}))
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--messages", type=int, default=300)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--mode", choices=["django", "asgi"], default="django",
                        help="django: django.test.Client (Django + Ninja, one request at a "
                             "time); asgi: the served ASGI application (live route), "
                             "--concurrency requests in flight")
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--backend", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--output", default=str(ROOT / "bench" / "results" / "ingest_cpu.json"))
    args = parser.parse_args()
    data_dir = tempfile.mkdtemp(prefix="storedesk-bench-cpu-")
    env = {k: v for k, v in os.environ.items()
           if k not in ("DATABASE_URL", "REDIS_URL", "PYTEST_VERSION", "STOREDESK_TESTING")}
    env.update({
        "DJANGO_SETTINGS_MODULE": os.environ.get("BENCH_SETTINGS_MODULE", "config.settings"),
        "STOREDESK_DATA_DIR": data_dir, "STOREDESK_SECRET_KEY": "bench-" + uuid.uuid4().hex,
        "STOREDESK_API_RATE_LIMIT": "100000000/m", "STOREDESK_LOG_LEVEL": "WARNING",
        "STOREDESK_QUEUE_NAME": "storedesk-bench-cpu", "PYTHONPATH": str(ROOT),
    })
    if args.backend == "postgres":
        sys.path.insert(0, str(ROOT / "bench"))
        from ingest import PG_BENCH_URL, REDIS_BENCH_URL, flush_redis_db, recreate_pg_database

        recreate_pg_database()
        flush_redis_db()
        env.update({"DATABASE_URL": PG_BENCH_URL, "REDIS_URL": REDIS_BENCH_URL})
    out = subprocess.run([sys.executable, "-c", CODE, str(args.messages), str(args.rounds),  # noqa: S603
                          args.mode, str(args.concurrency)],
                         env=env, cwd=ROOT, capture_output=True, text=True, check=False)
    if args.backend == "postgres":
        from ingest import drop_pg_database

        drop_pg_database()
    if out.returncode != 0:
        raise SystemExit(out.stderr[-3000:])
    result = json.loads(out.stdout.strip().splitlines()[-1])
    result.update({"when": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
                   "settings": env["DJANGO_SETTINGS_MODULE"], "messages": args.messages,
                   "rounds": args.rounds, "mode": args.mode, "backend": args.backend,
                   "concurrency": args.concurrency if args.mode == "asgi" else 1,
                   "load_average_1m": round(os.getloadavg()[0], 2),
                   "tree": str(ROOT)})
    Path(args.output).parent.mkdir(parents=True, exist_ok=True)
    Path(args.output).write_text(json.dumps(result, indent=2) + "\n")
    print(f"{result['median']:.2f} ms CPU per message (rounds: "
          f"{', '.join(f'{x:.2f}' for x in result['cpu_ms_per_message'])})")


if __name__ == "__main__":
    main()
