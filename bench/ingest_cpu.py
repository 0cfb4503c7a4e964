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
n_messages, rounds = int(sys.argv[1]), int(sys.argv[2])
counter = 0
def post():
    global counter
    counter += 1
    shopper = counter % 500
    body = {"source_id": f"cust-{shopper}", "name": f"Shopper {shopper}",
            "email": f"shopper{shopper}@example.com", "text": f"Where is order {counter}?",
            "message_id": f"m-{counter}"}
    r = client.post(url, json.dumps(body), content_type="application/json")
    assert r.status_code in (200, 201), r.content
for _ in range(100):
    post()
per_round = []
for _ in range(rounds):
    t0 = time.process_time()
    for _ in range(n_messages):
        post()
    per_round.append(1000 * (time.process_time() - t0) / n_messages)
print(json.dumps({"cpu_ms_per_message": per_round,
                  "median": round(statistics.median(per_round), 3)}))
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--messages", type=int, default=300)
    parser.add_argument("--rounds", type=int, default=5)
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
    out = subprocess.run([sys.executable, "-c", CODE, str(args.messages), str(args.rounds)],  # noqa: S603
                         env=env, cwd=ROOT, capture_output=True, text=True, check=False)
    if out.returncode != 0:
        raise SystemExit(out.stderr[-3000:])
    result = json.loads(out.stdout.strip().splitlines()[-1])
    result.update({"when": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
                   "settings": env["DJANGO_SETTINGS_MODULE"], "messages": args.messages,
                   "rounds": args.rounds, "load_average_1m": round(os.getloadavg()[0], 2),
                   "tree": str(ROOT)})
    Path(args.output).parent.mkdir(parents=True, exist_ok=True)
    Path(args.output).write_text(json.dumps(result, indent=2) + "\n")
    print(f"{result['median']:.2f} ms CPU per message (rounds: "
          f"{', '.join(f'{x:.2f}' for x in result['cpu_ms_per_message'])})")


if __name__ == "__main__":
    main()
