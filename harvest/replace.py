"""Replacing a source's records with a full re-export (``sheaf import --replace``).

A member library sends its whole catalog again. Its records that are not in
the new export have been withdrawn and become tombstones. The export is
first read into a staging file beside the store (``HOME/tmp/``), so that
what will happen (new, changed, unchanged, deleted, and how many records are
missing and will be deleted) is known before anything is written; then
:func:`apply_replace` writes it. Applying is idempotent: if it is
interrupted, running the same replace again finishes it.
"""

from __future__ import annotations

import hashlib
import os
import sqlite3
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterator

from .config import Home
from .errors import SheafError
from .importer import ExportReader, problems
from .records import ImportSummary, RawRecord, ReadWarning, Rejected
from .store import RecordStore
from .upkeep import _now


class EmptyExport(SheafError):
    """A replace whose export holds no readable record would delete the whole source."""


class _Staging:
    """The new export's records, last copy of each id wins, in a scratch SQLite file."""

    def __init__(self, path: Path):
        self.path = path
        path.parent.mkdir(parents=True, exist_ok=True)
        path.unlink(missing_ok=True)
        self.db = sqlite3.connect(str(path), isolation_level=None)
        self.db.execute("PRAGMA journal_mode=OFF")
        self.db.execute("PRAGMA synchronous=OFF")
        self.db.execute("CREATE TABLE staged (local_id TEXT PRIMARY KEY, ord INTEGER NOT NULL,"
                        " format TEXT, data BLOB, digest BLOB, deleted INTEGER, datestamp TEXT)"
                        " WITHOUT ROWID")

    def fill(self, records) -> None:
        self.db.execute("BEGIN")
        for n, rec in enumerate(records):
            digest = None if rec.deleted else hashlib.sha1(rec.data).digest()
            self.db.execute("INSERT OR REPLACE INTO staged VALUES (?, ?, ?, ?, ?, ?, ?)",
                            (rec.local_id, n, rec.format, rec.data, digest, int(rec.deleted),
                             rec.datestamp))
        self.db.execute("COMMIT")

    def records(self, chunk: int = 1000) -> Iterator[RawRecord]:
        last = -1
        while True:
            rows = self.db.execute(
                "SELECT ord, local_id, format, data, deleted, datestamp FROM staged"
                " WHERE ord > ? ORDER BY ord LIMIT ?", (last, chunk)).fetchall()
            for ord_, local_id, fmt, data, deleted, datestamp in rows:
                yield RawRecord(local_id=local_id, format=fmt, data=data or b"",
                                deleted=bool(deleted), datestamp=datestamp)
            if len(rows) < chunk:
                return
            last = rows[-1][0]

    def close(self) -> None:
        self.db.close()
        self.path.unlink(missing_ok=True)


@dataclass
class ReplacePlan:
    """What replacing a source's records with an export will do, before it is done."""

    source: str
    read: ImportSummary     # reading the files: rejects, warnings, reject files
    new: int
    changed: int
    unchanged: int
    deleted: int            # records the export itself marks deleted
    missing: int            # live records of the source that the export does not hold
    live: int               # distinct live records in the export
    started: str
    _staging: _Staging

    def __str__(self) -> str:
        return (f"{self.source}: the new export holds {self.live} records: new {self.new},"
                f" changed {self.changed}, unchanged {self.unchanged}, marked deleted"
                f" {self.deleted}; {self.missing} records in the store are not in it and will"
                " be deleted")

    def discard(self) -> None:
        self._staging.close()


def plan_replace(home: Home, store: RecordStore, source_code: str, patterns: list[str],
                 fmt: str | None = None, on_reject: Callable[[Rejected], None] | None = None, *,
                 flavour: str | None = None, encoding: str | None = None,
                 on_warning: Callable[[ReadWarning], None] | None = None,
                 progress: Callable[[int], None] | None = None) -> ReplacePlan:
    """Read an export into staging and compare it with the store; nothing is written yet.

    Raises :class:`EmptyExport` when the export holds no readable record
    while the source has some (a wrong or empty file must not wipe it).
    """
    reader = ExportReader(home, source_code, patterns, fmt, on_reject, flavour=flavour,
                          encoding=encoding, on_warning=on_warning, progress=progress)
    for old in (home.path / "tmp").glob(f"replace-{reader.source.code}-*.sqlite"):
        old.unlink(missing_ok=True)  # left by a killed replace (the writer lock is ours)
    staging = _Staging(home.path / "tmp" / f"replace-{reader.source.code}-{os.getpid()}.sqlite")
    started = _now()
    try:
        staging.fill(reader)
        reader.summary.read = reader.count
        diff = store.compare_staged(reader.source.code, staging.path)
    except BaseException:
        staging.close()
        raise
    if diff["live"] == 0 and diff["missing"]:
        staging.close()
        raise EmptyExport(f"the export holds no readable record of {reader.source.code};"
                          f" nothing replaced ({diff['missing']} records kept)")
    return ReplacePlan(source=reader.source.code, read=reader.summary, started=started,
                       _staging=staging, **{k: diff[k] for k in (
                           "new", "changed", "unchanged", "deleted", "missing", "live")})


def apply_replace(store: RecordStore, plan: ReplacePlan) -> ImportSummary:
    """Write a planned replace: the export's records, then tombstones for the missing ones."""
    summary = ImportSummary(rejected=plan.read.rejected, warnings=plan.read.warnings,
                            reject_files=plan.read.reject_files)
    try:
        store.put_many(plan.source, plan._staging.records(), summary)
        store.tombstone_missing(plan.source, plan._staging.path, summary)
    finally:
        plan.discard()
    summary.read = plan.read.read
    store.log_import(plan.source, "replace", plan.started, "ok", summary,
                     messages=problems(summary))
    return summary
