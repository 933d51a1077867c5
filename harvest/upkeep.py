"""The record store's upkeep: per-source maintenance, activity, counts over time, backups.

A mixin of :class:`harvest.store.RecordStore` (kept apart so that each module
stays about one concern); it uses the store's connection and transactions.
"""

from __future__ import annotations

import sqlite3
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path
from typing import Iterator

from .errors import StoreError
from .records import ImportSummary, RawRecord

_COUNTS = ("new", "changed", "unchanged", "deleted")


def _add(total: ImportSummary | None, part: ImportSummary) -> None:
    if total is not None:
        total.read += part.read
        for key in _COUNTS:
            setattr(total, key, getattr(total, key) + getattr(part, key))


def _now() -> str:
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def _today() -> str:
    return datetime.now(timezone.utc).strftime("%Y-%m-%d")


class StoreUpkeep:
    """Maintenance methods of the record store (``self.db``, ``self._transaction``,
    ``self._write_records`` and ``self.counts`` come from the store)."""

    # -- per-source maintenance ------------------------------------------

    def tombstone_source(self, source: str, batch: int = 5000) -> int:
        """Turn every live record of a source into a tombstone (so the index drops them)."""
        total = ImportSummary()
        while True:
            with self._transaction() as db:
                live = db.execute("SELECT local_id, format FROM records WHERE source=? AND"
                                  " deleted=0 LIMIT ?", (source, batch)).fetchall()
                self._write_records(source, (RawRecord(local_id=i, format=f, data=b"",
                                                       deleted=True) for i, f in live), total)
            if len(live) < batch:
                return total.deleted

    def count_changed(self, after_seq: int) -> int:
        """How many records (tombstones included) changed after ``after_seq``."""
        return self.db.execute("SELECT count(*) FROM records WHERE seq > ?",
                               (after_seq,)).fetchone()[0]

    def touch_source(self, source: str) -> int:
        """Give every live record of a source a new change sequence, so the next index
        update maps them all again (after a change of the source's settings)."""
        with self._transaction() as db:
            n = db.execute("SELECT count(*) FROM records WHERE source=? AND deleted=0",
                           (source,)).fetchone()[0]
            if n:
                db.execute("UPDATE records SET seq=? WHERE source=? AND deleted=0",
                           (self._next_seq(), source))
        return n

    def purge_source(self, source: str) -> int:
        """Forget a source: its records (tombstones included) and its harvest and import
        history. Returns the number of record rows deleted; past daily counts are kept."""
        with self._transaction() as db:
            gone = db.execute("DELETE FROM records WHERE source=?", (source,)).rowcount
            db.execute("DELETE FROM harvest_seen WHERE harvest IN"
                       " (SELECT id FROM harvests WHERE source=?)", (source,))
            db.execute("DELETE FROM harvests WHERE source=?", (source,))
            db.execute("DELETE FROM imports WHERE source=?", (source,))
            db.execute("DELETE FROM daily_counts WHERE source=? AND day=?", (source, _today()))
        self.forget_quality(source)
        return gone

    @contextmanager
    def _attached(self, path: Path, name: str = "stage") -> Iterator[sqlite3.Connection]:
        self.db.execute(f"ATTACH DATABASE ? AS {name}", (str(path),))
        try:
            yield self.db
        finally:
            self.db.execute(f"DETACH DATABASE {name}")

    def compare_staged(self, source: str, staging: Path) -> dict[str, int]:
        """What writing a staged export (``staged(local_id, digest, deleted)`` in the SQLite
        file ``staging``) as the source's whole set of records would do."""
        with self._attached(staging) as db:
            row = db.execute(
                "SELECT"
                " sum(s.deleted=0 AND r.local_id IS NULL),"
                " sum(s.deleted=0 AND r.local_id IS NOT NULL AND (r.deleted=1 OR r.digest IS NOT s.digest)),"
                " sum(s.deleted=0 AND r.deleted=0 AND r.digest IS s.digest),"
                " sum(s.deleted=1 AND r.deleted=0),"
                " sum(s.deleted=0)"
                " FROM stage.staged s LEFT JOIN records r ON r.source=? AND r.local_id=s.local_id",
                (source,)).fetchone()
            missing = db.execute(
                "SELECT count(*) FROM records WHERE source=? AND deleted=0 AND local_id NOT IN"
                " (SELECT local_id FROM stage.staged)", (source,)).fetchone()[0]
        new, changed, unchanged, deleted, live = (int(v or 0) for v in row)
        return {"new": new, "changed": changed, "unchanged": unchanged, "deleted": deleted,
                "missing": missing, "live": live}

    def tombstone_missing(self, source: str, staging: Path,
                          summary: ImportSummary | None = None) -> ImportSummary:
        """Tombstones for the source's live records that a staged export does not hold."""
        page = ImportSummary()
        with self._attached(staging) as db:
            with self._transaction():
                gone = db.execute(
                    "SELECT local_id, format FROM records WHERE source=? AND deleted=0 AND"
                    " local_id NOT IN (SELECT local_id FROM stage.staged)", (source,)).fetchall()
                self._write_records(source, (RawRecord(local_id=i, format=f, data=b"",
                                                       deleted=True) for i, f in gone), page)
        _add(summary, page)
        return page

    # -- activity and counts over time -----------------------------------

    def log_import(self, source: str, kind: str, started: str, status: str,
                   summary: ImportSummary | None = None, messages: list[str] = ()) -> int:
        """Record one import (``import``, ``replace``, a ``file`` source's harvest)."""
        counts = summary.as_dict() if summary is not None else {}
        cur = self.db.execute(
            "INSERT INTO imports (source, kind, status, started, finished, read, new, changed,"
            " unchanged, deleted, skipped, warnings, messages)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (source, kind, status, started, _now(),
             *(counts.get(k, 0) for k in ("read", "new", "changed", "unchanged", "deleted",
                                          "skipped")),
             len(summary.warnings) if summary is not None else 0,
             "".join(m.rstrip("\n") + "\n" for m in messages)))
        return cur.lastrowid

    def import_history(self, source: str | None = None, limit: int = 20) -> list[dict]:
        """Imports, newest first, of one source or of all."""
        where = "source=?" if source is not None else "1"
        params = (source,) if source is not None else ()
        cur = self.db.execute(f"SELECT * FROM imports WHERE {where} ORDER BY id DESC LIMIT ?",
                              (*params, limit))
        names = [d[0] for d in cur.description]
        return [dict(zip(names, row)) for row in cur.fetchall()]

    def snapshot_counts(self) -> None:
        """Today's record counts per source (replacing an earlier snapshot of the day)."""
        day = _today()
        counts = self.counts()
        with self._transaction() as db:
            db.execute("DELETE FROM daily_counts WHERE day=?", (day,))
            db.executemany("INSERT INTO daily_counts VALUES (?, ?, ?, ?)",
                           ((day, s, c["records"], c["deleted"]) for s, c in counts.items()))

    def counts_history(self, days: int = 90) -> list[tuple[str, str, int]]:
        """(day, source, live records) for the last ``days`` days with a snapshot, oldest first."""
        return [tuple(row) for row in self.db.execute(
            "SELECT day, source, records FROM daily_counts WHERE day IN"
            " (SELECT DISTINCT day FROM daily_counts ORDER BY day DESC LIMIT ?)"
            " ORDER BY day, source", (days,))]

    # -- backup and restore ----------------------------------------------

    def backup_to(self, path: str | Path) -> None:
        """A consistent copy of the store while it is in use (SQLite's online backup API)."""
        target = sqlite3.connect(str(path))
        try:
            self.db.backup(target)
            target.execute("PRAGMA journal_mode=DELETE")  # one self-contained file
        except sqlite3.Error as exc:
            raise StoreError(f"cannot back up {self.path} to {path}: {exc}") from None
        finally:
            target.close()

    def restore_from(self, path: str | Path) -> None:
        """Replace this store's contents with a backup's, in place (open readers keep
        working). An index built before no longer matches: the caller marks it."""
        try:
            source = sqlite3.connect(f"file:{Path(path).resolve()}?mode=ro", uri=True)
        except sqlite3.Error as exc:
            raise StoreError(f"cannot open backup {path}: {exc}") from None
        try:
            check = source.execute("PRAGMA quick_check").fetchone()[0]
            has_records = source.execute("SELECT count(*) FROM sqlite_master WHERE type='table'"
                                         " AND name='records'").fetchone()[0]
            if check != "ok" or not has_records:
                raise StoreError(f"{path} is not a usable Sheaf store backup ({check})")
            source.backup(self.db)
        except sqlite3.Error as exc:
            raise StoreError(f"cannot restore from {path}: {exc}") from None
        finally:
            source.close()
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.executescript(self.SCHEMA)  # a backup made by an older Sheaf lacks newer tables
        self.migrate()                      # ... and newer indexes
