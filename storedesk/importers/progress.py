"""A progress line on stderr: done/total, rate in messages per second, ETA."""

from __future__ import annotations

import time
from typing import IO

WIDTH = 24
TTY_EVERY = 0.2  # seconds between redraws on a terminal
LOG_EVERY = 5.0  # ... and between lines when stderr is a file or a pipe


class Progress:
    def __init__(self, stream: IO[str], *, label: str, total: float | None) -> None:
        self.stream = stream
        self.label = label
        self.total = total
        self.started = time.monotonic()
        self.shown = 0.0
        self.first: tuple[float, float] | None = None  # (done, time) of the first update
        self.tty = bool(getattr(stream, "isatty", lambda: False)())

    def line(self, done: float, messages: int) -> str:
        elapsed = max(time.monotonic() - self.started, 1e-9)
        rate = messages / elapsed
        text = f"{self.label}: {messages:,} messages, {rate:,.0f} msg/s"
        if self.total:
            fraction = min(max(done / self.total, 0.0), 1.0)
            filled = int(WIDTH * fraction)
            bar = "#" * filled + "-" * (WIDTH - filled)
            eta = self._eta(done)
            text = f"{self.label}: [{bar}] {fraction:6.1%}  {messages:,} messages  " \
                   f"{rate:,.0f} msg/s  ETA {_clock(eta)}"
        return text

    def _eta(self, done: float) -> float | None:
        """From the pace since the first update (a resumed run starts part way through)."""
        if self.first is None or not self.total:
            return None
        first_done, first_at = self.first
        if done <= first_done:
            return None
        pace = (time.monotonic() - first_at) / (done - first_done)
        return max(self.total - done, 0.0) * pace

    def update(self, done: float, messages: int) -> None:
        now = time.monotonic()
        if self.first is None:
            self.first = (done, now)
        if now - self.shown < (TTY_EVERY if self.tty else LOG_EVERY):
            return
        self.shown = now
        self._show(self.line(done, messages))

    def finish(self, messages: int) -> None:
        self._show(self.line(self.total or 0, messages))
        if self.tty:
            self.stream.write("\n")
            self.stream.flush()

    def _show(self, text: str) -> None:
        if self.tty:
            self.stream.write("\r" + text.ljust(100))
        else:
            self.stream.write(text + "\n")
        self.stream.flush()


def _clock(seconds: float | None) -> str:
    if seconds is None:
        return "--:--"
    seconds = int(seconds)
    hours, rest = divmod(seconds, 3600)
    return f"{hours}:{rest // 60:02d}:{rest % 60:02d}"
