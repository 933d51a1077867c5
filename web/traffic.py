"""Protocol traffic of the whole server: what every worker's SRU and OAI-PMH endpoints
answered, for ``/status.json`` and the admin page.

Each worker counts in memory (``web.sru.traffic()``, ``web.oai.traffic()``); after each
protocol request the worker adds what it counted since its last flush to
``HOME/traffic.sqlite``, which all workers share (one small write: an OAI-PMH page of
200 records takes tens of milliseconds). The counts are since the file was made.
"""

from __future__ import annotations

import sqlite3
import threading
from typing import Callable

from flask import request

from harvest.config import Home

from . import worker_db

FILE_NAME = "traffic.sqlite"
PATHS = ("/sru", "/oai")

_lock = threading.Lock()
_flushed: dict[tuple[str, str, str], int] = {}
_counters: dict[str, Callable[[], dict[tuple[str, str], int]]] = {}


def register(protocol: str, counts: Callable[[], dict[tuple[str, str], int]]) -> None:
    """``counts()`` gives this worker's counts of ``protocol`` as (kind, name) -> n."""
    _counters[protocol] = counts


def sru_counts(snapshot: dict) -> dict[tuple[str, str], int]:
    """``web.sru.traffic()`` as (kind, name) -> n."""
    return {**{("operation", k): n for k, n in snapshot["operations"].items()},
            **{("diagnostic", k): n for k, n in snapshot["diagnostics"].items()}}


def oai_counts(snapshot: dict) -> dict[tuple[str, str], int]:
    """``web.oai.traffic()`` as (kind, name) -> n."""
    return {**{("verb", k): n for k, n in snapshot["requests"].items()},
            **{("error", k): n for k, n in snapshot["errors"].items()},
            ("records", "sent"): snapshot["records"]}


def _current() -> dict[tuple[str, str, str], int]:
    """This worker's counts as (protocol, kind, name) -> n."""
    return {(protocol, kind, name): n for protocol, counts in _counters.items()
            for (kind, name), n in counts().items()}


def _connect(home: Home) -> sqlite3.Connection:
    return worker_db.connection(
        home, FILE_NAME, "PRAGMA synchronous=NORMAL",
        "CREATE TABLE IF NOT EXISTS traffic (protocol TEXT, kind TEXT, name TEXT,"
        " n INTEGER NOT NULL, PRIMARY KEY (protocol, kind, name))")


def flush(home: Home) -> None:
    """Add this worker's counts since its last flush to the shared file."""
    with _lock:
        current = _current()
        deltas = [(*key, n - _flushed.get(key, 0)) for key, n in current.items()
                  if n != _flushed.get(key, 0)]
        if not deltas:
            return
        try:
            db = _connect(home)
            with db:
                db.executemany(
                    "INSERT INTO traffic VALUES (?, ?, ?, ?) ON CONFLICT"
                    " (protocol, kind, name) DO UPDATE SET n = n + excluded.n", deltas)
        except sqlite3.Error:
            return   # counted again at the next flush (the deltas are kept)
        _flushed.update(current)


def totals(home: Home) -> dict:
    """``{"sru": {"operations": {...}, "diagnostics": {...}}, "oai": {"verbs": {...},
    "errors": {...}, "records": n}}`` over every worker."""
    flush(home)
    out = {"sru": {"operations": {}, "diagnostics": {}},
           "oai": {"verbs": {}, "errors": {}, "records": 0}}
    groups = {("sru", "operation"): "operations", ("sru", "diagnostic"): "diagnostics",
              ("oai", "verb"): "verbs", ("oai", "error"): "errors"}
    try:
        with _lock:
            rows = _connect(home).execute("SELECT protocol, kind, name, n FROM traffic"
                                          " ORDER BY protocol, kind, name").fetchall()
    except sqlite3.Error:
        return out
    for protocol, kind, name, n in rows:
        if (protocol, kind) == ("oai", "records"):
            out["oai"]["records"] = n
        elif (protocol, kind) in groups:
            out[protocol][groups[(protocol, kind)]][name] = n
    return out


def init_app(app) -> None:
    @app.after_request
    def _after(response):
        if request.path in PATHS:
            flush(app.extensions["sheaf.home"])
        return response
