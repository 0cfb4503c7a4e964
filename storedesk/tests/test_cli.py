"""The `storedesk` command as a person uses it: real subprocesses, a real server, real HTTP.

Each test gives the child its own data dir and, when the suite runs on PostgreSQL + Redis, its
own scratch PostgreSQL database and Redis key prefix, so the child's writes never meet the
suite's test database.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from django.db import connection

from storedesk.demo.data import CONVERSATIONS
from storedesk.tests.processes import (
    child_env,
    free_port,
    run,
    scratch_postgres_database,
    server,
)

TOKEN_RE = re.compile(r"^sd_[A-Za-z0-9_-]{20,}$")


@pytest.fixture
def child(tmp_path: Path) -> Iterator[dict[str, str]]:
    """The environment for a child process on the same profile as this test run."""
    data_dir = tmp_path / "data"
    if connection.vendor == "postgresql":
        with scratch_postgres_database() as url:
            yield child_env(data_dir, DATABASE_URL=url)
    else:
        yield child_env(data_dir, DATABASE_URL=None, REDIS_URL=None)


def test_manage_passes_through_to_django(child: dict[str, str]) -> None:
    # when an operator runs a Django management command through the CLI
    result = run(["manage", "check"], child)

    # then Django's own command runs (warnings, if any, go to stderr; errors would exit 1)
    assert result.returncode == 0, result.stderr
    assert "System check identified" in result.stdout + result.stderr


def test_token_create_on_an_empty_database_says_what_to_do(child: dict[str, str]) -> None:
    # given a database nobody has migrated yet
    # when someone asks for a token
    result = run(["token", "create", "--email", "admin@example.com"], child)

    # then they are told to migrate, without a traceback
    assert result.returncode == 1
    assert "run `storedesk manage migrate` first" in result.stderr
    assert "Traceback" not in result.stderr


def test_an_installation_starts_with_an_account_and_its_owner(child: dict[str, str]) -> None:
    # given a freshly migrated installation
    assert run(["manage", "migrate", "--verbosity", "0"], child).returncode == 0

    # when the operator creates the store's account
    created = run(["account", "create", "--name", "Acme Linens", "--email", "Owner@Acme.example",
                   "--owner-name", "Ada Owner", "--languages", "en,pl"], child)

    # then the owner gets a one-time password and can have API tokens
    assert created.returncode == 0, created.stderr
    assert "slug acme-linens" in created.stdout
    assert re.search(r"Password: \S{12,}", created.stdout), created.stdout
    token = run(["token", "create", "--email", "owner@acme.example"], child)
    assert token.returncode == 0 and TOKEN_RE.match(token.stdout.strip()), token.stderr

    # and once the owner works in two accounts, a token needs --account
    assert run(["account", "create", "--name", "Acme Outlet", "--email", "owner@acme.example"],
               child).returncode == 0
    ambiguous = run(["token", "create", "--email", "owner@acme.example"], child)
    assert ambiguous.returncode == 1
    assert "acme-linens, acme-outlet" in ambiguous.stderr
    chosen = run(["token", "create", "--email", "owner@acme.example", "--account", "acme-outlet"],
                 child)
    assert chosen.returncode == 0 and TOKEN_RE.match(chosen.stdout.strip()), chosen.stderr


def test_demo_serves_the_store_and_the_api_flow_works_with_the_printed_token(
    child: dict[str, str], tmp_path: Path
) -> None:
    # given `storedesk demo` started on a free port
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    with server(["demo", "--port", str(port)], child, tmp_path / "demo.log") as demo:
        # when it is up
        health = demo.wait_for(f"{base}/healthz", timeout=180)

        # then it is healthy and printed the URL, the login and a ready-to-paste curl example
        assert health.json() == {"status": "ok", "database": "ok", "queue": "ok",
                                 "cache": "ok", "realtime": "ok"}
        banner = demo.output()
        assert f"URL:       {base}/" in banner
        assert "Login:     admin@example.com" in banner
        assert "Password:  storedesk-demo" in banner
        token = re.search(r"API token: (\S+)", banner)
        curl = re.search(r"curl -sS -X POST (\S+)/api/v1/inboxes/(\d+)/messages", banner)
        key = re.search(r"Integration key: (sdi_\S+)", banner)
        assert token and TOKEN_RE.match(token.group(1)) and curl and key, banner
        assert f"Bearer {key.group(1)}" in banner  # the curl line uses the inbox's key
        # and the demo store's public help center answers, in Thai too
        assert f"Help:      {base}/help/lumen-loom/" in banner
        help_th = httpx.get(f"{base}/help/lumen-loom/th/a/returns-and-refunds/", timeout=10)
        assert help_th.status_code == 200 and "การคืนสินค้า" in help_th.text
        headers = {"Authorization": f"Bearer {token.group(1)}"}
        key_headers = {"Authorization": f"Bearer {key.group(1)}"}

        # and the printed token lists the three demo inboxes
        inboxes = httpx.get(f"{base}/api/v1/inboxes", headers=headers, timeout=10)
        assert inboxes.status_code == 200, inboxes.text
        items = inboxes.json()
        items = items["items"] if isinstance(items, dict) else items
        channels = {item["name"]: item["channel"] for item in items}
        assert channels == {"Store API": "api", "Support email": "email",
                            "Website chat": "webchat"}
        api_inbox = next(item["id"] for item in items if item["channel"] == "api")
        assert int(curl.group(2)) == api_inbox

        # when a shopper's message is posted the way the banner shows
        body = {"source_id": "shopper-42", "name": "Ada Shopper", "email": "ada@example.net",
                "text": "Hi! Where is my order #1042?", "message_id": "cli-test-1"}
        url = f"{base}/api/v1/inboxes/{api_inbox}/messages"
        first = httpx.post(url, json=body, headers=key_headers, timeout=10)
        again = httpx.post(url, json=body, headers=key_headers, timeout=10)

        # then it is stored once, and the repeat returns the same ids
        assert first.status_code == 201, first.text
        assert again.status_code == 200, again.text
        assert again.json() == first.json()
        conversation_id = first.json()["conversation_id"]
        messages = httpx.get(f"{base}/api/v1/conversations/{conversation_id}/messages",
                             headers=headers, timeout=10)
        assert messages.status_code == 200, messages.text
        texts = [m["text"] for m in messages.json()["items"]]
        assert texts == ["Hi! Where is my order #1042?"]

        # and a token made with `storedesk token create` meanwhile works as well
        made = run(["token", "create", "--email", "Admin@Example.com"], child)
        assert made.returncode == 0, made.stderr
        assert TOKEN_RE.match(made.stdout.strip()), made.stdout
        me = httpx.get(f"{base}/api/v1/inboxes",
                       headers={"Authorization": f"Bearer {made.stdout.strip()}"}, timeout=10)
        assert me.status_code == 200
        # while a made-up token is refused
        refused = httpx.get(f"{base}/api/v1/inboxes",
                            headers={"Authorization": "Bearer sd_not-a-real-token"}, timeout=10)
        assert refused.status_code == 401

        # and an unknown agent gets no token, a message and a non-zero exit
        unknown = run(["token", "create", "--email", "nobody@example.com"], child)
        assert unknown.returncode == 1 and unknown.stdout == ""
        assert "No active agent nobody@example.com" in unknown.stderr

        # when the person presses Ctrl-C, then the demo stops cleanly
        assert demo.interrupt() == 0, demo.output()


def test_a_separate_worker_delivers_what_the_web_side_queued(
    child: dict[str, str], tmp_path: Path
) -> None:
    # given a database where the demo's agents have replied by email (queued, not yet sent)
    assert run(["manage", "migrate", "--verbosity", "0"], child).returncode == 0
    loaded = run(["manage", "load_demo"], child)
    assert loaded.returncode == 0, loaded.stderr
    email_replies = sum(
        1 for s in CONVERSATIONS if s["inbox"] == "email" for step in s["steps"] if "reply" in step
    )

    # when `storedesk worker` runs on its own (the scale layout: web and workers apart)
    env = {**child, "STOREDESK_LOG_LEVEL": "INFO"}
    sent_mail = Path(child["STOREDESK_DATA_DIR"]) / "sent-mail"
    with server(["worker"], env, tmp_path / "worker.log") as worker:
        # then it sends every queued email reply; the demo's email inbox is local-only, so
        # the mail lands as files in the data dir (nothing leaves the machine)
        deadline = time.monotonic() + 120
        sent = ""
        while time.monotonic() < deadline:
            sent = "".join(f.read_text() for f in sorted(sent_mail.glob("*.log")))
            if sent.count("Message-ID: <sd.") >= email_replies:
                break
            time.sleep(0.5)
        assert sent.count("Message-ID: <sd.") == email_replies, worker.output()
        assert "Subject: Re: Where is my order LL-10421?" in sent
        assert "To: maya.chen@example.net" in sent
        # and stops cleanly on Ctrl-C
        assert worker.interrupt() == 0, worker.output()


def test_the_demos_links_point_at_the_port_it_serves_on() -> None:
    from storedesk.cli import demo_environment

    # given `storedesk demo --port 8710` (any interface) without a public URL set
    environ: dict[str, str] = {}
    demo_environment("0.0.0.0", 8710, environ)  # noqa: S104 - the flag a person passes
    # then the links it hands out (help articles in the assistant's answers) use that port
    assert environ == {"STOREDESK_DEMO_SHOP": "1", "STOREDESK_BASE_URL": "http://127.0.0.1:8710"}
    # while an operator's own public URL is kept
    environ = {"STOREDESK_BASE_URL": "https://desk.example.com"}
    demo_environment("::1", 9000, environ)
    assert environ["STOREDESK_BASE_URL"] == "https://desk.example.com"
