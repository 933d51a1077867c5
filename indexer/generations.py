"""Index generations: ``HOME/index/gen-<stamp>/`` and the ``CURRENT`` pointer.

Each generation holds the engine's index (for Whoosh, the index itself;
see :mod:`indexer.engine`) plus ``sheaf-meta.json`` (the versions it was
built with, the engine's included, and the store change sequence it
reflects), ``clusters.sqlite`` (which records form which cluster) and
``suggest.sqlite`` (autocomplete and did-you-mean). ``CURRENT`` names the
live one and is replaced atomically, so a rebuild never disturbs readers and
a failed one leaves the live index as it was.

An incremental update never writes into the live generation either: it
clones it (:meth:`IndexDir.clone`: an engine's files in a generation are
written once and never changed, as Whoosh's segments are, so they are hard
links; the SQLite stores are copied),
applies the changes to the clone and switches to it like a rebuild. A
generation that fails the search probe before the switch is refused: the
live one stays, and ``REFUSED.json`` says what was refused and why until a
later generation goes live.
"""

from __future__ import annotations

import copy
import json
import os
import shutil
import sqlite3
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from harvest.config import Home
from harvest.store import RecordStore

from . import mapping
from .analysis import ANALYSIS_VERSION
from .cluster import CLUSTER_VERSION
from .engine import IndexEngine
from .errors import IndexDamaged, IndexerError
from .fields import FIELDS_VERSION

META_NAME = "sheaf-meta.json"
CURRENT_NAME = "CURRENT"
CLUSTERS_NAME = "clusters.sqlite"
SUGGEST_NAME = "suggest.sqlite"
REFUSED_NAME = "REFUSED.json"
# files of a generation that are changed in place: copied into a clone, never linked
_MUTABLE = (CLUSTERS_NAME, SUGGEST_NAME)
_NOT_CLONED = ("MAIN_WRITELOCK", META_NAME + ".tmp")


def versions(engine: dict | None = None) -> dict:
    """What an index must have been built with to be usable as it is: Sheaf's analysis,
    mapping, clustering and fields, and the engine's own versions (``engine``)."""
    return {"analysis": ANALYSIS_VERSION, "mapping": mapping.MAPPING_VERSION,
            "clusters": CLUSTER_VERSION, "fields": FIELDS_VERSION, **(engine or {})}


@dataclass
class Generation:
    path: Path
    meta: dict
    expected: dict | None = None   # versions() of the engine reading it (None: Sheaf's only)

    @property
    def name(self) -> str:
        return self.path.name

    @property
    def clusters_path(self) -> Path:
        return self.path / CLUSTERS_NAME

    @property
    def suggest_path(self) -> Path:
        return self.path / SUGGEST_NAME

    def write_meta(self) -> None:
        tmp = self.path / (META_NAME + ".tmp")
        tmp.write_text(json.dumps(self.meta, indent=1), encoding="utf-8")
        os.replace(tmp, self.path / META_NAME)

    @property
    def stale(self) -> bool:
        """Built with other versions, or marked as needing a rebuild (a restored store)."""
        built = self.meta.get("versions") or {}
        expected = self.expected or versions()
        return (any(built.get(k) != v for k, v in expected.items())
                or bool(self.meta.get("rebuild_needed")))

    @property
    def stale_reason(self) -> str:
        if self.meta.get("rebuild_needed"):
            return f"{self.meta['rebuild_needed']}: run `sheaf index --rebuild`"
        return (f"the index was built with {self.meta.get('versions')}, this Sheaf uses"
                f" {self.expected or versions()}: run `sheaf index --rebuild`")


class IndexDir:
    """``HOME/index``: its generations and the pointer to the live one.

    ``versions``: what the engine reading them expects (:func:`versions`);
    without it, only Sheaf's own versions are compared."""

    def __init__(self, path: Path, versions: dict | None = None):
        self.path = Path(path)
        self.versions = versions

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
        return Generation(gen, meta, self.versions)

    def new_generation(self) -> Path:
        stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%S%f")
        path = self.path / f"gen-{stamp}"
        path.mkdir(parents=True)
        return path

    def clone(self, gen: Generation) -> Generation:
        """A new generation holding what ``gen`` holds, to be changed and switched to.

        Whoosh never rewrites a segment file (deletions live in the table of
        contents, which a commit writes anew), so segment, facet and key files
        are hard-linked; the cluster and suggestion stores are copied with
        SQLite's backup, and the metadata is copied.
        """
        path = self.new_generation()
        try:
            for child in gen.path.iterdir():
                name = child.name
                if not child.is_file() or name in _NOT_CLONED or name.endswith((".tmp", "-wal",
                                                                                 "-shm")):
                    continue
                if name in _MUTABLE:
                    _copy_sqlite(child, path / name)
                elif name == META_NAME:
                    shutil.copyfile(child, path / name)
                else:
                    try:
                        os.link(child, path / name)
                    except OSError:  # a file system without hard links
                        shutil.copyfile(child, path / name)
        except BaseException:
            shutil.rmtree(path, ignore_errors=True)
            raise
        return Generation(path, copy.deepcopy(gen.meta), gen.expected)

    def switch(self, gen: Generation) -> None:
        tmp = self.path / (CURRENT_NAME + ".tmp")
        tmp.write_text(gen.name + "\n", encoding="utf-8")
        os.replace(tmp, self.path / CURRENT_NAME)
        (self.path / REFUSED_NAME).unlink(missing_ok=True)

    def refuse(self, gen: Generation, what: str, problems: list[str]) -> None:
        """Record that ``gen`` failed its probe and remove it; the live one stays."""
        record = {"generation": gen.name, "what": what, "when": now(), "problems": problems}
        tmp = self.path / (REFUSED_NAME + ".tmp")
        tmp.write_text(json.dumps(record, ensure_ascii=False, indent=1), encoding="utf-8")
        os.replace(tmp, self.path / REFUSED_NAME)
        shutil.rmtree(gen.path, ignore_errors=True)

    def refused(self) -> dict | None:
        """The last generation refused since one went live, if any."""
        try:
            return json.loads((self.path / REFUSED_NAME).read_text(encoding="utf-8"))
        except (FileNotFoundError, json.JSONDecodeError):
            return None

    def generations(self) -> list[Path]:
        """Every generation directory, oldest first (names are UTC time stamps)."""
        return sorted(p for p in self.path.glob("gen-*") if p.is_dir())

    def cleanup(self) -> list[str]:
        """Remove what no reader can need: generations older than the one the live one
        replaced, and generations that never went live (a failed or killed rebuild).

        Call it holding the writer lock, so that no rebuild is under way. Returns the
        names removed.
        """
        try:
            live = self.current()
        except IndexerError:
            return []
        if live is None:
            return []
        older = [p for p in self.generations() if p.name < live.name and (p / META_NAME).exists()]
        spare = {live.path} | ({older[-1]} if older else set())
        removed = []
        for child in self.generations():
            if child not in spare:
                shutil.rmtree(child, ignore_errors=True)
                removed.append(child.name)
        return removed

    def mark_rebuild_needed(self, reason: str) -> None:
        """Make the live generation refuse incremental updates until a rebuild replaces it."""
        try:
            gen = self.current()
        except IndexerError:
            return
        if gen is not None:
            gen.meta["rebuild_needed"] = reason
            gen.write_meta()

    def remove_old(self, keep: Generation, previous: Generation | None) -> None:
        """Delete generations other than the live one and the one it replaced.

        The replaced generation stays one more round so that a worker still
        reading it finishes its request.
        """
        spare = {keep.path} | ({previous.path} if previous else set())
        for child in self.path.glob("gen-*"):
            if child.is_dir() and child not in spare:
                shutil.rmtree(child, ignore_errors=True)


def status(home: Home, store: RecordStore, engine: IndexEngine) -> dict:
    """The live generation and whether it is in step with the store."""
    store_seq = store.max_seq()
    index_dir = IndexDir(home.index_path, versions(engine.versions()))
    try:
        gen = index_dir.current()
    except IndexerError as exc:
        return {"state": "damaged", "message": str(exc), "store_seq": store_seq}
    if gen is None:
        return {"state": "missing", "message": "no index yet: run `sheaf index`",
                "store_seq": store_seq}
    try:
        docs = engine.document_count(gen.path)
    except IndexDamaged as exc:
        if not gen.stale:
            return {"state": "damaged", "message": str(exc), "generation": gen.name,
                    "store_seq": store_seq, "file": str(exc.path)}
        docs = None
    except Exception:  # noqa: BLE001 - an index of an older format may not even open
        if not gen.stale:
            raise
        docs = None
    indexed_seq = int(gen.meta.get("store_seq", 0))
    if gen.stale:
        state, message = "rebuild-needed", (
            gen.stale_reason if gen.meta.get("rebuild_needed")
            else "built with other versions: run `sheaf index --rebuild`")
    elif indexed_seq < store_seq:
        state, message = "behind", "the store has changes not yet indexed: run `sheaf index`"
    else:
        state, message = "current", "in step with the store"
    out = {"state": state, "message": message, "generation": gen.name, "documents": docs,
           "indexed_seq": indexed_seq, "store_seq": store_seq,
           "built": gen.meta.get("built"), "updated": gen.meta.get("updated")}
    if docs is None:
        del out["documents"]
    refused = index_dir.refused()
    if refused:
        out["refused"] = refused
    return out


def _copy_sqlite(source: Path, target: Path) -> None:
    """A consistent copy of a SQLite file (its WAL included) made with the backup API."""
    src = sqlite3.connect(str(source))
    dst = sqlite3.connect(str(target))
    try:
        src.backup(dst)
    finally:
        dst.close()
        src.close()


def now() -> str:
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
