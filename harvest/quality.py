"""Data quality kept in the record store: each record's findings, rejects, and their trend.

The checks themselves are the indexer's (:mod:`indexer.quality`, which reads
the mapping); this module only keeps what they found, so that a report or a
page view sums a table instead of decoding records again. Findings are
written per record when the record changes (everything after the store's
``quality_seq``), rejects when an import or harvest skips a record, and a
trend row per source and check after each run that changed anything.

A mixin of :class:`harvest.store.RecordStore` (``db``, ``_transaction``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Iterable

from .records import Rejected
from .upkeep import _now

QUALITY_SCHEMA = """
CREATE TABLE IF NOT EXISTS quality_findings (
    source     TEXT NOT NULL,
    check_code TEXT NOT NULL,
    local_id   TEXT NOT NULL,
    detail     TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (source, check_code, local_id, detail)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS quality_findings_record ON quality_findings (source, local_id);
CREATE TABLE IF NOT EXISTS quality_rejects (
    id       INTEGER PRIMARY KEY,
    source   TEXT NOT NULL,
    run      TEXT NOT NULL,
    where_   TEXT NOT NULL,
    position TEXT NOT NULL,
    reason   TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS quality_rejects_source ON quality_rejects (source, run);
CREATE TABLE IF NOT EXISTS quality_trend (
    taken      TEXT NOT NULL,
    source     TEXT NOT NULL,
    check_code TEXT NOT NULL,
    records    INTEGER NOT NULL,
    live       INTEGER NOT NULL,
    PRIMARY KEY (source, taken, check_code)
) WITHOUT ROWID;
"""

# The check code under which a run's rejects are counted (they are not records of the store).
REJECTED = "rejected"
# A finding that describes a record rather than faults it (left out of the trend's total)
INFORMATIONAL = "ignored_field"
TREND_RUNS = 20


@dataclass(frozen=True, slots=True)
class Finding:
    """One problem of one stored record: a check's code and what exactly (a tag, a value)."""

    check: str
    detail: str = ""


class QualityLedger:
    """Quality methods of the record store."""

    # -- writing -----------------------------------------------------------

    def quality_seq(self) -> int:
        """The store change up to which every record's findings are written."""
        row = self.db.execute("SELECT value FROM meta WHERE key='quality_seq'").fetchone()
        return int(row[0]) if row else 0

    def put_findings(self, checked: Iterable[tuple[str, str, list[Finding]]],
                     up_to_seq: int) -> None:
        """Replace the findings of each (source, local id) checked, in one transaction,
        and remember that everything up to ``up_to_seq`` is checked."""
        with self._transaction() as db:
            for source, local_id, findings in checked:
                db.execute("DELETE FROM quality_findings WHERE source=? AND local_id=?",
                           (source, local_id))
                db.executemany(
                    "INSERT OR IGNORE INTO quality_findings VALUES (?, ?, ?, ?)",
                    ((source, f.check, local_id, f.detail) for f in findings))
            db.execute("INSERT OR REPLACE INTO meta (key, value) VALUES ('quality_seq', ?)",
                       (str(up_to_seq),))

    def put_rejects(self, source: str, rejected: list[Rejected], run: str | None = None) -> None:
        """The records one import or harvest of ``source`` skipped; they replace the
        rejects of its earlier runs (a report shows what the latest delivery lost)."""
        run = run or _now()
        with self._transaction() as db:
            db.execute("DELETE FROM quality_rejects WHERE source=?", (source,))
            db.executemany(
                "INSERT INTO quality_rejects (source, run, where_, position, reason)"
                " VALUES (?, ?, ?, ?, ?)",
                ((source, run, r.where, r.position, r.reason) for r in rejected))

    def snapshot_quality(self, sources: Iterable[str]) -> None:
        """A trend row per check for each source (after a run that changed it)."""
        # to the microsecond: two runs within a second are two points of the trend
        taken = datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
        live = {code: c["records"] for code, c in self.counts().items()}
        with self._transaction() as db:
            for source in sources:
                rows = self._check_counts(source)
                # check '': records with any problem (a field the mapping ignores is not one)
                rows[""] = db.execute(
                    "SELECT count(DISTINCT local_id) FROM quality_findings WHERE source=?"
                    " AND check_code NOT IN (?)", (source, INFORMATIONAL)).fetchone()[0]
                db.execute("DELETE FROM quality_trend WHERE source=? AND taken=?",
                           (source, taken))
                db.executemany("INSERT INTO quality_trend VALUES (?, ?, ?, ?, ?)",
                               ((taken, source, check, n, live.get(source, 0))
                                for check, n in rows.items()))

    def forget_quality(self, source: str) -> None:
        """Drop a source's findings, rejects and trend (``source remove``)."""
        with self._transaction() as db:
            for table in ("quality_findings", "quality_rejects", "quality_trend"):
                db.execute(f"DELETE FROM {table} WHERE source=?", (source,))

    # -- reading -------------------------------------------------------------

    def _check_counts(self, source: str) -> dict[str, int]:
        counts = {check: n for check, n in self.db.execute(
            "SELECT check_code, count(DISTINCT local_id) FROM quality_findings WHERE source=?"
            " GROUP BY check_code", (source,))}
        rejected = self.db.execute("SELECT count(*) FROM quality_rejects WHERE source=?",
                                   (source,)).fetchone()[0]
        if rejected:
            counts[REJECTED] = rejected
        return counts

    def quality_counts(self, source: str) -> dict[str, dict]:
        """Per check: records with the finding, and per detail (the top ones) how many."""
        out = {check: {"records": n, "details": []}
               for check, n in self._check_counts(source).items()}
        for check, detail, n in self.db.execute(
                "SELECT check_code, detail, count(*) AS n FROM quality_findings"
                " WHERE source=? AND detail != '' GROUP BY check_code, detail"
                " ORDER BY check_code, n DESC, detail", (source,)):
            details = out[check]["details"]
            if len(details) < 10:
                details.append({"detail": detail, "records": n})
        for reason, n in self.db.execute(
                "SELECT reason, count(*) AS n FROM quality_rejects WHERE source=?"
                " GROUP BY reason ORDER BY n DESC, reason LIMIT 10", (source,)):
            out[REJECTED]["details"].append({"detail": reason, "records": n})
        return out

    def quality_records(self, source: str, check: str, detail: str | None = None,
                        limit: int = 100, offset: int = 0) -> list[dict]:
        """The records a check found (``local_id``, ``detail``), or a run's rejects."""
        if check == REJECTED:
            rows = self.db.execute(
                "SELECT where_, position, reason FROM quality_rejects WHERE source=?"
                + (" AND reason=?" if detail else "") + " ORDER BY id LIMIT ? OFFSET ?",
                (source, *([detail] if detail else []), limit, offset))
            return [{"where": w, "position": p, "detail": r} for w, p, r in rows]
        rows = self.db.execute(
            "SELECT local_id, detail FROM quality_findings WHERE source=? AND check_code=?"
            + (" AND detail=?" if detail else "") + " ORDER BY local_id, detail LIMIT ? OFFSET ?",
            (source, check, *([detail] if detail else []), limit, offset))
        return [{"local_id": i, "detail": d} for i, d in rows]

    def quality_trend(self, source: str, runs: int = TREND_RUNS) -> list[dict]:
        """The source's last ``runs`` snapshots, oldest first: ``{"taken", "live",
        "problem_records", "checks": {code: records}}``."""
        taken = [t for (t,) in self.db.execute(
            "SELECT DISTINCT taken FROM quality_trend WHERE source=? ORDER BY taken DESC"
            " LIMIT ?", (source, runs))]
        points = {t: {"taken": t, "live": 0, "problem_records": 0, "checks": {}}
                  for t in reversed(taken)}
        if taken:
            for t, check, n, live in self.db.execute(
                    "SELECT taken, check_code, records, live FROM quality_trend"
                    " WHERE source=? AND taken >= ?", (source, taken[-1])):
                point = points[t]
                point["live"] = live
                if check:
                    point["checks"][check] = n
                else:
                    point["problem_records"] = n
        return list(points.values())
