"""Facet counting with NumPy over per-segment arrays, not per document in Python.

For every facet field a segment's values are read once into two arrays,
(document number, value number), from the facet files the rebuild wrote
beside the segment (or else from its postings or column), and kept for as
long as the segment lives (segments are immutable; deleted documents never
match, so they are never counted). A query's matching documents become a boolean mask; the
counts of a facet are then one ``np.bincount`` over the entries whose
document is in the mask. Selected values become masks too, so multi-select
facets (OR within a facet, AND across facets, exclusions) are computed
without searching again.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

import numpy as np

from . import facetfiles

from .sets import leaf_ids, segment_id


@dataclass
class FacetArrays:
    """One facet over the whole reader: entry i says document docs[i] has value values[i]."""

    docs: np.ndarray      # int32 global document numbers
    values: np.ndarray    # int32 value numbers
    labels: list[str]     # value number -> value
    index: dict[str, int]

    def mask_of(self, wanted: list[str], size: int) -> np.ndarray:
        """Documents having any of the wanted values."""
        mask = np.zeros(size, dtype=bool)
        ids = [self.index[v] for v in wanted if v in self.index]
        if ids:
            mask[self.docs[np.isin(self.values, ids)]] = True
        return mask

    def idf_scores(self, wanted: list[str], size: int) -> np.ndarray:
        """Per document, the sum of the inverse document frequencies of the wanted values
        it has (Whoosh's idf, 1 + log(documents / (documents with the value + 1))): what
        a term query on each value scores in a field without lengths."""
        scores = np.zeros(size)
        ids = [self.index[v] for v in dict.fromkeys(wanted) if v in self.index]
        if ids:
            chosen = np.isin(self.values, ids)
            values = self.values[chosen]
            df = np.bincount(values, minlength=len(self.labels))
            np.add.at(scores, self.docs[chosen], 1.0 + np.log(size / (df[values] + 1.0)))
        return scores

    def count(self, mask: np.ndarray) -> np.ndarray:
        return np.bincount(self.values[mask[self.docs]], minlength=len(self.labels))


MIN_YEAR, MAX_YEAR = 1, 2200


class SegmentArrays:
    """One kind of per-segment arrays, per (segment id, field), kept across refreshes:
    read from the file the rebuild wrote beside the segment, or else made from the
    segment itself (``make(leaf, field)``) and saved there for every other process."""

    def __init__(self, read, make, write):
        self._read, self._make, self._write = read, make, write
        self._lock = threading.Lock()
        self._data: dict[tuple[str, str], tuple] = {}

    def get(self, leaf, field: str, folder: str | None):
        key = (segment_id(leaf), field)
        with self._lock:
            hit = self._data.get(key)
        if hit is not None:
            return hit
        result = self._read(folder, key[0], field) if folder else None
        if result is None:
            result = self._make(leaf, field)
            if folder:
                self._write(folder, key[0], field, result)
        with self._lock:
            self._data[key] = result
        return result

    def forget_except(self, live: set[str]) -> None:
        with self._lock:
            for key in [k for k in self._data if k[0] not in live]:
                del self._data[key]


class FacetEngine:
    """Facet arrays for one searcher; rebuilt cheaply when the searcher is refreshed."""

    def __init__(self, fields: tuple[str, ...]):
        self.fields = fields
        # (local docs, local value labels, value numbers) per segment and field
        self._segments = SegmentArrays(facetfiles.read, from_segment, _write_facets)
        self._arrays: dict[str, FacetArrays] = {}
        self._for = None
        self.size = 0
        self.years: np.ndarray | None = None
        self._ranks: dict[str, np.ndarray] = {}
        self.segments: set[str] = set()   # the ids of the prepared reader's segments

    def prepare(self, searcher, folder: str | None = None) -> None:
        """Assemble whole-reader arrays from the segments' arrays (kept in ``folder``)."""
        reader = searcher.reader()
        if self._for is reader:
            return
        leaves = list(reader.leaf_readers())
        live = set()
        parts: dict[str, list] = {f: [] for f in self.fields}
        for leaf, offset in leaves:
            live.add(segment_id(leaf))
            for field in self.fields:
                docs, labels, values = self._segments.get(leaf, field, folder)
                parts[field].append((docs + offset, labels, values))
        self._segments.forget_except(live)
        self.segments = live
        self._arrays = {f: _merge(p) for f, p in parts.items()}
        self._ranks = {}
        self.size = reader.doc_count_all()
        years = _column(reader, "year", self.size, -1)
        # a document without a year reads back as the column's default (0, or the
        # type's extreme value for some Whoosh columns): only plausible years count
        years[(years < MIN_YEAR) | (years > MAX_YEAR)] = -1
        self.years = years
        self.holdings = _column(reader, "holdings", self.size, 0)
        self.added = _column(reader, "added", self.size, 0)
        self._for = reader

    def rank(self, searcher, field: str) -> np.ndarray:
        """Each document's rank in the order of a bytes sort column (computed once per reader)."""
        cached = self._ranks.get(field)
        if cached is not None:
            return cached
        reader = searcher.reader()
        keys: list[bytes] = [b""] * self.size
        for leaf, offset in reader.leaf_readers():
            if leaf.has_column(field):
                for i, value in enumerate(leaf.column_reader(field)):
                    keys[offset + i] = value or b"\xff"
        order = sorted(range(self.size), key=keys.__getitem__)
        ranks = np.empty(self.size, dtype=np.int64)
        ranks[np.asarray(order, dtype=np.int64)] = np.arange(self.size)
        self._ranks[field] = ranks
        return ranks

    def arrays(self, field: str) -> FacetArrays:
        return self._arrays[field]


def from_segment(reader, field: str):
    """(docs, labels, values) of one facet field of one segment, read from its postings,
    or for a facet kept as a column (``indexer.schema.ValuesColumn``), from the column."""
    if field in reader.indexed_field_names():
        docs, values, labels = [], [], []
        for number, term in enumerate(reader.lexicon(field)):
            ids = leaf_ids(reader, field, term)
            docs.append(ids.astype(np.int32))
            values.append(np.full(len(ids), number, dtype=np.int32))
            labels.append(term.decode("utf-8"))
        return (np.concatenate(docs) if docs else np.zeros(0, np.int32), labels,
                np.concatenate(values) if values else np.zeros(0, np.int32))
    field_type = reader.schema[field] if field in reader.schema else None
    if not hasattr(field_type, "values") or not reader.has_column(field):
        return np.zeros(0, np.int32), [], np.zeros(0, np.int32)
    pairs = [(docnum, value) for docnum, raw in enumerate(reader.column_reader(field)) if raw
             for value in field_type.values(raw)]
    labels = sorted({value for _d, value in pairs})
    number = {label: i for i, label in enumerate(labels)}
    return (np.fromiter((d for d, _v in pairs), dtype=np.int32, count=len(pairs)), labels,
            np.fromiter((number[v] for _d, v in pairs), dtype=np.int32, count=len(pairs)))


def _write_facets(folder: str, segment: str, field: str, result: tuple) -> None:
    docs, labels, values = result
    facetfiles.write(folder, segment, field, docs, values, labels)


def _merge(parts: list) -> FacetArrays:
    labels: list[str] = []
    index: dict[str, int] = {}
    docs_all, values_all = [], []
    for docs, seg_labels, values in parts:
        remap = np.empty(len(seg_labels), dtype=np.int32)
        for i, label in enumerate(seg_labels):
            number = index.get(label)
            if number is None:
                number = index[label] = len(labels)
                labels.append(label)
            remap[i] = number
        docs_all.append(docs)
        values_all.append(remap[values] if len(values) else values)
    docs = np.concatenate(docs_all) if docs_all else np.zeros(0, np.int32)
    values = np.concatenate(values_all) if values_all else np.zeros(0, np.int32)
    if len(parts) > 1:
        # value numbers in the values' order (each segment's are): values with equal
        # counts are then listed in that order, as on every engine
        order = sorted(range(len(labels)), key=labels.__getitem__)
        renumber = np.empty(len(labels), dtype=np.int32)
        renumber[np.asarray(order, dtype=np.int64)] = np.arange(len(labels), dtype=np.int32)
        labels = [labels[i] for i in order]
        index = {label: i for i, label in enumerate(labels)}
        values = renumber[values] if len(values) else values
    return FacetArrays(docs=docs, values=values, labels=labels, index=index)


def _column(reader, field: str, size: int, missing: int) -> np.ndarray:
    """A numeric column as an array over the whole reader (``missing`` where absent)."""
    out = np.full(size, missing, dtype=np.int64)
    if field not in reader.schema or not reader.has_column(field):
        return out
    for leaf, offset in reader.leaf_readers():
        if not leaf.has_column(field):
            continue
        column = leaf.column_reader(field)
        values = np.fromiter((v if v is not None else missing for v in column),
                             dtype=np.int64, count=leaf.doc_count_all())
        out[offset:offset + len(values)] = values
    return out
