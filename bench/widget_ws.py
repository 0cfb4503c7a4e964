"""Chat-widget websocket benchmark: connections held by one server process, and the time from an
agent's reply (POST /api/v1/conversations/{id}/messages) to its arrival at the visitor's widget.

    .venv/bin/python bench/widget_ws.py [--profiles embedded,redis] [--connections 100,1000,5000]
                                        [--replies 200] [--rate 10]

For each profile it prepares a fresh database (embedded: SQLite in a temp STOREDESK_DATA_DIR,
in-memory channel layer, Huey on SQLite in the web process; redis: PostgreSQL database
`storedesk_bench` + Redis db 1, channels_redis, one `storedesk worker` process beside the one
web process), creates an account, an agent token, a chat inbox and signed visitor tokens, and
starts ONE `storedesk serve` process. A client process (this one, asyncio + `websockets`) then
opens widget sockets (`/ws/widget/`, the widget's own protocol: a "delivered" receipt for every
reply it gets, a ping every 60 s) up to each connection count, keeps them all open, and sends
`--replies` agent replies through the REST API at `--rate` per second (open loop, so a slow
reply does not hold back the next) to 100 visitors whose conversations exist; for each reply it
records API-call start -> frame received at the widget. The sockets stay open between steps:
1,000 includes the first 100, and so on.

Prints a table and writes bench/results/widget_ws.json (also the widget's gzipped size).
The client shares the 2 cores with the server; its own CPU time is reported beside it, and the
machine's 1-minute load average (other work on a shared machine skews every figure).
"""

from __future__ import annotations

import argparse
import asyncio
import gzip
import json
import os
import platform
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
STOREDESK = str(Path(PYTHON).with_name("storedesk"))
PG_ADMIN_URL = os.environ.get("BENCH_PG_ADMIN_URL", "postgres://postgres@127.0.0.1:5432/postgres")
PG_BENCH_DB = os.environ.get("BENCH_PG_DB", "storedesk_bench")
PG_BENCH_URL = PG_ADMIN_URL.rsplit("/", 1)[0] + "/" + PG_BENCH_DB
REDIS_BENCH_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/1")
ORIGIN = "http://shop.bench.test"
SAMPLE = 100  # visitors with a conversation, who receive the measured replies
CONNECT_CONCURRENCY = 64
PING_SECONDS = 60  # as widget.js
PROFILE_SERVER = False
WARMUP = 20  # replies sent before the first measured step, not counted (--warmup)
WIDGET_JS = ROOT / "storedesk" / "connectors" / "webchat" / "static" / "webchat" / "widget.js"

SETUP_CODE = r"""
import json, sys, django
django.setup()
from django.core.management import call_command
call_command("migrate", verbosity=0)
from storedesk.accounts.actions import add_member, create_account, create_api_token
from storedesk.accounts.models import Role
from storedesk.connectors.actions import set_up_inbox
from storedesk.connectors.webchat.config import WebchatConfig
from storedesk.connectors.webchat.tokens import Visitor, new_visitor_id, public_key, sign_visitor
from storedesk.inbox.actions import InboundMessage, receive_message
count, sample, origin = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
account = create_account("Bench Store", languages=["en"])
owner = add_member(account, "bench@example.com", role=Role.OWNER, name="Bench Owner")
inbox = set_up_inbox(account, "webchat", name="Bench chat",
                     config=WebchatConfig(allowed_origins=[origin]), team=None, by=None)
_, token = create_api_token(owner, name="bench")
visitors = [Visitor(inbox_id=inbox.pk, visitor_id=new_visitor_id()) for _ in range(count)]
step = max(1, min(100, count) // sample)
conversations = {}
for i in range(0, sample * step, step):
    received = receive_message(inbox, InboundMessage(sender_id=visitors[i].visitor_id,
                                                     text="Hello, is anyone there?"))
    conversations[i] = received.conversation.pk
print(json.dumps({"key": public_key(inbox), "token": token,
                  "visitors": [sign_visitor(v) for v in visitors],
                  "conversations": conversations}))
"""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def profile_env(profile: str, data_dir: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL")}
    env.update({
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "STOREDESK_DATA_DIR": str(data_dir),
        "STOREDESK_SECRET_KEY": "bench-" + uuid.uuid4().hex,
        "STOREDESK_API_RATE_LIMIT": "100000/m",
        "STOREDESK_LOG_LEVEL": "WARNING",
        "STOREDESK_QUEUE_NAME": "storedesk-bench",
        "STOREDESK_CACHE_PREFIX": "storedesk-bench",
        "PYTHONPATH": str(ROOT),
    })
    env.pop("PYTEST_VERSION", None)
    env.pop("STOREDESK_TESTING", None)
    if profile == "redis":
        env["DATABASE_URL"] = PG_BENCH_URL
        env["REDIS_URL"] = REDIS_BENCH_URL
    return env


def reset_scale_services() -> None:
    import psycopg
    import redis

    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {PG_BENCH_DB} WITH (FORCE)")
        conn.execute(f"CREATE DATABASE {PG_BENCH_DB}")
    redis.Redis.from_url(REDIS_BENCH_URL).flushdb()


def run_setup(env: dict[str, str], count: int) -> dict[str, Any]:
    out = subprocess.run([PYTHON, "-c", SETUP_CODE, str(count), str(SAMPLE), ORIGIN], env=env,
                         cwd=ROOT, capture_output=True, text=True, check=False)
    if out.returncode != 0:
        raise SystemExit(f"setup failed:\n{out.stderr[-3000:]}")
    data = json.loads(out.stdout.strip().splitlines()[-1])
    data["conversations"] = {int(k): v for k, v in data["conversations"].items()}
    return data


def start(cmd: list[str], env: dict[str, str]) -> subprocess.Popen[bytes]:
    # stdout (access log, banners) is dropped; errors still reach stderr
    return subprocess.Popen(cmd, env=env, cwd=ROOT, start_new_session=True,
                            stdout=subprocess.DEVNULL)


def wait_ready(port: int, proc: subprocess.Popen[bytes], timeout: float = 90.0) -> None:
    import httpx

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit("the server exited during start-up")
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.3)
    raise SystemExit("the server did not become ready")


def stop(proc: subprocess.Popen[bytes] | None) -> None:
    if proc is None or proc.poll() is not None:
        return
    proc.terminate()
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def proc_stats(pid: int) -> dict[str, float]:
    """RSS (MiB) and user+system CPU seconds of one process, from /proc."""
    tick = os.sysconf("SC_CLK_TCK")
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    cpu = (int(fields[11]) + int(fields[12])) / tick
    rss_pages = int(Path(f"/proc/{pid}/statm").read_text().split()[1])
    return {"rss_mib": rss_pages * os.sysconf("SC_PAGE_SIZE") / 2**20, "cpu_s": cpu}


async def settle(pid: int, *, idle_share: float = 0.25, timeout: float = 120.0) -> None:
    """Wait until the server process uses under `idle_share` of a core over one second."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        before = proc_stats(pid)["cpu_s"]
        await asyncio.sleep(1.0)
        if proc_stats(pid)["cpu_s"] - before < idle_share:
            return


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    index = min(len(ordered) - 1, max(0, round(q / 100 * (len(ordered) - 1))))
    return ordered[index]


class Widgets:
    """The client side: many widget sockets in one asyncio process."""

    def __init__(self, port: int, key: str, tokens: list[str]) -> None:
        self.port, self.key, self.tokens = port, key, tokens
        self.sockets: list[Any] = []
        self.tasks: list[asyncio.Task[None]] = []
        self.arrivals: dict[str, float] = {}
        self.waiters: dict[str, asyncio.Future[float]] = {}
        self.failures = 0
        self.closed = 0

    async def open_up_to(self, count: int) -> float:
        from websockets.asyncio.client import connect

        started = time.perf_counter()
        semaphore = asyncio.Semaphore(CONNECT_CONCURRENCY)

        async def one(index: int) -> None:
            url = (f"ws://127.0.0.1:{self.port}/ws/widget/?key={self.key}"
                   f"&token={self.tokens[index]}")
            async with semaphore:
                for _attempt in range(5):
                    try:
                        ws = await connect(url, origin=ORIGIN, open_timeout=60,  # type: ignore[arg-type]
                                           ping_interval=None, max_size=2**20)
                        ready = json.loads(await asyncio.wait_for(ws.recv(), 60))
                        assert ready["type"] == "ready", ready
                        break
                    except (OSError, TimeoutError, AssertionError, Exception):  # noqa: BLE001
                        self.failures += 1
                        await asyncio.sleep(0.5)
                else:
                    raise SystemExit(f"socket {index} could not connect")
            self.sockets.append(ws)
            self.tasks.append(asyncio.create_task(self.listen(ws)))

        await asyncio.gather(*(one(i) for i in range(len(self.sockets), count)))
        return time.perf_counter() - started

    async def listen(self, ws: Any) -> None:
        last_ping = time.monotonic()
        try:
            while True:
                try:
                    raw = await asyncio.wait_for(ws.recv(), timeout=PING_SECONDS)
                except TimeoutError:
                    raw = None
                if time.monotonic() - last_ping >= PING_SECONDS:
                    await ws.send('{"type":"ping"}')
                    last_ping = time.monotonic()
                if raw is None:
                    continue
                now = time.perf_counter()
                data = json.loads(raw)
                if data.get("type") != "message":
                    continue
                message = data["message"]
                marker = message["text"]
                waiter = self.waiters.pop(marker, None)
                if waiter is not None and not waiter.done():
                    waiter.set_result(now)
                # what the real widget does for every reply it draws
                await ws.send(json.dumps({"type": "receipt", "id": message["id"],
                                          "status": "delivered"}))
        except Exception:  # noqa: BLE001 - a closed socket ends its listener
            self.closed += 1

    async def close(self) -> None:
        for task in self.tasks:
            task.cancel()
        await asyncio.gather(*(ws.close() for ws in self.sockets), return_exceptions=True)


async def measure_replies(widgets: Widgets, setup: dict[str, Any], count: int, replies: int,
                          rate: float, label: str) -> dict[str, Any]:
    import httpx

    conversations = list(setup["conversations"].values())
    latencies: list[float] = []
    api_times: list[float] = []
    after_api: list[float] = []  # from the API's answer (committed) to the widget
    lost = 0
    headers = {"Authorization": f"Bearer {setup['token']}"}
    async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{widgets.port}", headers=headers,
                                 timeout=60) as client:

        async def one(n: int) -> None:
            nonlocal lost
            marker = f"bench {label} {count} reply {n} {uuid.uuid4().hex[:6]}"
            waiter: asyncio.Future[float] = asyncio.get_running_loop().create_future()
            widgets.waiters[marker] = waiter
            conversation = conversations[n % len(conversations)]
            started = time.perf_counter()
            try:
                response = await client.post(f"/api/v1/conversations/{conversation}/messages",
                                             json={"text": marker})
            except httpx.HTTPError:  # the server dropped the request: a lost reply, counted
                lost += 1
                widgets.waiters.pop(marker, None)
                return
            answered = time.perf_counter()
            api_times.append(answered - started)
            if response.status_code != 201:
                lost += 1
                widgets.waiters.pop(marker, None)
                return
            try:
                arrived = await asyncio.wait_for(waiter, timeout=30)
            except TimeoutError:
                lost += 1
                widgets.waiters.pop(marker, None)
                return
            latencies.append(arrived - started)
            after_api.append(arrived - answered)

        tasks = []
        for n in range(replies):
            tasks.append(asyncio.create_task(one(n)))
            await asyncio.sleep(1 / rate)
        await asyncio.gather(*tasks)
    ms = [v * 1000 for v in latencies]
    return {
        "replies": replies, "received": len(latencies), "lost": lost,
        "p50_ms": round(percentile(ms, 50), 1), "p90_ms": round(percentile(ms, 90), 1),
        "p99_ms": round(percentile(ms, 99), 1), "max_ms": round(max(ms, default=float("nan")), 1),
        "mean_ms": round(statistics.fmean(ms), 1) if ms else None,
        "after_api_p50_ms": round(percentile([v * 1000 for v in after_api], 50), 1),
        "after_api_p99_ms": round(percentile([v * 1000 for v in after_api], 99), 1),
        "api_p50_ms": round(percentile([v * 1000 for v in api_times], 50), 1),
        "api_p99_ms": round(percentile([v * 1000 for v in api_times], 99), 1),
    }


async def run_profile(profile: str, counts: list[int], replies: int, rate: float
                      ) -> list[dict[str, Any]]:
    data_dir = Path(tempfile.mkdtemp(prefix=f"widget-bench-{profile}-"))
    env = profile_env(profile, data_dir)
    if profile == "redis":
        reset_scale_services()
    print(f"[{profile}] setting up {max(counts)} visitors ...", flush=True)
    setup = run_setup(env, max(counts))
    port = free_port()
    server = worker = None
    rows: list[dict[str, Any]] = []
    try:
        serve = [STOREDESK, "serve"]
        if PROFILE_SERVER:
            # pyinstrument samples the server's main thread (the event loop: sockets, layer,
            # JSON); the report is written when the server stops.
            RESULTS.mkdir(parents=True, exist_ok=True)
            serve = [str(Path(PYTHON).with_name("pyinstrument")), "-r", "text", "--show-all",
                     "-o", str(RESULTS / f"widget_ws_profile_{profile}.txt"), STOREDESK,
                     "serve"]
        if profile == "embedded":
            server = start([*serve, "--with-worker", "--host", "127.0.0.1",
                            "--port", str(port)], env)
        else:
            server = start([*serve, "--host", "127.0.0.1", "--port", str(port)], env)
            worker = start([STOREDESK, "worker"], env)
        wait_ready(port, server)
        widgets = Widgets(port, setup["key"], setup["visitors"])
        client_cpu_before = resource.getrusage(resource.RUSAGE_SELF)
        for count in counts:
            server_before = proc_stats(server.pid)
            connect_s = await widgets.open_up_to(count)
            await settle(server.pid)  # the connect burst is over: measure the steady state
            if count == counts[0] and WARMUP:
                # A fresh server's first replies pay one-off costs (imports, pools, the first
                # queries' plans): seconds at the top of the first step. Sent, not counted.
                await measure_replies(widgets, setup, count, WARMUP, rate, f"{profile} warmup")
                await settle(server.pid)
            server_mid = proc_stats(server.pid)
            result = await measure_replies(widgets, setup, count, replies, rate, profile)
            server_after = proc_stats(server.pid)
            usage = resource.getrusage(resource.RUSAGE_SELF)
            row = {
                "profile": profile, "connections": count,
                "load_average_1m": round(os.getloadavg()[0], 2),
                "open_sockets": len(widgets.sockets),
                "sockets_closed_by_server": widgets.closed, "connect_retries": widgets.failures,
                "connect_seconds": round(connect_s, 1), **result,
                "server_rss_mib": round(server_after["rss_mib"], 1),
                "server_cpu_s_connect": round(server_mid["cpu_s"] - server_before["cpu_s"], 1),
                "server_cpu_s_replies": round(server_after["cpu_s"] - server_mid["cpu_s"], 1),
                "client_cpu_s_total": round(usage.ru_utime + usage.ru_stime
                                            - client_cpu_before.ru_utime
                                            - client_cpu_before.ru_stime, 1),
            }
            rows.append(row)
            print(f"[{profile}] {count:>5} connections: p50 {row['p50_ms']} ms, "
                  f"p99 {row['p99_ms']} ms (after the API answered: p50 "
                  f"{row['after_api_p50_ms']}, p99 {row['after_api_p99_ms']}), API p99 "
                  f"{row['api_p99_ms']} ms, lost {row['lost']}, server RSS "
                  f"{row['server_rss_mib']} MiB", flush=True)
        await widgets.close()
    finally:
        stop(server)
        stop(worker)
        shutil.rmtree(data_dir, ignore_errors=True)
    return rows


def widget_size() -> dict[str, int]:
    raw = WIDGET_JS.read_bytes()
    return {"widget_js_bytes": len(raw), "widget_js_gzip_bytes": len(gzip.compress(raw, 9))}


def main() -> None:
    global PROFILE_SERVER, WARMUP
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--profiles", default="embedded,redis")
    parser.add_argument("--connections", default="100,1000,5000")
    parser.add_argument("--replies", type=int, default=200)
    parser.add_argument("--rate", type=float, default=10.0, help="replies per second")
    parser.add_argument("--warmup", type=int, default=WARMUP,
                        help="uncounted replies before the first step (0: none)")
    parser.add_argument("--profile-server", action="store_true",
                        help="run the server under pyinstrument (bench/results/"
                             "widget_ws_profile_<profile>.txt); slows it down")
    args = parser.parse_args()
    PROFILE_SERVER = args.profile_server
    WARMUP = args.warmup
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    counts = [int(c) for c in args.connections.split(",")]
    rows: list[dict[str, Any]] = []
    for profile in args.profiles.split(","):
        rows += asyncio.run(run_profile(profile, counts, args.replies, args.rate))
    size = widget_size()
    print()
    print(f"widget.js: {size['widget_js_bytes']} bytes, {size['widget_js_gzip_bytes']} gzipped")
    print(f"{'profile':<9} {'conns':>6} {'p50 ms':>8} {'p90 ms':>8} {'p99 ms':>8} {'max ms':>8} "
          f"{'lost':>5} {'API p50':>8} {'RSS MiB':>8}")
    for r in rows:
        print(f"{r['profile']:<9} {r['connections']:>6} {r['p50_ms']:>8} {r['p90_ms']:>8} "
              f"{r['p99_ms']:>8} {r['max_ms']:>8} {r['lost']:>5} {r['api_p50_ms']:>8} "
              f"{r['server_rss_mib']:>8}")
    RESULTS.mkdir(parents=True, exist_ok=True)
    out = {
        "command": "bench/widget_ws.py " + " ".join(sys.argv[1:]),
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version(),
                    "platform": platform.platform()},
        "replies_per_step": args.replies, "warmup_replies": args.warmup,
        "rate_per_second": args.rate,
        **size, "results": rows,
    }
    (RESULTS / "widget_ws.json").write_text(json.dumps(out, indent=2) + "\n")
    print(f"\nwrote {RESULTS / 'widget_ws.json'}")


if __name__ == "__main__":
    main()
