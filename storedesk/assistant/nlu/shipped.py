"""The shipped model: trained from the team's examples in `data/examples/<lang>.csv`.

Training takes seconds, so the trained model is cached per process and on disk, in
`$STOREDESK_DATA_DIR/cache/nlu/` (Django's `settings.DATA_DIR` when configured, else the
system's temp dir), under a name made of a hash of the example files and the recipe version:
new examples or a new recipe mean a new file, and nothing tracked is ever written.
"""

from __future__ import annotations

import csv
import fcntl
import hashlib
import logging
import os
import tempfile
import threading
from pathlib import Path

from .intents import INTENTS, OTHER
from .model import RECIPE_VERSION, IntentModel, train

logger = logging.getLogger(__name__)

EXAMPLES_DIR = Path(__file__).resolve().parent / "data" / "examples"
SHIPPED_LANGUAGES: tuple[str, ...] = ("en", "pl", "tr", "id", "th", "de", "es", "fr", "pt", "it",
                                      "nl")

_lock = threading.Lock()
_cached: dict[str, IntentModel] = {}


def example_files() -> list[Path]:
    return sorted(EXAMPLES_DIR.glob("*.csv"))


def read_examples(path: Path) -> list[tuple[str, str]]:
    """(text, label) rows of one CSV with a `text,label` header; rows with an unknown label
    are skipped with a warning (`tests` check that there are none)."""
    rows = []
    with path.open(newline="", encoding="utf-8") as handle:
        for number, row in enumerate(csv.DictReader(handle), start=2):
            text = (row.get("text") or "").strip()
            label = (row.get("label") or "").strip()
            if not text:
                continue
            if label not in INTENTS:
                logger.warning("%s:%s: unknown intent %r, row skipped", path.name, number, label)
                continue
            rows.append((text, label))
    return rows


def shipped_examples() -> list[tuple[str, str, str]]:
    """(language, text, label) for every shipped example; `mixed.csv` gives language 'mixed'."""
    return [(path.stem, text, label) for path in example_files()
            for text, label in read_examples(path)]


def _fingerprint() -> str:
    digest = hashlib.sha256(f"recipe {RECIPE_VERSION}\n".encode())
    for path in example_files():
        digest.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()[:16]


def cache_dir() -> Path:
    base: Path | None = None
    try:
        from django.conf import settings

        if settings.configured:
            base = Path(settings.DATA_DIR)
    except ImportError:  # the library used without Django
        base = None
    if base is None:
        base = Path(os.environ.get("STOREDESK_DATA_DIR") or Path(tempfile.gettempdir()) /
                    "storedesk-nlu")
    return base / "cache" / "nlu"


def shipped_model() -> IntentModel:
    """The model trained from every shipped example (all languages, one model); cached."""
    key = _fingerprint()
    model = _cached.get(key)
    if model is not None:
        return model
    with _lock:
        model = _cached.get(key)
        if model is None:
            model = _load_or_train(key)
            _cached.clear()
            _cached[key] = model
    return model


def _load_or_train(key: str) -> IntentModel:
    path = cache_dir() / f"shipped-{key}.npz"
    cached = _read_cached(path)
    if cached is not None:
        return cached
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        lock = open(path.with_suffix(".lock"), "a")  # noqa: SIM115 - held while training
    except OSError:
        return _train_and_store(path)
    with lock:
        # Processes starting together (web workers, test workers) train once: the others
        # wait here and then read the file.
        fcntl.flock(lock, fcntl.LOCK_EX)
        return _read_cached(path) or _train_and_store(path)


def _read_cached(path: Path) -> IntentModel | None:
    try:
        return IntentModel.loads(path.read_bytes())
    except FileNotFoundError:
        return None
    except ValueError:
        logger.warning("Ignoring an unreadable cached model at %s", path)
        return None


def _train_and_store(path: Path) -> IntentModel:
    examples = shipped_examples()
    if not examples:
        raise RuntimeError(f"No training examples in {EXAMPLES_DIR}")
    model = train([text for _, text, _ in examples], [label for _, _, label in examples],
                  oos_label=OTHER)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".shipped-", suffix=".tmp")
        with os.fdopen(fd, "wb") as handle:
            handle.write(model.dumps())
        os.replace(tmp, path)  # atomic: a concurrent reader sees the old file or the new one
        for old in path.parent.glob("shipped-*"):  # models of older examples or recipes
            if old.stem != path.stem:
                old.unlink(missing_ok=True)
    except OSError as exc:
        logger.warning("Could not cache the shipped model in %s: %s", path.parent, exc)
    return model
