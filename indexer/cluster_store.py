"""Cluster membership kept in SQLite and updated record by record.

One store per index generation (``HOME/index/gen-*/clusters.sqlite``). A
rebuild fills it at once with :meth:`ClusterStore.load` (``cluster_all`` over
every record); afterwards :meth:`~ClusterStore.add_or_update` and
:meth:`~ClusterStore.remove` keep it current and say which cluster ids need
their index document rewritten or deleted.

An update re-clusters a small region with :func:`indexer.cluster.cluster_all`:
the record, the members of its old cluster, every record sharing a candidate
key (an id or a title block, :func:`indexer.cluster.candidate_keys`) with any
of them, and the whole clusters of all these. Outside the region nothing
changes. Because clustering takes records in id order, a region gives the
same clusters as a full rebuild except where a conflict makes the outcome
depend on records beyond it (a chain of conflicting clusters longer than one
hop); the next rebuild settles those.

Librarians' decisions (:class:`harvest.overrides.Decisions`, given to the
store when it is opened) are honoured by every re-clustering, the full one in
:meth:`~ClusterStore.load` and the regional ones; :meth:`~ClusterStore.reconsider`
re-clusters the region of the records a new or undone decision names.

Tables: ``record(id, rid, cluster, keys)``, the keys as one delimited string
(:func:`dump_keys`), and ``candidate(k, id)``, one row per candidate key of a
record, as a 63-bit hash (a collision only makes a region a little larger).
"""

from __future__ import annotations

import sqlite3
import zlib
from collections import defaultdict
from contextlib import contextmanager
from pathlib import Path
from typing import Iterable, Iterator

from harvest.sqlite_files import open_db

from .cluster import Blocking, MatchKeys, candidate_keys, cluster_all, cluster_sorted, distinct

_FS, _US = "\x1e", "\x1f"
_CHUNK = 500

_SCHEMA = """
CREATE TABLE IF NOT EXISTS record (
    id INTEGER PRIMARY KEY, rid TEXT NOT NULL, cluster TEXT NOT NULL, keys TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS candidate (k INTEGER NOT NULL, id INTEGER NOT NULL);
"""
_INDEXES = {"record_rid": "CREATE UNIQUE INDEX IF NOT EXISTS record_rid ON record (rid)",
            "record_cluster": "CREATE INDEX IF NOT EXISTS record_cluster ON record (cluster)",
            "candidate_k": "CREATE INDEX IF NOT EXISTS candidate_k ON candidate (k)"}


def dump_keys(k: MatchKeys) -> str:
    """Match keys as one string: fields split by 0x1E, set members by 0x1F (keys never hold
    either: they are words, digits and codes)."""
    return _FS.join((_US.join(k.isbns), _US.join(k.oclc), _US.join(k.lccn), _US.join(k.issns),
                     k.title, k.author, k.title_vernacular, k.author_vernacular,
                     "" if k.year is None else str(k.year), k.format, k.language, k.edition,
                     k.numbers, "" if k.pages is None else str(k.pages), k.title_pinyin,
                     k.author_pinyin))


def load_keys(text: str) -> MatchKeys:
    v = text.split(_FS)
    sets = [tuple(s.split(_US)) if s else () for s in v[:4]]
    return MatchKeys(*sets, *v[4:8], int(v[8]) if v[8] else None, *v[9:13],
                     int(v[13]) if v[13] else None, *v[14:16])


def key_hash(key: str) -> int:
    """A candidate key as a 63-bit integer (CRC-32 and Adler-32 side by side)."""
    data = key.encode()
    return (zlib.crc32(data) << 31) ^ zlib.adler32(data)


def key_hashes(keys: MatchKeys) -> list[int]:
    return [key_hash(k) for k in candidate_keys(keys)]


class ClusterStore:
    """record id -> cluster id, with each record's match keys, in one SQLite file."""

    def __init__(self, path: str | Path, decisions=None):
        self.path = Path(path)
        self.decisions = decisions
        self.db, self.read_only = open_db(self.path, self._set_up, isolation_level=None)
        self._depth = 0

    @staticmethod
    def _set_up(db: sqlite3.Connection) -> None:
        db.execute("PRAGMA journal_mode=WAL")
        db.execute("PRAGMA synchronous=NORMAL")
        db.executescript(_SCHEMA)
        for statement in _INDEXES.values():
            db.execute(statement)

    def close(self) -> None:
        self.db.close()

    def __enter__(self) -> "ClusterStore":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """One transaction around many updates (nested calls join the outer one)."""
        if self._depth == 0:
            self.db.execute("BEGIN IMMEDIATE")
        self._depth += 1
        try:
            yield
        except BaseException:
            self._depth -= 1
            if self._depth == 0:
                self.db.execute("ROLLBACK")
            raise
        self._depth -= 1
        if self._depth == 0:
            self.db.execute("COMMIT")

    # -- reading --------------------------------------------------------------

    def cluster_of(self, record_id: str) -> str | None:
        row = self.db.execute("SELECT cluster FROM record WHERE rid = ?", (record_id,)).fetchone()
        return row[0] if row else None

    def members(self, cluster_id: str) -> list[str]:
        """Record ids of a cluster, sorted; [] for an id that no longer exists."""
        return [r for (r,) in self.db.execute(
            "SELECT rid FROM record WHERE cluster = ? ORDER BY rid", (cluster_id,))]

    def keys_of(self, record_id: str) -> MatchKeys | None:
        row = self.db.execute("SELECT keys FROM record WHERE rid = ?", (record_id,)).fetchone()
        return load_keys(row[0]) if row else None

    def clusters(self) -> Iterator[tuple[str, list[str]]]:
        """(cluster id, member ids) for every cluster, in cluster id order."""
        current, members = None, []
        rows = self.db.execute("SELECT rid, cluster FROM record ORDER BY cluster, rid")
        for rid, cluster in rows:
            if cluster != current and members:
                yield current, members
                members = []
            current = cluster
            members.append(rid)
        if members:
            yield current, members

    def __len__(self) -> int:
        return self.db.execute("SELECT count(*) FROM record").fetchone()[0]

    # -- writing --------------------------------------------------------------

    def load(self, items: Iterable[tuple[str, MatchKeys]],
             assignment: dict[str, str] | None = None) -> dict[str, str]:
        """Replace everything with ``items`` clustered by ``cluster_all`` (or ``assignment``,
        its result computed beforehand). Returns the assignment."""
        by_id = dict(items)
        rids = sorted(by_id)
        keys = [by_id[rid] for rid in rids]
        if assignment is None:
            assignment, blocking, node = cluster_sorted(rids, keys, self.decisions)
        else:
            unique, node = distinct(keys)
            blocking = Blocking(unique)
        copies = defaultdict(list)
        for i, u in enumerate(node, 1):
            copies[u].append(i)
        with self.transaction():
            for name in _INDEXES:
                self.db.execute(f"DROP INDEX IF EXISTS {name}")
            self.db.execute("DELETE FROM record")
            self.db.execute("DELETE FROM candidate")
            self.db.executemany("INSERT INTO record VALUES (?, ?, ?, ?)",
                                ((i, rid, assignment[rid], dump_keys(k))
                                 for i, (rid, k) in enumerate(zip(rids, keys), 1)))
            self.db.executemany("INSERT INTO candidate VALUES (?, ?)",
                                ((key_hash(c), i) for c, u in blocking.candidates()
                                 for i in copies[u]))
            for statement in _INDEXES.values():
                self.db.execute(statement)
        return assignment

    def add_or_update(self, record_id: str, keys: MatchKeys) -> set[str]:
        """Put a new or changed record. Returns the cluster ids whose document must be
        rewritten: the record's old and new clusters and every cluster whose membership
        changed. An id whose ``members`` is now empty has ceased to exist."""
        old = self.cluster_of(record_id)
        if old is not None and self.keys_of(record_id) == keys:
            return {old}
        with self.transaction():
            seeds = set(self.members(old)) if old is not None else set()
            region = self._region(seeds | {record_id}, key_hashes(keys))
            before = self._assignment(region)
            self._delete(record_id)
            cur = self.db.execute("INSERT INTO record (rid, cluster, keys) VALUES (?, ?, ?)",
                                  (record_id, old or record_id, dump_keys(keys)))
            self.db.executemany("INSERT INTO candidate VALUES (?, ?)",
                                ((h, cur.lastrowid) for h in key_hashes(keys)))
            affected = self._recluster(region | {record_id}, before)
        return affected | {old, self.cluster_of(record_id)} - {None}

    def remove(self, record_id: str) -> set[str]:
        """Take a deleted record out. Returns the affected cluster ids (see add_or_update)."""
        old = self.cluster_of(record_id)
        if old is None:
            return set()
        with self.transaction():
            seeds = set(self.members(old)) - {record_id}
            region = self._region(seeds | {record_id}, []) - {record_id}
            before = self._assignment(region)
            self._delete(record_id)
            return {old} | self._recluster(region, before)

    def reconsider(self, record_ids: Iterable[str]) -> set[str]:
        """Re-cluster the region of ``record_ids`` (a decision about them was made or
        undone); ids not in the store are left out. Returns the affected cluster ids."""
        present = [r for r in sorted(set(record_ids)) if self.cluster_of(r) is not None]
        if not present:
            return set()
        with self.transaction():
            seeds = set(present)
            for rid in present:
                seeds.update(self.members(self.cluster_of(rid)))
            region = self._region(seeds, [])
            before = self._assignment(region)
            return set(before.values()) | self._recluster(region, before)

    def apply(self, changes: Iterable[tuple[str, MatchKeys | None]]) -> set[str]:
        """Many updates in one transaction; ``None`` keys remove the record."""
        affected: set[str] = set()
        with self.transaction():
            for record_id, keys in changes:
                affected |= (self.remove(record_id) if keys is None
                             else self.add_or_update(record_id, keys))
        return affected

    def _delete(self, record_id: str) -> None:
        row = self.db.execute("SELECT id, keys FROM record WHERE rid = ?", (record_id,)).fetchone()
        if row:
            self.db.executemany("DELETE FROM candidate WHERE k = ? AND id = ?",
                                ((h, row[0]) for h in key_hashes(load_keys(row[1]))))
            self.db.execute("DELETE FROM record WHERE id = ?", (row[0],))

    # -- regions --------------------------------------------------------------

    def _chunks(self, sql: str, values: list) -> Iterator[tuple]:
        for i in range(0, len(values), _CHUNK):
            part = values[i:i + _CHUNK]
            yield from self.db.execute(sql.format(",".join("?" * len(part))), part)

    def region(self, seeds: set[str]) -> set[str]:
        """The records a re-clustering of ``seeds`` reads (the merge report's view of one
        cluster); see the module docstring."""
        return self._region(set(seeds), [])

    def same_title(self, keys: list[MatchKeys]) -> set[str]:
        """Records with a (title, author) key pair of ``keys`` in the same script, whatever
        their year: the look-alikes the merge report checks for near misses. A scan of
        the table (no index serves it), done for one cluster's page, never by updates."""
        found: set[str] = set()
        for title, author in {pair for k in keys for pair in k.pairs()}:
            pattern = "".join("\\" + c if c in "%_\\" else c for c in
                              f"{_FS}{title}{_FS}{author}{_FS}")
            found.update(r for (r,) in self.db.execute(
                "SELECT rid FROM record WHERE keys LIKE ? ESCAPE '\\'", (f"%{pattern}%",)))
        return found

    def items(self, rids: Iterable[str] | None = None) -> list[tuple[str, MatchKeys]]:
        """(record id, match keys) of ``rids`` (default: every record), in id order."""
        if rids is None:
            rows = self.db.execute("SELECT rid, keys FROM record ORDER BY rid")
        else:
            rows = sorted(self._chunks("SELECT rid, keys FROM record WHERE rid IN ({})",
                                       sorted(rids)))
        return [(rid, load_keys(text)) for rid, text in rows]

    def _region(self, seeds: set[str], extra: list[int]) -> set[str]:
        """The seeds, the records sharing a candidate key with them, and their whole clusters."""
        probe = set(extra)
        for (text,) in self._chunks("SELECT keys FROM record WHERE rid IN ({})", sorted(seeds)):
            probe.update(key_hashes(load_keys(text)))
        found = set(seeds)
        found.update(r for (r,) in self._chunks(
            "SELECT record.rid FROM candidate JOIN record ON record.id = candidate.id"
            " WHERE candidate.k IN ({})", sorted(probe)))
        clusters = {c for (c,) in self._chunks(
            "SELECT DISTINCT cluster FROM record WHERE rid IN ({})", sorted(found))}
        found.update(r for (r,) in self._chunks(
            "SELECT rid FROM record WHERE cluster IN ({})", sorted(clusters)))
        return found

    def _assignment(self, rids: set[str]) -> dict[str, str]:
        return dict(self._chunks("SELECT rid, cluster FROM record WHERE rid IN ({})", sorted(rids)))

    def _recluster(self, region: set[str], before: dict[str, str]) -> set[str]:
        """Cluster the region afresh, write what moved, return old and new ids of what moved."""
        after = cluster_all(self.items(region), self.decisions)
        moved = [(cid, rid) for rid, cid in after.items() if before.get(rid) != cid]
        self.db.executemany("UPDATE record SET cluster = ? WHERE rid = ?", moved)
        return {before[rid] for _c, rid in moved if rid in before} | {cid for cid, _r in moved}
