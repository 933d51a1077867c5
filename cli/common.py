"""What every command shares: loading the home, the writer lock, reporting to stderr and the log."""

from __future__ import annotations

import logging
import sys

from harvest.config import Home
from harvest.lock import writer_lock
from harvest.records import Rejected

from . import logs

EXIT_OK, EXIT_ERROR, EXIT_USAGE, EXIT_BUSY, EXIT_INTERRUPTED = 0, 1, 2, 75, 130

def err(message: str) -> None:
    print(f"sheaf: {message}", file=sys.stderr)


def report_reject(rejected: Rejected) -> None:
    err(f"skipped {rejected}")
    logging.getLogger(logs.LOGGER).warning("skipped %s", rejected)


def log_warning(warning) -> None:
    logging.getLogger(logs.LOGGER).warning("%s", warning)


def load(args) -> Home:
    home = Home.load(Home.locate(args.home))
    logs.setup(home)
    return home


def writing(home: Home, args, what: str):
    """The writer lock for ``what``, waiting at most ``--wait`` seconds for it."""
    return writer_lock(home, what, wait=getattr(args, "wait", 0) or 0)
