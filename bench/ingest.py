"""Ingest benchmark: inbound messages per second through POST /api/v1/inboxes/{id}/messages.

    .venv/bin/python bench/ingest.py [--seconds 10] [--clients 32] [--workers 2]
                                     [--backends sqlite,postgres] [--profile auto|always|never]
                                     [--client raw|httpx] [--server uvicorn|granian]
                                     [--paced-rate 500] [--batch-size 200] [--batch-clients 4]
                                     [--webhook-storm]

For each backend it prepares a fresh database (SQLite in a temp STOREDESK_DATA_DIR; PostgreSQL in
a database `storedesk_bench` created and dropped here, with Redis db 1), migrates, creates an
account + API inbox + token in a subprocess, starts uvicorn (`config.asgi:application`, N worker
processes on 127.0.0.1) and fires concurrent httpx clients that post realistic messages (a pool
of 500 shoppers, several messages each, unique message ids) for a fixed time. Then it measures
the raw PostgreSQL single-row INSERT rate (psycopg, autocommit, same concurrency) as a ceiling.
Prints a table and writes bench/results/ingest.json; when PostgreSQL stays under 1,000 msg/s it
profiles the request path in one process and writes bench/results/ingest_profile.txt.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import random
import resource
import shutil
import socket
import statistics
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
PG_BENCH_DB = os.environ.get("BENCH_PG_DB", "storedesk_bench")
PG_BENCH_URL = PG_ADMIN_URL.rsplit("/", 1)[0] + "/" + PG_BENCH_DB
REDIS_BENCH_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/1")
TARGET_PG = 1000.0
SHOPPERS = 500
WARMUP_SECONDS = 2.0

TEXTS = [
    "Hi, where is my order #{n}? It was supposed to arrive yesterday.",
    "Dzień dobry, chciałbym zwrócić zamówienie {n}, rozmiar nie pasuje.",
    "Merhaba, {n} numaralı siparişimi iptal etmek istiyorum.",
    "Halo, apakah saya bisa mengubah alamat pengiriman untuk pesanan {n}?",
    "สวัสดีค่ะ ต้องการขอคืนเงินสำหรับคำสั่งซื้อ {n} ค่ะ",
    "The lamp in order {n} arrived broken. Can I get a refund or a replacement?",
    "Can you tell me if the oak table from order {n} ships to Norway?",
]


# --- Server-side setup, run in a subprocess with the backend's environment -------------------

SETUP_CODE = r"""
import json, django
django.setup()
from django.core.management import call_command
call_command("migrate", verbosity=0)
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from storedesk.accounts.actions import add_member, create_account, create_api_token
from storedesk.accounts.models import Role
from storedesk.inbox.models import Inbox
account = create_account("Bench Store", languages=["en", "pl", "tr", "id", "th"])
owner = add_member(account, "bench@example.com", role=Role.OWNER, name="Bench Owner")
inbox = Inbox.objects.create(account=account, name="Bench API", channel="api")
try:  # API-channel inbound takes an integration key since connectors/api (agent tokens: 403)
    from storedesk.connectors.actions import create_integration_key
except ImportError:  # older trees (a "before" run): an agent token
    _, token = create_api_token(owner, name="bench")
else:
    _, token = create_integration_key(inbox, name="bench")
# Queries per request on the three paths a message can take.
client = Client(headers={"Authorization": "Bearer " + token})
url = f"/api/v1/inboxes/{inbox.pk}/messages"
# First use of the token/key writes last_used_at; keep it out of the counts.
client.post(url, json.dumps({"source_id": "warm", "text": "warm", "message_id": "warm-1"}),
            content_type="application/json")
counts = {}
for label, body in [
    ("new_shopper", {"source_id": "q-1", "name": "Q", "email": "q@example.com",
                     "text": "hello", "message_id": "q-m1"}),
    ("known_shopper", {"source_id": "q-1", "text": "again", "message_id": "q-m2"}),
    ("duplicate", {"source_id": "q-1", "text": "again", "message_id": "q-m2"}),
]:
    with CaptureQueriesContext(connection) as ctx:
        response = client.post(url, json.dumps(body), content_type="application/json")
    assert response.status_code in (200, 201), response.content
    counts[label] = len(ctx.captured_queries)
    if label == "new_shopper":
        sample = [q["sql"][:160] for q in ctx.captured_queries]
print(json.dumps({"inbox_id": inbox.pk, "token": token, "queries": counts,
                  "new_shopper_sql": sample}))
"""

PROFILE_CODE = r"""
import json, os, sys, django
django.setup()
from django.test import Client
from pyinstrument import Profiler
inbox_id, token, n = int(sys.argv[1]), sys.argv[2], int(sys.argv[3])
client = Client(headers={"Authorization": "Bearer " + token})
url = f"/api/v1/inboxes/{inbox_id}/messages"
def post(i):
    body = {"source_id": f"prof-{i % 500}", "name": "P", "email": f"p{i % 500}@example.com",
            "text": "Where is my order?", "message_id": f"prof-{i}"}
    r = client.post(url, json.dumps(body), content_type="application/json")
    assert r.status_code in (200, 201), r.content
for i in range(200):
    post(i)
import time
profiler = Profiler(interval=0.0005)
start = time.perf_counter()
profiler.start()
for i in range(200, 200 + n):
    post(i)
profiler.stop()
elapsed = time.perf_counter() - start
print(profiler.output_text(unicode=True, color=False, show_all=False))
print(f"\nIn-process, one client, no HTTP server: {n} requests in {elapsed:.2f} s "
      f"= {n / elapsed:.0f} req/s, {1000 * elapsed / n:.2f} ms per request")
"""


def backend_env(backend: str, data_dir: Path, rate_limit: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL")}
    env.update({
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "STOREDESK_DATA_DIR": str(data_dir),
        "STOREDESK_SECRET_KEY": "bench-" + uuid.uuid4().hex,
        "STOREDESK_API_RATE_LIMIT": rate_limit,
        "STOREDESK_LOG_LEVEL": "WARNING",
        "STOREDESK_QUEUE_NAME": "storedesk-bench",
        "STOREDESK_CACHE_PREFIX": "storedesk-bench",
        "PYTHONPATH": str(ROOT),
    })
    if os.environ.get("BENCH_SETTINGS_MODULE"):
        # e.g. bench.settings_subscribed: the real settings plus a subscriber on message.received
        env["DJANGO_SETTINGS_MODULE"] = os.environ["BENCH_SETTINGS_MODULE"]
    env.pop("PYTEST_VERSION", None)
    env.pop("STOREDESK_TESTING", None)
    if backend == "postgres":
        env["DATABASE_URL"] = PG_BENCH_URL
        env["REDIS_URL"] = REDIS_BENCH_URL
    return env


def recreate_pg_database() -> None:
    import psycopg

    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {PG_BENCH_DB} WITH (FORCE)")
        conn.execute(f"CREATE DATABASE {PG_BENCH_DB}")


def drop_pg_database() -> None:
    import psycopg

    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {PG_BENCH_DB} WITH (FORCE)")


def flush_redis_db() -> None:
    import redis

    redis.Redis.from_url(REDIS_BENCH_URL).flushdb()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def run_setup(env: dict[str, str]) -> dict[str, Any]:
    out = subprocess.run([PYTHON, "-c", SETUP_CODE], env=env, cwd=ROOT, capture_output=True,
                         text=True, check=False)
    if out.returncode != 0:
        raise SystemExit(f"setup failed:\n{out.stderr[-3000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def start_server(env: dict[str, str], workers: int, port: int,
                 server: str = "uvicorn") -> subprocess.Popen[bytes]:
    if server == "granian":
        # (websockets stay on: the agent UI and the widget need them; "asginl": ASGI without
        # lifespan, as uvicorn's --lifespan off below)
        cmd = [PYTHON, "-m", "granian", "--interface", "asginl", "--host", "127.0.0.1",
               "--port", str(port), "--workers", str(workers), "--log-level", "warning",
               "config.asgi:application"]
    else:
        cmd = [PYTHON, "-m", "uvicorn", "config.asgi:application", "--host", "127.0.0.1",
               "--port", str(port), "--workers", str(workers), "--no-access-log",
               "--log-level", "warning", "--lifespan", "off"]
    return subprocess.Popen(cmd, env=env, cwd=ROOT, start_new_session=True)


def wait_ready(port: int, proc: subprocess.Popen[bytes], timeout: float = 60.0) -> None:
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


def server_cpu_seconds(proc: subprocess.Popen[bytes]) -> float:
    """User+system CPU of the uvicorn master and its worker children (from /proc)."""
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


# --- Load ------------------------------------------------------------------------------------


def message_body(rng: random.Random, n: int) -> dict[str, Any]:
    shopper = rng.randrange(SHOPPERS)
    return {
        "source_id": f"cust-{shopper}",
        "name": f"Shopper {shopper}",
        "email": f"shopper{shopper}@example.com",
        "text": rng.choice(TEXTS).format(n=10_000 + n),
        "message_id": f"msg-{uuid.uuid4().hex}",
    }


async def fire(url: str, token: str, clients: int, seconds: float) -> dict[str, Any]:
    import httpx

    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
    latencies: list[float] = []
    statuses: dict[str, int] = {}
    errors: list[str] = []
    counter = 0
    start = time.perf_counter()
    measure_from = start + WARMUP_SECONDS
    stop_at = measure_from + seconds

    async with httpx.AsyncClient(headers={"Authorization": f"Bearer {token}"}, limits=limits,
                                 timeout=30) as client:

        async def worker(seed: int) -> None:
            nonlocal counter
            rng = random.Random(seed)
            while True:
                now = time.perf_counter()
                if now >= stop_at:
                    return
                counter += 1
                body = message_body(rng, counter)
                t0 = time.perf_counter()
                try:
                    response = await client.post(url, json=body)
                    code = str(response.status_code)
                except httpx.HTTPError as exc:
                    code = type(exc).__name__
                    if len(errors) < 5:
                        errors.append(repr(exc))
                t1 = time.perf_counter()
                if t0 >= measure_from:
                    latencies.append(t1 - t0)
                    statuses[code] = statuses.get(code, 0) + 1

        await asyncio.gather(*(worker(i) for i in range(clients)))
    ok = statuses.get("201", 0) + statuses.get("200", 0)
    lat_ms = sorted(x * 1000 for x in latencies)

    def pct(p: float) -> float:
        return round(lat_ms[min(len(lat_ms) - 1, int(p * len(lat_ms)))], 2) if lat_ms else 0.0

    return {
        "messages_per_second": round(ok / seconds, 1),
        "requests": len(latencies),
        "ok": ok,
        "errors": len(latencies) - ok,
        "statuses": statuses,
        "error_samples": errors,
        "latency_ms": {"p50": pct(0.50), "p95": pct(0.95), "p99": pct(0.99),
                       "mean": round(statistics.fmean(lat_ms), 2) if lat_ms else 0.0},
    }


class RawConnection:
    """One keep-alive HTTP/1.1 connection speaking just what the bench needs (a POST with a
    JSON body, a response with Content-Length): httpx costs about 1 ms of CPU per request,
    which at 1,000 requests/s would take half of this machine from the server it measures."""

    def __init__(self, host: str, port: int) -> None:
        self.host, self.port = host, port
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None
        self.body = b""  # the last answer's body

    async def post(self, path: str, token: str, body: bytes) -> int:
        if self.writer is None:
            self.reader, self.writer = await asyncio.open_connection(self.host, self.port)
        assert self.reader is not None
        head = (f"POST {path} HTTP/1.1\r\nHost: {self.host}:{self.port}\r\n"
                f"Authorization: Bearer {token}\r\nContent-Type: application/json\r\n"
                f"Content-Length: {len(body)}\r\n\r\n").encode()
        self.writer.write(head + body)
        status_line = await self.reader.readline()
        if not status_line:
            raise ConnectionError("server closed the connection")
        status = int(status_line.split()[1])
        length = 0
        while True:
            line = await self.reader.readline()
            if line in (b"\r\n", b"\n", b""):
                break
            name, _, value = line.partition(b":")
            if name.strip().lower() == b"content-length":
                length = int(value.strip())
        self.body = await self.reader.readexactly(length) if length else b""
        return status

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
            self.writer = None


def _summary(latencies: list[float], statuses: dict[str, int], errors: list[str],
             seconds: float) -> dict[str, Any]:
    ok = statuses.get("201", 0) + statuses.get("200", 0)
    lat_ms = sorted(x * 1000 for x in latencies)

    def pct(p: float) -> float:
        return round(lat_ms[min(len(lat_ms) - 1, int(p * len(lat_ms)))], 2) if lat_ms else 0.0

    return {
        "messages_per_second": round(ok / seconds, 1),
        "requests": len(latencies),
        "ok": ok,
        "errors": len(latencies) - ok,
        "statuses": statuses,
        "error_samples": errors,
        "latency_ms": {"p50": pct(0.50), "p95": pct(0.95), "p99": pct(0.99),
                       "max": round(lat_ms[-1], 2) if lat_ms else 0.0,
                       "mean": round(statistics.fmean(lat_ms), 2) if lat_ms else 0.0},
    }


async def fire_raw(port: int, path: str, token: str, clients: int, seconds: float,
                   rate: float | None = None) -> dict[str, Any]:
    """Closed loop (`rate` None): `clients` connections posting back to back. Open loop
    (`rate`): one request every 1/rate s on schedule, each timed from its scheduled start (a
    request waiting for a free connection counts that wait), over at most `clients`
    connections."""
    latencies: list[float] = []
    statuses: dict[str, int] = {}
    errors: list[str] = []
    counter = 0
    start = time.perf_counter()
    measure_from = start + WARMUP_SECONDS
    stop_at = measure_from + seconds
    finished: list[float] = []
    pool: asyncio.Queue[RawConnection] = asyncio.Queue()
    for _ in range(clients):
        pool.put_nowait(RawConnection("127.0.0.1", port))
    rng = random.Random(7)

    async def one(scheduled: float) -> None:
        nonlocal counter
        counter += 1
        body = json.dumps(message_body(rng, counter)).encode()
        conn = await pool.get()
        try:
            code = str(await conn.post(path, token, body))
        except (OSError, ConnectionError, asyncio.IncompleteReadError, ValueError) as exc:
            conn.close()
            code = type(exc).__name__
            if len(errors) < 5:
                errors.append(repr(exc))
        finally:
            pool.put_nowait(conn)
        if scheduled >= measure_from:
            done = time.perf_counter()
            latencies.append(done - scheduled)
            statuses[code] = statuses.get(code, 0) + 1
            finished.append(done)

    if rate is None:
        async def loop() -> None:
            while (now := time.perf_counter()) < stop_at:
                await one(now)
        await asyncio.gather(*(loop() for _ in range(clients)))
    else:
        tasks = []
        n = 0
        while True:
            scheduled = start + n / rate
            if scheduled >= stop_at:
                break
            delay = scheduled - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
            tasks.append(asyncio.ensure_future(one(scheduled)))
            n += 1
        await asyncio.gather(*tasks)
    while not pool.empty():
        pool.get_nowait().close()
    # Open loop: the answers of the measured window may come in long after it (a server that
    # cannot keep up); the achieved rate is over the time until the last of them.
    elapsed = max(seconds, (max(finished) - measure_from) if finished else seconds)
    result = _summary(latencies, statuses, errors, elapsed)
    result["offered_rate"] = rate
    result["elapsed_seconds"] = round(elapsed, 2)
    return result


async def fire_batch(port: int, path: str, token: str, connections: int, seconds: float,
                     size: int) -> dict[str, Any]:
    """Closed loop on the batch endpoint: `connections` connections each posting batches of
    `size` new messages back to back; counts the messages the answers report `created`."""
    latencies: list[float] = []
    statuses: dict[str, int] = {}
    created = errors = 0
    counter = 0
    rng = random.Random(11)
    measure_from = time.perf_counter() + WARMUP_SECONDS
    stop_at = measure_from + seconds

    async def loop() -> None:
        nonlocal counter, created, errors
        conn = RawConnection("127.0.0.1", port)
        try:
            while (t0 := time.perf_counter()) < stop_at:
                items = []
                for _ in range(size):
                    counter += 1
                    items.append(message_body(rng, 1_000_000 + counter))
                body = json.dumps({"messages": items}).encode()
                code = str(await conn.post(path, token, body))
                if t0 < measure_from:
                    continue
                latencies.append(time.perf_counter() - t0)
                statuses[code] = statuses.get(code, 0) + 1
                if code == "200":
                    answer = json.loads(conn.body)
                    created += answer["created"]
                    errors += answer["errors"]
        finally:
            conn.close()

    await asyncio.gather(*(loop() for _ in range(connections)))
    lat_ms = sorted(x * 1000 for x in latencies)

    def pct(p: float) -> float:
        return round(lat_ms[min(len(lat_ms) - 1, int(p * len(lat_ms)))], 2) if lat_ms else 0.0

    return {"messages_per_second": round(created / seconds, 1), "batch_size": size,
            "connections": connections, "requests": len(latencies), "statuses": statuses,
            "created": created, "item_errors": errors,
            "request_latency_ms": {"p50": pct(0.5), "p95": pct(0.95), "p99": pct(0.99)}}


def bench_backend(backend: str, args: argparse.Namespace) -> dict[str, Any]:
    data_dir = Path(tempfile.mkdtemp(prefix=f"storedesk-bench-{backend}-"))
    env = backend_env(backend, data_dir, args.rate_limit)
    load_before = os.getloadavg()
    try:
        if backend == "postgres":
            recreate_pg_database()
            flush_redis_db()
        setup = run_setup(env)
        port = free_port()
        proc = start_server(env, args.workers, port, args.server)
        try:
            wait_ready(port, proc)
            cpu_before = server_cpu_seconds(proc)
            client_before = resource.getrusage(resource.RUSAGE_SELF)
            wall0 = time.perf_counter()
            path = f"/api/v1/inboxes/{setup['inbox_id']}/messages"
            if args.client == "httpx":
                result = asyncio.run(fire(f"http://127.0.0.1:{port}{path}", setup["token"],
                                          args.clients, args.seconds))
            else:
                result = asyncio.run(fire_raw(port, path, setup["token"], args.clients,
                                              args.seconds))
            wall = time.perf_counter() - wall0
            client_after = resource.getrusage(resource.RUSAGE_SELF)
            cpu_after = server_cpu_seconds(proc)
            if args.paced_rate:
                # Latency at a fixed offered rate (open loop), on the same warm server.
                result["paced"] = asyncio.run(fire_raw(
                    port, path, setup["token"], args.clients, args.seconds,
                    rate=args.paced_rate))
            if args.batch_size:
                # The batch endpoint on the same warm server: new messages, in batches.
                result["batch"] = asyncio.run(fire_batch(
                    port, path + "/batch", setup["token"], args.batch_clients, args.seconds,
                    args.batch_size))
        finally:
            stop_server(proc)
        result["queries_per_request"] = setup["queries"]
        result["new_shopper_sql"] = setup["new_shopper_sql"]
        result["cpu_ms_per_message"] = {
            "server": round(1000 * (cpu_after - cpu_before) / max(result["ok"], 1), 3),
            "note": "server CPU over the closed-loop run incl. warm-up / messages measured",
        }
        result["cpu_seconds"] = {
            "server": round(cpu_after - cpu_before, 2),
            "load_client": round((client_after.ru_utime + client_after.ru_stime)
                                 - (client_before.ru_utime + client_before.ru_stime), 2),
            "wall": round(wall, 2),
        }
        result["setup"] = setup
        # Other work on the machine skews everything; keep the evidence next to the figures.
        result["load_average_1m"] = {"before": round(load_before[0], 2),
                                     "after": round(os.getloadavg()[0], 2)}
        return result
    finally:
        shutil.rmtree(data_dir, ignore_errors=True)


def profile_pg(args: argparse.Namespace, requests: int = 300) -> str:
    data_dir = Path(tempfile.mkdtemp(prefix="storedesk-bench-profile-"))
    env = backend_env("postgres", data_dir, args.rate_limit)
    try:
        recreate_pg_database()
        flush_redis_db()
        setup = run_setup(env)
        out = subprocess.run(
            [PYTHON, "-c", PROFILE_CODE, str(setup["inbox_id"]), setup["token"], str(requests)],
            env=env, cwd=ROOT, capture_output=True, text=True, check=False,
        )
        if out.returncode != 0:
            return f"profiling failed:\n{out.stderr[-3000:]}"
        return out.stdout
    finally:
        shutil.rmtree(data_dir, ignore_errors=True)


# --- The ceiling: raw PostgreSQL single-row INSERTs --------------------------------------------


async def pg_raw_inserts(clients: int, seconds: float) -> dict[str, Any]:
    import psycopg

    async with await psycopg.AsyncConnection.connect(PG_BENCH_URL, autocommit=True) as admin:
        await admin.execute(
            "CREATE TABLE IF NOT EXISTS bench_scratch (id bigserial PRIMARY KEY, "
            "inbox_id bigint NOT NULL, source_id varchar(255) NOT NULL, text text NOT NULL, "
            "created_at timestamptz NOT NULL DEFAULT now(), UNIQUE (inbox_id, source_id))"
        )
    latencies: list[float] = []
    start = time.perf_counter()
    measure_from = start + WARMUP_SECONDS
    stop_at = measure_from + seconds

    async def worker(i: int) -> None:
        rng = random.Random(i)
        async with await psycopg.AsyncConnection.connect(PG_BENCH_URL, autocommit=True) as conn:
            while True:
                t0 = time.perf_counter()
                if t0 >= stop_at:
                    return
                await conn.execute(
                    "INSERT INTO bench_scratch (inbox_id, source_id, text) VALUES (%s, %s, %s)",
                    (1, uuid.uuid4().hex, rng.choice(TEXTS)),
                )
                if t0 >= measure_from:
                    latencies.append(time.perf_counter() - t0)

    await asyncio.gather(*(worker(i) for i in range(clients)))
    lat_ms = sorted(x * 1000 for x in latencies)
    return {
        "inserts_per_second": round(len(latencies) / seconds, 1),
        "inserts": len(latencies),
        "latency_ms": {"p50": round(lat_ms[len(lat_ms) // 2], 3),
                       "p95": round(lat_ms[int(len(lat_ms) * 0.95)], 3)},
    }


async def pg_raw_copy(seconds: float, rows_per_copy: int = 1000) -> dict[str, Any]:
    """The bulk ceiling: COPY into the same scratch table, `rows_per_copy` rows a statement."""
    import psycopg

    rng = random.Random(3)
    copied = 0
    start = time.perf_counter()
    measure_from = start + min(WARMUP_SECONDS, 1.0)
    stop_at = measure_from + seconds
    async with await psycopg.AsyncConnection.connect(PG_BENCH_URL, autocommit=True) as conn:
        while (now := time.perf_counter()) < stop_at:
            async with conn.cursor() as cur, cur.copy(
                "COPY bench_scratch (inbox_id, source_id, text) FROM STDIN"
            ) as copy:
                for _ in range(rows_per_copy):
                    await copy.write_row((2, uuid.uuid4().hex, rng.choice(TEXTS)))
            if now >= measure_from:
                copied += rows_per_copy
    return {"rows_per_second": round(copied / seconds, 1), "rows": copied,
            "rows_per_copy": rows_per_copy}


# --- Main --------------------------------------------------------------------------------------


def pg_info() -> dict[str, str]:
    import psycopg

    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
        def show(name: str) -> str:
            return str(conn.execute(f"SHOW {name}").fetchone()[0])  # type: ignore[index]

        return {"version": show("server_version"), "synchronous_commit": show("synchronous_commit"),
                "fsync": show("fsync"), "shared_buffers": show("shared_buffers")}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--backends", default="sqlite,postgres")
    parser.add_argument("--profile", choices=["auto", "always", "never"], default="auto")
    parser.add_argument("--rate-limit", default="100000000/m",
                        help="STOREDESK_API_RATE_LIMIT for the server (one token sends it all)")
    parser.add_argument("--client", choices=["raw", "httpx"], default="raw",
                        help="load generator: raw asyncio HTTP/1.1 keep-alive (default; light) "
                             "or httpx.AsyncClient (the earlier runs)")
    parser.add_argument("--server", choices=["uvicorn", "granian"], default="uvicorn")
    parser.add_argument("--paced-rate", type=float, default=500.0,
                        help="after the closed-loop run, offer this many requests/s on "
                             "schedule and report the latency (0: skip)")
    parser.add_argument("--batch-size", type=int, default=200,
                        help="then post batches of this many messages to "
                             "/messages/batch for --seconds (0: skip)")
    parser.add_argument("--batch-clients", type=int, default=4,
                        help="connections posting batches at once")
    parser.add_argument("--output", default=str(RESULTS / "ingest.json"))
    parser.add_argument("--webhook-storm", action="store_true",
                        help="also run bench/webhook_storm.py (webhook accept and drain rates, "
                        "with the raw PostgreSQL INSERT and COPY rates as ratios)")
    args = parser.parse_args()
    backends = [b.strip() for b in args.backends.split(",") if b.strip()]

    report: dict[str, Any] = {
        "command": " ".join([Path(PYTHON).name, *sys.argv]),
        "when": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version(),
                    "platform": platform.platform()},
        "params": {"seconds": args.seconds, "clients": args.clients, "workers": args.workers,
                   "warmup_seconds": WARMUP_SECONDS, "shoppers": SHOPPERS,
                   "server": f"{args.server} config.asgi:application",
                   "load": "httpx.AsyncClient" if args.client == "httpx"
                   else "raw asyncio HTTP/1.1 keep-alive", "paced_rate": args.paced_rate},
        "results": {},
    }
    try:
        for backend in backends:
            print(f"[{backend}] running {args.seconds:.0f} s with {args.clients} clients, "
                  f"{args.workers} uvicorn workers ...", flush=True)
            report["results"][backend] = bench_backend(backend, args)
        if "postgres" in backends:
            report["machine"]["postgres"] = pg_info()
            print("[postgres raw INSERT] ...", flush=True)
            recreate_pg_database()
            report["results"]["postgres_raw_insert"] = asyncio.run(
                pg_raw_inserts(args.clients, args.seconds))
            print("[postgres raw COPY] ...", flush=True)
            report["results"]["postgres_raw_copy"] = asyncio.run(pg_raw_copy(args.seconds))
            live = report["results"]["postgres"]["messages_per_second"]
            report["results"]["ratios"] = {
                "live_to_insert": round(
                    live / report["results"]["postgres_raw_insert"]["inserts_per_second"], 4),
                "live_to_copy": round(
                    live / report["results"]["postgres_raw_copy"]["rows_per_second"], 4),
            }
            batch = report["results"]["postgres"].get("batch")
            if batch:
                report["results"]["ratios"]["batch_to_insert"] = round(
                    batch["messages_per_second"]
                    / report["results"]["postgres_raw_insert"]["inserts_per_second"], 4)
                report["results"]["ratios"]["batch_to_copy"] = round(
                    batch["messages_per_second"]
                    / report["results"]["postgres_raw_copy"]["rows_per_second"], 4)
            write_report(report, args.output)
            rate = report["results"]["postgres"]["messages_per_second"]
            if args.profile == "always" or (args.profile == "auto" and rate < TARGET_PG):
                print("[profile] one process, PostgreSQL ...", flush=True)
                text = profile_pg(args)
                (RESULTS / "ingest_profile.txt").write_text(text)
                report["profile"] = "bench/results/ingest_profile.txt"
    finally:
        if "postgres" in backends:
            drop_pg_database()

    if args.webhook_storm:
        sys.path.insert(0, str(Path(__file__).resolve().parent))
        import webhook_storm

        report["results"]["webhook_storm"] = webhook_storm.run(argparse.Namespace(
            seconds=args.seconds, connections=2 * args.clients, workers=args.workers,
            backends=args.backends, drainers="1,2"))
    write_report(report, args.output)
    report["output"] = args.output
    print_table(report)


def write_report(report: dict[str, Any], output: str) -> None:
    RESULTS.mkdir(parents=True, exist_ok=True)
    Path(output).write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n")


def print_table(report: dict[str, Any]) -> None:
    results = report["results"]
    print()
    print(f"{'backend':<22}{'msg/s':>10}{'p50 ms':>9}{'p95 ms':>9}{'errors':>8}"
          f"{'queries/msg':>13}{'server cpu':>12}{'client cpu':>12}")
    for name in ("sqlite", "postgres"):
        if name not in results:
            continue
        r = results[name]
        q = r["queries_per_request"]
        print(f"{name:<22}{r['messages_per_second']:>10.1f}{r['latency_ms']['p50']:>9.2f}"
              f"{r['latency_ms']['p95']:>9.2f}{r['errors']:>8}"
              f"{q['new_shopper']:>5}/{q['known_shopper']}/{q['duplicate']:<5}"
              f"{r['cpu_seconds']['server']:>11.1f}s{r['cpu_seconds']['load_client']:>11.1f}s")
    if "postgres_raw_insert" in results:
        raw = results["postgres_raw_insert"]
        print(f"{'postgres raw INSERT':<22}{raw['inserts_per_second']:>10.1f}"
              f"{raw['latency_ms']['p50']:>9.2f}{raw['latency_ms']['p95']:>9.2f}")
    if "postgres_raw_copy" in results:
        print(f"{'postgres raw COPY':<22}{results['postgres_raw_copy']['rows_per_second']:>10.1f}")
    if "ratios" in results:
        print(f"live / INSERT = {results['ratios']['live_to_insert']:.3f}, "
              f"live / COPY = {results['ratios']['live_to_copy']:.4f}")
    for name in ("sqlite", "postgres"):
        paced = results.get(name, {}).get("paced")
        if paced:
            print(f"{name} at {paced['offered_rate']:.0f} msg/s offered: "
                  f"{paced['messages_per_second']:.1f} ok/s, p50 {paced['latency_ms']['p50']} "
                  f"ms, p99 {paced['latency_ms']['p99']} ms, errors {paced['errors']}")
    for name in ("sqlite", "postgres"):
        batch = results.get(name, {}).get("batch")
        if batch:
            print(f"{name} batch endpoint ({batch['batch_size']} per request, "
                  f"{batch['connections']} connections): {batch['messages_per_second']:.1f} "
                  f"msg/s, request p50 {batch['request_latency_ms']['p50']} ms, p99 "
                  f"{batch['request_latency_ms']['p99']} ms, item errors {batch['item_errors']}, "
                  f"statuses {batch['statuses']}")
    if "batch_to_insert" in results.get("ratios", {}):
        print(f"batch / INSERT = {results['ratios']['batch_to_insert']:.3f}, "
              f"batch / COPY = {results['ratios']['batch_to_copy']:.4f}")
    for name in ("sqlite", "postgres"):
        if name in results:
            print(f"{name}: server CPU {results[name]['cpu_ms_per_message']['server']} ms/msg, "
                  f"load average {results[name]['load_average_1m']}")
    print("\nqueries/msg = new shopper / known shopper / duplicate (incl. the token lookup)")
    print(f"written to {report['output']}")


if __name__ == "__main__":
    main()
