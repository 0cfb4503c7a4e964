"""A newcomer's first hour with `storedesk demo`: a busy port, restarts, the demo token."""

from __future__ import annotations

import re
import socket
import stat
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from django.db import connection

from storedesk.tests.processes import (
    child_env,
    free_port,
    run,
    scratch_postgres_database,
    server,
)


@pytest.fixture
def child(tmp_path: Path) -> Iterator[dict[str, str]]:
    data_dir = tmp_path / "data"
    if connection.vendor == "postgresql":
        with scratch_postgres_database() as url:
            yield child_env(data_dir, DATABASE_URL=url)
    else:
        yield child_env(data_dir, DATABASE_URL=None, REDIS_URL=None)


def _token(output: str) -> str:
    found = re.search(r"API token: (\S+)", output)
    assert found, output
    return found.group(1)


def test_a_busy_port_is_one_clear_line_and_restarts_keep_the_demo_token(
    child: dict[str, str], tmp_path: Path
) -> None:
    # given something already listening on the port the newcomer picks
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        # when they start the demo there
        started = run(["demo", "--port", str(port)], child, timeout=120)
    # then it stops at once with one clear line, before any banner, and no traceback
    assert started.returncode == 1
    assert started.stderr.strip().count("\n") == 0, started.stderr
    assert f"port {port} on 127.0.0.1 is already in use" in started.stderr
    assert "--port" in started.stderr
    assert "Storedesk demo" not in started.stdout and "Traceback" not in started.stderr

    # when the demo is started twice on a free port (stopped with Ctrl-C in between)
    tokens = []
    for attempt in range(2):
        port = free_port()
        log = tmp_path / f"demo-{attempt}.log"
        with server(["demo", "--port", str(port)], child, log) as demo:
            demo.wait_for(f"http://127.0.0.1:{port}/healthz", timeout=240)
            token = _token(demo.wait_for_output("API token:"))
            me = httpx.get(f"http://127.0.0.1:{port}/api/v1/inboxes",
                           headers={"Authorization": f"Bearer {token}"}, timeout=30)
            assert me.status_code == 200, me.text
            tokens.append(token)
            assert demo.interrupt() == 0, demo.output()
    # then both starts print the same token: no new one-year token per start
    assert tokens[0] == tokens[1]
    kept = Path(child["STOREDESK_DATA_DIR"]) / "demo_token"
    assert kept.read_text().strip() == tokens[0]
    assert stat.S_IMODE(kept.stat().st_mode) == 0o600
