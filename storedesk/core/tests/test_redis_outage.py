"""Redis goes down under a running server, then comes back.

A private `redis-server` on a free port (started and killed by the test) backs a real
`storedesk serve` on the test database. While Redis is down: /healthz names the parts that are
down and keeps the node serving, sign-in works and failed sign-ins are still throttled (on the
process-local fallback), the API reads and writes in JSON. When Redis is back, everything is
"ok" again without a restart. Every wait is bounded; both processes are stopped in `finally`.
"""

from __future__ import annotations

import shutil
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest
import redis

from storedesk.accounts.actions import create_api_token
from storedesk.inbox import actions
from storedesk.testing.browser import test_database_url
from storedesk.testing.personas import PASSWORD
from storedesk.testing.windows import clear_of_window_edge
from storedesk.tests.processes import child_env, free_port, server

REDIS_SERVER = shutil.which("redis-server") or "/usr/bin/redis-server"
BOUND = 60.0  # seconds any state change may take to show (a bound, not a measurement)

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(not Path(REDIS_SERVER).exists(), reason="needs the redis-server binary"),
]


@contextmanager
def private_redis(port: int, data_dir: Path) -> Iterator[subprocess.Popen[bytes]]:
    data_dir.mkdir(parents=True, exist_ok=True)
    process = subprocess.Popen(  # noqa: S603 - the installed redis-server, fixed arguments
        [REDIS_SERVER, "--port", str(port), "--bind", "127.0.0.1", "--save", "",
         "--appendonly", "no", "--dir", str(data_dir)],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    try:
        client = redis.Redis(port=port, socket_connect_timeout=1)
        deadline = time.monotonic() + BOUND
        while True:
            try:
                if client.ping():
                    break
            except redis.exceptions.ConnectionError:
                if time.monotonic() > deadline or process.poll() is not None:
                    raise
                time.sleep(0.1)
        yield process
    finally:
        if process.poll() is None:
            process.kill()
        process.wait(timeout=30)


def _until(check, what: str):
    deadline = time.monotonic() + BOUND
    while True:
        result = check()
        if result:
            return result
        if time.monotonic() > deadline:
            raise AssertionError(f"{what} did not happen within {BOUND}s")
        time.sleep(0.3)


def _health(base: str) -> dict:
    return httpx.get(f"{base}/healthz", timeout=30).json()


def _sign_in(base: str, email: str, password: str) -> httpx.Response:
    with httpx.Client(base_url=base, timeout=30) as client:
        client.get("/login/")
        return client.post("/login/", data={
            "username": email, "password": password,
            "csrfmiddlewaretoken": client.cookies["csrftoken"],
        })


def test_a_redis_outage_degrades_and_recovers_without_a_restart(personas, tmp_path):
    # given a conversation, an API token, a private Redis and a server using it
    conversation = actions.receive_message(personas.harbor_api, actions.InboundMessage(
        sender_id="mei", text="Where is my order?")).conversation
    token = create_api_token(personas.ahmet)[1]
    redis_port, web_port = free_port(), free_port()
    base = f"http://127.0.0.1:{web_port}"
    env = child_env(tmp_path / "data", DATABASE_URL=test_database_url(),
                    REDIS_URL=f"redis://127.0.0.1:{redis_port}/0",
                    STOREDESK_LOGIN_RATE_LIMIT="3/h", STOREDESK_ALLOWED_HOSTS="127.0.0.1",
                    # the personas' passwords use the test hasher; the queue stays a real one
                    STOREDESK_TESTING="1", STOREDESK_QUEUE_IMMEDIATE="0")
    api = {"Authorization": f"Bearer {token}"}
    with private_redis(redis_port, tmp_path / "redis") as redis_process, \
            server(["serve", "--port", str(web_port)], env, tmp_path / "serve.log") as child:
        child.wait_for(f"{base}/healthz", timeout=120)
        assert _health(base)["status"] == "ok"

        # when Redis dies
        redis_process.kill()
        redis_process.wait(timeout=30)

        # then /healthz names the parts that are down and keeps the node in service
        down = _until(lambda: (h := _health(base))["cache"] == "error" and h, "cache error")
        assert down == {"status": "degraded", "database": "ok", "queue": "error",
                        "cache": "error", "realtime": "error"}
        # and Olivia signs in
        assert _sign_in(base, "olivia@harbor.test", PASSWORD).status_code == 302
        # and an attacker guessing Lina's password is still throttled (process-local counter)
        clear_of_window_edge(3600)  # the four attempts must count in one window
        codes = [_sign_in(base, "lina@harbor.test", "guess").status_code for _ in range(4)]
        assert codes == [200, 200, 200, 429], codes
        # and the API reads and writes, answering JSON
        listed = httpx.get(f"{base}/api/v1/conversations", headers=api, timeout=30)
        assert listed.status_code == 200 and listed.json()["items"]
        reply = httpx.post(f"{base}/api/v1/conversations/{conversation.pk}/messages",
                           headers=api, json={"text": "It left our warehouse today."},
                           timeout=30)
        assert reply.status_code == 201, reply.text[:300]
        assert reply.json()["delivery_status"] == "pending"  # sent when the queue is back

        # when Redis comes back on the same port
        with private_redis(redis_port, tmp_path / "redis"):
            # then the server recovers on its own, without a restart
            _until(lambda: _health(base)["status"] == "ok", "recovery")
            assert _health(base) == {"status": "ok", "database": "ok", "queue": "ok",
                                     "cache": "ok", "realtime": "ok"}
            assert child.process.poll() is None  # the same process all along
        assert "Traceback" not in child.output() or "Error calling" in child.output()
