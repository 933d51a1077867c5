"""The Whoosh engine's index side (:class:`indexer.engine.IndexEngine`).

A rebuild's workers each write segments of their own with Sheaf's segment
builder (:mod:`.segwriter`), and the parent commits all of them in one table
of contents. This uses Whoosh's segment-writer internals
(``SegmentWriter(_lk=False)``, ``_finalize_segment``, ``_commit_toc``) the way
its ``MpWriter`` does; Whoosh is pinned at 2.7.4. Beside each segment go its
facet and key files (:mod:`.facetfiles`, :mod:`.keyfiles`). An update's batch
is Whoosh's own writer, with one searcher for every deletion.
"""

from __future__ import annotations

from pathlib import Path

from whoosh import index as whoosh_index
from whoosh.index import LockError

from indexer.engine import Batch, BulkWriter, IndexEngine, ShareWriter
from indexer.errors import IndexerError

from . import facetfiles, keyfiles
from .damage import reading
from .schema import (COLUMN_FACETS, COMPOUND, FACET_FIELDS, KEY_FIELDS, ValuesColumn,
                     build_schema, make_codec, versions)
from .segwriter import SegmentBuilder

# Postings a worker holds in memory before it finishes its segment and starts
# another (about 110 bytes each: 1.8 GB). At 250,000 records each of two workers
# holds about 15 million, so a rebuild that size still makes one segment a worker.
SEGMENT_POSTINGS = 16_000_000


class _Segments(ShareWriter):
    """A worker's segments: a new one is started when the current one holds enough."""

    def __init__(self, index_dir: str):
        self.index_dir = index_dir
        self.ix = whoosh_index.open_dir(index_dir)
        self.done: list = []
        self.writer = None

    def add(self, doc: dict) -> None:
        if self.writer is None:
            self.facets = facetfiles.Collector(FACET_FIELDS)
            self.keys = keyfiles.Collector(KEY_FIELDS)
            self.receivers = self.facets.receivers()
            self.writer = SegmentBuilder(self.ix, keep_terms=self.receivers, _lk=False,
                                         codec=make_codec(), compound=COMPOUND)
        # the indexed facets' values reach the collector as the writer indexes them;
        # the column facets' values and the keys are taken here
        docnum = self.writer.docnum
        for name in COLUMN_FACETS:
            value = doc.get(name)
            if value:
                self.receivers[name](docnum, ValuesColumn.values(value))
        for name in KEY_FIELDS:
            value = doc.get(name)
            if value:
                self.keys.add(name, docnum, ValuesColumn.values(value))
        self.writer.add_document(**doc)
        if self.writer.postings >= SEGMENT_POSTINGS:
            self._close()

    def _close(self) -> None:
        if self.writer is not None:
            segment = self.writer._finalize_segment()
            self.facets.save(self.index_dir, segment.segment_id())
            self.keys.save(self.index_dir, segment.segment_id())
            self.done.append(segment)
            self.writer = None

    def finish(self) -> list:
        self._close()
        # the temporary directory is shared by every worker's writer: the parent's
        # writer removes it when it commits, after all of them have finished
        return self.done

    def cancel(self) -> None:
        if self.writer is not None:
            self.writer.cancel()


class WhooshBulk(BulkWriter):
    def __init__(self, index_dir: Path):
        self.index_dir = str(index_dir)

    def share_writer(self) -> ShareWriter:
        return _Segments(self.index_dir)

    def commit(self, shares: list) -> None:
        segments = [segment for done in shares for segment in done]
        ix = whoosh_index.open_dir(self.index_dir)
        writer = ix.writer(codec=make_codec(), compound=COMPOUND)
        try:
            final = writer._merge_segments(None, False, False) + segments
            writer._close_segment()
            writer._commit_toc(final)
        finally:
            writer._finish()


class WhooshBatch(Batch):
    def __init__(self, gen_path: Path):
        ix = open_index(gen_path)
        try:
            self.writer = ix.writer(limitmb=128, codec=make_codec(), compound=COMPOUND)
        except LockError:
            raise IndexerError(f"busy: another process is writing to index {gen_path.name}") \
                from None
        # one searcher for every deletion: Whoosh's update_document and
        # delete_by_term open a new reader each time (about 45 records/s)
        try:
            with reading(gen_path):
                self.existing = self.writer.searcher()
        except IndexerError:
            self.writer.cancel()
            raise

    def stored(self, cluster_id: str) -> dict | None:
        old = self.existing.document_number(id=cluster_id)
        return self.existing.stored_fields(old).get("display", {}) if old is not None else None

    def put(self, doc: dict) -> None:
        self.writer.delete_by_term("id", doc["id"], searcher=self.existing)
        self.writer.add_document(**doc)

    def delete(self, cluster_id: str) -> None:
        self.writer.delete_by_term("id", cluster_id, searcher=self.existing)

    def commit(self) -> None:
        self.existing.close()
        self.writer.commit()

    def cancel(self) -> None:
        self.existing.close()
        self.writer.cancel()


class WhooshIndex(IndexEngine):
    name = "whoosh"

    def versions(self) -> dict:
        return versions()

    def create(self, gen_path: Path) -> None:
        whoosh_index.create_in(str(gen_path), build_schema())

    def bulk(self, gen_path: Path) -> BulkWriter:
        return WhooshBulk(gen_path)

    def batch(self, gen_path: Path) -> Batch:
        return WhooshBatch(gen_path)

    def document_count(self, gen_path: Path) -> int:
        with reading(gen_path):
            ix = open_index(gen_path)
            try:
                with ix.reader() as reader:   # opens every segment's files: a cut one fails
                    return reader.doc_count()
            finally:
                ix.close()

    def describe(self, gen_path: Path) -> dict:
        with reading(gen_path):
            ix = open_index(gen_path)
            try:
                with ix.reader() as reader:
                    return {"documents": reader.doc_count(),
                            "segments": len(list(reader.leaf_readers()))}
            finally:
                ix.close()


def open_index(gen_path: Path):
    """The Whoosh index of a generation (IndexDamaged when its table of contents is cut)."""
    with reading(gen_path):
        return whoosh_index.open_dir(str(gen_path))
