"""Email ingest benchmark: raw MIME endpoint and IMAP (a real Dovecot), on a fresh SQLite.

    .venv/bin/python bench/email_ingest.py [--count 10000] [--clients 8] [--latency-count 200]

Phase 1, raw MIME: uvicorn (one process) serves POST /api/v1/inboxes/{id}/email; `--clients`
concurrent httpx clients post `--count` distinct mails (shoppers in five languages, 1 in 4 a
reply into an existing thread, 1 in 10 with a small attachment). Each mail is filed before the
answer, so arrival -> visible is the request's latency; messages/s is count / wall time.

Phase 2, IMAP backlog: `--count` mails are APPENDed to a Dovecot mailbox first, then the fetch
task runs until the backlog is drained (in this process, the same code as the Huey task):
messages/s of the drain.

Phase 3, IMAP arrival -> visible: an IDLE watcher (idle.py) runs while mails are APPENDed one by
one (`--latency-count`, 20 per second); each mail carries its send time, and the time it
became a committed message (the row's created_at) gives the latency; p50/p95.

Prints a table and writes bench/results/email_ingest.json.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime
from email.message import EmailMessage
from email.utils import format_datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
PYTHON = sys.executable

TEXTS = [
    ("Ayşe Kaya", "Siparişim {n} nerede?", "Merhaba, {n} numaralı siparişim hâlâ gelmedi."),
    ("Jan Kowalski", "Zwrot zamówienia {n}", "Dzień dobry, chcę zwrócić zamówienie {n}."),
    ("Budi Santoso", "Pesanan {n}", "Halo, apakah alamat pesanan {n} bisa diubah?"),
    ("Somchai", "คำสั่งซื้อ {n}", "สวัสดีครับ ต้องการขอคืนเงินสำหรับคำสั่งซื้อ {n}"),
    ("Emma Brown", "Order {n} arrived broken", "Hi, the lamp in order {n} arrived broken."),
]


def build_mail(n: int, *, tag: str = "raw", sent_at: float | None = None,
               reply_to: str | None = None) -> bytes:
    name, subject, text = TEXTS[n % len(TEXTS)]
    shopper = n % 2000
    msg = EmailMessage()
    msg["From"] = f"{name} <shopper{shopper}@example.com>"
    msg["To"] = "support@bench.test"
    msg["Subject"] = subject.format(n=1000 + n)
    msg["Date"] = format_datetime(datetime.now(UTC))
    msg["Message-ID"] = f"<bench-{tag}-{n}@example.com>"
    if reply_to:
        msg["In-Reply-To"] = reply_to
        msg["References"] = reply_to
    if sent_at is not None:
        msg["X-Bench-Sent"] = repr(sent_at)
    body = text.format(n=1000 + n)
    if reply_to:
        body += f"\n\nOn Mon, 30 Nov 2026 at 10:15, Support <support@bench.test> wrote:\n> {body}"
    msg.set_content(body)
    msg.add_alternative(f"<p>{body}</p>", subtype="html")
    if n % 10 == 0:
        msg.add_attachment(b"\x89PNG\r\n\x1a\n" + bytes(2048), maintype="image",
                           subtype="png", filename=f"photo-{n}.png")
    return msg.as_bytes()


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _percentile(values: list[float], q: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def setup_django(data_dir: Path) -> None:
    os.environ["STOREDESK_DATA_DIR"] = str(data_dir)
    os.environ.pop("DATABASE_URL", None)
    os.environ.pop("REDIS_URL", None)
    os.environ["STOREDESK_FETCH_ALLOW_PRIVATE"] = "1"
    os.environ["STOREDESK_API_RATE_LIMIT"] = "1000000/m"
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings"
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def make_inbox() -> tuple[Any, str]:
    from storedesk.accounts.actions import add_member, create_account
    from storedesk.accounts.models import Role
    from storedesk.connectors.actions import create_integration_key, set_up_inbox

    account = create_account("Bench Store", languages=["en", "pl", "tr", "id", "th"])
    add_member(account, "bench@example.com", role=Role.OWNER, name="Bench Owner")
    inbox = set_up_inbox(account, "email", name="Bench mail",
                         config={"address": "support@bench.test"})
    _, key = create_integration_key(inbox, name="bench")
    return inbox, key


# --- Phase 1: raw MIME over HTTP -------------------------------------------------------------


def phase_raw_mime(data_dir: Path, inbox_id: int, key: str, count: int,
                   clients: int) -> dict[str, Any]:
    import httpx

    port = _free_port()
    env = {**os.environ}
    server = subprocess.Popen(  # noqa: S603
        [PYTHON, "-m", "uvicorn", "config.asgi:application", "--host", "127.0.0.1",
         "--port", str(port), "--log-level", "warning", "--no-access-log"],
        cwd=ROOT, env=env)
    url = f"http://127.0.0.1:{port}/api/v1/inboxes/{inbox_id}/email"
    headers = {"Authorization": f"Bearer {key}", "Content-Type": "message/rfc822"}
    try:
        for _ in range(200):
            try:
                httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1)
                break
            except httpx.HTTPError:
                time.sleep(0.1)
        latencies: list[float] = []
        statuses: dict[int, int] = {}
        threads: dict[int, str] = {}
        queue = list(range(count))

        async def client(worker: int) -> None:
            async with httpx.AsyncClient(timeout=60) as http:
                while queue:
                    n = queue.pop()
                    reply = threads.get(n % 2000) if n % 4 == 0 else None
                    raw = build_mail(n, reply_to=reply)
                    started = time.perf_counter()
                    response = await http.post(url, content=raw, headers=headers)
                    latencies.append(time.perf_counter() - started)
                    statuses[response.status_code] = statuses.get(response.status_code, 0) + 1
                    if response.status_code == 201:
                        threads.setdefault(n % 2000, f"<bench-raw-{n}@example.com>")

        async def run() -> float:
            started = time.perf_counter()
            await asyncio.gather(*(client(i) for i in range(clients)))
            return time.perf_counter() - started

        wall = asyncio.run(run())
    finally:
        server.terminate()
        server.wait(timeout=20)
    return {"count": count, "clients": clients, "seconds": round(wall, 2),
            "messages_per_second": round(count / wall, 1),
            "p50_ms": round(_percentile(latencies, 0.5) * 1000, 1),
            "p95_ms": round(_percentile(latencies, 0.95) * 1000, 1),
            "statuses": statuses}


# --- Phases 2 and 3: IMAP against Dovecot ----------------------------------------------------


def _point_inbox_at(inbox: Any, dovecot: Any, user: str) -> None:
    from storedesk.connectors.secrets import seal
    from storedesk.inbox.models import Inbox

    config = {**inbox.config, "imap": dovecot.imap_settings(user, seal(dovecot.users[user]))}
    Inbox.objects.filter(pk=inbox.pk).update(config=config)
    inbox.refresh_from_db()


def phase_imap_backlog(inbox: Any, dovecot: Any, count: int) -> dict[str, Any]:
    from storedesk.connectors.email import imap
    from storedesk.inbox.models import Message

    user = "backlog@bench.test"
    _point_inbox_at(inbox, dovecot, user)
    client = dovecot.client(user)
    started = time.perf_counter()
    for n in range(count):
        client.append("INBOX", build_mail(n, tag="imap"))
    client.logout()
    append_seconds = time.perf_counter() - started
    before = Message.objects.filter(inbox=inbox).count()
    started = time.perf_counter()
    runs = 0
    while True:
        report = imap.fetch_mailbox(inbox, seconds=600)
        runs += 1
        if report.complete:
            break
    wall = time.perf_counter() - started
    filed = Message.objects.filter(inbox=inbox).count() - before
    return {"count": count, "filed": filed, "fetch_runs": runs,
            "append_seconds": round(append_seconds, 2), "seconds": round(wall, 2),
            "messages_per_second": round(filed / wall, 1)}


def phase_imap_latency(inbox: Any, dovecot: Any, count: int, rate: float) -> dict[str, Any]:
    from storedesk.connectors.email import imap
    from storedesk.connectors.email.idle import watch_mailbox
    from storedesk.inbox.models import Message

    user = "latency@bench.test"
    _point_inbox_at(inbox, dovecot, user)
    wake = threading.Event()
    stop = threading.Event()
    snapshot = inbox

    def fetcher() -> None:
        # the Huey task's work, in one thread (the IDLE watcher only wakes it)
        from django.db import connection

        while not stop.is_set():
            if wake.wait(0.5):
                wake.clear()
                imap.fetch_mailbox(snapshot, seconds=60)
        connection.close()

    watcher = threading.Thread(target=watch_mailbox, args=(inbox.pk, stop), kwargs={
        "on_new": lambda _pk: wake.set(), "check_every": 0.2, "load": lambda _pk: snapshot},
        daemon=True)
    worker = threading.Thread(target=fetcher, daemon=True)
    worker.start()
    watcher.start()
    time.sleep(1.0)
    client = dovecot.client(user)
    for n in range(count):
        client.append("INBOX", build_mail(n, tag="lat", sent_at=time.time()))
        time.sleep(1.0 / rate)
    client.logout()
    deadline = time.time() + 60
    while time.time() < deadline:
        filed = Message.objects.filter(inbox=inbox, source_id__startswith="<bench-lat-")
        if filed.count() >= count:
            break
        time.sleep(0.2)
    stop.set()
    wake.set()
    worker.join(timeout=30)
    watcher.join(timeout=30)
    created = {
        int(source_id.split("-")[2].split("@")[0]): at.timestamp()
        for source_id, at in Message.objects.filter(
            inbox=inbox, source_id__startswith="<bench-lat-").values_list("source_id", "created_at")
    }
    sent = _sent_times(dovecot, user)
    deltas = [at - sent[n] for n, at in created.items() if n in sent]
    return {"count": count, "rate_per_second": rate, "filed": len(created),
            "p50_ms": round(_percentile(deltas, 0.5) * 1000, 1),
            "p95_ms": round(_percentile(deltas, 0.95) * 1000, 1),
            "max_ms": round(max(deltas) * 1000, 1) if deltas else 0.0}


def _sent_times(dovecot: Any, user: str) -> dict[int, float]:
    from email import message_from_bytes, policy

    client = dovecot.client(user)
    client.select_folder("INBOX", readonly=True)
    found = {}
    uids = client.search(["ALL"])
    for data in client.fetch(uids, ["BODY.PEEK[HEADER]"]).values():
        header = message_from_bytes(data[b"BODY[HEADER]"], policy=policy.default)
        message_id = str(header["Message-ID"])
        if header["X-Bench-Sent"]:
            found[int(message_id.split("-")[2].split("@")[0])] = float(str(header["X-Bench-Sent"]))
    client.logout()
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--count", type=int, default=10_000)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--latency-count", type=int, default=200)
    parser.add_argument("--rate", type=float, default=20.0)
    args = parser.parse_args()

    data_dir = Path(tempfile.mkdtemp(prefix="storedesk-bench-email-"))
    try:
        setup_django(data_dir)
        from storedesk.testing.dovecot import DovecotServer

        inbox, key = make_inbox()
        print(f"raw MIME: {args.count} mails, {args.clients} clients ...", flush=True)
        raw = phase_raw_mime(data_dir, inbox.pk, key, args.count, args.clients)
        print(json.dumps(raw), flush=True)
        users = {"backlog@bench.test": "pw1", "latency@bench.test": "pw2"}
        with DovecotServer(users=users) as dovecot:
            print(f"IMAP backlog: {args.count} mails ...", flush=True)
            backlog = phase_imap_backlog(inbox, dovecot, args.count)
            print(json.dumps(backlog), flush=True)
            print(f"IMAP IDLE latency: {args.latency_count} mails at {args.rate}/s ...",
                  flush=True)
            latency = phase_imap_latency(inbox, dovecot, args.latency_count, args.rate)
            print(json.dumps(latency), flush=True)
    finally:
        shutil.rmtree(data_dir, ignore_errors=True)
    result = {
        "benchmark": "email_ingest", "backend": "sqlite",
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version()},
        "raw_mime": raw, "imap_backlog": backlog, "imap_idle_latency": latency,
        "measured_at": datetime.now(UTC).isoformat(timespec="seconds"),
    }
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "email_ingest.json").write_text(json.dumps(result, indent=2) + "\n")
    print()
    print(f"{'path':<28}{'messages/s':>12}{'p50 ms':>10}{'p95 ms':>10}")
    print(f"{'raw MIME (HTTP)':<28}{raw['messages_per_second']:>12}{raw['p50_ms']:>10}"
          f"{raw['p95_ms']:>10}")
    print(f"{'IMAP backlog drain':<28}{backlog['messages_per_second']:>12}{'':>10}{'':>10}")
    print(f"{'IMAP IDLE arrival->visible':<28}{'':>12}{latency['p50_ms']:>10}"
          f"{latency['p95_ms']:>10}")


if __name__ == "__main__":
    main()
