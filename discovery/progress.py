"""Progress for long CLI work: a live line on a terminal, plain log lines otherwise."""

from __future__ import annotations

import sys
import time


class Progress:
    """``update(text)`` redraws one line on a terminal; off a terminal it prints at most
    one line every ``interval`` seconds, so cron mail and log files stay readable."""

    def __init__(self, stream=None, interval: float = 10.0):
        self.stream = stream or sys.stderr
        self.tty = hasattr(self.stream, "isatty") and self.stream.isatty()
        self.interval = interval
        self._last = 0.0
        self._width = 0

    def update(self, text: str) -> None:
        now = time.monotonic()
        if self.tty:
            pad = max(0, self._width - len(text))
            self.stream.write("\r" + text + " " * pad)
            self._width = len(text)
            self.stream.flush()
        elif now - self._last >= self.interval:
            self.stream.write(text + "\n")
            self.stream.flush()
            self._last = now

    def done(self) -> None:
        if self.tty and self._width:
            self.stream.write("\n")
            self.stream.flush()
            self._width = 0
