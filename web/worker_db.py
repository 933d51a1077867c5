"""One SQLite connection per worker process to a small shared file of the home
(``traffic.sqlite``, ``signin.sqlite``): the counts every worker of ``sheaf serve``
adds to and reads. WAL, so readers do not wait for the one writer; made again in a
child after a fork (a connection must not cross one)."""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

from harvest.config import Home

_open: dict[tuple[str, str], tuple[int, sqlite3.Connection]] = {}


def connection(home: Home, file_name: str, *setup: str,
               autocommit: bool = False) -> sqlite3.Connection:
    """This process's connection to ``HOME/file_name``, the ``setup`` statements (its
    tables) run when it is made."""
    key = (str(home.path), file_name)
    known = _open.get(key)
    if known is not None and known[0] == os.getpid():
        return known[1]
    extra = {"isolation_level": None} if autocommit else {}
    db = sqlite3.connect(Path(home.path) / file_name, timeout=5.0, check_same_thread=False,
                         **extra)
    db.execute("PRAGMA journal_mode=WAL")
    for statement in setup:
        db.execute(statement)
    _open[key] = (os.getpid(), db)
    return db
