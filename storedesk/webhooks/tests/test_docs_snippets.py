"""The verification snippets of docs/webhooks.md, run as written against real signatures."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings

from storedesk.webhooks.signing import signature_headers

DOC = Path(settings.BASE_DIR) / "docs" / "webhooks.md"
SECRET = "whsec_test-secret"
BODY = '{"delivery_id":812,"event":"message.received","text":"Gdzie jest paczka? ✓"}'.encode()


def _block(language: str) -> str:
    blocks = re.findall(rf"```{language}\n(.*?)```", DOC.read_text(), flags=re.S)
    assert len(blocks) == 1, f"docs/webhooks.md should have one {language} snippet"
    return blocks[0]


def _cases() -> list[tuple[str, dict[str, str], bytes, bool]]:
    good = {k.lower(): v for k, v in signature_headers(SECRET, 812, BODY).items()}
    rotated = {k.lower(): v for k, v in signature_headers(["new", SECRET], 812, BODY).items()}
    return [
        ("signed", good, BODY, True),
        ("rotation", rotated, BODY, True),
        ("replayed under a new delivery id", {**good, "x-storedesk-delivery": "813"}, BODY, False),
        ("body changed", good, BODY + b" ", False),
        ("old timestamp", {**good, "x-storedesk-timestamp": "1000000000"}, BODY, False),
        ("no signature", {**good, "x-storedesk-signature": ""}, BODY, False),
    ]


def test_the_python_snippet_verifies_real_requests_and_refuses_replays():
    namespace: dict[str, Any] = {}
    exec(_block("python"), namespace)  # noqa: S102 - our own documentation's code
    verify = namespace["verify_storedesk"]
    for name, headers, body, expected in _cases():
        assert verify(SECRET, headers, body) is expected, name


def test_the_javascript_snippet_verifies_real_requests_and_refuses_replays(tmp_path):
    node = shutil.which("node") or shutil.which("nodejs")
    if node is None:
        pytest.skip("Node.js is not installed: the JavaScript snippet cannot be run here")
    (tmp_path / "verify.js").write_text(_block("js"))
    (tmp_path / "run.js").write_text(
        "const { verifyStoredesk } = require('./verify.js');\n"
        "const cases = JSON.parse(require('fs').readFileSync(0, 'utf8'));\n"
        "console.log(JSON.stringify(cases.map((c) => verifyStoredesk(\n"
        "  c.secret, c.headers, Buffer.from(c.body, 'base64')))));\n"
    )
    import base64

    cases = _cases()
    payload = [
        {"secret": SECRET, "headers": h, "body": base64.b64encode(b).decode()}
        for _, h, b, _ in cases
    ]
    result = subprocess.run(  # noqa: S603 - node running our own documentation's code
        [node, "run.js"], input=json.dumps(payload), capture_output=True, text=True,
        cwd=tmp_path, timeout=60, check=True,
    )
    assert json.loads(result.stdout) == [expected for *_, expected in cases]


def test_every_subscribable_event_kind_is_documented() -> None:
    """The table of event kinds in docs/webhooks.md names every kind a webhook can subscribe to,
    and no kind that does not exist."""
    from storedesk.webhooks.actions import SUBSCRIBABLE

    section = DOC.read_text().split("## The request")[0]
    documented = set(re.findall(r"`([a-z_]+\.[a-z_]+)`", section))
    assert SUBSCRIBABLE - documented == set()
    assert documented - SUBSCRIBABLE == set()
