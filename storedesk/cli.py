"""The `storedesk` command: demo, serve, worker, manage, token.

    storedesk demo [--host H] [--port P]     migrate, load the demo, serve web + worker
    storedesk serve [--host H] [--port P] [--workers N] [--with-worker]
    storedesk worker                          run the task queue consumer
    storedesk manage ...                      any Django management command
    storedesk token create --email E [--account SLUG] [--name N]
    storedesk account create --name N --email E   a new account and its owner
    storedesk import zendesk|freshdesk|gorgias|helpscout|jsonl SOURCE --inbox ID
                                              bring another helpdesk's history in
    storedesk assistant classify [FILE]       intent + language per line (the shipped model)
    storedesk assistant evaluate --train CSV --test CSV --json   a fresh model's scores

The embedded profile (no REDIS_URL) uses Channels' in-memory layer, which only reaches
websockets in the same process, so `demo` and `serve --with-worker` run the Huey consumer in
threads inside the web process.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
from collections.abc import MutableMapping, Sequence
from pathlib import Path
from typing import Any

logger = logging.getLogger("storedesk.cli")

DEMO_EMAIL = "admin@example.com"
DEMO_PASSWORD = "storedesk-demo"  # noqa: S105 - the documented demo login


def _setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()


# --- The queue consumer ---------------------------------------------------------------------


def _consumer_options(overrides: dict[str, Any] | None = None) -> dict[str, Any]:
    from django.conf import settings

    options: dict[str, Any] = {"workers": 2, "worker_type": "thread", "periodic": True}
    configured = getattr(settings, "HUEY", {})
    if isinstance(configured, dict):
        options.update(configured.get("consumer", {}))
    options.update(overrides or {})
    return options


def _load_task_modules() -> None:
    from django.utils.module_loading import autodiscover_modules

    autodiscover_modules("tasks")


def start_embedded_consumer(**overrides: Any) -> Any:
    """Start the Huey consumer's scheduler and workers as threads of this process.

    Huey's `Consumer.start()` installs signal handlers for the main thread; here uvicorn owns
    the signals, so that step is skipped and `stop_embedded_consumer` is called on shutdown.
    """
    from huey.consumer import Consumer
    from huey.contrib.djhuey import HUEY

    class EmbeddedConsumer(Consumer):  # type: ignore[misc]
        def _set_signal_handlers(self) -> None:
            """uvicorn handles SIGINT/SIGTERM; we stop the consumer after it returns."""

    if HUEY.immediate:
        logger.warning("The queue runs in immediate mode; no consumer threads are started.")
        return None
    _load_task_modules()
    options = _consumer_options({"worker_type": "thread", **overrides})
    options.setdefault("shutdown_timeout", 10.0)
    consumer = EmbeddedConsumer(HUEY, **options)
    consumer.start()
    consumer.stop_watchers = _start_mail_watchers()
    return consumer


def _start_mail_watchers() -> Any:
    """IMAP IDLE watchers run with the queue consumer (connectors/email/idle.py)."""
    from storedesk.connectors.email.idle import start_watchers

    return start_watchers()


def stop_embedded_consumer(consumer: Any) -> None:
    if consumer is None:
        return
    getattr(consumer, "stop_watchers", lambda: None)()
    consumer.stop(graceful=True)
    consumer.huey.notify_interrupted_tasks()


def run_worker(args: argparse.Namespace) -> int:
    """The standalone consumer, like `manage.py run_huey` (signals: INT/TERM stop it)."""
    from huey.contrib.djhuey import HUEY

    if HUEY.immediate:
        print("The queue is in immediate mode (STOREDESK_QUEUE_IMMEDIATE); nothing to consume.",
              file=sys.stderr)
        return 2
    _load_task_modules()
    overrides: dict[str, Any] = {}
    if args.workers:
        overrides["workers"] = args.workers
    if args.no_periodic:
        overrides["periodic"] = False
    options = _consumer_options(overrides)
    huey_logger = logging.getLogger("huey")
    huey_logger.setLevel(logging.INFO)
    consumer = HUEY.create_consumer(**options)
    stop_watchers = _start_mail_watchers()
    try:
        consumer.run()
    finally:
        stop_watchers()
    return 0


# --- Web ------------------------------------------------------------------------------------


def _serve(host: str, port: int, *, workers: int = 1, with_worker: bool = False,
           log_level: str = "info") -> int:
    import uvicorn
    from django.conf import settings

    # WhiteNoise serves from the app finders too; it only wants STATIC_ROOT to exist.
    Path(settings.STATIC_ROOT).mkdir(parents=True, exist_ok=True)
    if workers > 1:
        if with_worker:
            print("--with-worker runs the queue inside one web process; use --workers 1, or "
                  "run `storedesk worker` separately.", file=sys.stderr)
            return 2
        uvicorn.run("config.asgi:application", host=host, port=port, workers=workers,
                    lifespan="off", log_level=log_level, proxy_headers=True)
        return 0

    from config.asgi import application

    config = uvicorn.Config(application, host=host, port=port, lifespan="off",
                            log_level=log_level, proxy_headers=True)
    server = uvicorn.Server(config)
    # uvicorn shuts down gracefully on SIGINT/SIGTERM, restores the previous handlers and then
    # raises the signal again; ours turn that into a normal return, so the queue threads below
    # are stopped too (the default SIGTERM action would kill the process on the spot).
    _install_stop_handlers()
    consumer = start_embedded_consumer() if with_worker else None
    try:
        server.run()
    except _Stopped:
        pass
    finally:
        stop_embedded_consumer(consumer)
    return 0 if server.started else 1


class _Stopped(Exception):
    pass


def _install_stop_handlers() -> None:
    import signal
    import threading

    if threading.current_thread() is not threading.main_thread():
        return

    def stop(signum: int, frame: Any) -> None:
        raise _Stopped(signum)

    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, stop)


def port_problem(host: str, port: int) -> str | None:
    """One line saying why (host, port) cannot be served, or None when it is free."""
    import errno
    import socket

    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as uvicorn binds
        try:
            sock.bind((host, port))
        except OSError as exc:
            if exc.errno == errno.EADDRINUSE:
                return (f"storedesk: port {port} on {host} is already in use (another server?); "
                        "stop it or pick another port with --port.")
            return f"storedesk: cannot listen on {host}:{port}: {exc.strerror or exc}."
    return None


def run_serve(args: argparse.Namespace) -> int:
    problem = port_problem(args.host, args.port)
    if problem:
        print(problem, file=sys.stderr)
        return 1
    return _serve(args.host, args.port, workers=args.workers, with_worker=args.with_worker)


# --- Demo -----------------------------------------------------------------------------------


def run_demo(args: argparse.Namespace) -> int:
    from django.core.management import call_command

    from storedesk.demo.loader import load_demo

    problem = port_problem(args.host, args.port)
    if problem:  # one clear line, before the banner (and before any migration work)
        print(problem, file=sys.stderr)
        return 1
    _demo_mail_to_files()
    call_command("migrate", interactive=False, verbosity=0)
    result = load_demo()
    raw_token = _demo_token(result.owner)
    raw_key = _demo_integration_key(result.api_inbox_id)
    base = f"http://{_display_host(args.host)}:{args.port}"
    if _prepare_assistant(list(result.account.languages or [])):
        # The first answer would otherwise wait behind the load's queued work (without a
        # trained model it waits for the training anyway, and that needs the CPU).
        _run_queued_work()
    print(demo_banner(base, raw_token, result.api_inbox_id, raw_key), flush=True)
    return _serve(args.host, args.port, with_worker=True, log_level="warning")


def demo_environment(host: str, port: int, environ: MutableMapping[str, str]) -> None:
    """What `storedesk demo` turns on before Django starts (an operator's own values win)."""
    # the fictional store page with the chat widget, at /demo/shop
    environ.setdefault("STOREDESK_DEMO_SHOP", "1")
    # links the demo hands out (the assistant's help-article answers, invitations) point at
    # this server on the port it was given, not at the default :8000
    environ.setdefault("STOREDESK_BASE_URL", f"http://{_display_host(host)}:{port}")


def _run_queued_work(limit: int = 10_000, seconds: float = 30.0) -> int:
    """Run what loading the demo queued (its events' subscribers: SLA clocks, rules, the
    assistant, which skips history) before the server serves, so the first shopper's message
    is not queued behind it (about 700 subscriber runs on a first start; 40 s at load 15 on 2
    cores). Bounded to 30 s, so a loaded machine's start is not held long: what is left then
    runs on the consumer. Nothing is queued on later starts; retried tasks stay for it too."""
    import time

    from huey.contrib.djhuey import HUEY

    if HUEY.immediate:
        return 0
    _load_task_modules()
    deadline = time.monotonic() + seconds
    done = 0
    while done < limit and time.monotonic() < deadline:
        task = HUEY.dequeue()
        if task is None:
            break
        HUEY.execute(task)
        done += 1
    return done


def _prepare_assistant(languages: list[str]) -> bool:
    """The assistant's model is loaded before the server serves when it is already trained in
    the data dir (`make demo` trains it first), so the first shopper's answer waits for
    nothing; on a fresh data dir it trains in the background (the banner says so)."""
    from storedesk.assistant import warmup

    if warmup.prepare(languages):
        return True
    print("The assistant's model is being trained in the background (first start only, "
          "about 20 s of CPU); shoppers' messages are answered once it is ready.", flush=True)
    return False


def _demo_token(owner: Any) -> str:
    """The demo owner's API token, kept in the data dir (0600) and reused on every start; a new
    one is minted (and older demo tokens revoked) only when the kept one no longer works."""
    from django.conf import settings

    from storedesk.accounts.actions import create_api_token, revoke_api_token
    from storedesk.accounts.models import ApiToken
    from storedesk.accounts.queries import membership_for_token

    path = Path(settings.DATA_DIR) / "demo_token"
    try:
        kept = path.read_text().strip()
    except OSError:
        kept = ""
    found = membership_for_token(kept) if kept else None
    if found is not None and found.pk == owner.pk:
        return kept
    for old in ApiToken.objects.filter(membership=owner, name=DEMO_TOKEN_NAME,
                                       revoked_at__isnull=True):
        revoke_api_token(old)
    _, raw = create_api_token(owner, name=DEMO_TOKEN_NAME)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(raw)
    return raw


def _demo_integration_key(inbox_id: int) -> str:
    """A fresh key for the demo's API inbox; the previous demo key is revoked (no pile-up)."""
    from storedesk.connectors.actions import create_integration_key, revoke_integration_key
    from storedesk.connectors.models import IntegrationKey
    from storedesk.inbox.models import Inbox

    inbox = Inbox.objects.get(pk=inbox_id)
    for old in IntegrationKey.objects.filter(inbox=inbox, name=DEMO_KEY_NAME,
                                             revoked_at__isnull=True):
        revoke_integration_key(old)
    return create_integration_key(inbox, name=DEMO_KEY_NAME)[1]


def _demo_mail_to_files() -> None:
    """Emails the demo sends land as files in the data dir instead of flooding the terminal."""
    from django.conf import settings

    if os.environ.get("STOREDESK_EMAIL_BACKEND") or os.environ.get("STOREDESK_SMTP_HOST"):
        return
    settings.EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    settings.EMAIL_FILE_PATH = str(settings.DATA_DIR / "sent-mail")


def _display_host(host: str) -> str:
    if host in ("0.0.0.0", "::"):  # noqa: S104 - only formatting the URL we print
        return "127.0.0.1"
    return f"[{host}]" if ":" in host else host


DEMO_KEY_NAME = "Demo key"
DEMO_TOKEN_NAME = "Demo token"  # noqa: S105 - a label, not a secret


def demo_banner(base: str, token: str, api_inbox_id: int, integration_key: str) -> str:
    body = ('{"source_id": "shopper-42", "name": "Maya Chen", "email": "maya.chen@example.net", '
            '"text": "Hi! Where is my order?", "message_id": "demo-1"}')
    return "\n".join([
        "",
        "Storedesk demo - Lumen & Loom (home textiles)",
        "",
        f"  URL:       {base}/",
        f"  Login:     {DEMO_EMAIL}",
        f"  Password:  {DEMO_PASSWORD}",
        f"  API token: {token}  (the owner's; for the REST API)",
        f"  API docs:  {base}/api/v1/docs",
        f"  Help:      {base}/help/lumen-loom/  (the public help center, 5 languages)",
        f"  Shop:      {base}/demo/shop  (a store page with the chat widget: chat there,",
        "             answer from the workspace in another tab)",
        f"  Health:    {base}/healthz",
        "",
        "  Other agents, same password:",
        *(f"             {agent}" for agent in _other_agents()),
        "",
        "Send a shopper's message into the \"Store API\" inbox with its integration key",
        "(a credential made for your store's backend; an agent's token cannot post as a shopper):",
        "",
        f"  Integration key: {integration_key}",
        "",
        f"  curl -sS -X POST {base}/api/v1/inboxes/{api_inbox_id}/messages \\",
        f"    -H 'Authorization: Bearer {integration_key}' \\",
        "    -H 'Content-Type: application/json' \\",
        f"    -d '{body}'",
        "",
        "Emails the demo sends are written to files in $STOREDESK_DATA_DIR/sent-mail/.",
        "Press Ctrl-C to stop.",
        "",
    ])


def _other_agents() -> list[str]:
    from storedesk.demo.data import AGENTS

    return [f"{a['email']} ({a['language']}{', light agent' if a['role'] == 'light_agent' else ''})"
            for a in AGENTS if a["email"] != DEMO_EMAIL]


# --- Tokens ---------------------------------------------------------------------------------


def run_token_create(args: argparse.Namespace) -> int:
    from django.db import DatabaseError

    from storedesk.accounts.actions import create_api_token
    from storedesk.accounts.models import Membership

    email = args.email.strip().lower()
    memberships = Membership.objects.filter(
        agent__email=email, agent__is_active=True, is_active=True
    ).select_related("account", "agent")
    if args.account:
        memberships = memberships.filter(account__slug=args.account)
    try:
        found = list(memberships.order_by("pk"))
    except DatabaseError as exc:
        print(f"The database is not ready ({exc}); run `storedesk manage migrate` first.",
              file=sys.stderr)
        return 1
    if not found:
        where = f" in account {args.account!r}" if args.account else ""
        print(f"No active agent {email}{where}.", file=sys.stderr)
        return 1
    if len(found) > 1:
        slugs = ", ".join(m.account.slug for m in found)
        print(f"{email} works in several accounts ({slugs}); pick one with --account.",
              file=sys.stderr)
        return 1
    _, raw = create_api_token(found[0], name=args.name)
    print(raw)
    return 0


def run_account_create(args: argparse.Namespace) -> int:
    """A new account with its owner: the first step of a real installation."""
    import secrets

    from django.db import transaction

    from storedesk.accounts.actions import add_member, create_account
    from storedesk.accounts.models import Agent, Role

    email = args.email.strip().lower()
    existing = Agent.objects.filter(email=email).exists()
    password = None if existing else secrets.token_urlsafe(12)
    languages = [code.strip() for code in args.languages.split(",") if code.strip()]
    with transaction.atomic():
        account = create_account(args.name, languages=languages or ["en"])
        add_member(account, email, role=Role.OWNER, name=args.owner_name, password=password)
    print(f"Account {account.name!r} created (slug {account.slug}); owner {email}.")
    if password:
        print(f"Password: {password}  (shown once; change it on the profile page)")
    else:
        print("The owner already had a login; their password is unchanged.")
    return 0


def run_import(args: argparse.Namespace) -> int:
    """`storedesk import VENDOR SOURCE --inbox ID`: see docs/importing.md."""
    import json

    from storedesk.importers.core import run_import as import_history
    from storedesk.importers.readers import Credentials, SourceError, build_reader
    from storedesk.inbox.models import Inbox

    inboxes = Inbox.objects.select_related("account")
    if args.account:
        inboxes = inboxes.filter(account__slug=args.account)
    inbox = (inboxes.filter(pk=int(args.inbox)).first() if args.inbox.isdigit()
             else inboxes.filter(name=args.inbox).order_by("pk").first())
    if inbox is None:
        print(f"No inbox {args.inbox!r}{' in ' + args.account if args.account else ''}. "
              "Inboxes: " + ", ".join(f"{i.pk} {i.name!r} ({i.account.slug})"
                                      for i in inboxes.order_by("pk")[:20]), file=sys.stderr)
        return 1
    credentials = Credentials(
        token=args.token or os.environ.get("STOREDESK_IMPORT_TOKEN", ""),
        email=args.email or os.environ.get("STOREDESK_IMPORT_EMAIL", ""),
        api_url=args.api_url,
    )
    try:
        reader = build_reader(args.vendor, args.source, credentials)
    except SourceError as exc:
        print(f"storedesk import: {exc}", file=sys.stderr)
        return 2
    from storedesk.importers.http import VendorError

    try:
        summary = import_history(reader, inbox, chunk=args.chunk, max_rate=args.max_rate,
                                 restart=args.restart)
    except VendorError as exc:
        print(f"\nstoredesk import: {exc}\nWhat was imported so far is kept; run the same "
              "command again to resume.", file=sys.stderr)
        return 1
    if args.json:
        print(json.dumps(summary.as_dict()))
    else:
        print("\n".join(summary.lines()))
    return 0


def run_manage(args: argparse.Namespace) -> int:
    from django.core.management import execute_from_command_line

    execute_from_command_line(["storedesk manage", *args.rest])
    return 0


# --- Assistant (the NLU library in storedesk/assistant/nlu) ---------------------------------


class _InputError(Exception):
    """A missing file or a malformed CSV: exit code 2 with one line on stderr."""


def _read_labelled_csv(path: str) -> tuple[list[str], list[str]]:
    import csv

    try:
        with open(path, newline="", encoding="utf-8") as handle:
            reader = csv.DictReader(handle)
            fields = [name.strip().lower() for name in reader.fieldnames or []]
            if "text" not in fields or "label" not in fields:
                raise _InputError(f"{path}: the CSV needs a header with the columns text,label "
                                  f"(found: {','.join(fields) or 'nothing'})")
            reader.fieldnames = fields
            texts, labels = [], []
            for row in reader:
                text, label = (row.get("text") or "").strip(), (row.get("label") or "").strip()
                if text and label:
                    texts.append(text)
                    labels.append(label)
    except (OSError, UnicodeDecodeError) as exc:
        raise _InputError(f"{path}: {getattr(exc, 'strerror', None) or exc}") from exc
    except csv.Error as exc:
        raise _InputError(f"{path}: not a readable CSV ({exc})") from exc
    if not texts:
        raise _InputError(f"{path}: no rows with both a text and a label")
    return texts, labels


def run_assistant_classify(args: argparse.Namespace) -> int:
    import json

    from storedesk.assistant.nlu import SHIPPED_LANGUAGES, detect_language, shipped_model

    try:
        handle = sys.stdin if args.file in (None, "-") else open(args.file, encoding="utf-8")  # noqa: SIM115
    except OSError as exc:
        print(f"storedesk: {args.file}: {exc.strerror or exc}", file=sys.stderr)
        return 2
    model = shipped_model()
    with handle:
        for line in handle:
            text = line.strip()
            if not text:
                continue
            intent, confidence, _ = model.predict(text)
            language, _ = detect_language(text, SHIPPED_LANGUAGES)
            print(json.dumps({"text": text, "intent": intent, "confidence": round(confidence, 4),
                              "language": language}, ensure_ascii=False), flush=True)
    return 0


def run_assistant_evaluate(args: argparse.Namespace) -> int:
    import json
    import time

    from storedesk.assistant.nlu import evaluate, train

    try:
        train_texts, train_labels = _read_labelled_csv(args.train)
        test_texts, test_labels = _read_labelled_csv(args.test)
    except _InputError as exc:
        print(f"storedesk: {exc}", file=sys.stderr)
        return 2
    oos = "oos" if "oos" in set(train_labels) | set(test_labels) else "other"
    started, cpu_started = time.perf_counter(), time.process_time()
    model = train(train_texts, train_labels, oos_label=oos)
    train_seconds = time.perf_counter() - started
    train_cpu_seconds = time.process_time() - cpu_started
    scores = evaluate(model, test_texts, test_labels, oos_label=oos)
    result: dict[str, Any] = {
        "accuracy": round(scores["accuracy"], 4), "macro_f1": round(scores["macro_f1"], 4),
        "n_train": len(train_texts), "n_test": len(test_texts),
        "train_seconds": round(train_seconds, 2),
        "p50_ms": round(scores["p50_ms"], 3), "p99_ms": round(scores["p99_ms"], 3),
        # the same without the waits of a busy machine: CPU time of this process / thread
        "train_cpu_seconds": round(train_cpu_seconds, 2),
        "cpu_p50_ms": round(scores["cpu_p50_ms"], 3), "cpu_p99_ms": round(scores["cpu_p99_ms"], 3),
    }
    if "oos" in test_labels:
        result["in_scope_accuracy"] = round(scores["in_scope_accuracy"], 4)
        result["oos_recall"] = round(scores["oos_recall"], 4)
    if args.report:
        result["threshold"] = model.threshold
        result["per_label"] = scores["per_label"]
        result["confusions"] = scores["confusions"]
    if args.json:
        print(json.dumps(result, ensure_ascii=False))
    else:
        for key, value in result.items():
            if key not in ("per_label", "confusions"):
                print(f"{key:>18}: {value}")
    return 0


# --- Entry point ----------------------------------------------------------------------------


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="storedesk",
        description="Storedesk: one inbox for every channel your shoppers use.",
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    demo = sub.add_parser("demo", help="migrate, load demo data, serve web + worker")
    demo.add_argument("--host", default="127.0.0.1")
    demo.add_argument("--port", type=int, default=8000)
    demo.set_defaults(func=run_demo)

    serve = sub.add_parser("serve", help="run the web server (HTTP + websockets)")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument("--workers", type=int, default=1, help="web processes (default 1)")
    serve.add_argument("--with-worker", action="store_true",
                       help="also run the task queue consumer inside this process")
    serve.set_defaults(func=run_serve)

    worker = sub.add_parser("worker", help="run the task queue consumer")
    worker.add_argument("--workers", type=int, default=0,
                        help="consumer threads (default: settings.HUEY['consumer'])")
    worker.add_argument("--no-periodic", action="store_true",
                        help="do not enqueue periodic tasks (let another worker do it)")
    worker.set_defaults(func=run_worker)

    manage = sub.add_parser("manage", help="run a Django management command",
                            add_help=False, prefix_chars="\0")
    manage.add_argument("rest", nargs=argparse.REMAINDER)
    manage.set_defaults(func=run_manage)

    account = sub.add_parser("account", help="accounts")
    account_sub = account.add_subparsers(dest="account_command", required=True,
                                         metavar="ACTION")
    account_create = account_sub.add_parser("create", help="create an account and its owner")
    account_create.add_argument("--name", required=True, help="the store's name")
    account_create.add_argument("--email", required=True, help="the owner's email (login)")
    account_create.add_argument("--owner-name", default="", help="the owner's full name")
    account_create.add_argument("--languages", default="en",
                                help="comma-separated languages of the shoppers (default en)")
    account_create.set_defaults(func=run_account_create)

    importer = sub.add_parser(
        "import", help="bring another helpdesk's history in (resumable, idempotent)",
        description="Import conversations, messages, notes, tags and attachments from an "
                    "export (a file or folder) or from the vendor's API (a base URL and "
                    "a token). Run it again to resume after a stop: nothing is imported twice.")
    importer.add_argument("vendor", choices=["zendesk", "freshdesk", "gorgias", "helpscout",
                                             "jsonl"])
    importer.add_argument("source", help="the export's file or folder, or the API's base URL")
    importer.add_argument("--inbox", required=True,
                          help="the inbox the conversations go into (id or name)")
    importer.add_argument("--account", default="", help="account slug (to find the inbox)")
    importer.add_argument("--token", default="",
                          help="API token (or STOREDESK_IMPORT_TOKEN)")
    importer.add_argument("--email", default="",
                          help="the API user's email, for Zendesk and Gorgias "
                               "(or STOREDESK_IMPORT_EMAIL)")
    importer.add_argument("--api-url", default="",
                          help="Help Scout files: the API their attachment links point into "
                               "(default https://api.helpscout.net; the token goes nowhere else)")
    importer.add_argument("--chunk", type=int, default=2000,
                          help="messages per transaction (default 2000)")
    importer.add_argument("--max-rate", type=float, default=None,
                          help="at most this many messages per second (spare a busy database)")
    importer.add_argument("--restart", action="store_true",
                          help="start from the beginning instead of the last checkpoint "
                               "(still nothing twice)")
    importer.add_argument("--json", action="store_true", help="print the summary as JSON")
    importer.set_defaults(func=run_import)

    token = sub.add_parser("token", help="API tokens")
    token_sub = token.add_subparsers(dest="token_command", required=True, metavar="ACTION")
    create = token_sub.add_parser("create", help="print a new API token for an agent")
    create.add_argument("--email", required=True)
    create.add_argument("--account", default="", help="account slug, when the agent has several")
    create.add_argument("--name", default="CLI token")
    create.set_defaults(func=run_token_create)

    assistant = sub.add_parser("assistant", help="the assistant's language understanding")
    assistant_sub = assistant.add_subparsers(dest="assistant_command", required=True,
                                             metavar="ACTION")
    classify = assistant_sub.add_parser(
        "classify", help="intent, confidence and language of each line (the shipped model)")
    classify.add_argument("file", nargs="?", default=None,
                          help="one message per line (default: standard input)")
    classify.set_defaults(func=run_assistant_classify)
    evaluate = assistant_sub.add_parser(
        "evaluate", help="train a fresh model on one CSV (text,label) and score it on another")
    evaluate.add_argument("--train", required=True, metavar="CSV")
    evaluate.add_argument("--test", required=True, metavar="CSV")
    evaluate.add_argument("--json", action="store_true", help="print one JSON object")
    evaluate.add_argument("--report", action="store_true",
                          help="add the per-label scores and the frequent confusions")
    evaluate.set_defaults(func=run_assistant_evaluate)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(list(sys.argv[1:] if argv is None else argv))
    if args.func is run_demo:
        demo_environment(args.host, args.port, os.environ)
    _setup_django()
    try:
        return int(args.func(args) or 0)
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
