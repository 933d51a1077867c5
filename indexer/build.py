"""Building and updating the index from the record store, one document per cluster.

``rebuild`` maps every live record, clusters them (:mod:`indexer.cluster`),
writes one document per cluster into a new generation and switches to it
when it is complete; its heavy passes run in worker processes
(:mod:`indexer.parallel`). ``update`` applies the store's changes since the live
generation was last brought up to date: it re-maps only the changed records,
asks the generation's cluster store which clusters that touched, and
rewrites or deletes just those documents.

Both write through the engine's index interface (:mod:`indexer.engine`),
which the caller chooses (``settings.engine``, :func:`discovery.engines.open_index`).
Neither writes into the live generation: ``update`` works on a clone of it
(:meth:`indexer.generations.IndexDir.clone`). Before ``CURRENT`` moves, the
caller's ``verify`` searches the new generation (the CLI passes
:func:`discovery.health.check_generation`); a generation it finds broken is
refused (:class:`GenerationRefused`) and the live one stays.

Crash safety: a killed update or rebuild leaves only a generation that never
went live (removed by the next run's cleanup); the live generation's store
sequence has not moved, so the next run does the work again. The ``dirty``
table of a cluster store (clusters touched but not yet committed) is kept
for generations written by older versions, which updated in place.
"""

from __future__ import annotations

import shutil
import time
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Callable

from harvest.config import Home
from harvest.store import RecordStore, StoredRecord

from .analysis import warm_up
from .cluster import match_keys
from .cluster_store import ClusterStore
from .document import Member
from .document import document_for as _document
from .engine import IndexEngine
from .errors import GenerationRefused, IndexerError, MappingError, RebuildNeeded
from . import parallel
from .generations import (CLUSTERS_NAME, SUGGEST_NAME, Generation, IndexDir, now,  # noqa: F401
                          status, versions)
from .mapping import map_stored
from .suggest import SuggestStore

OnFailure = Callable[[str, str], None]
OnWarning = Callable[[str], None]
# verify(generation, report) -> problems found by searching it (empty: it may go live)
Verify = Callable[[Generation, "BuildReport"], list]
SAMPLE = 50   # written and removed cluster ids kept in a report for the probe


@dataclass
class BuildReport:
    generation: str = ""
    rebuilt: bool = False
    records: int = 0          # records mapped
    clusters: int = 0         # cluster documents written
    removed: int = 0          # cluster documents deleted
    failed: list[tuple[str, str]] = field(default_factory=list)
    warnings: int = 0         # data problems mapping worked around (see on_warning)
    seconds: float = 0.0
    map_seconds: float = 0.0
    cluster_seconds: float = 0.0
    write_seconds: float = 0.0
    commit_seconds: float = 0.0
    verify_seconds: float = 0.0
    clone_seconds: float = 0.0
    written_ids: list[str] = field(default_factory=list)   # the first SAMPLE written
    removed_ids: list[str] = field(default_factory=list)   # the first SAMPLE removed

    def __str__(self) -> str:
        action = "rebuilt" if self.rebuilt else "updated"
        return (f"index {action} ({self.generation}): {self.records} records mapped into "
                f"{self.clusters} clusters written, {self.removed} removed, "
                f"{len(self.failed)} failed, {self.warnings} data warnings, "
                f"in {self.seconds:.1f}s")


class _Mapper:
    """Maps stored records, timing it and reporting the ones it cannot map."""

    def __init__(self, home: Home, report: BuildReport, on_failure: OnFailure | None,
                 on_warning: OnWarning | None):
        self.encodings = {code: src.encoding for code, src in home.sources.items()}
        self.report = report
        self.on_failure = on_failure
        self.on_warning = on_warning

    def _warn(self, message: str) -> None:
        self.report.warnings += 1
        if self.on_warning:
            self.on_warning(message)

    def __call__(self, rec: StoredRecord) -> dict | None:
        started = time.perf_counter()
        try:
            return map_stored(rec.data, rec.format, self.encodings.get(rec.source),
                              source=rec.source, local_id=rec.local_id, on_warning=self._warn)
        except MappingError as exc:
            self.report.failed.append((rec.id, str(exc)))
            if self.on_failure:
                self.on_failure(rec.id, str(exc))
            return None
        finally:
            self.report.map_seconds += time.perf_counter() - started


def _names(home: Home) -> dict[str, str]:
    return {code: src.name for code, src in home.sources.items()}


def _go_live(engine: IndexEngine, index_dir: IndexDir, gen: Generation,
             previous: Generation | None, report: BuildReport, verify: Verify | None) -> None:
    """Switch ``CURRENT`` to ``gen`` if ``verify`` finds nothing wrong with it; else refuse it."""
    if verify is not None:
        t = time.perf_counter()
        try:
            problems = list(verify(gen, report))
        except Exception as exc:  # noqa: BLE001 - a probe that crashes has found a problem
            problems = [f"the probe failed: {type(exc).__name__}: {exc}"]
        report.verify_seconds = time.perf_counter() - t
        if problems:
            what = "rebuild" if report.rebuilt else "update"
            index_dir.refuse(gen, what, problems)
            live = previous.name if previous else "none"
            raise GenerationRefused(
                f"the new index generation {gen.name} was refused, the live one ({live})"
                f" stays: {'; '.join(problems)}")
    index_dir.switch(gen)
    index_dir.remove_old(keep=gen, previous=previous)
    engine.go_live(gen.path)


def rebuild(home: Home, store: RecordStore, engine: IndexEngine, procs: int = 1,
            on_failure: OnFailure | None = None,
            on_warning: OnWarning | None = None, verify: Verify | None = None) -> BuildReport:
    """Build a whole new generation from the store, then make it live.

    ``procs`` worker processes map the records and write the documents
    (see :mod:`indexer.parallel`); 1 does everything in this process.
    """
    warm_up(vietnamese=True)
    with parallel.fewer_collections():
        return _rebuild(home, store, engine, procs, on_failure, on_warning, verify)


def _rebuild(home: Home, store: RecordStore, engine: IndexEngine, procs: int,
             on_failure: OnFailure | None, on_warning: OnWarning | None,
             verify: Verify | None) -> BuildReport:
    started = time.perf_counter()
    index_dir = IndexDir(home.index_path, versions(engine.versions()))
    try:
        previous = index_dir.current()
    except IndexerError:
        previous = None  # a damaged live generation is exactly what a rebuild replaces
    store_seq = store.max_seq()
    path = index_dir.new_generation()
    report = BuildReport(generation=path.name, rebuilt=True)
    shard_dir = path / "mapped.tmp"
    shard_dir.mkdir()
    try:
        keys = []

        def collect(chunk_keys, failures, warnings, seconds):
            keys.extend(chunk_keys)
            report.records += len(chunk_keys)
            report.map_seconds += seconds
            report.warnings += len(warnings)
            for rid, reason in failures:
                report.failed.append((rid, reason))
                if on_failure:
                    on_failure(rid, reason)
            if on_warning:
                for message in warnings:
                    on_warning(message)

        encodings = {code: src.encoding for code, src in home.sources.items()}
        where = parallel.map_all(store.iter_records(include_deleted=False), shard_dir,
                                 encodings, procs, collect)
        t = time.perf_counter()
        with ClusterStore(path / CLUSTERS_NAME, store.cluster_decisions()) as clusters:
            assignment = clusters.load(keys)
        keys.clear()  # the cluster store has them now
        groups: dict[str, list[tuple[str, str]]] = defaultdict(list)
        for rid, cid in assignment.items():
            groups[cid].append((rid, where[rid]))
        ordered = [(cid, sorted(groups[cid])) for cid in sorted(groups)]
        del groups, assignment, where
        report.cluster_seconds = time.perf_counter() - t
        engine.create(path)
        t = time.perf_counter()
        report.clusters, report.write_seconds = parallel.write_all(
            engine.bulk(path), ordered, _names(home), path / SUGGEST_NAME, procs)
        report.commit_seconds = time.perf_counter() - t
        gen = Generation(path, {"versions": index_dir.versions, "engine": engine.name,
                                "store_seq": store_seq, "built": now(), "updated": now()},
                         index_dir.versions)
        gen.write_meta()
    except BaseException:
        shutil.rmtree(path, ignore_errors=True)
        raise
    finally:
        shutil.rmtree(shard_dir, ignore_errors=True)
    _go_live(engine, index_dir, gen, previous, report, verify)
    report.seconds = time.perf_counter() - started
    return report


def update(home: Home, store: RecordStore, engine: IndexEngine,
           on_failure: OnFailure | None = None, on_warning: OnWarning | None = None,
           verify: Verify | None = None) -> BuildReport:
    """Apply the store's changes since the live generation was last brought up to date,
    in a clone of it that then goes live (see the module's docstring)."""
    index_dir = IndexDir(home.index_path, versions(engine.versions()))
    live = index_dir.current()
    if live is None:
        return rebuild(home, store, engine, procs=int(home.settings["index_procs"]),
                       on_failure=on_failure, on_warning=on_warning, verify=verify)
    if live.stale:
        raise RebuildNeeded(live.stale_reason)
    engine.document_count(live.path)   # IndexDamaged (rebuild from the store) if it is cut
    started = time.perf_counter()
    report = BuildReport(generation=live.name)
    store_seq = store.max_seq()
    since = int(live.meta.get("store_seq", 0))
    with ClusterStore(live.clusters_path) as clusters:   # (nothing is added to the live one)
        has_dirty = clusters.db.execute(
            "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'dirty'").fetchone()
        pending = ({row[0] for row in clusters.db.execute("SELECT cluster FROM dirty")}
                   if has_dirty else set())
    if store_seq == since and not pending:
        report.seconds = time.perf_counter() - started
        return report
    warm_up(vietnamese=True)
    t = time.perf_counter()
    gen = index_dir.clone(live)
    report.clone_seconds = time.perf_counter() - t
    report.generation = gen.name
    try:
        _apply(home, store, engine, gen, since, pending, report, on_failure, on_warning)
        gen.meta.update(store_seq=store_seq, updated=now())
        gen.write_meta()
    except BaseException:
        shutil.rmtree(gen.path, ignore_errors=True)
        raise
    _go_live(engine, index_dir, gen, live, report, verify)
    report.seconds = time.perf_counter() - started
    return report


def _apply(home: Home, store: RecordStore, engine: IndexEngine, gen: Generation, since: int,
           pending: set[str], report: BuildReport, on_failure: OnFailure | None,
           on_warning: OnWarning | None) -> None:
    """Re-map the records changed after ``since`` and rewrite or delete their clusters'
    documents in ``gen`` (a clone nobody reads yet)."""
    with ClusterStore(gen.clusters_path, store.cluster_decisions()) as clusters:
        clusters.db.execute("CREATE TABLE IF NOT EXISTS dirty (cluster TEXT PRIMARY KEY)")
        batch = engine.batch(gen.path)
        try:
            mapper = _Mapper(home, report, on_failure, on_warning)
            fresh: dict[str, Member] = {}
            for rec in store.iter_records(after_seq=since):
                mapped = None if rec.deleted else mapper(rec)
                t = time.perf_counter()
                with clusters.transaction():
                    touched = (clusters.remove(rec.id) if mapped is None
                               else clusters.add_or_update(rec.id, match_keys(mapped)))
                    clusters.db.executemany("INSERT OR IGNORE INTO dirty VALUES (?)",
                                            ((c,) for c in touched))
                report.cluster_seconds += time.perf_counter() - t
                pending |= touched
                if mapped is not None:
                    fresh[rec.id] = Member(rec.id, rec.source, mapped, rec.first_seen)
                    report.records += 1
            t = time.perf_counter()
            with clusters.transaction():      # librarians' decisions made or undone since
                touched = clusters.reconsider(store.overrides_changed(since))
                clusters.db.executemany("INSERT OR IGNORE INTO dirty VALUES (?)",
                                        ((c,) for c in touched))
            report.cluster_seconds += time.perf_counter() - t
            pending |= touched
            names = _names(home)
            suggestions = SuggestStore(gen.path / SUGGEST_NAME)
            for cid in sorted(pending):
                old = batch.stored(cid)
                if old is not None:
                    suggestions.remove(old)
                rids = clusters.members(cid)
                if not rids:
                    batch.delete(cid)
                    report.removed += 1
                    if len(report.removed_ids) < SAMPLE:
                        report.removed_ids.append(cid)
                    continue
                members = [fresh.get(rid) or _member(store, mapper, rid) for rid in sorted(rids)]
                members = [m for m in members if m is not None]
                doc = _document(cid, members, names)
                suggestions.add(doc["display"], doc["holdings"])
                t = time.perf_counter()
                batch.put(doc)
                report.write_seconds += time.perf_counter() - t
                report.clusters += 1
                if len(report.written_ids) < SAMPLE:
                    report.written_ids.append(cid)
            suggestions.close()
        except BaseException:
            batch.cancel()
            raise
        t = time.perf_counter()
        batch.commit()
        report.commit_seconds = time.perf_counter() - t
        clusters.db.execute("DELETE FROM dirty")


def _member(store: RecordStore, mapper: _Mapper, record_id: str) -> Member | None:
    source, _, local_id = record_id.partition(":")
    rec = store.get(source, local_id)
    if rec is None or rec.deleted:
        return None
    mapped = mapper(rec)
    return Member(record_id, source, mapped, rec.first_seen) if mapped is not None else None
