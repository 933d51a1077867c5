"""The exact set of documents a compiled query matches, as a NumPy mask.

Scoring every match one document at a time in Python is what makes large
result sets slow in Whoosh. Totals and facet counts need every match but
no score, so they come from here instead: each term's posting list is read
block by block into an array (and kept in a small cache per segment), and
the query tree is evaluated with set operations on boolean masks. Only the
page of results that will be shown is scored, with Whoosh's block-quality
skipping. Phrases, whose matching needs positions, are left to Whoosh.
"""

from __future__ import annotations

import threading
from collections import OrderedDict

import numpy as np
from whoosh import matching
from whoosh import query as wq
from whoosh.idsets import DocIdSet

CACHE_BYTES = 128 * 2**20


class TermCache:
    """(segment id, field, term) -> local document numbers, least recently used dropped
    once the arrays together pass ``budget`` bytes."""

    def __init__(self, budget: int = CACHE_BYTES):
        self.budget = budget
        self.used = 0
        self._data: OrderedDict = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key):
        with self._lock:
            value = self._data.get(key)
            if value is not None:
                self._data.move_to_end(key)
            return value

    def put(self, key, value) -> None:
        with self._lock:
            old = self._data.pop(key, None)
            if old is not None:
                self.used -= old.nbytes
            self._data[key] = value
            self.used += value.nbytes
            while self.used > self.budget and len(self._data) > 1:
                _key, dropped = self._data.popitem(last=False)
                self.used -= dropped.nbytes


def leaf_ids(leaf, field: str, text) -> np.ndarray:
    """Local document numbers of a term in one segment, read block by block."""
    matcher = leaf.postings(field, text)
    if hasattr(matcher, "_read_ids") and hasattr(matcher, "_next_block"):
        parts = []
        while matcher.is_active():
            matcher._read_ids()
            parts.append(np.asarray(matcher._ids, dtype=np.int32))
            matcher._next_block()
        return np.concatenate(parts) if parts else np.zeros(0, np.int32)
    return np.fromiter(matcher.all_ids(), dtype=np.int32)


class MatchSets:
    """Evaluates compiled queries to masks over one reader's documents."""

    def __init__(self, cache: TermCache | None = None):
        self.cache = cache or TermCache()

    def mask(self, searcher, q, years: np.ndarray, deadline=None) -> np.ndarray:
        """The documents ``q`` matches; ``deadline`` (discovery.budget) is checked at
        every node and every term a prefix stands for."""
        reader = searcher.reader()
        self._deadline = deadline
        self._reader = reader
        self._searcher = searcher
        self._years = years
        self._size = reader.doc_count_all()
        self._leaves = list(reader.leaf_readers())
        self._live = live_mask(reader)
        return self._eval(q) & self._live

    def _term(self, field: str, text) -> np.ndarray:
        mask = np.zeros(self._size, dtype=bool)
        btext = text if isinstance(text, bytes) else self._reader.schema[field].to_bytes(text)
        for leaf, offset in self._leaves:
            if (field, btext) not in leaf:
                continue
            key = (segment_id(leaf), field, btext)
            ids = self.cache.get(key)
            if ids is None:
                ids = leaf_ids(leaf, field, btext)
                self.cache.put(key, ids)
            mask[ids + offset] = True
        return mask

    def _eval(self, q) -> np.ndarray:
        if self._deadline is not None:
            self._deadline.check("matching")
        if isinstance(q, wq.Term):
            return self._term(q.fieldname, q.text)
        if isinstance(q, wq.And):
            out = np.ones(self._size, dtype=bool)
            for child in q.subqueries:
                out &= self._eval(child)
            return out
        if isinstance(q, wq.Or):
            out = np.zeros(self._size, dtype=bool)
            for child in q.subqueries:
                out |= self._eval(child)
            return out
        if isinstance(q, wq.Not):
            return ~self._eval(q.query)
        if isinstance(q, wq.AndMaybe):
            return self._eval(q.a)
        if isinstance(q, wq.ConstantScoreQuery):
            return self._eval(q.child)
        if isinstance(q, wq.Every):
            return np.ones(self._size, dtype=bool)
        if q is wq.NullQuery or isinstance(q, type(wq.NullQuery)):
            return np.zeros(self._size, dtype=bool)
        if isinstance(q, wq.NumericRange) and q.fieldname == "year":
            years = self._years
            out = years > 0
            if q.start is not None:
                out &= years >= q.start
            if q.end is not None:
                out &= years <= q.end
            return out
        if isinstance(q, wq.Prefix):
            out = np.zeros(self._size, dtype=bool)
            for term in self._reader.expand_prefix(q.fieldname, q.text):
                if self._deadline is not None:
                    self._deadline.check("matching")
                out |= self._term(q.fieldname, term)
            return out
        # phrases and anything else: Whoosh finds the documents itself
        out = np.zeros(self._size, dtype=bool)
        docs = list(self._searcher.docs_for_query(q))
        if docs:
            out[np.asarray(docs, dtype=np.int64)] = True
        return out


def deleted_ids(leaf) -> np.ndarray:
    """Local numbers of one leaf reader's deleted documents.

    Whoosh's ``SegmentReader`` has no ``deleted_docs()``: the set lives on its
    segment (``segment().deleted_docs()``, for segments written by the rebuild's
    writer, by Whoosh's update writer and by merges alike); any other reader is
    asked document by document.
    """
    if not leaf.has_deletions():
        return np.zeros(0, dtype=np.int64)
    segment = leaf.segment() if hasattr(leaf, "segment") else None
    if segment is not None and hasattr(segment, "deleted_docs"):
        return np.fromiter(segment.deleted_docs(), dtype=np.int64)
    return np.fromiter((d for d in range(leaf.doc_count_all()) if leaf.is_deleted(d)),
                       dtype=np.int64)


def live_mask(reader) -> np.ndarray:
    """A mask over the reader's documents: True where a document is not deleted."""
    live = np.ones(reader.doc_count_all(), dtype=bool)
    for leaf, offset in reader.leaf_readers():
        gone = deleted_ids(leaf)
        if len(gone):
            live[gone + offset] = False
    return live


def segment_id(leaf) -> str:
    """A leaf reader's segment id: the key of what is cached per segment (deletions
    change what a segment holds only by removing documents, which never match, so the
    id alone is a safe key)."""
    segment = leaf.segment() if hasattr(leaf, "segment") else None
    return segment.segment_id() if segment is not None else f"reader-{id(leaf)}"


class _ScorelessList(matching.ListMatcher):
    """Documents in order, each scoring 0 (ListMatcher counts an all-zero weight as 1)."""

    def weight(self):
        return 0.0

    def score(self):
        return 0.0

    def supports_block_quality(self):
        return True

    def max_quality(self):
        return 0.0

    def block_quality(self):
        return 0.0

    def copy(self):
        return self.__class__(self._ids, position=self._i)


class _KnownDocs(wq.Query):
    """A query over documents known beforehand (per segment), equal only to itself."""

    total = 0
    _key = None
    _noun = "documents"

    def __eq__(self, other):
        return other.__class__ is self.__class__ and other._key == self._key

    def __hash__(self):
        return hash((self.__class__.__name__, self._key))

    def __unicode__(self):
        return f"<{self.total} {self._noun}>"

    __str__ = __unicode__

    def is_leaf(self):
        return True

    def estimate_size(self, ixreader):
        return self.total


class Candidates(_KnownDocs):
    """The documents a query is already known to match, as a query that scores nothing.

    ``And([Candidates(mask, reader), compiled])`` scores exactly what
    ``compiled`` scores, but Whoosh's intersection is led by the known
    matches (the smallest clause), so it skips through the other clauses'
    posting lists to them instead of walking every document a common word
    (and, of, history) is in: a subject heading with a few hundred matches
    was scored in 150 ms, mostly inside Whoosh's union of twelve fields'
    postings for "and".
    """

    _noun = "candidates"

    def __init__(self, mask: np.ndarray, reader):
        self.total = int(mask.sum())
        self.by_segment = {}
        for leaf, offset in reader.leaf_readers():
            local = np.flatnonzero(mask[offset:offset + leaf.doc_count_all()])
            self.by_segment[segment_id(leaf)] = local
        self._key = id(mask)

    def estimate_min_size(self, ixreader):
        return self.total

    def matcher(self, searcher, context=None):
        ids = self.by_segment.get(segment_id(searcher.reader()))
        if ids is None or not len(ids):
            return matching.NullMatcher()
        return _ScorelessList(ids.tolist())

    def lead(self, q):
        """``q`` with these candidates leading every intersection in it.

        Whoosh finds an intersection's first match as soon as it builds its
        matcher, so a nested AND (the words of a query, a phrase's terms)
        would walk its own clauses from the first document before an outer
        lead could help."""
        if isinstance(q, wq.And):
            return wq.And([self] + [self.lead(c) for c in q.subqueries], boost=q.boost)
        if isinstance(q, wq.Or):
            return wq.Or([self.lead(c) for c in q.subqueries], boost=q.boost)
        if isinstance(q, wq.AndMaybe):
            led = wq.AndMaybe(self.lead(q.a), q.b)
            led.boost = q.boost
            return led
        if isinstance(q, wq.Phrase):
            return wq.And([self, q])
        return q


class _ScoredList(matching.ListMatcher):
    """Documents in order, each with its own given score."""

    def score(self):
        return self._weights[self._i]

    def supports_block_quality(self):
        return False


class Scored(_KnownDocs):
    """Documents scored from outside Whoosh (a NumPy array over the reader), as a query:
    every document whose score is above 0 matches with that score, so an ``Or`` adds it
    to the scores of Whoosh's own clauses."""

    _noun = "scored"

    def __init__(self, scores: np.ndarray, reader):
        scores = np.where(live_mask(reader), scores, 0)  # a deleted document never matches
        self.by_segment = {}
        for leaf, offset in reader.leaf_readers():
            local = scores[offset:offset + leaf.doc_count_all()]
            ids = np.flatnonzero(local > 0)
            self.by_segment[segment_id(leaf)] = (ids.tolist(), local[ids].tolist())
        self.total = sum(len(ids) for ids, _s in self.by_segment.values())
        self._key = id(scores)

    def matcher(self, searcher, context=None):
        ids, scores = self.by_segment.get(segment_id(searcher.reader()), ((), ()))
        if not ids:
            return matching.NullMatcher()
        return _ScoredList(ids, weights=scores)


class MaskSet(DocIdSet):
    """A NumPy mask seen by Whoosh's filter collector as a set of document numbers."""

    def __init__(self, mask: np.ndarray):
        self.mask = mask

    def __contains__(self, docnum) -> bool:
        return bool(self.mask[docnum])

    def __iter__(self):
        return iter(np.flatnonzero(self.mask).tolist())

    def __len__(self) -> int:
        return int(self.mask.sum())
