"""The writer lock: one process at a time changes the store or the index.

``HOME/locks/writer.lock`` is held with ``flock`` (released by the kernel
when its process ends, ``kill -9`` included) by ``sheaf harvest``,
``import``, ``index``, ``source remove``, ``source edit`` and ``restore``.
While it is held the file says what holds it, since when and its pid, so a
second writer can say ``busy: index --rebuild since 2026-01-05 02:00:13 UTC
(pid 4242)`` and stop instead of waiting forever.

Readers never take it: the web process only reads the file's text (and
checks that its pid is alive) to show who is writing. The per-source
harvest lock of :mod:`harvest.oai.harvester` is taken inside this one; it
still guards callers of the library that do not take the writer lock.
"""

from __future__ import annotations

import fcntl
import json
import os
import time
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Iterator

from .config import Home
from .errors import SheafError

LOCK_NAME = "writer.lock"
_held: set = set()   # lock files this process holds open


def _forget_in_child() -> None:
    # A forked child (an indexing worker) must not keep the lock alive: flock
    # belongs to the open file, so a child outliving a killed parent would
    # otherwise hold it. The parent's own descriptor is unaffected.
    for fh in list(_held):
        try:
            fh.close()
        except OSError:
            pass
    _held.clear()


os.register_at_fork(after_in_child=_forget_in_child)


class Busy(SheafError):
    """Another process holds the writer lock."""


@dataclass(frozen=True)
class Holder:
    """What holds the writer lock: ``what`` (e.g. ``harvest hanlib``), since when, which pid."""

    what: str
    since: str
    pid: int

    def __str__(self) -> str:
        when = self.since.replace("T", " ").replace("Z", " UTC")
        return f"{self.what} since {when} (pid {self.pid})"

    def as_dict(self) -> dict:
        return {"what": self.what, "since": self.since, "pid": self.pid}


def lock_path(home: Home) -> Path:
    return home.path / "locks" / LOCK_NAME


def _read(fh) -> Holder | None:
    fh.seek(0)
    try:
        data = json.loads(fh.read() or "null")
        return Holder(str(data["what"]), str(data["since"]), int(data["pid"]))
    except (ValueError, TypeError, KeyError):
        return None


@contextmanager
def writer_lock(home: Home, what: str, wait: float = 0.0) -> Iterator[Holder]:
    """Hold the writer lock for ``what``; raise :class:`Busy` if another process holds it
    for more than ``wait`` seconds."""
    path = lock_path(home)
    path.parent.mkdir(parents=True, exist_ok=True)
    fh = open(path, "a+", encoding="utf-8")
    try:
        deadline = time.monotonic() + max(0.0, wait)
        while True:
            try:
                fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    other = _read(fh)
                    raise Busy(f"busy: {other or 'another writer'}") from None
                time.sleep(0.2)
        me = Holder(what, datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"), os.getpid())
        fh.seek(0)
        fh.truncate()
        fh.write(json.dumps(me.as_dict()))
        fh.flush()
        _held.add(fh)
        try:
            yield me
        finally:
            fh.seek(0)
            fh.truncate()
            fh.flush()
    finally:
        _held.discard(fh)
        fh.close()  # releases the flock


def holder(home: Home) -> Holder | None:
    """Who holds the writer lock now, without taking it (for status pages).

    The holder clears the file when it lets go; a holder killed with -9
    leaves its text behind, so the pid must still be alive.
    """
    try:
        with open(lock_path(home), encoding="utf-8") as fh:
            found = _read(fh)
    except FileNotFoundError:
        return None
    if found is None or not _alive(found.pid):
        return None
    return found


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:  # a zombie (ended, not yet reaped by its parent) holds nothing
        with open(f"/proc/{pid}/stat", encoding="ascii", errors="replace") as fh:
            return fh.read().rpartition(")")[2].split()[0] != "Z"
    except (OSError, IndexError):
        return True
