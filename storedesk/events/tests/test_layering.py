"""The inbox imports no subscriber: the dispatch table lives in config/, handlers elsewhere."""

from __future__ import annotations

import ast
from pathlib import Path

from django.conf import settings

from config.subscribers import SUBSCRIBERS

INBOX = Path(settings.BASE_DIR) / "storedesk" / "inbox"


def _imported_modules(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
    return names


def test_the_inbox_imports_no_subscriber_and_not_the_dispatch_table():
    handler_modules = {path.rsplit(".", 1)[0] for paths in SUBSCRIBERS.values() for path in paths}
    handler_paths = {path for paths in SUBSCRIBERS.values() for path in paths}
    sources = [p for p in INBOX.rglob("*.py") if "tests" not in p.parts]
    assert sources, "no inbox sources found"
    for source in sources:
        imported = _imported_modules(source)
        assert not any(m == "config" or m.startswith("config.") for m in imported), source
        assert not imported & (handler_modules | handler_paths), source


def test_every_subscriber_lives_outside_the_inbox():
    for kind, paths in SUBSCRIBERS.items():
        for path in paths:
            assert not path.startswith("storedesk.inbox."), (kind, path)


def test_the_system_check_names_unknown_kinds_and_missing_handlers(settings):
    from storedesk.events.checks import check_subscriber_table

    # given a table with a typo'd kind and a handler that does not exist
    settings.EVENT_SUBSCRIBERS = {
        "message_received": [],
        "message.received": ["storedesk.events.tests.handlers.no_such_handler"],
    }
    # then `manage.py check` reports both
    ids = sorted(error.id for error in check_subscriber_table())
    assert ids == ["events.E001", "events.E002"]
    # and the real table is clean
    settings.EVENT_SUBSCRIBERS = SUBSCRIBERS
    assert check_subscriber_table() == []
