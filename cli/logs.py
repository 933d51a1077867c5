"""The home's log: ``HOME/logs/sheaf.log``, rotated at 5 MB, five old files kept.

Everything a librarian may need afterwards goes there (each skipped record,
each data warning, each summary); the terminal gets the summaries and
counts, so a nightly run's mail stays short.
"""

from __future__ import annotations

import logging
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
    path.parent.mkdir(parents=True, exist_ok=True)
    handler = RotatingFileHandler(path, maxBytes=MAX_BYTES, backupCount=BACKUPS, encoding="utf-8")
    handler.setFormatter(logging.Formatter("%(asctime)s %(process)d %(levelname)s %(message)s"))
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    logger.propagate = False
    return logger
