"""Librarians' clustering decisions, kept in the record store so that rebuilds keep them.

The index is derived from the store, so a decision about which records are one
edition belongs here, beside the records, and not in an index generation
(which a rebuild replaces). Two kinds, both keyed by record ids
(``source:local id``, stable across re-harvests and rebuilds):

* ``split``: ``records`` must not share a cluster with ``others`` (a record taken
  out of a wrong merge: itself against the rest of the cluster it was in);
* ``join``: ``records`` form one cluster whatever their keys say.

Making or undoing a decision takes a store change number (``seq``), as a record
change does, so ``sheaf index`` sees the index is behind and re-clusters the
records the decision names (:func:`indexer.build.update`). The later decision
wins: a split undoes the active joins it contradicts and a join the splits it
contradicts; those stay listed, marked as superseded. An undone decision is
kept as history. A decision naming a record that is later deleted stays: the
clustering leaves the missing record out and the report lists it.

A mixin of :class:`harvest.store.RecordStore` (``db``, ``_transaction``,
``_next_seq``).
"""

from __future__ import annotations

from dataclasses import dataclass

from .errors import StoreError
from .upkeep import _now

OVERRIDES_SCHEMA = """
CREATE TABLE IF NOT EXISTS cluster_overrides (
    id         INTEGER PRIMARY KEY,
    kind       TEXT NOT NULL,
    records    TEXT NOT NULL,
    others     TEXT NOT NULL DEFAULT '',
    reason     TEXT NOT NULL DEFAULT '',
    created    TEXT NOT NULL,
    seq        INTEGER NOT NULL,
    undone     TEXT,
    undone_why TEXT NOT NULL DEFAULT ''
);
CREATE INDEX IF NOT EXISTS cluster_overrides_seq ON cluster_overrides (seq);
"""
KINDS = ("split", "join")


@dataclass(frozen=True, slots=True)
class Override:
    id: int
    kind: str
    records: tuple[str, ...]
    others: tuple[str, ...]
    reason: str
    created: str
    undone: str | None
    undone_why: str

    @property
    def active(self) -> bool:
        return self.undone is None

    @property
    def named(self) -> tuple[str, ...]:
        return self.records + self.others

    def to_dict(self) -> dict:
        return {"id": self.id, "kind": self.kind, "records": list(self.records),
                "others": list(self.others), "reason": self.reason, "created": self.created,
                "active": self.active, "undone": self.undone, "undone_why": self.undone_why}


@dataclass(frozen=True)
class Decisions:
    """The active decisions as the clustering reads them (:func:`indexer.cluster.cluster_sorted`):
    ``splits`` as (records, others) pairs of sets, ``joins`` as tuples of record ids."""

    splits: tuple = ()
    joins: tuple = ()

    def __bool__(self) -> bool:
        return bool(self.splits or self.joins)

    def records(self) -> set[str]:
        out = {rid for group in self.joins for rid in group}
        for records, others in self.splits:
            out |= records | others
        return out

    @classmethod
    def of(cls, overrides) -> "Decisions":
        active = [o for o in overrides if o.active]
        return cls(tuple((frozenset(o.records), frozenset(o.others))
                         for o in active if o.kind == "split"),
                   tuple(o.records for o in active if o.kind == "join"))


def _ids(text: str) -> tuple[str, ...]:
    return tuple(text.split("\n")) if text else ()


def _contradicts(new: Override, old: Override) -> bool:
    """``old`` (active) says the opposite of ``new`` about some pair of records."""
    if new.kind == old.kind:
        return False
    split, join = (new, old) if new.kind == "split" else (old, new)
    joined = set(join.records)
    return bool(joined & set(split.records)) and bool(joined & set(split.others))


class ClusterOverrides:
    """Cluster decision methods of the record store."""

    _OVERRIDE_COLUMNS = "id, kind, records, others, reason, created, undone, undone_why"

    def _override_rows(self, where: str = "", params: tuple = ()) -> list[Override]:
        rows = self.db.execute(f"SELECT {self._OVERRIDE_COLUMNS} FROM cluster_overrides"
                               f" {where} ORDER BY id", params)
        return [Override(i, kind, _ids(records), _ids(others), reason, created, undone, why)
                for i, kind, records, others, reason, created, undone, why in rows]

    def overrides(self) -> list[Override]:
        """Every decision, undone ones included, oldest first."""
        return self._override_rows()

    def override(self, override_id: int) -> Override | None:
        found = self._override_rows("WHERE id = ?", (override_id,))
        return found[0] if found else None

    def cluster_decisions(self) -> Decisions:
        return Decisions.of(self._override_rows("WHERE undone IS NULL"))

    def add_override(self, kind: str, records, others=(), reason: str = "") -> Override:
        """Record a decision; the active ones it contradicts are marked superseded."""
        records, others = tuple(dict.fromkeys(records)), tuple(dict.fromkeys(others))
        if kind not in KINDS:
            raise StoreError(f"unknown cluster decision {kind!r}")
        if kind == "split" and not (records and others) or kind == "join" and len(records) < 2:
            raise StoreError(f"a {kind} names too few records")
        if set(records) & set(others):
            raise StoreError("a record cannot be split from itself")
        now = _now()
        with self._transaction() as db:
            seq = self._next_seq()
            cur = db.execute(
                "INSERT INTO cluster_overrides (kind, records, others, reason, created, seq)"
                " VALUES (?, ?, ?, ?, ?, ?)",
                (kind, "\n".join(records), "\n".join(others), reason, now, seq))
            new = Override(cur.lastrowid, kind, records, others, reason, now, None, "")
            for old in self._override_rows("WHERE undone IS NULL AND id < ?", (new.id,)):
                if _contradicts(new, old):
                    db.execute("UPDATE cluster_overrides SET undone = ?, undone_why = ?,"
                               " seq = ? WHERE id = ?",
                               (now, f"superseded by #{new.id}", seq, old.id))
        return new

    def undo_override(self, override_id: int) -> Override:
        """Undo an active decision (it stays listed as undone)."""
        found = self.override(override_id)
        if found is None:
            raise StoreError(f"no cluster decision #{override_id}")
        if not found.active:
            raise StoreError(f"cluster decision #{override_id} is already undone"
                             f" ({found.undone_why or found.undone})")
        with self._transaction() as db:
            seq = self._next_seq()
            db.execute("UPDATE cluster_overrides SET undone = ?, undone_why = 'undone', seq = ?"
                       " WHERE id = ?", (_now(), seq, override_id))
        return self.override(override_id)

    def overrides_changed(self, after_seq: int) -> set[str]:
        """The records named by decisions made or undone after store change ``after_seq``."""
        out: set[str] = set()
        for o in self._override_rows("WHERE seq > ?", (after_seq,)):
            out.update(o.named)
        return out
