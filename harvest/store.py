"""The record store: every member record, byte for byte, in one SQLite file.

One row per (source, local id). Writing the same bytes again changes
nothing; different bytes replace the row and bump its change sequence; a
deletion keeps the row as a tombstone. The change sequence (``seq``) is a
store-wide counter, so an indexer can ask for "everything after N".
"""

from __future__ import annotations

import hashlib
import sqlite3
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Iterable, Iterator

from .errors import StoreError
from .records import ImportSummary, RawRecord

SCHEMA = """
CREATE TABLE IF NOT EXISTS records (
    source       TEXT NOT NULL,
    local_id     TEXT NOT NULL,
    format       TEXT NOT NULL,
    data         BLOB,
    digest       BLOB,
    datestamp    TEXT,
    deleted      INTEGER NOT NULL DEFAULT 0,
    first_seen   TEXT NOT NULL,
    last_changed TEXT NOT NULL,
    seq          INTEGER NOT NULL,
    PRIMARY KEY (source, local_id)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS records_seq ON records (seq);
CREATE TABLE IF NOT EXISTS meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
"""


@dataclass(frozen=True, slots=True)
class StoredRecord:
    source: str
    local_id: str
    format: str
    data: bytes | None
    datestamp: str | None
    deleted: bool
    first_seen: str
    last_changed: str
    seq: int

    @property
    def id(self) -> str:
        return f"{self.source}:{self.local_id}"


def _now() -> str:
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


class RecordStore:
    """A connection to the store. Use as a context manager or call close()."""

    def __init__(self, path: str | Path):
        self.path = Path(path)
        try:
            self.db = sqlite3.connect(self.path, timeout=30, isolation_level=None)
            self.db.execute("PRAGMA journal_mode=WAL")
            self.db.execute("PRAGMA synchronous=NORMAL")
            self.db.executescript(SCHEMA)
        except sqlite3.Error as exc:
            raise StoreError(f"cannot open record store {self.path}: {exc}") from None

    def close(self) -> None:
        self.db.close()

    def __enter__(self) -> "RecordStore":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # -- writing -------------------------------------------------------

    def _next_seq(self) -> int:
        row = self.db.execute("SELECT value FROM meta WHERE key='seq'").fetchone()
        seq = int(row[0]) + 1 if row else 1
        self.db.execute("INSERT OR REPLACE INTO meta (key, value) VALUES ('seq', ?)", (str(seq),))
        return seq

    def put_many(self, source: str, records: Iterable[RawRecord],
                 summary: ImportSummary | None = None, batch: int = 1000) -> ImportSummary:
        """Write records of one source, committing every ``batch`` records."""
        summary = summary if summary is not None else ImportSummary()
        pending: list[RawRecord] = []
        for record in records:
            pending.append(record)
            if len(pending) >= batch:
                self._write_batch(source, pending, summary)
                pending.clear()
        if pending:
            self._write_batch(source, pending, summary)
        return summary

    def _write_batch(self, source: str, records: list[RawRecord], summary: ImportSummary) -> None:
        now = _now()
        db = self.db
        db.execute("BEGIN IMMEDIATE")
        try:
            seq = self._next_seq()
            for rec in records:
                summary.read += 1
                old = db.execute(
                    "SELECT digest, deleted FROM records WHERE source=? AND local_id=?",
                    (source, rec.local_id)).fetchone()
                if rec.deleted:
                    if old is None or old[1]:
                        summary.unchanged += 1
                        continue
                    db.execute(
                        "UPDATE records SET deleted=1, data=NULL, digest=NULL, datestamp=?,"
                        " last_changed=?, seq=? WHERE source=? AND local_id=?",
                        (rec.datestamp, now, seq, source, rec.local_id))
                    summary.deleted += 1
                    continue
                digest = hashlib.sha1(rec.data).digest()
                if old is None:
                    db.execute(
                        "INSERT INTO records (source, local_id, format, data, digest, datestamp,"
                        " deleted, first_seen, last_changed, seq) VALUES (?,?,?,?,?,?,0,?,?,?)",
                        (source, rec.local_id, rec.format, rec.data, digest, rec.datestamp,
                         now, now, seq))
                    summary.new += 1
                elif old[0] == digest and not old[1]:
                    summary.unchanged += 1
                else:
                    db.execute(
                        "UPDATE records SET format=?, data=?, digest=?, datestamp=?, deleted=0,"
                        " last_changed=?, seq=? WHERE source=? AND local_id=?",
                        (rec.format, rec.data, digest, rec.datestamp, now, seq,
                         source, rec.local_id))
                    summary.changed += 1
            db.execute("COMMIT")
        except BaseException:
            db.execute("ROLLBACK")
            raise

    # -- reading -------------------------------------------------------

    _COLUMNS = ("source, local_id, format, data, datestamp, deleted, first_seen,"
                " last_changed, seq")

    def get(self, source: str, local_id: str) -> StoredRecord | None:
        row = self.db.execute(
            f"SELECT {self._COLUMNS} FROM records WHERE source=? AND local_id=?",
            (source, local_id)).fetchone()
        return StoredRecord(*row[:5], bool(row[5]), *row[6:]) if row else None

    def iter_records(self, after_seq: int = 0, source: str | None = None,
                     include_deleted: bool = True, chunk: int = 2000) -> Iterator[StoredRecord]:
        """Records changed after ``after_seq``, in (seq, source, local_id) order.

        Reads in chunks with keyset paging, so memory stays flat and no
        read transaction is held open while the caller works.
        """
        where = ["seq > ?"]
        if source is not None:
            where.append("source = ?")
        if not include_deleted:
            where.append("deleted = 0")
        sql = (f"SELECT {self._COLUMNS} FROM records WHERE {' AND '.join(where)}"
               " AND (seq, source, local_id) > (?, ?, ?)"
               " ORDER BY seq, source, local_id LIMIT ?")
        key = (after_seq, "", "")
        while True:
            params = [after_seq] + ([source] if source is not None else []) + [*key, chunk]
            rows = self.db.execute(sql, params).fetchall()
            for row in rows:
                yield StoredRecord(*row[:5], bool(row[5]), *row[6:])
            if len(rows) < chunk:
                return
            last = rows[-1]
            key = (last[8], last[0], last[1])

    def max_seq(self) -> int:
        row = self.db.execute("SELECT value FROM meta WHERE key='seq'").fetchone()
        return int(row[0]) if row else 0

    def counts(self) -> dict[str, dict[str, int]]:
        """Per source: live records and tombstones."""
        out: dict[str, dict[str, int]] = {}
        for source, deleted, n in self.db.execute(
                "SELECT source, deleted, count(*) FROM records GROUP BY source, deleted"):
            entry = out.setdefault(source, {"records": 0, "deleted": 0})
            entry["deleted" if deleted else "records"] += n
        return out
