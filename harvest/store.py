"""The record store: every member record, byte for byte, in one SQLite file.

One row per (source, local id). Writing the same bytes again changes
nothing; different bytes replace the row and bump its change sequence; a
deletion keeps the row as a tombstone. The change sequence (``seq``) is a
store-wide counter, so an indexer can ask for "everything after N".
"""

from __future__ import annotations

import hashlib
import sqlite3
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Iterator

from .errors import StoreError, disk_full
from .listing import StoreListing
from .overrides import OVERRIDES_SCHEMA, ClusterOverrides
from .quality import QUALITY_SCHEMA, QualityLedger
from .records import ImportSummary, RawRecord
from .runs import HarvestRuns
from .sqlite_files import open_db
from .upkeep import StoreUpkeep, _now

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
CREATE TABLE IF NOT EXISTS harvests (
    id            INTEGER PRIMARY KEY,
    source        TEXT NOT NULL,
    status        TEXT NOT NULL,
    started       TEXT NOT NULL,
    finished      TEXT,
    prefix        TEXT,
    set_spec      TEXT,
    window_from   TEXT,
    window_until  TEXT,
    full          INTEGER NOT NULL DEFAULT 0,
    method        TEXT NOT NULL DEFAULT 'records',
    token         TEXT,
    restarts      INTEGER NOT NULL DEFAULT 0,
    pages         INTEGER NOT NULL DEFAULT 0,
    records       INTEGER NOT NULL DEFAULT 0,
    new           INTEGER NOT NULL DEFAULT 0,
    changed       INTEGER NOT NULL DEFAULT 0,
    unchanged     INTEGER NOT NULL DEFAULT 0,
    deleted       INTEGER NOT NULL DEFAULT 0,
    errors        INTEGER NOT NULL DEFAULT 0,
    response_date TEXT,
    messages      TEXT NOT NULL DEFAULT ''
);
CREATE INDEX IF NOT EXISTS harvests_source ON harvests (source, id);
CREATE TABLE IF NOT EXISTS harvest_seen (
    harvest  INTEGER NOT NULL,
    local_id TEXT NOT NULL,
    PRIMARY KEY (harvest, local_id)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS records_source_deleted ON records (source, deleted);
CREATE TABLE IF NOT EXISTS imports (
    id        INTEGER PRIMARY KEY,
    source    TEXT NOT NULL,
    kind      TEXT NOT NULL,
    status    TEXT NOT NULL,
    started   TEXT NOT NULL,
    finished  TEXT NOT NULL,
    read      INTEGER NOT NULL DEFAULT 0,
    new       INTEGER NOT NULL DEFAULT 0,
    changed   INTEGER NOT NULL DEFAULT 0,
    unchanged INTEGER NOT NULL DEFAULT 0,
    deleted   INTEGER NOT NULL DEFAULT 0,
    skipped   INTEGER NOT NULL DEFAULT 0,
    warnings  INTEGER NOT NULL DEFAULT 0,
    messages  TEXT NOT NULL DEFAULT ''
);
CREATE INDEX IF NOT EXISTS imports_source ON imports (source, id);
CREATE TABLE IF NOT EXISTS daily_counts (
    day     TEXT NOT NULL,
    source  TEXT NOT NULL,
    records INTEGER NOT NULL,
    deleted INTEGER NOT NULL,
    PRIMARY KEY (day, source)
) WITHOUT ROWID;
""" + QUALITY_SCHEMA + OVERRIDES_SCHEMA

# Changes to a store made by an older Sheaf, applied in order when it is opened; the
# number done is the database's user_version. Each step must be safe on a store of any
# size that is in use (readers go on; a writer meeting the step waits for it).
MIGRATIONS = (
    # 1: the OAI-PMH provider lists records by last-changed time, overall and per source
    ("CREATE INDEX IF NOT EXISTS records_changed ON records (last_changed, source, local_id)",
     "CREATE INDEX IF NOT EXISTS records_source_changed"
     " ON records (source, last_changed, local_id)"),
    # 2: data quality findings, rejects and their trend (harvest.quality)
    tuple(s.strip() for s in QUALITY_SCHEMA.split(";") if s.strip()),
    # 3: librarians' cluster splits and joins (harvest.overrides)
    tuple(s.strip() for s in OVERRIDES_SCHEMA.split(";") if s.strip()),
)

BUSY_TIMEOUT = 30.0


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


class RecordStore(HarvestRuns, StoreUpkeep, StoreListing, QualityLedger,
                  ClusterOverrides):
    """A connection to the store. Use as a context manager or call close()."""

    SCHEMA = SCHEMA

    def __init__(self, path: str | Path):
        self.path = Path(path)
        try:
            # timeout: the busy timeout, so a reader or writer meeting another's
            # transaction waits (up to 30 s) instead of failing at once
            self.db, self.read_only = open_db(self.path, self._set_up, timeout=BUSY_TIMEOUT,
                                              isolation_level=None)
            if self.read_only and self.db.execute(
                    "PRAGMA user_version").fetchone()[0] < len(MIGRATIONS):
                raise StoreError(f"record store {self.path} needs upgrading and the home is"
                                 " read-only")
        except sqlite3.Error as exc:
            raise StoreError(f"cannot open record store {self.path}: {exc}") from None

    def _set_up(self, db: sqlite3.Connection) -> None:
        self.db = db
        db.execute("PRAGMA journal_mode=WAL")
        db.execute("PRAGMA synchronous=NORMAL")
        db.executescript(SCHEMA)
        self.migrate()

    def migrate(self) -> int:
        """Apply the migrations this store lacks; returns its version afterwards."""
        version = self.db.execute("PRAGMA user_version").fetchone()[0]
        while version < len(MIGRATIONS):
            with self._transaction() as db:
                # another process may have migrated while this one waited for the lock
                version = db.execute("PRAGMA user_version").fetchone()[0]
                if version >= len(MIGRATIONS):
                    break
                for statement in MIGRATIONS[version]:
                    db.execute(statement)
                version += 1
                db.execute(f"PRAGMA user_version = {version}")
        return version

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

    @contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        self.db.execute("BEGIN IMMEDIATE")
        try:
            yield self.db
            self.db.execute("COMMIT")
        except BaseException as exc:
            # SQLite rolls back by itself on SQLITE_FULL and some I/O errors: a second
            # ROLLBACK would fail ("no transaction is active") and hide the real error
            if self.db.in_transaction:
                try:
                    self.db.execute("ROLLBACK")
                except sqlite3.Error:
                    pass
            if disk_full(exc):
                raise StoreError(f"disk full: {exc} (writing {self.path}; this batch was not"
                                 " stored, the batches before it were)") from exc
            raise

    def _write_batch(self, source: str, records: list[RawRecord], summary: ImportSummary) -> None:
        with self._transaction():
            self._write_records(source, records, summary)

    def _write_records(self, source: str, records: Iterable[RawRecord],
                       summary: ImportSummary) -> None:
        """Write records inside the caller's transaction."""
        now = _now()
        db = self.db
        seq = None

        def change_seq() -> int:
            # taken on the first real change only: re-importing identical bytes must
            # leave max_seq alone, or the index would look "behind" for nothing
            nonlocal seq
            if seq is None:
                seq = self._next_seq()
            return seq

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
                    (rec.datestamp, now, change_seq(), source, rec.local_id))
                summary.deleted += 1
                continue
            digest = hashlib.sha1(rec.data).digest()
            if old is None:
                db.execute(
                    "INSERT INTO records (source, local_id, format, data, digest, datestamp,"
                    " deleted, first_seen, last_changed, seq) VALUES (?,?,?,?,?,?,0,?,?,?)",
                    (source, rec.local_id, rec.format, rec.data, digest, rec.datestamp,
                     now, now, change_seq()))
                summary.new += 1
            elif old[0] == digest and not old[1]:
                summary.unchanged += 1
            else:
                db.execute(
                    "UPDATE records SET format=?, data=?, digest=?, datestamp=?, deleted=0,"
                    " last_changed=?, seq=? WHERE source=? AND local_id=?",
                    (rec.format, rec.data, digest, rec.datestamp, now, change_seq(),
                     source, rec.local_id))
                summary.changed += 1

    def get(self, source: str, local_id: str) -> StoredRecord | None:
        row = self.db.execute(
            f"SELECT {self._COLUMNS} FROM records WHERE source=? AND local_id=?",
            (source, local_id)).fetchone()
        return StoredRecord(*row[:5], bool(row[5]), *row[6:]) if row else None

    def iter_records(self, after_seq: int = 0, source: str | None = None,
                     include_deleted: bool = True, chunk: int = 2000) -> Iterator[StoredRecord]:
        """Records changed after ``after_seq``, in (seq, source, local_id) order.

        Reads in chunks with keyset paging, so memory stays flat and no
        read transaction is held open while the caller works. Each chunk's
        range starts at the last sequence number read (the index on ``seq``
        carries the key after it, so the order costs nothing): bounded only
        by ``after_seq``, every chunk scanned the store from there, and
        reading a million records took minutes.
        """
        where = ["seq >= ?"]
        if source is not None:
            where.append("source = ?")
        if not include_deleted:
            where.append("deleted = 0")
        sql = (f"SELECT {self._COLUMNS} FROM records WHERE {' AND '.join(where)}"
               " AND (seq, source, local_id) > (?, ?, ?)"
               " ORDER BY seq, source, local_id LIMIT ?")
        key = (after_seq, "\U0010ffff", "\U0010ffff")   # after every record of after_seq
        while True:
            params = ([max(key[0], after_seq + 1)] + ([source] if source is not None else [])
                      + [*key, chunk])
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

