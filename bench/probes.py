#!/usr/bin/env python
"""The shipped intent model on the probe sets (fresh shoppers' messages, see
storedesk/assistant/nlu/tests/data/README.md), through the real CLI.

    .venv/bin/python bench/probes.py [--set probes|probes2] [--data DIR] [-v]

Feeds every probe (newlines folded to spaces: the CLI reads one message per line) to
`storedesk assistant classify` and prints, per language x group (order_status, return_request,
cancel_order, others): the share right, the wrong confident answers (another intent with
confidence >= 0.5, which the assistant acts on; for others: taken for a core flow), and the
share of messages whose language the CLI got right (no prior). `-v` lists the misses.
End to end through the API channel: storedesk/assistant/tests/probe_e2e.py.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import subprocess
import sys
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
STOREDESK = str(Path(sys.executable).with_name("storedesk"))
CORE = ("order_status", "return_request", "cancel_order")
LANGUAGES = ["en", "pl", "tr", "id", "th", "de", "es", "fr", "pt", "it", "nl"]
ACT_CONFIDENCE = 0.5  # the assistant's answer floor (engine.ANSWER_FLOOR)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--set", default="probes", help="probes (set 1) or probes2 (set 2)")
    parser.add_argument("--data", type=Path,
                        default=ROOT / "storedesk" / "assistant" / "nlu" / "tests" / "data")
    parser.add_argument("-v", action="store_true", help="list the misses")
    args = parser.parse_args()
    rows = []
    for language in LANGUAGES:
        with (args.data / f"{args.set}_{language}.csv").open(encoding="utf-8") as handle:
            rows += [(language, " ".join(r["text"].split()), r["label"])
                     for r in csv.DictReader(handle)]
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    out = subprocess.run([STOREDESK, "assistant", "classify", "-"], env=env, check=True,
                         input="".join(text + "\n" for _, text, _ in rows),
                         capture_output=True, text=True).stdout.splitlines()
    predictions = [json.loads(line) for line in out]
    assert len(predictions) == len(rows), (len(predictions), len(rows))
    stats: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0, 0, 0, 0])
    misses = []
    for (language, text, label), p in zip(rows, predictions, strict=True):
        group = label if label in CORE else "others"
        confident = p["confidence"] >= ACT_CONFIDENCE
        if group == "others":
            right = not (p["intent"] in CORE and confident)
            wrong = not right
        else:
            right = p["intent"] == label
            wrong = not right and p["intent"] != "other" and confident
        for key in (language, "all"):
            s = stats[(key, group)]
            s[0] += 1
            s[1] += right
            s[2] += wrong
            s[3] += p["language"] == language
        if not right or p["language"] != language:
            misses.append(f"  {language} {label} -> {p['intent']} {p['confidence']:.2f} "
                          f"[{p['language']}] {text[:90]}")
    groups = (*CORE, "others")
    print(f"{args.set}: % right (right/n) and wrong confident answers; language right (all)")
    print("| lang | " + " | ".join(groups) + " | language |")
    print("| --- |" + " ---: |" * (len(groups) + 1))
    for language in [*LANGUAGES, "all"]:
        cells = []
        language_right = total = 0
        for group in groups:
            n, right, wrong, lang_ok = stats[(language, group)]
            cells.append(f"{100 * right / n:.1f} ({right}/{n}) w{wrong}")
            language_right += lang_ok
            total += n
        print(f"| {language} | " + " | ".join(cells) + f" | {100 * language_right / total:.1f} |")
    if args.v:
        print("\n".join(misses))
    return 0


if __name__ == "__main__":
    sys.exit(main())
