"""The Whoosh engine's browsing: pages of a values field's values, and the shelves.

A values field's arrays (:mod:`.facets`) number its values in their own order,
so a page in that order is a slice, and a prefix is a range found by bisection.
A shelf (a shelf-key column, :mod:`indexer.callnumbers`) is read once per reader
into its live documents' values, sorted; a position on it is a bisection too.
"""

from __future__ import annotations

import bisect
import threading

import numpy as np

from discovery.engine import ValuesPage
from discovery.highlight import no_terms
from discovery.query import Node
from discovery.results import Hit, SearchRequest

from .facets import FacetArrays
from .query import to_whoosh
from .sets import live_mask



class Browsing:
    """:class:`discovery.engine.SearchEngine`'s browsing, for
    :class:`~discovery.engines.whoosh.search.WhooshSearch` (its searcher, facet arrays,
    filter masks and shelves)."""

    def values_page(self, request: SearchRequest, tree: Node, field: str, order: str,
                    offset: int, limit: int, prefix: str = "",
                    own_facet: str | None = None) -> ValuesPage:
        with self._lock:
            searcher = self.searcher()
            engine = self._facets
            base = self._sets.mask(searcher, to_whoosh(self._compiler.compile(tree)),
                                   engine.years)
            for facet, mask in self._filter_masks(request).items():
                if facet != own_facet:
                    base &= mask
            return values_page(engine.arrays(field), base, order, offset, limit, prefix)

    def values_between(self, field: str, low: str, high: str, limit: int) -> list[str]:
        with self._lock:
            searcher = self.searcher()
            return values_between(self._facets.arrays(field), live_mask(searcher.reader()),
                                  low, high, limit)

    def shelf(self, field: str, start: str, forward: bool, limit: int) -> list[tuple[str, Hit]]:
        with self._lock:
            searcher = self.searcher()
            near = self._shelves.near(searcher.reader(), field, start, forward, limit)
            return [(value, self._hit(searcher, docnum, 0.0, no_terms())) for value, docnum in near]


def _prefix_range(labels: list[str], prefix: str) -> tuple[int, int]:
    if not prefix:
        return 0, len(labels)
    return (bisect.bisect_left(labels, prefix),
            bisect.bisect_left(labels, prefix + "\U0010ffff"))


def values_page(arrays: FacetArrays, base: np.ndarray, order: str, offset: int, limit: int,
                prefix: str = "") -> ValuesPage:
    """The values of ``arrays`` that the documents of ``base`` have, one page of them."""
    lo, hi = _prefix_range(arrays.labels, prefix)
    counts = arrays.count(base)[lo:hi]
    present = np.flatnonzero(counts > 0)
    if order == "count":   # most first, ties in the values' order (as Solr's count sort)
        present = present[np.lexsort((present, -counts[present]))]
    page = present[offset:offset + limit]
    return ValuesPage(values=[(arrays.labels[lo + i], int(counts[i])) for i in page],
                      total=int(len(present)))


def values_between(arrays: FacetArrays, live: np.ndarray, low: str, high: str,
                   limit: int) -> list[str]:
    lo = bisect.bisect_left(arrays.labels, low)
    hi = bisect.bisect_right(arrays.labels, high)
    if hi <= lo:
        return []
    counts = arrays.count(live)[lo:hi]
    return [arrays.labels[lo + i] for i in np.flatnonzero(counts > 0)[:limit]]


class Shelves:
    """Each shelf's live documents in the shelf's order, per reader."""

    def __init__(self):
        self._lock = threading.Lock()
        self._for = None
        self._shelves: dict[str, tuple[list[str], np.ndarray]] = {}

    def _read(self, reader, field: str) -> tuple[list[str], np.ndarray]:
        with self._lock:
            if self._for is not reader:
                self._for, self._shelves = reader, {}
            cached = self._shelves.get(field)
        if cached is not None:
            return cached
        live = live_mask(reader)
        pairs = []
        for leaf, offset in reader.leaf_readers():
            if not leaf.has_column(field):
                continue
            for i, raw in enumerate(leaf.column_reader(field)):
                if raw and live[offset + i]:
                    pairs.append((raw.decode("utf-8"), offset + i))
        pairs.sort()
        result = ([v for v, _d in pairs], np.asarray([d for _v, d in pairs], dtype=np.int64))
        with self._lock:
            if self._for is reader:
                self._shelves[field] = result
        return result

    def near(self, reader, field: str, start: str, forward: bool,
             limit: int) -> list[tuple[str, int]]:
        """(value, document number) of the ``limit`` documents at or after ``start``, or
        of the ``limit`` before it, nearest first."""
        values, docs = self._read(reader, field)
        at = bisect.bisect_left(values, start)
        span = range(at, min(at + limit, len(values))) if forward \
            else range(at - 1, max(at - limit, 0) - 1, -1)
        return [(values[i], int(docs[i])) for i in span]
