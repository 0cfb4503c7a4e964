"""`storedesk assistant classify` and `storedesk assistant evaluate`, run as a user runs them."""

from __future__ import annotations

import csv
import json
import shutil
import subprocess
from pathlib import Path

import pytest

from storedesk.assistant.nlu import INTENTS, shipped_model
from storedesk.assistant.nlu.shipped import cache_dir
from storedesk.tests.processes import REPO_ROOT, STOREDESK, child_env

from .samples import SAMPLES


@pytest.fixture(scope="module")
def env(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """A child environment whose data dir already holds the trained shipped model (trained
    once by this test process), so each `classify` does not train it again."""
    shipped_model()
    data_dir = tmp_path_factory.mktemp("cli-data")
    shutil.copytree(cache_dir(), data_dir / "cache" / "nlu")
    return child_env(data_dir, DATABASE_URL=None, REDIS_URL=None)


def storedesk(args: list[str], env: dict[str, str], stdin: str | None = None
              ) -> subprocess.CompletedProcess:
    return subprocess.run(  # noqa: S603 - our own console script with test arguments
        [STOREDESK, *args], env=env, cwd=REPO_ROOT, capture_output=True, text=True,
        input=stdin if stdin is not None else "", timeout=300, check=False)


MESSAGES = [
    "Where is my order #1001?",
    "chcę zwrócić buty, są za małe",
    "ขอยกเลิกคำสั่งซื้อค่ะ",
    "",
    "Wie ist das Wetter morgen in Hamburg?",
]


def check_lines(stdout: str) -> list[dict]:
    lines = [json.loads(line) for line in stdout.splitlines()]
    for line in lines:
        assert set(line) == {"text", "intent", "confidence", "language"}
        assert line["intent"] in INTENTS
        assert 0.0 <= line["confidence"] <= 1.0
    return lines


def test_classify_reads_standard_input(env: dict[str, str]) -> None:
    done = storedesk(["assistant", "classify"], env, stdin="\n".join(MESSAGES) + "\n")
    assert done.returncode == 0, done.stderr
    lines = check_lines(done.stdout)
    assert [line["text"] for line in lines] == [m for m in MESSAGES if m]  # blank line skipped
    assert [(line["intent"], line["language"]) for line in lines] == [
        ("order_status", "en"), ("return_request", "pl"), ("cancel_order", "th"),
        ("other", "de")]


def test_classify_reads_a_file(env: dict[str, str], tmp_path: Path) -> None:
    path = tmp_path / "messages.txt"
    path.write_text("siparişim nerede\nbonjour, je veux annuler ma commande\n", encoding="utf-8")
    done = storedesk(["assistant", "classify", str(path)], env)
    assert done.returncode == 0, done.stderr
    lines = check_lines(done.stdout)
    assert [(line["intent"], line["language"]) for line in lines] == [
        ("order_status", "tr"), ("cancel_order", "fr")]


def test_classify_a_missing_file(env: dict[str, str], tmp_path: Path) -> None:
    done = storedesk(["assistant", "classify", str(tmp_path / "nope.txt")], env)
    assert done.returncode == 2
    assert "nope.txt" in done.stderr
    assert done.stdout == ""


def write_csv(path: Path, rows: list[tuple[str, str]], header: tuple[str, str] = ("text", "label")
              ) -> Path:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def split(label_for_other: str) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    train, test = [], []
    for label, examples in SAMPLES.items():
        name = label_for_other if label == "other" else label
        train += [(text, name) for text in examples[:9]]
        test += [(text, name) for text in examples[9:]]
    return train, test


def test_evaluate_with_an_out_of_scope_label(env: dict[str, str], tmp_path: Path) -> None:
    train, test = split("oos")
    done = storedesk(["assistant", "evaluate",
                      "--train", str(write_csv(tmp_path / "train.csv", train)),
                      "--test", str(write_csv(tmp_path / "test.csv", test)), "--json"], env)
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    assert set(result) == {"accuracy", "macro_f1", "n_train", "n_test", "train_seconds",
                           "p50_ms", "p99_ms", "in_scope_accuracy", "oos_recall",
                           "train_cpu_seconds", "cpu_p50_ms", "cpu_p99_ms"}
    assert result["n_train"] == len(train) == 54
    assert result["n_test"] == len(test) == 18
    for key in ("accuracy", "macro_f1", "in_scope_accuracy", "oos_recall"):
        assert 0.0 <= result[key] <= 1.0
    assert result["accuracy"] >= 0.5  # 6 labels: far above chance on this easy set
    assert result["train_seconds"] > 0
    assert result["p99_ms"] >= result["p50_ms"] > 0


def test_evaluate_without_out_of_scope_and_with_a_report(env: dict[str, str],
                                                          tmp_path: Path) -> None:
    train, test = split("chitchat")
    done = storedesk(["assistant", "evaluate",
                      "--train", str(write_csv(tmp_path / "train.csv", train)),
                      "--test", str(write_csv(tmp_path / "test.csv", test)), "--json",
                      "--report"], env)
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    assert "oos_recall" not in result
    assert "in_scope_accuracy" not in result
    assert set(result["per_label"]) >= {"chitchat", "payment", "order_status"}


def test_evaluate_refuses_bad_input(env: dict[str, str], tmp_path: Path) -> None:
    good = write_csv(tmp_path / "good.csv", [("hi", "smalltalk"), ("where", "order_status")])
    wrong = write_csv(tmp_path / "wrong.csv", [("hi", "smalltalk")], header=("text", "category"))
    done = storedesk(["assistant", "evaluate", "--train", str(tmp_path / "missing.csv"),
                      "--test", str(good), "--json"], env)
    assert done.returncode == 2
    assert "missing.csv" in done.stderr
    done = storedesk(["assistant", "evaluate", "--train", str(good), "--test", str(wrong),
                      "--json"], env)
    assert done.returncode == 2
    assert "text,label" in done.stderr
    assert done.stdout == ""
