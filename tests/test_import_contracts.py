"""The layering is enforced: `lint-imports` (run by `make lint`) passes on the tree as it is and
fails once a forbidden import appears. Each bad import is planted in a temporary copy of the
package, never in the working tree."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
LINT_IMPORTS = Path(sys.executable).parent / "lint-imports"


def lint_imports(tree: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(tree)}
    return subprocess.run(  # noqa: S603 - our own venv's console script
        [str(LINT_IMPORTS), "--no-cache", "--config", str(tree / ".importlinter")],
        cwd=tree, env=env, capture_output=True, text=True, timeout=120, check=False,
    )


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    """A copy of the package's Python sources and the contracts."""
    copy = tmp_path / "tree"
    shutil.copytree(
        ROOT / "storedesk", copy / "storedesk",
        ignore=shutil.ignore_patterns("__pycache__", "static", "templates", "locale", "*.mo"),
    )
    shutil.copy(ROOT / ".importlinter", copy / ".importlinter")
    return copy


def test_the_tree_keeps_every_contract(tree: Path) -> None:
    result = lint_imports(tree)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


LEAKS = {
    # module planted -> (its source, the contract it breaks)
    "core/leak.py": ("from storedesk.inbox import models\n", "core imports no domain app"),
    "core/lazy_leak.py": ("def f():\n    from storedesk.realtime import publish\n",
                          "storedesk.core is not allowed to import storedesk.realtime"),
    "inbox/leak.py": ("import storedesk.workflow.models\n",
                      "storedesk.inbox is not allowed to import storedesk.workflow"),
    "connectors/email/leak.py": ("from storedesk.connectors.api import transport\n",
                                 "connectors do not import each other"),
    "accounts/leak.py": ("import storedesk.inbox.models\n", "no import cycles between apps"),
    "events/leak.py": ("from storedesk.inbox import models\n",
                       "storedesk.events is not allowed to import storedesk.inbox"),
    "outbox/leak.py": ("from storedesk.connectors import delivery\n",
                       "storedesk.outbox is not allowed to import storedesk.connectors"),
    "assistant/nlu/leak.py": ("from storedesk.inbox import models\n",
                              "storedesk.assistant.nlu is not allowed to import storedesk.inbox"),
}


def test_forbidden_imports_break_the_lint(tree: Path) -> None:
    # given modules that each break one layering rule (one tree: each lint run costs seconds)
    for module, (source, _contract) in LEAKS.items():
        (tree / "storedesk" / module).write_text(source)
    # when the contracts are checked
    result = lint_imports(tree)
    # then the lint fails, naming every broken rule and the planted import
    assert result.returncode != 0, result.stdout
    assert "Contracts: 0 kept, 7 broken." in result.stdout
    for module, (_source, contract) in LEAKS.items():
        assert contract in result.stdout, (module, result.stdout)
    assert "storedesk.core.leak -> storedesk.inbox.models" in result.stdout
