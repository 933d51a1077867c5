"""Building and updating the index from the record store.

The index lives in generations: ``HOME/index/gen-<stamp>/`` each a complete
Whoosh index plus ``sheaf-meta.json`` (the versions it was built with and
the store change sequence it reflects). ``HOME/index/CURRENT`` names the
live one and is replaced atomically, so a rebuild never disturbs readers
and a failed one leaves the live index as it was.
"""

from __future__ import annotations

import json
import os
import shutil
import time
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable, Iterator

from whoosh import index as whoosh_index
from whoosh.index import LockError

from harvest.config import Home
from harvest.store import RecordStore, StoredRecord

from .analysis import warm_up
from .errors import IndexerError, MappingError, RebuildNeeded
from .mapping import map_stored
from .schema import build_schema, make_codec, make_document, versions

META_NAME = "sheaf-meta.json"
CURRENT_NAME = "CURRENT"


@dataclass
class Generation:
    path: Path
    meta: dict

    @property
    def name(self) -> str:
        return self.path.name

    def open(self):
        return whoosh_index.open_dir(str(self.path))

    def write_meta(self) -> None:
        tmp = self.path / (META_NAME + ".tmp")
        tmp.write_text(json.dumps(self.meta, indent=1), encoding="utf-8")
        os.replace(tmp, self.path / META_NAME)

    @property
    def stale(self) -> bool:
        return self.meta.get("versions") != versions()


class IndexDir:
    """``HOME/index``: its generations and the pointer to the live one."""

    def __init__(self, path: Path):
        self.path = Path(path)

    def current(self) -> Generation | None:
        try:
            name = (self.path / CURRENT_NAME).read_text(encoding="utf-8").strip()
        except FileNotFoundError:
            return None
        gen = self.path / name
        try:
            meta = json.loads((gen / META_NAME).read_text(encoding="utf-8"))
        except (FileNotFoundError, json.JSONDecodeError) as exc:
            raise IndexerError(f"index generation {gen} is damaged ({exc}); "
                               "run `sheaf index --rebuild`") from None
        return Generation(gen, meta)

    def new_generation(self) -> Path:
        stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%S%f")
        path = self.path / f"gen-{stamp}"
        path.mkdir(parents=True)
        return path

    def switch(self, gen: Generation) -> None:
        tmp = self.path / (CURRENT_NAME + ".tmp")
        tmp.write_text(gen.name + "\n", encoding="utf-8")
        os.replace(tmp, self.path / CURRENT_NAME)

    def remove_old(self, keep: Generation, previous: Generation | None) -> None:
        """Delete generations other than the live one and the one it replaced.

        The replaced generation stays one more round so that a worker still
        reading it finishes its request.
        """
        spare = {keep.path} | ({previous.path} if previous else set())
        for child in self.path.glob("gen-*"):
            if child.is_dir() and child not in spare:
                shutil.rmtree(child, ignore_errors=True)


@dataclass
class BuildReport:
    generation: str = ""
    rebuilt: bool = False
    indexed: int = 0
    deleted: int = 0
    failed: list[tuple[str, str]] = field(default_factory=list)
    seconds: float = 0.0
    map_seconds: float = 0.0
    write_seconds: float = 0.0
    commit_seconds: float = 0.0

    def __str__(self) -> str:
        action = "rebuilt" if self.rebuilt else "updated"
        return (f"index {action} ({self.generation}): {self.indexed} indexed, "
                f"{self.deleted} removed, {len(self.failed)} failed, in {self.seconds:.1f}s")


OnFailure = Callable[[str, str], None]


def _documents(home: Home, records: Iterator[StoredRecord], report: BuildReport,
               on_failure: OnFailure | None) -> Iterator[tuple[StoredRecord, dict | None]]:
    """(record, index document) pairs; a record that cannot be mapped gives None."""
    encodings = {code: src.encoding for code, src in home.sources.items()}
    clock = time.perf_counter
    for rec in records:
        if rec.deleted:
            yield rec, None
            continue
        started = clock()
        try:
            mapped = map_stored(rec.data, rec.format, encodings.get(rec.source))
            doc = make_document(rec.source, rec.local_id, mapped)
        except MappingError as exc:
            report.failed.append((rec.id, str(exc)))
            if on_failure:
                on_failure(rec.id, str(exc))
            doc = None
        report.map_seconds += clock() - started
        yield rec, doc


def rebuild(home: Home, store: RecordStore, procs: int = 1,
            on_failure: OnFailure | None = None) -> BuildReport:
    """Build a whole new generation from the store, then make it live."""
    warm_up(vietnamese=True)
    started = time.perf_counter()
    index_dir = IndexDir(home.index_path)
    try:
        previous = index_dir.current()
    except IndexerError:
        previous = None  # a damaged live generation is exactly what a rebuild replaces
    store_seq = store.max_seq()
    path = index_dir.new_generation()
    report = BuildReport(generation=path.name, rebuilt=True)
    try:
        ix = whoosh_index.create_in(str(path), build_schema())
        writer = ix.writer(procs=procs, multisegment=procs > 1, limitmb=256, codec=make_codec())
        try:
            records = store.iter_records(include_deleted=False)
            for rec, doc in _documents(home, records, report, on_failure):
                if doc is None:
                    continue
                t = time.perf_counter()
                writer.add_document(**doc)
                report.write_seconds += time.perf_counter() - t
                report.indexed += 1
        except BaseException:
            writer.cancel()
            raise
        t = time.perf_counter()
        writer.commit()
        report.commit_seconds = time.perf_counter() - t
        gen = Generation(path, {"versions": versions(), "store_seq": store_seq,
                                "built": _now(), "updated": _now()})
        gen.write_meta()
    except BaseException:
        shutil.rmtree(path, ignore_errors=True)
        raise
    index_dir.switch(gen)
    index_dir.remove_old(keep=gen, previous=previous)
    report.seconds = time.perf_counter() - started
    return report


def update(home: Home, store: RecordStore, on_failure: OnFailure | None = None) -> BuildReport:
    """Apply the store's changes since the live generation was last brought up to date."""
    gen = IndexDir(home.index_path).current()
    if gen is None:
        return rebuild(home, store, procs=int(home.settings["index_procs"]), on_failure=on_failure)
    if gen.stale:
        raise RebuildNeeded(
            f"the index was built with {gen.meta.get('versions')}, this Sheaf uses {versions()}:"
            " run `sheaf index --rebuild`")
    warm_up(vietnamese=True)
    started = time.perf_counter()
    report = BuildReport(generation=gen.name)
    store_seq = store.max_seq()
    since = int(gen.meta.get("store_seq", 0))
    if store_seq == since:
        report.seconds = time.perf_counter() - started
        return report
    ix = gen.open()
    try:
        writer = ix.writer(limitmb=128, codec=make_codec())
    except LockError:
        raise IndexerError(f"busy: another process is writing to index {gen.name}") from None
    try:
        records = store.iter_records(after_seq=since)
        for rec, doc in _documents(home, records, report, on_failure):
            if doc is None:
                writer.delete_by_term("id", rec.id)
                report.deleted += rec.deleted
            else:
                writer.update_document(**doc)
                report.indexed += 1
    except BaseException:
        writer.cancel()
        raise
    writer.commit()
    gen.meta.update(store_seq=store_seq, updated=_now())
    gen.write_meta()
    report.seconds = time.perf_counter() - started
    return report


def status(home: Home, store: RecordStore) -> dict:
    """The live generation and whether it is in step with the store."""
    store_seq = store.max_seq()
    try:
        gen = IndexDir(home.index_path).current()
    except IndexerError as exc:
        return {"state": "damaged", "message": str(exc), "store_seq": store_seq}
    if gen is None:
        return {"state": "missing", "message": "no index yet: run `sheaf index`",
                "store_seq": store_seq}
    ix = gen.open()
    try:
        docs = ix.doc_count()
    finally:
        ix.close()
    indexed_seq = int(gen.meta.get("store_seq", 0))
    if gen.stale:
        state, message = "rebuild-needed", "built with other versions: run `sheaf index --rebuild`"
    elif indexed_seq < store_seq:
        state, message = "behind", "the store has changes not yet indexed: run `sheaf index`"
    else:
        state, message = "current", "in step with the store"
    return {"state": state, "message": message, "generation": gen.name, "documents": docs,
            "indexed_seq": indexed_seq, "store_seq": store_seq,
            "built": gen.meta.get("built"), "updated": gen.meta.get("updated")}


def _now() -> str:
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
