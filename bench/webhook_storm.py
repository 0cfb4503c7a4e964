"""Webhook storm benchmark: provider events accepted per second, and the worker's drain rate.

    .venv/bin/python bench/webhook_storm.py [--seconds 10] [--connections 64] [--workers 2]
                                            [--backends sqlite,postgres] [--drainers 1,2]

Per backend: a fresh database (SQLite in a temp data dir; PostgreSQL in its own database,
`BENCH_STORM_PG_DB`, default `storedesk_bench_storm`, dropped at the end; Redis db from
`BENCH_STORM_REDIS_URL`, default db 4, with a queue name and cache prefix of this run only),
migrated, with one inbox of the test-only "pigeon" channel (Meta-style signed webhooks, the
only webhook channel the tree has; settings `storedesk.connectors.tests.fakechannel.
settings_pigeon`, the real subscriber table).

1. **Accept.** uvicorn (`config.asgi:application`, N processes) and a raw asyncio HTTP/1.1
   keep-alive load generator (pre-signed requests; one in ten is a repeat of an earlier event,
   a provider's retry) post for a fixed time. Reported: 202s per second, new events per second,
   latency percentiles, server CPU per request. Every stored row is counted afterwards.
2. **Drain.** The server stops; the stored backlog is drained by `connectors.drain.drain()` in
   1, then 2 worker processes (the task's loop, without the queue in front: the rate of the
   drain itself). Reported: messages per second (wall), CPU ms per message of the drain
   processes and (PostgreSQL) of their database backends, read from /proc.
   The backlog is re-opened between runs (messages deleted, events set pending).
3. **Ceilings** (PostgreSQL, same run): single-row autocommit INSERTs of the same row shape
   into a scratch table with the same unique key and ON CONFLICT, at the same concurrency, and
   COPY of the same rows; the accept and drain rates are reported as ratios of these.

Writes bench/results/webhook_storm.json. `bench/ingest.py --webhook-storm` runs it too.
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import hmac
import json
import os
import platform
import resource
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
PYTHON = sys.executable
PG_ADMIN_URL = os.environ.get("BENCH_PG_ADMIN_URL", "postgres://postgres@127.0.0.1:5432/postgres")
PG_DB = os.environ.get("BENCH_STORM_PG_DB", "storedesk_bench_storm")
PG_URL = PG_ADMIN_URL.rsplit("/", 1)[0] + "/" + PG_DB
REDIS_URL = os.environ.get("BENCH_STORM_REDIS_URL", "redis://127.0.0.1:6379/4")
SETTINGS = "storedesk.connectors.tests.fakechannel.settings_pigeon"
APP_SECRET = "bench-storm-" + secrets.token_hex(8)
WARMUP_SECONDS = 2.0
SHOPPERS = 500
TARGET_ACCEPT = 3000.0
TARGET_DRAIN = 1000.0
TEXTS = [
    "Hi, where is my order #{n}? It was supposed to arrive yesterday.",
    "Dzień dobry, chciałbym zwrócić zamówienie {n}, rozmiar nie pasuje.",
    "Merhaba, {n} numaralı siparişimi iptal etmek istiyorum.",
    "Halo, apakah saya bisa mengubah alamat pengiriman untuk pesanan {n}?",
    "สวัสดีค่ะ ต้องการขอคืนเงินสำหรับคำสั่งซื้อ {n} ค่ะ",
]

SETUP_CODE = r"""
import json, sys, django
django.setup()
from django.core.management import call_command
call_command("migrate", verbosity=0)
from storedesk.accounts.actions import create_account
from storedesk.connectors.secrets import seal
from storedesk.inbox.models import Inbox
account = create_account("Storm Store", languages=["en", "pl", "tr", "id", "th"])
inbox = Inbox.objects.create(account=account, name="Storm pigeon", channel="pigeon",
                             config={"loft_dir": sys.argv[2], "app_secret": seal(sys.argv[1])})
print(json.dumps({"inbox_id": inbox.pk}))
"""

DRAIN_CODE = r"""
import json, os, resource, sys, time, django
django.setup()
from django.db import connection
from storedesk.connectors import drain

def backend_cpu():
    # The PostgreSQL backend serving this process (same machine): its CPU from /proc.
    if connection.vendor != "postgresql":
        return 0.0
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        pid = cursor.fetchone()[0]
    fields = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

b0 = backend_cpu()
t0, c0 = time.perf_counter(), resource.getrusage(resource.RUSAGE_SELF)
report = drain.drain(seconds=3600)
t1, c1 = time.perf_counter(), resource.getrusage(resource.RUSAGE_SELF)
cpu = (c1.ru_utime - c0.ru_utime) + (c1.ru_stime - c0.ru_stime)
print(json.dumps({"seconds": t1 - t0, "cpu_seconds": cpu, "db_cpu_seconds": backend_cpu() - b0,
                  "events": report.events, "messages": report.messages,
                  "failed": report.failed, "batches": report.batches}))
"""

COUNT_CODE = r"""
import json, sys, django
django.setup()
from django.db import connection
from storedesk.connectors.models import InboundEvent
from storedesk.inbox.models import Message
from storedesk.events.models import Event
if sys.argv[1] == "reopen":
    # Re-open the backlog for the next drain run: the drain's own rows go, the events stay.
    from storedesk.contacts.models import Contact
    from storedesk.inbox.models import Conversation
    Event.objects.all().delete()
    Message.objects.all().delete()
    Conversation.objects.all().delete()
    Contact.objects.all().delete()
    InboundEvent.objects.update(status="pending", attempts=0, lease_until=None,
                                processed_at=None, error="")
statuses = {}
for status in ("pending", "processing", "done", "failed"):
    statuses[status] = InboundEvent.objects.filter(status=status).count()
print(json.dumps({"events": InboundEvent.objects.count(), "statuses": statuses,
                  "messages": Message.objects.count(),
                  "distinct_sources": Message.objects.values("source_id").distinct().count()}))
"""


# --- environment --------------------------------------------------------------------------


def backend_env(backend: str, data_dir: Path, run: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL")}
    env.update({
        "DJANGO_SETTINGS_MODULE": SETTINGS,
        "STOREDESK_DATA_DIR": str(data_dir),
        "STOREDESK_SECRET_KEY": "bench-" + run,
        "STOREDESK_LOG_LEVEL": "WARNING",
        "STOREDESK_QUEUE_NAME": "storedesk-storm-" + run,
        "STOREDESK_CACHE_PREFIX": "storedesk-storm-" + run,
        "STOREDESK_QUEUE_IMMEDIATE": "0",
        "PYTHONPATH": str(ROOT),
    })
    env.pop("PYTEST_VERSION", None)
    env.pop("STOREDESK_TESTING", None)
    if backend == "postgres":
        env["DATABASE_URL"] = PG_URL
        env["REDIS_URL"] = REDIS_URL
    return env


def pg_admin(sql: str) -> None:
    import psycopg

    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
        conn.execute(sql)


def forget_redis_keys(run: str) -> None:
    import redis

    client = redis.Redis.from_url(REDIS_URL)
    for key in client.scan_iter(match=f"*storedesk-storm-{run}*", count=1000):
        client.delete(key)


def run_code(code: str, env: dict[str, str], *args: str) -> dict[str, Any]:
    out = subprocess.run([PYTHON, "-c", code, *args], env=env, cwd=ROOT, capture_output=True,
                         text=True, check=False)
    if out.returncode != 0:
        raise SystemExit(f"bench step failed:\n{out.stderr[-3000:]}")
    return dict(json.loads(out.stdout.strip().splitlines()[-1]))


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start_server(env: dict[str, str], workers: int, port: int) -> subprocess.Popen[bytes]:
    cmd = [PYTHON, "-m", "uvicorn", "config.asgi:application", "--host", "127.0.0.1",
           "--port", str(port), "--workers", str(workers), "--no-access-log",
           "--log-level", "warning", "--lifespan", "off"]
    return subprocess.Popen(cmd, env=env, cwd=ROOT, start_new_session=True)


def wait_ready(port: int, proc: subprocess.Popen[bytes], timeout: float = 90.0) -> None:
    import httpx

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit("uvicorn exited during start-up")
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise SystemExit("uvicorn did not become ready")


def stop_server(proc: subprocess.Popen[bytes]) -> None:
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def tree_cpu_seconds(proc: subprocess.Popen[bytes]) -> float:
    """User+system CPU of a process and its direct children (from /proc)."""
    total = 0.0
    tick = os.sysconf("SC_CLK_TCK")
    pids = [proc.pid]
    try:
        children = Path(f"/proc/{proc.pid}/task/{proc.pid}/children").read_text().split()
        pids += [int(c) for c in children]
    except OSError:
        pass
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / tick
        except OSError:
            continue
    return total


# --- accept ---------------------------------------------------------------------------------


def event_body(n: int) -> bytes:
    shopper = n % SHOPPERS
    return json.dumps({
        "id": f"storm-{n}", "type": "message", "from": f"wa-{shopper}",
        "name": f"Shopper {shopper}", "text": TEXTS[n % len(TEXTS)].format(n=n),
    }).encode()


def signed_request(inbox_id: int, body: bytes) -> bytes:
    digest = hmac.new(APP_SECRET.encode(), body, hashlib.sha256).hexdigest()
    head = (f"POST /hooks/pigeon/{inbox_id}/ HTTP/1.1\r\nHost: 127.0.0.1\r\n"
            f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n"
            f"X-Pigeon-Signature: sha256={digest}\r\n\r\n")
    return head.encode() + body


class Stream:
    """Pre-signed requests: new events, and every 10th request a repeat of an earlier one."""

    def __init__(self, inbox_id: int, size: int) -> None:
        self.requests = [signed_request(inbox_id, event_body(n)) for n in range(size)]
        self.next_new = 0
        self.sent = 0

    def take(self) -> tuple[bytes, bool]:
        """The next request, and whether it carries a new event."""
        self.sent += 1
        if self.sent % 10 == 0 and self.next_new > 0:
            return self.requests[(self.sent * 7919) % self.next_new], False
        if self.next_new >= len(self.requests):
            # past the pre-signed events: send repeats rather than count a repeat as new
            return self.requests[self.sent % len(self.requests)], False
        request = self.requests[self.next_new]
        self.next_new += 1
        return request, True


async def warm_up(port: int, inbox_id: int, connections: int, rounds: int = 5) -> None:
    """Every server process pays its first-request costs (imports, connections) here."""

    async def one(c: int) -> None:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        try:
            for r in range(rounds):
                body = json.dumps({"id": f"warm-{c}-{r}", "type": "message", "from": "warm",
                                   "text": "warm-up"}).encode()
                writer.write(signed_request(inbox_id, body))
                head = await reader.readuntil(b"\r\n\r\n")
                length = next((int(line.split(b":", 1)[1]) for line in head.split(b"\r\n")
                               if line.lower().startswith(b"content-length:")), 0)
                await reader.readexactly(length)
        finally:
            writer.close()

    await asyncio.gather(*(one(c) for c in range(connections)))


async def fire(port: int, stream: Stream, connections: int, seconds: float) -> dict[str, Any]:
    latencies: list[float] = []
    statuses: dict[str, int] = {}
    start = time.perf_counter()
    measure_from = start + WARMUP_SECONDS
    stop_at = measure_from + seconds
    measured_new = 0

    async def connection() -> None:
        nonlocal measured_new
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        try:
            while time.perf_counter() < stop_at:
                request, new = stream.take()
                t0 = time.perf_counter()
                writer.write(request)
                head = await reader.readuntil(b"\r\n\r\n")
                length = 0
                for line in head.split(b"\r\n"):
                    if line.lower().startswith(b"content-length:"):
                        length = int(line.split(b":", 1)[1])
                if length:
                    await reader.readexactly(length)
                t1 = time.perf_counter()
                if t0 >= measure_from:
                    code = head[9:12].decode()
                    statuses[code] = statuses.get(code, 0) + 1
                    latencies.append(t1 - t0)
                    measured_new += new and code == "202"
        finally:
            writer.close()

    await asyncio.gather(*(connection() for _ in range(connections)))
    lat_ms = sorted(x * 1000 for x in latencies)

    def pct(p: float) -> float:
        return round(lat_ms[min(len(lat_ms) - 1, int(p * len(lat_ms)))], 2) if lat_ms else 0.0

    accepted = statuses.get("202", 0)
    return {
        "accepted_per_second": round(accepted / seconds, 1),
        "new_events_per_second": round(measured_new / seconds, 1),
        "requests": len(latencies), "statuses": statuses,
        "latency_ms": {"p50": pct(0.5), "p95": pct(0.95), "p99": pct(0.99)},
    }


def client_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


# --- drain -----------------------------------------------------------------------------------


def drain_runs(env: dict[str, str], drainers: list[int]) -> list[dict[str, Any]]:
    runs = []
    for count in drainers:
        opened = run_code(COUNT_CODE, env, "reopen")
        t0 = time.perf_counter()
        procs = [subprocess.Popen([PYTHON, "-c", DRAIN_CODE], env=env, cwd=ROOT,
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
                 for _ in range(count)]
        outs = []
        for proc in procs:
            stdout, stderr = proc.communicate()
            if proc.returncode != 0:
                raise SystemExit(f"drain failed:\n{stderr[-3000:]}")
            outs.append(json.loads(stdout.strip().splitlines()[-1]))
        wall = time.perf_counter() - t0
        after = run_code(COUNT_CODE, env, "count")
        messages = sum(o["messages"] for o in outs)
        cpu = sum(o["cpu_seconds"] for o in outs)
        runs.append({
            "drainers": count, "backlog": opened["statuses"]["pending"],
            "messages": messages, "wall_seconds": round(wall, 2),
            "drain_seconds": round(max(o["seconds"] for o in outs), 2),
            "messages_per_second": round(messages / max(o["seconds"] for o in outs), 1),
            "cpu_ms_per_message": round(1000 * cpu / messages, 3) if messages else None,
            "db_cpu_ms_per_message": (round(1000 * sum(o["db_cpu_seconds"] for o in outs)
                                            / messages, 3) if messages else None),
            "batches": sum(o["batches"] for o in outs),
            "after": after,
            "loadavg_after": os.getloadavg(),
        })
        print(f"  drain x{count}: {runs[-1]['messages_per_second']} msg/s, "
              f"{runs[-1]['cpu_ms_per_message']} CPU ms/msg (database backend "
              f"{runs[-1]['db_cpu_ms_per_message']}), {after}", flush=True)
    return runs


# --- ceilings ---------------------------------------------------------------------------------

SCRATCH = (
    "CREATE TABLE IF NOT EXISTS bench_storm_scratch (id bigserial PRIMARY KEY, "
    "created_at timestamptz NOT NULL, updated_at timestamptz NOT NULL, account_id bigint "
    "NOT NULL, provider varchar(32) NOT NULL, scope varchar(40) NOT NULL, inbox_id bigint, "
    "store_id bigint, event_id varchar(255) NOT NULL, body bytea NOT NULL, headers jsonb NOT "
    "NULL, status varchar(10) NOT NULL, attempts smallint NOT NULL, error text NOT NULL, "
    "lease_until timestamptz, processed_at timestamptz, "
    "UNIQUE (provider, scope, event_id))"
)
SCRATCH_COLUMNS = ("created_at, updated_at, account_id, provider, scope, inbox_id, store_id, "
                   "event_id, body, headers, status, attempts, error")


def scratch_row(n: int) -> tuple[Any, ...]:
    from datetime import UTC, datetime

    now = datetime.now(UTC)
    return (now, now, 1, "pigeon", "inbox:1", 1, None, f"raw-{uuid.uuid4().hex}-{n}",
            event_body(n), json.dumps({"x-pigeon-signature": "sha256=" + "0" * 64}),
            "pending", 0, "")


async def pg_raw_inserts(connections: int, seconds: float) -> dict[str, Any]:
    import psycopg

    async with await psycopg.AsyncConnection.connect(PG_URL, autocommit=True) as admin:
        await admin.execute(SCRATCH)
    done = 0
    start = time.perf_counter()
    measure_from = start + WARMUP_SECONDS
    stop_at = measure_from + seconds
    sql = (f"INSERT INTO bench_storm_scratch ({SCRATCH_COLUMNS}) VALUES "  # noqa: S608
           "(%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s) "
           "ON CONFLICT (provider, scope, event_id) DO NOTHING RETURNING id")

    async def worker(i: int) -> None:
        nonlocal done
        n = i * 10_000_000
        async with await psycopg.AsyncConnection.connect(PG_URL, autocommit=True) as conn:
            while True:
                t0 = time.perf_counter()
                if t0 >= stop_at:
                    return
                n += 1
                await (await conn.execute(sql, scratch_row(n))).fetchone()
                if t0 >= measure_from:
                    done += 1

    await asyncio.gather(*(worker(i) for i in range(connections)))
    return {"inserts_per_second": round(done / seconds, 1), "connections": connections}


def pg_copy(rows: int) -> dict[str, Any]:
    import psycopg

    data = [scratch_row(n) for n in range(rows)]
    with psycopg.connect(PG_URL, autocommit=True) as conn:
        conn.execute(SCRATCH)
        t0 = time.perf_counter()
        with conn.cursor() as cur, cur.copy(
            f"COPY bench_storm_scratch ({SCRATCH_COLUMNS}) FROM STDIN"
        ) as copy:
            for row in data:
                copy.write_row(row)
        elapsed = time.perf_counter() - t0
    return {"rows_per_second": round(rows / elapsed, 1), "rows": rows}


# --- main --------------------------------------------------------------------------------------


def bench_backend(backend: str, args: argparse.Namespace) -> dict[str, Any]:
    run = uuid.uuid4().hex[:10]
    data_dir = Path(tempfile.mkdtemp(prefix=f"storm-{backend}-"))
    env = backend_env(backend, data_dir, run)
    if backend == "postgres":
        pg_admin(f"DROP DATABASE IF EXISTS {PG_DB} WITH (FORCE)")
        pg_admin(f"CREATE DATABASE {PG_DB}")
    try:
        setup = run_code(SETUP_CODE, env, APP_SECRET, str(data_dir / "loft"))
        stream = Stream(setup["inbox_id"], size=int(args.seconds + WARMUP_SECONDS) * 16000)
        port = free_port()
        server = start_server(env, args.workers, port)
        try:
            wait_ready(port, server)
            asyncio.run(warm_up(port, setup["inbox_id"], args.connections))
            cpu0, client0 = tree_cpu_seconds(server), client_cpu()
            load_before = os.getloadavg()
            accept = asyncio.run(fire(port, stream, args.connections, args.seconds))
            accept["server_cpu_ms_per_request"] = round(
                1000 * (tree_cpu_seconds(server) - cpu0) / max(1, accept["requests"]), 3)
            accept["client_cpu_ms_per_request"] = round(
                1000 * (client_cpu() - client0) / max(1, accept["requests"]), 3)
            accept["loadavg_before"] = load_before
            accept["loadavg_after"] = os.getloadavg()
        finally:
            stop_server(server)
        stored = run_code(COUNT_CODE, env, "count")
        accept["stored"] = stored
        accept["distinct_events_sent"] = stream.next_new
        print(f"[{backend}] accept: {accept['accepted_per_second']} 202/s "
              f"({accept['new_events_per_second']} new events/s), p99 "
              f"{accept['latency_ms']['p99']} ms, server CPU "
              f"{accept['server_cpu_ms_per_request']} ms/req; stored {stored['events']} of "
              f"{stream.next_new} sent", flush=True)
        drainers = [int(x) for x in args.drainers.split(",") if x.strip()]
        drains = drain_runs(env, drainers if backend == "postgres" else [1])
        result: dict[str, Any] = {"accept": accept, "drain": drains}
        if backend == "postgres":
            raw = asyncio.run(pg_raw_inserts(args.connections, args.seconds))
            copy = pg_copy(50_000)
            result["raw_postgres"] = {"insert": raw, "copy": copy}
            best_drain = max(d["messages_per_second"] for d in drains)
            result["ratios"] = {
                "accept_vs_raw_insert": round(
                    accept["new_events_per_second"] / raw["inserts_per_second"], 3),
                "accept_vs_copy": round(
                    accept["new_events_per_second"] / copy["rows_per_second"], 3),
                "drain_vs_raw_insert": round(best_drain / raw["inserts_per_second"], 3),
                "drain_vs_copy": round(best_drain / copy["rows_per_second"], 3),
            }
            print(f"[postgres] raw INSERT {raw['inserts_per_second']}/s, COPY "
                  f"{copy['rows_per_second']} rows/s, ratios {result['ratios']}", flush=True)
        return result
    finally:
        if backend == "postgres":
            pg_admin(f"DROP DATABASE IF EXISTS {PG_DB} WITH (FORCE)")
            forget_redis_keys(run)
        shutil.rmtree(data_dir, ignore_errors=True)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--connections", type=int, default=64)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--backends", default="sqlite,postgres")
    parser.add_argument("--drainers", default="1,2")


def run(args: argparse.Namespace) -> dict[str, Any]:
    report: dict[str, Any] = {
        "benchmark": "webhook_storm",
        "when": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version(),
                    "loadavg_start": os.getloadavg()},
        "targets": {"accept_per_second": TARGET_ACCEPT, "drain_per_second": TARGET_DRAIN},
        "command": " ".join([Path(sys.argv[0]).name, *sys.argv[1:]]),
        "backends": {},
    }
    for backend in [b.strip() for b in args.backends.split(",") if b.strip()]:
        report["backends"][backend] = bench_backend(backend, args)
    report["machine"]["loadavg_end"] = os.getloadavg()
    return report


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    add_arguments(parser)
    parser.add_argument("--output", default=str(RESULTS / "webhook_storm.json"))
    args = parser.parse_args()
    report = run(args)
    Path(args.output).parent.mkdir(parents=True, exist_ok=True)
    Path(args.output).write_text(json.dumps(report, indent=2) + "\n")
    print(f"wrote {args.output}")


if __name__ == "__main__":
    main()
