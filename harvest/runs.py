"""Harvest runs in the record store: each harvest of a source, its window, resume point,
counts and outcome, and the records it saw (for a full harvest's deletions).

A mixin of :class:`harvest.store.RecordStore`, which gives it ``db``,
``_transaction`` and ``_write_records``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable

from .errors import StoreError
from .records import ImportSummary, RawRecord
from .upkeep import _add, _now

HARVEST_STATUSES = ("running", "ok", "failed", "abandoned", "refused")


@dataclass(frozen=True, slots=True)
class HarvestRun:
    """One harvest of one source: its window, resume point, counts and outcome.

    ``status`` is ``running`` (in progress, or interrupted: ``token`` is then
    where to resume), ``ok``, ``failed``, ``abandoned`` (an interrupted run
    replaced by a harvest with other options) or ``refused`` (its deletion
    sweep would have deleted too much: :mod:`harvest.guard`). ``response_date`` is the
    server's responseDate of the run's first answer: where the next
    incremental harvest starts once this one is ``ok``.
    """

    id: int
    source: str
    status: str
    started: str
    finished: str | None
    prefix: str | None
    set_spec: str | None
    window_from: str | None
    window_until: str | None
    full: bool
    method: str
    token: str | None
    restarts: int
    pages: int
    records: int
    new: int
    changed: int
    unchanged: int
    deleted: int
    errors: int
    response_date: str | None
    messages: str

    def as_dict(self) -> dict:
        return {name: getattr(self, name) for name in self.__slots__}


_HARVEST_COLUMNS = ", ".join(HarvestRun.__slots__)
_COUNTS = ("new", "changed", "unchanged", "deleted")


class HarvestRuns:
    # -- harvest state and history -------------------------------------

    def _run(self, where: str, params: tuple) -> HarvestRun | None:
        row = self.db.execute(f"SELECT {_HARVEST_COLUMNS} FROM harvests WHERE {where}",
                              params).fetchone()
        return HarvestRun(*row[:9], bool(row[9]), *row[10:]) if row else None

    def start_harvest(self, source: str, *, prefix: str | None = None,
                      set_spec: str | None = None, window_from: str | None = None,
                      window_until: str | None = None, full: bool = False,
                      method: str = "records") -> HarvestRun:
        cur = self.db.execute(
            "INSERT INTO harvests (source, status, started, prefix, set_spec, window_from,"
            " window_until, full, method) VALUES (?, 'running', ?, ?, ?, ?, ?, ?, ?)",
            (source, _now(), prefix, set_spec, window_from, window_until, int(full), method))
        return self.harvest_run(cur.lastrowid)

    def harvest_run(self, run_id: int) -> HarvestRun:
        run = self._run("id=?", (run_id,))
        if run is None:
            raise StoreError(f"no harvest {run_id} in {self.path}")
        return run

    def update_harvest(self, run_id: int, *, message: str | None = None, errors: int = 0,
                       **values) -> HarvestRun:
        """Set columns of a run; ``message`` is appended to its report lines."""
        bad = set(values) - {"status", "finished", "method", "token", "restarts",
                             "response_date", "window_from", "window_until"}
        if bad or values.get("status", "running") not in HARVEST_STATUSES:
            raise StoreError(f"cannot set {sorted(bad) or values['status']} on a harvest")
        sets = [f"{k}=?" for k in values] + ["errors=errors+?"]
        params = [*values.values(), errors]
        if message:
            sets.append("messages=messages || ?")
            params.append(message.rstrip("\n") + "\n")
        self.db.execute(f"UPDATE harvests SET {', '.join(sets)} WHERE id=?", (*params, run_id))
        return self.harvest_run(run_id)

    def put_page(self, run_id: int, source: str, records: Iterable[RawRecord],
                 token: str | None, response_date: str | None = None, errors: int = 0,
                 summary: ImportSummary | None = None) -> ImportSummary:
        """Write one harvested page and the point to resume from, in one transaction.

        After a crash the run is resumed at ``token`` (the request that comes
        after this page): the page's records are either all in the store with
        that resume point, or none are and the page is asked for again.
        ``summary`` (a fresh one if None) receives this page's counts.
        """
        page = ImportSummary()
        with self._transaction() as db:
            self._write_records(source, records, page)
            db.execute(
                "UPDATE harvests SET token=?, pages=pages+1, records=records+?, new=new+?,"
                " changed=changed+?, unchanged=unchanged+?, deleted=deleted+?,"
                " errors=errors+?, response_date=coalesce(response_date, ?) WHERE id=?",
                (token, page.read, *(getattr(page, k) for k in _COUNTS), errors,
                 response_date, run_id))
        _add(summary, page)
        return page

    def interrupted_harvest(self, source: str) -> HarvestRun | None:
        """The source's latest run if it stopped before finishing: crashed, failed after some
        pages, or refused at a page of deleted headers (harvest.guard)."""
        run = self._run("source=? ORDER BY id DESC LIMIT 1", (source,))
        if run is not None and (run.status == "running"
                                or (run.status == "failed" and run.pages and run.token)
                                or (run.status == "refused" and run.token)):
            return run
        return None

    def last_good_harvest(self, source: str, prefix: str | None = None,
                          set_spec: str | None = None) -> HarvestRun | None:
        """The latest complete harvest of an open-ended window (no ``until``)."""
        return self._run(
            "source=? AND status='ok' AND window_until IS NULL AND prefix IS ?"
            " AND set_spec IS ? ORDER BY id DESC LIMIT 1", (source, prefix, set_spec))

    def harvest_history(self, source: str | None = None, limit: int = 20) -> list[HarvestRun]:
        """Runs, newest first, of one source or of all."""
        where = "source=?" if source is not None else "1"
        params = (source,) if source is not None else ()
        rows = self.db.execute(
            f"SELECT {_HARVEST_COLUMNS} FROM harvests WHERE {where} ORDER BY id DESC LIMIT ?",
            (*params, limit)).fetchall()
        return [HarvestRun(*row[:9], bool(row[9]), *row[10:]) for row in rows]

    def mark_seen(self, run_id: int, local_ids: Iterable[str]) -> None:
        """Remember identifiers a deletion sweep found on the server."""
        with self._transaction() as db:
            db.executemany("INSERT OR IGNORE INTO harvest_seen (harvest, local_id) VALUES (?, ?)",
                           ((run_id, i) for i in local_ids))

    def clear_seen(self, run_id: int) -> None:
        self.db.execute("DELETE FROM harvest_seen WHERE harvest=?", (run_id,))

    def count_unseen(self, run_id: int, source: str) -> int:
        """How many live records of the source a sweep did not see (would be deleted)."""
        return self.db.execute(
            "SELECT count(*) FROM records WHERE source=? AND deleted=0 AND local_id NOT IN"
            " (SELECT local_id FROM harvest_seen WHERE harvest=?)", (source, run_id)).fetchone()[0]

    def tombstone_unseen(self, run_id: int, source: str,
                         summary: ImportSummary | None = None) -> ImportSummary:
        """Tombstones for the source's live records a sweep did not see, then forget the sweep.

        The tombstones, the run's deleted count and the end of the sweep are one transaction.
        """
        page = ImportSummary()
        with self._transaction() as db:
            gone = db.execute(
                "SELECT local_id, format FROM records WHERE source=? AND deleted=0 AND local_id"
                " NOT IN (SELECT local_id FROM harvest_seen WHERE harvest=?)",
                (source, run_id)).fetchall()
            self._write_records(source, (RawRecord(local_id=i, format=f, data=b"", deleted=True)
                                         for i, f in gone), page)
            db.execute("UPDATE harvests SET deleted=deleted+? WHERE id=?", (page.deleted, run_id))
            db.execute("DELETE FROM harvest_seen WHERE harvest=?", (run_id,))
        _add(summary, page)
        return page

    # -- reading -------------------------------------------------------

    _COLUMNS = ("source, local_id, format, data, datestamp, deleted, first_seen,"
                " last_changed, seq")
