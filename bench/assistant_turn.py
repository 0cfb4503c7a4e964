#!/usr/bin/env python
"""The assistant's turn latency in a real demo: message received -> bot reply stored.

    .venv/bin/python bench/assistant_turn.py [--messages 30] [--port 8741] [--fresh]

Starts `storedesk demo` in a new data dir (SQLite, the embedded profile: web + worker in one
process), as `make demo` does: the shipped model is trained first with
`storedesk assistant classify </dev/null` unless `--fresh` (then the demo trains it in the
background and the first answers wait for it). As soon as the banner is printed it posts
shoppers' questions to the "Store API" inbox with the integration key the banner prints (the
README's curl), one at a time, each waiting for the bot's reply, and reads both messages back
through the REST API: the latency is the reply's `created_at` minus the shopper's message's
`created_at` (both written by the server), plus the wall time from the POST to the reply being
readable. The first message is sent right after the banner (the "first answer after
`storedesk demo`"). Prints the figures with the load average and writes
bench/results/assistant_turn.json.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
BIN = ROOT / ".venv" / "bin" / "storedesk"
QUESTIONS = [
    ("maya.chen@example.net", "Hi! Where is my order?"),
    ("maya.chen@example.net", "Gdzie jest moja paczka?"),
    ("oliver.grant@example.org", "How do I return the throw?"),
    ("maya.chen@example.net", "Siparişim nerede?"),
    ("lucy.martin@example.com", "How much is shipping to Germany?"),
    ("maya.chen@example.net", "Wo ist meine Bestellung?"),
]


def _parse(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--messages", type=int, default=30)
    parser.add_argument("--port", type=int, default=8741)
    parser.add_argument("--fresh", action="store_true",
                        help="do not train the model first (a bare `storedesk demo`)")
    parser.add_argument("--model-from", type=Path, default=None,
                        help="copy an already trained cache/nlu/shipped-*.npz from this data "
                             "dir instead of training it (what `make demo` leaves)")
    args = parser.parse_args()
    data_dir = Path(tempfile.mkdtemp(prefix="storedesk-turn-"))
    env = {k: v for k, v in os.environ.items()
           if k not in ("DATABASE_URL", "REDIS_URL", "PYTEST_VERSION")}
    env.update({"STOREDESK_DATA_DIR": str(data_dir), "PYTHONUNBUFFERED": "1"})
    prepared_s = None
    if args.model_from is not None:
        target = data_dir / "cache" / "nlu"
        target.mkdir(parents=True)
        for trained in (args.model_from / "cache" / "nlu").glob("shipped-*.npz"):
            shutil.copy(trained, target / trained.name)
    elif not args.fresh:
        started = time.perf_counter()
        subprocess.run([str(BIN), "assistant", "classify"], stdin=subprocess.DEVNULL, env=env,
                       check=True, cwd=ROOT)
        prepared_s = time.perf_counter() - started
    log = data_dir / "demo.log"
    started = time.perf_counter()
    with log.open("w") as out:
        demo = subprocess.Popen([str(BIN), "demo", "--port", str(args.port)], stdout=out,
                                stderr=subprocess.STDOUT, env=env, cwd=ROOT)
    try:
        while "Press Ctrl-C" not in log.read_text():
            if demo.poll() is not None or time.perf_counter() - started > 900:
                print(log.read_text())
                return 1
            time.sleep(0.2)
        banner_s = time.perf_counter() - started
        text = log.read_text()
        key = re.search(r"Integration key: (\S+)", text).group(1)  # type: ignore[union-attr]
        token = re.search(r"API token: (\S+)", text).group(1)  # type: ignore[union-attr]
        inbox = re.search(r"/api/v1/inboxes/(\d+)/messages", text).group(1)  # type: ignore[union-attr]
        base = f"http://127.0.0.1:{args.port}"
        while True:
            try:
                if httpx.get(f"{base}/healthz", timeout=5).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.2)
        rows = []
        for n in range(args.messages):
            email, question = QUESTIONS[n % len(QUESTIONS)]
            sent = time.perf_counter()
            posted = httpx.post(
                f"{base}/api/v1/inboxes/{inbox}/messages",
                headers={"Authorization": f"Bearer {key}"},
                json={"source_id": f"bench-{n}", "name": "Bench Shopper", "email": email,
                      "text": question, "message_id": f"bench-{n}"}, timeout=60)
            assert posted.status_code == 201, posted.text
            conversation = posted.json()["conversation_id"]
            while True:
                listed = httpx.get(f"{base}/api/v1/conversations/{conversation}/messages",
                                   headers={"Authorization": f"Bearer {token}"}, timeout=60)
                items = listed.json()["items"]
                bot = [m for m in items if m["sender_type"] == "bot" and not m["private"]]
                if bot:
                    break
                if time.perf_counter() - sent > 600:
                    raise SystemExit(f"no answer to message {n}")
                time.sleep(0.05)
            wall = time.perf_counter() - sent
            incoming = next(m for m in items if m["direction"] == "incoming")
            stored = (_parse(bot[0]["created_at"]) - _parse(incoming["created_at"]))
            rows.append({"n": n, "question": question, "stored_ms": stored.total_seconds() * 1000,
                         "wall_ms": wall * 1000, "answer": bot[0]["text"][:120]})
    finally:
        demo.terminate()
        demo.wait(timeout=60)
    later = [r["stored_ms"] for r in rows[1:]] or [rows[0]["stored_ms"]]
    result = {
        "when": datetime.now().astimezone().isoformat(timespec="seconds"),
        "load_average": os.getloadavg(),
        "fresh_data_dir_without_pretraining": args.fresh,
        "pretraining_s": prepared_s,
        "start_to_banner_s": banner_s,
        "first_answer_stored_ms": rows[0]["stored_ms"],
        "first_answer_wall_ms": rows[0]["wall_ms"],
        "later_stored_ms_p50": statistics.median(later),
        "later_stored_ms_max": max(later),
        "later_wall_ms_p50": statistics.median(r["wall_ms"] for r in rows[1:] or rows),
        "messages": len(rows),
        "rows": rows,
    }
    print(json.dumps({k: v for k, v in result.items() if k != "rows"}, indent=2))
    print("first answer:", rows[0]["answer"])
    out = ROOT / "bench" / "results" / ("assistant_turn_fresh.json" if args.fresh
                                        else "assistant_turn.json")
    out.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
