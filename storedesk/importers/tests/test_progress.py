"""The progress line: rate and ETA, also for a run resumed part way through the source."""

from __future__ import annotations

import io

from storedesk.importers import progress as progress_module
from storedesk.importers.progress import Progress


def test_a_resumed_run_estimates_from_its_own_pace(monkeypatch):
    # given a run resumed at 60 % of a source of 1,000 bytes, on a clock we move by hand
    clock = [1000.0]
    monkeypatch.setattr(progress_module.time, "monotonic", lambda: clock[0])
    out = io.StringIO()
    bar = Progress(out, label="jsonl", total=1000.0)
    # when it reads 10 % more of the source in 60 seconds
    bar.update(600.0, 2000)
    clock[0] += 60
    line = bar.line(700.0, 4000)
    # then the rest (30 %) takes three times as long: 3 minutes, not the 40 s that
    # "elapsed x (1 - 70 %) / 70 %" would claim
    assert "ETA 0:03:00" in line
    assert "70.0%" in line
