"""What every command shares: loading the home, the writer lock, reporting to stderr and the log."""

from __future__ import annotations

import logging
import sys

from harvest.config import Home
from harvest.lock import writer_lock
from harvest.records import Rejected

from . import logs

EXIT_OK, EXIT_ERROR, EXIT_USAGE, EXIT_BUSY, EXIT_INTERRUPTED = 0, 1, 2, 75, 130
EXIT_REFUSED = 3   # the deletion guard refused a run (harvest.guard): nothing was deleted

def err(message: str) -> None:
    print(f"sheaf: {message}", file=sys.stderr)


def alert(source: str, event: str, message: str) -> None:
    """The line a failed or refused run leaves for cron mail and log watchers: ``sheaf:
    ALERT <source> <event>: <message>`` on stderr, and the same words in the log (level
    ERROR). ``event`` is ``failed`` or ``refused``."""
    line = f"ALERT {source} {event}: {' '.join(message.split())}"
    err(line)
    logging.getLogger(logs.LOGGER).error("%s", line)


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
