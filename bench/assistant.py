#!/usr/bin/env python
"""The assistant's NLU on public intent benchmarks and on the team's own examples.

    .venv/bin/python bench/assistant.py [--data ../shared/data] [--skip-public]
                                        [--skip-cross] [--test-share 0.2]

1. Banking77 (train → test) and CLINC150 (train + oos_train → test + oos_test, `oos` as a
   label) through the real CLI, `storedesk assistant evaluate --train --test --json`, in a
   subprocess: a fresh model of the production kind, its training time, accuracy, macro F1,
   in-scope accuracy / out-of-scope recall, and the latency per message (p50/p99).
   The datasets are read in place and converted to `text,label` CSVs in a temp dir.
2. The shipped examples (storedesk/assistant/nlu/data/examples/*.csv): a deterministic
   split by a hash of each row (language + text, `--test-share` held out: a row's side never
   changes when rows are added), the production
   recipe trained on the rest, scores per language on the held-out part, and the latency of
   `understand()` (language + intent + entities) per held-out message.
3. Cross-language view (skip with --skip-cross): for each language, a model trained on all
   the other languages' examples only, tested on that language's held-out part — how much
   the model gets from the other languages when a language has no examples at all.

Prints the figures, writes bench/results/assistant.json and bench/results/assistant.md.
Targets (issue 13): Banking77 accuracy ≥ 94.0; CLINC150 in-scope accuracy ≥ 96 with
out-of-scope recall ≥ 60; p99 < 5 ms per message; training < 60 s for 10,000 examples.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
RESULTS = ROOT / "bench" / "results"
STOREDESK = str(Path(sys.executable).with_name("storedesk"))


def default_data_dir() -> Path:
    for candidate in (ROOT.parent / "shared" / "data", ROOT.parent.parent / "shared" / "data"):
        if (candidate / "banking77").is_dir():
            return candidate
    return ROOT.parent / "shared" / "data"


def load_average() -> float:
    return round(os.getloadavg()[0], 2)


def write_csv(path: Path, rows: list[tuple[str, str]]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["text", "label"])
        writer.writerows(rows)
    return path


def evaluate_cli(name: str, train: Path, test: Path) -> dict:
    load_before = load_average()
    started = time.perf_counter()
    done = subprocess.run(
        [STOREDESK, "assistant", "evaluate", "--train", str(train), "--test", str(test),
         "--json"], capture_output=True, text=True, check=False, cwd=ROOT)
    if done.returncode != 0:
        raise SystemExit(f"{name}: storedesk assistant evaluate failed:\n{done.stderr}")
    result = json.loads(done.stdout.strip().splitlines()[-1])
    result["wall_seconds"] = round(time.perf_counter() - started, 1)
    result["load_before"], result["load_after"] = load_before, load_average()
    return result


def public_benchmarks(data: Path, scratch: Path) -> dict:
    results = {}
    rows = {}
    for split in ("train", "test"):
        with (data / "banking77" / f"{split}.csv").open(encoding="utf-8") as handle:
            rows[split] = [(r["text"], r["category"]) for r in csv.DictReader(handle)]
    results["banking77"] = evaluate_cli(
        "Banking77", write_csv(scratch / "b77_train.csv", rows["train"]),
        write_csv(scratch / "b77_test.csv", rows["test"]))
    print_public("Banking77", results["banking77"])
    clinc = json.loads((data / "clinc150" / "data_full.json").read_text(encoding="utf-8"))
    results["clinc150"] = evaluate_cli(
        "CLINC150",
        write_csv(scratch / "clinc_train.csv",
                  [(r[0], r[1]) for r in clinc["train"] + clinc["oos_train"]]),
        write_csv(scratch / "clinc_test.csv",
                  [(r[0], r[1]) for r in clinc["test"] + clinc["oos_test"]]))
    print_public("CLINC150", results["clinc150"])
    return results


def print_public(name: str, r: dict) -> None:
    extra = (f"  in-scope {100 * r['in_scope_accuracy']:.2f}  "
             f"oos recall {100 * r['oos_recall']:.2f}" if "oos_recall" in r else "")
    print(f"{name:10} accuracy {100 * r['accuracy']:.2f}  macro-F1 {100 * r['macro_f1']:.2f}"
          f"{extra}  train {r['train_seconds']} s wall / {r['train_cpu_seconds']} s CPU "
          f"({r['n_train']} ex.)  p50/p99 {r['p50_ms']}/{r['p99_ms']} ms wall, "
          f"{r['cpu_p50_ms']}/{r['cpu_p99_ms']} ms CPU  load {r['load_before']}→"
          f"{r['load_after']}", flush=True)


def split_examples(examples: list[tuple[str, str, str]], share: float
                   ) -> tuple[list[int], list[int]]:
    """A row is held out when the hash of its language and text falls in the first `share` of
    the hash space: its side depends on the row alone, so rows added later never move the
    others, and two runs months apart compare on the same held-out rows (a random stratified
    split was drawn again whenever a row was added, moving per-language figures by ±3 points).
    Each language × intent keeps about `share` of its rows by the law of large numbers."""
    import hashlib

    train_idx, test_idx = [], []
    for index, (language, text, _label) in enumerate(examples):
        digest = hashlib.sha256(f"{language}\t{text}".encode()).digest()
        (test_idx if int.from_bytes(digest[:8], "big") < share * 2**64 else train_idx
         ).append(index)
    return train_idx, test_idx


def percentile(values: list[float], q: float) -> float:
    import numpy as np

    return round(float(np.percentile(values, q)), 3)


def shipped_benchmark(share: float, cross: bool) -> dict:
    from storedesk.assistant.nlu import SHIPPED_LANGUAGES, evaluate, shipped_examples, train
    from storedesk.assistant.nlu import understand as understand_message

    examples = shipped_examples()
    train_idx, test_idx = split_examples(examples, share)
    load_before = load_average()
    started = time.perf_counter()
    cpu = time.process_time()
    model = train([examples[i][1] for i in train_idx], [examples[i][2] for i in train_idx],
                  oos_label="other")
    train_seconds = round(time.perf_counter() - started, 1)
    train_cpu = round(time.process_time() - cpu, 1)
    by_language: dict[str, list[int]] = defaultdict(list)
    for i in test_idx:
        by_language[examples[i][0]].append(i)
    per_language = {}
    for language in sorted(by_language, key=lambda code: (code == "mixed", code)):
        idx = by_language[language]
        scores = evaluate(model, [examples[i][1] for i in idx], [examples[i][2] for i in idx],
                          timing=False)
        per_language[language] = {
            "n_test": len(idx), "accuracy": round(scores["accuracy"], 4),
            "macro_f1": round(scores["macro_f1"], 4),
            "in_scope_accuracy": round(scores.get("in_scope_accuracy", 0.0), 4),
            "oos_recall": round(scores.get("oos_recall", 0.0), 4),
            "confusions": scores["confusions"][:5],
        }
    all_scores = evaluate(model, [examples[i][1] for i in test_idx],
                          [examples[i][2] for i in test_idx])
    # understand(): language detection (all 11 languages), intent, entities, per message
    latencies = []
    languages = list(SHIPPED_LANGUAGES)
    for i in test_idx:
        t0 = time.perf_counter()
        understand_message(examples[i][1], languages=languages, model=model,
                           order_prefixes=["#", "LL-"])
        latencies.append((time.perf_counter() - t0) * 1000)
    result = {
        "n_examples": len(examples), "n_train": len(train_idx), "n_test": len(test_idx),
        "test_share": share, "train_seconds": train_seconds, "train_cpu_seconds": train_cpu,
        "threshold": model.threshold, "features": model.featurizer.size,
        "accuracy": round(all_scores["accuracy"], 4), "macro_f1": round(all_scores["macro_f1"], 4),
        "in_scope_accuracy": round(all_scores["in_scope_accuracy"], 4),
        "oos_recall": round(all_scores["oos_recall"], 4),
        "intent_p50_ms": round(all_scores["p50_ms"], 3),
        "intent_p99_ms": round(all_scores["p99_ms"], 3),
        "understand_p50_ms": percentile(latencies, 50),
        "understand_p99_ms": percentile(latencies, 99),
        "per_label_f1": {label: v["f1"] for label, v in all_scores["per_label"].items()},
        "confusions": all_scores["confusions"][:10],
        "per_language": per_language,
        "load_before": load_before, "load_after": load_average(),
    }
    print(f"shipped    accuracy {100 * result['accuracy']:.2f}  macro-F1 "
          f"{100 * result['macro_f1']:.2f}  in-scope {100 * result['in_scope_accuracy']:.2f}  "
          f"other recall {100 * result['oos_recall']:.2f}  train {train_seconds} s "
          f"({len(train_idx)} ex.)  understand() p50 {result['understand_p50_ms']} ms "
          f"p99 {result['understand_p99_ms']} ms", flush=True)
    for language, r in per_language.items():
        print(f"  {language:6} n={r['n_test']:4}  accuracy {100 * r['accuracy']:.1f}  "
              f"macro-F1 {100 * r['macro_f1']:.1f}  other recall {100 * r['oos_recall']:.1f}",
              flush=True)
    if cross:
        result["cross_language"] = {}
        for language in SHIPPED_LANGUAGES:
            rest = [i for i in train_idx if examples[i][0] != language]
            other_model = train([examples[i][1] for i in rest], [examples[i][2] for i in rest],
                                oos_label="other")
            idx = by_language[language]
            scores = evaluate(other_model, [examples[i][1] for i in idx],
                              [examples[i][2] for i in idx], timing=False)
            result["cross_language"][language] = {
                "n_train": len(rest), "n_test": len(idx),
                "accuracy": round(scores["accuracy"], 4), "macro_f1": round(scores["macro_f1"], 4)}
            print(f"  without {language} examples: accuracy on {language} "
                  f"{100 * scores['accuracy']:.1f} (with: "
                  f"{100 * per_language[language]['accuracy']:.1f})", flush=True)
    return result


def markdown(results: dict) -> str:
    lines = [f"# Assistant NLU benchmark ({results['finished']})", "",
             f"Machine: {results['machine']}. Command: `{results['command']}`.", ""]
    public = results.get("public")
    if public:
        lines += ["| dataset | accuracy | macro-F1 | in-scope acc. | oos recall | train s wall / "
                  "CPU (examples) | p50 / p99 ms wall | p50 / p99 ms CPU | load avg |",
                  "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |"]
        for name, r in public.items():
            lines.append(
                f"| {name} | {100 * r['accuracy']:.2f} | {100 * r['macro_f1']:.2f} | "
                f"{100 * r['in_scope_accuracy']:.2f} | {100 * r['oos_recall']:.2f} | "
                if "oos_recall" in r else
                f"| {name} | {100 * r['accuracy']:.2f} | {100 * r['macro_f1']:.2f} | – | – | ")
            lines[-1] += (f"{r['train_seconds']} / {r['train_cpu_seconds']} ({r['n_train']}) | "
                          f"{r['p50_ms']} / {r['p99_ms']} | {r['cpu_p50_ms']} / "
                          f"{r['cpu_p99_ms']} | {r['load_before']}→{r['load_after']} |")
        lines.append("")
    s = results["shipped"]
    lines += [f"Shipped examples: {s['n_examples']} ({s['n_train']} train / {s['n_test']} "
              f"held out, by a hash of each row). Overall accuracy "
              f"{100 * s['accuracy']:.2f}, macro-F1 {100 * s['macro_f1']:.2f}, in-scope "
              f"{100 * s['in_scope_accuracy']:.2f}, `other` recall {100 * s['oos_recall']:.2f}; "
              f"training {s['train_seconds']} s wall / {s['train_cpu_seconds']} s CPU; "
              f"intent p50/p99 {s['intent_p50_ms']}/"
              f"{s['intent_p99_ms']} ms; understand() p50/p99 {s['understand_p50_ms']}/"
              f"{s['understand_p99_ms']} ms.", "",
              "| language | held out | accuracy | macro-F1 | `other` recall | without its own "
              "examples |", "| --- | ---: | ---: | ---: | ---: | ---: |"]
    cross = s.get("cross_language", {})
    for language, r in s["per_language"].items():
        c = cross.get(language)
        without = f"{100 * c['accuracy']:.1f}" if c else "–"
        lines.append(f"| {language} | {r['n_test']} | {100 * r['accuracy']:.1f} | "
                     f"{100 * r['macro_f1']:.1f} | {100 * r['oos_recall']:.1f} | {without} |")
    lines += ["", "Most frequent confusions (gold → predicted, count): " +
              ", ".join(f"{g} → {p} ({n})" for g, p, n in s["confusions"]), ""]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", type=Path, default=default_data_dir())
    parser.add_argument("--skip-public", action="store_true")
    parser.add_argument("--skip-cross", action="store_true")
    parser.add_argument("--test-share", type=float, default=0.2)
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    results: dict = {
        "started": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        "machine": f"{os.cpu_count()} CPUs, {platform.processor() or platform.machine()}, "
                   f"Python {platform.python_version()}",
        "command": "python bench/assistant.py " + " ".join(sys.argv[1:]),
    }
    if not args.skip_public:
        with tempfile.TemporaryDirectory(prefix="bench-assistant-") as scratch:
            results["public"] = public_benchmarks(args.data, Path(scratch))
    results["shipped"] = shipped_benchmark(args.test_share, not args.skip_cross)
    results["finished"] = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "assistant.json").write_text(
        json.dumps(results, indent=2, ensure_ascii=False) + "\n")
    (RESULTS / "assistant.md").write_text(markdown(results))
    print(f"wrote {RESULTS / 'assistant.json'} and {RESULTS / 'assistant.md'}")


if __name__ == "__main__":
    main()
