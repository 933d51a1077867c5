"""Opening Sheaf's SQLite files (store, cluster and suggestion stores) in a home that
may be read-only.

:func:`open_db` opens a file read-write and runs its set-up (WAL, schema); when
the home cannot be written (a read-only mount, files without write permission)
it opens the file read-only and immutable instead, so that reading commands
(`sheaf search`, `sheaf status`, the web site) still work. Nothing can change
a read-only home, so immutable is true there.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Callable
from urllib.parse import quote


def read_only_failure(exc: sqlite3.Error) -> bool:
    """Whether ``exc`` is SQLite failing to write (or create the WAL files of) a file."""
    text = str(exc).lower()
    return "readonly" in text or "read-only" in text or "unable to open" in text


def read_only_uri(path: str | Path) -> str:
    return f"file:{quote(str(Path(path).resolve()))}?mode=ro&immutable=1"


def open_db(path: str | Path, setup: Callable[[sqlite3.Connection], None],
            **connect) -> tuple[sqlite3.Connection, bool]:
    """The open file and whether it is read-only (``setup`` then did not run)."""
    db = sqlite3.connect(str(path), **connect)
    try:
        setup(db)
        return db, False
    except sqlite3.OperationalError as exc:
        db.close()
        if not read_only_failure(exc) or not Path(path).is_file():
            raise
    return sqlite3.connect(read_only_uri(path), uri=True, **connect), True
