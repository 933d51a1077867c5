"""Failed admin sign-ins, counted per client and shared by every worker.

Each wrong admin token (the sign-in form, or a wrong ``Authorization:
Bearer``) from a client address is counted in ``HOME/signin.sqlite``, which
all gunicorn workers share (as ``web.traffic`` shares ``traffic.sqlite``).
The first :data:`FREE` failures cost nothing; each one after that makes the
client wait twice as long as the last (1 s, 2 s, 4 s ...), and from
:data:`LOCK_AFTER` failures on the client is locked out for the
``admin_lockout_minutes`` setting. While it waits, a sign-in is not even
tried: it gets a 429 with ``Retry-After``. A successful sign-in clears the
client's count; failures older than the lockout are forgotten.

The client is the connection's remote address: behind a reverse proxy that
is the proxy, so every client shares one count (set the proxy to limit too).
"""

from __future__ import annotations

import math
import sqlite3
import threading
import time

from harvest.config import Home

from . import worker_db

FILE_NAME = "signin.sqlite"
FREE = 3             # failures before any wait
LOCK_AFTER = 10      # failures that lock the client out for the lockout time
FIRST_WAIT = 1.0     # seconds, doubled with each failure after FREE

_lock = threading.Lock()   # a worker's threads share its connection: one transaction at a time


def _connect(home: Home) -> sqlite3.Connection:
    return worker_db.connection(
        home, FILE_NAME, "CREATE TABLE IF NOT EXISTS failures (client TEXT PRIMARY KEY,"
        " failures INTEGER NOT NULL, last REAL NOT NULL, until REAL NOT NULL)", autocommit=True)


def lockout_seconds(home: Home) -> float:
    return float(home.settings["admin_lockout_minutes"]) * 60


def wait_after(failures: int, lockout: float) -> float:
    """Seconds a client must wait after its ``failures``-th failure in a row."""
    if failures <= FREE:
        return 0.0
    if failures >= LOCK_AFTER:
        return lockout
    return min(lockout, FIRST_WAIT * 2 ** (failures - FREE - 1))


def retry_after(home: Home, client: str, now: float | None = None) -> int:
    """Whole seconds ``client`` must wait before its next sign-in (0: it may try now)."""
    now = time.time() if now is None else now
    with _lock:
        row = _connect(home).execute("SELECT until FROM failures WHERE client = ?",
                                     (client,)).fetchone()
    return math.ceil(row[0] - now) if row and row[0] > now else 0


def failed(home: Home, client: str, now: float | None = None) -> int:
    """Count a failure of ``client``; the seconds it must now wait."""
    now = time.time() if now is None else now
    lockout = lockout_seconds(home)
    with _lock:
        return _failed(_connect(home), client, now, lockout)


def _failed(db: sqlite3.Connection, client: str, now: float, lockout: float) -> int:
    db.execute("BEGIN IMMEDIATE")
    try:
        row = db.execute("SELECT failures, last FROM failures WHERE client = ?",
                         (client,)).fetchone()
        count = row[0] + 1 if row and now - row[1] < lockout else 1
        until = now + wait_after(count, lockout)
        db.execute("INSERT INTO failures (client, failures, last, until) VALUES (?, ?, ?, ?)"
                   " ON CONFLICT (client) DO UPDATE SET failures = excluded.failures,"
                   " last = excluded.last, until = excluded.until",
                   (client, count, now, until))
        db.execute("COMMIT")
    except BaseException:
        if db.in_transaction:
            db.execute("ROLLBACK")
        raise
    return math.ceil(until - now)


def succeeded(home: Home, client: str) -> None:
    with _lock:
        _connect(home).execute("DELETE FROM failures WHERE client = ?", (client,))
