"""The index interface: what the build (:mod:`indexer.build`) asks of a search engine.

An engine receives engine-neutral documents (:func:`indexer.document.document_for`:
a dict of field values named and analysed as :mod:`indexer.fields` declares,
plus ``display``, the stored record of the cluster) and never a Whoosh or Solr
object. Everything around the documents stays Sheaf's and the same for every
engine: the generation directory (:mod:`indexer.generations`) with its meta,
the cluster store and the autocomplete store, the probe before a generation
goes live, and ``CURRENT``.

An implementation lives in its own package (:mod:`discovery.engines.whoosh`);
:func:`discovery.engines.open_index` picks it by ``settings.engine``. The
contract, in the order a build uses it:

* ``versions()``: the engine's own format versions, stored in the meta of
  every generation it writes; a generation with others is "rebuild needed".
* rebuild: ``create(gen_path)`` makes an empty index for a new generation;
  ``bulk(gen_path)`` gives a :class:`BulkWriter` that worker processes write
  their shares of the clusters through (:func:`indexer.parallel.write_all`),
  committed at once.
* update: the build clones the live generation (:meth:`IndexDir.clone`: files
  hard-linked, the SQLite stores copied) and writes the changes through
  ``batch(gen)``: a :class:`Batch` that puts and deletes documents and
  commits them all, or cancels.
* ``document_count(gen)``: cluster documents live in a generation;
  ``describe(gen)``: the engine's own facts about it (for benchmarks).
* ``go_live(gen)``: told when ``CURRENT`` moved to a generation (an engine
  keeping its index outside the generation directory moves its own pointer).
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from pathlib import Path


class ShareWriter(ABC):
    """One worker's writer during a rebuild."""

    @abstractmethod
    def add(self, doc: dict) -> None:
        """Write one cluster's document."""

    @abstractmethod
    def finish(self):
        """Finish the share; returns what :meth:`BulkWriter.commit` needs (picklable)."""

    @abstractmethod
    def cancel(self) -> None:
        """Give the share up (the build failed)."""


class BulkWriter(ABC):
    """The writer of a rebuild: picklable, so that worker processes receive it."""

    @abstractmethod
    def share_writer(self) -> ShareWriter:
        """A writer for one share (called in the worker)."""

    @abstractmethod
    def commit(self, shares: list) -> None:
        """Make every finished share part of the index, at once (called in the parent)."""


class Batch(ABC):
    """Changes to a generation nobody reads yet, committed together."""

    @abstractmethod
    def stored(self, cluster_id: str) -> dict | None:
        """The ``display`` of the cluster's document as it is before this batch, if any."""

    @abstractmethod
    def put(self, doc: dict) -> None:
        """Add the document, replacing the one with its id."""

    @abstractmethod
    def delete(self, cluster_id: str) -> None:
        """Remove the document with this id (nothing if there is none)."""

    @abstractmethod
    def commit(self) -> None:
        """Make every change of the batch part of the generation."""

    @abstractmethod
    def cancel(self) -> None:
        """Drop every change of the batch."""


class IndexEngine(ABC):
    """An engine's index side (see the module's docstring)."""

    name: str = ""

    @abstractmethod
    def versions(self) -> dict:
        """The engine's format versions (merged into every generation's ``versions``)."""

    @abstractmethod
    def create(self, gen_path: Path) -> None:
        """An empty index in a new generation's directory."""

    @abstractmethod
    def bulk(self, gen_path: Path) -> BulkWriter:
        """The writer of a rebuild into ``gen_path``."""

    @abstractmethod
    def batch(self, gen_path: Path) -> Batch:
        """A batch of changes to the generation at ``gen_path`` (a clone nobody reads)."""

    @abstractmethod
    def document_count(self, gen_path: Path) -> int:
        """Live cluster documents in the generation."""

    def describe(self, gen_path: Path) -> dict:
        """Facts about the generation's index for benchmarks and reports (the engine's own:
        segments, shards, ...)."""
        return {"documents": self.document_count(gen_path)}

    def go_live(self, gen_path: Path) -> None:
        """``CURRENT`` now names this generation (an engine whose index lives outside the
        generation directory moves its own pointer here)."""
