from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from storedesk.importers.tests.fake_vendors import FakeVendors

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture
def vendors(tmp_path: Path, settings: Any) -> Iterator[FakeVendors]:
    """The fake vendor APIs, serving a copy of the fixture exports whose attachment URLs point
    at it; `vendors.fixtures` is that copy (what the file readers read)."""
    settings.FETCH_ALLOW_PRIVATE = True  # the fake lives on 127.0.0.1
    copy = tmp_path / "exports"
    shutil.copytree(FIXTURES, copy)
    fake = FakeVendors(copy).start()
    for path in copy.rglob("*.json*"):
        path.write_text(path.read_text("utf-8").replace("http://FAKE_SERVER",
                                                        fake.base), "utf-8")
    # odd encodings, as exports saved on Windows come: UTF-16 with a BOM, and Windows-1252
    users = copy / "zendesk" / "users.json"
    users.write_text(users.read_text("utf-8"), "utf-16")
    tickets = copy / "gorgias" / "tickets.json"
    tickets.write_bytes(tickets.read_text("utf-8").encode("cp1252"))
    yield fake
    fake.stop()
