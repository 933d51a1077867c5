"""The home's log: ``HOME/logs/sheaf.log``, rotated at 5 MB, five old files kept.

Everything a librarian may need afterwards goes there (each skipped record,
each data warning, each summary); the terminal gets the summaries and
counts, so a nightly run's mail stays short. When the log cannot be written
(a read-only home, a full disk) the log goes to stderr, after one line saying so.
"""

from __future__ import annotations

import logging
import sys
from logging.handlers import RotatingFileHandler

from harvest.config import Home

LOGGER = "sheaf"
MAX_BYTES = 5 * 1024 * 1024
BACKUPS = 5


def setup(home: Home) -> logging.Logger:
    logger = logging.getLogger(LOGGER)
    path = home.path / "logs" / "sheaf.log"
    if any(getattr(h, "baseFilename", None) == str(path) for h in logger.handlers):
        return logger
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handler = RotatingFileHandler(path, maxBytes=MAX_BYTES, backupCount=BACKUPS,
                                      encoding="utf-8")
    except OSError as exc:   # a read-only home or a full disk: log to stderr instead
        if any(getattr(h, "sheaf_fallback", False) for h in logger.handlers):
            return logger
        print(f"sheaf: warning: cannot write the log {path} ({exc.strerror or exc});"
              " logging to stderr", file=sys.stderr)
        handler = logging.StreamHandler(sys.stderr)
        handler.sheaf_fallback = True
    handler.setFormatter(logging.Formatter("%(asctime)s %(process)d %(levelname)s %(message)s"))
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    logger.propagate = False
    return logger
