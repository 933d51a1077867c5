"""Progress for long CLI work: a live bar on a terminal, plain log lines otherwise."""

from __future__ import annotations

import os
import sys
import time

BAR_WIDTH = 24
INTERVAL_ENV = "SHEAF_PROGRESS_INTERVAL"


class Progress:
    """``update(text, done, total)`` redraws one line on a terminal (with a bar when the
    total is known); off a terminal it prints at most one line every ``interval``
    seconds, so cron mail and log files stay readable. ``$SHEAF_PROGRESS_INTERVAL``
    changes the default interval (the admin page's background jobs use 1 second)."""

    def __init__(self, stream=None, interval: float | None = None):
        self.stream = stream or sys.stderr
        self.tty = hasattr(self.stream, "isatty") and self.stream.isatty()
        if interval is None:
            try:
                interval = float(os.environ.get(INTERVAL_ENV, "10"))
            except ValueError:
                interval = 10.0
        self.interval = interval
        self._last: float | None = None   # the first line is always printed
        self._width = 0

    def update(self, text: str, done: int | None = None, total: int | None = None) -> None:
        now = time.monotonic()
        if done is not None and total:
            share = min(1.0, done / total)
            if self.tty:
                filled = int(share * BAR_WIDTH)
                text = f"[{'#' * filled}{'.' * (BAR_WIDTH - filled)}] {share:4.0%} {text}"
            else:
                text = f"{share:.0%} {text}"
        if self.tty:
            pad = max(0, self._width - len(text))
            self.stream.write("\r" + text + " " * pad)
            self._width = len(text)
            self.stream.flush()
        elif self._last is None or now - self._last >= self.interval:
            self.stream.write(text + "\n")
            self.stream.flush()
            self._last = now

    def done(self) -> None:
        if self.tty and self._width:
            self.stream.write("\n")
            self.stream.flush()
            self._width = 0
