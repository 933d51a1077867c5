"""Looking up hashed keys (:mod:`indexer.keyfiles`) as a Whoosh query.

``KeyQuery("title_keys", "=hong lou meng")`` matches the documents that
have that key. Each segment's sorted (hash, document) arrays are loaded
once per process, from the file the rebuild wrote beside the segment, or
else made from the segment's column and saved, and kept while the segment
is live (:func:`forget_except`).
"""

from __future__ import annotations

import numpy as np
from whoosh import matching
from whoosh import query as wq

from . import keyfiles

from .facets import SegmentArrays
from .sets import deleted_ids


def segment_keys(leaf, field: str) -> tuple[np.ndarray, np.ndarray]:
    """(sorted hashes, documents) of one segment's keys in ``field``."""
    segment = leaf.segment() if hasattr(leaf, "segment") else None
    folder = getattr(leaf.storage(), "folder", None) if segment is not None else None
    return _KEYS.get(leaf, field, folder)


def from_column(leaf, field: str) -> tuple[np.ndarray, np.ndarray]:
    """A segment's key arrays made from its column (``indexer.schema.ValuesColumn``)."""
    docs: list[int] = []
    hashes: list[int] = []
    if field in leaf.schema and leaf.has_column(field):
        values = leaf.schema[field].values
        for docnum, raw in enumerate(leaf.column_reader(field)):
            if raw:
                keys = values(raw)
                docs.extend([docnum] * len(keys))
                hashes.extend(keyfiles.key_hash(k) for k in keys)
    return keyfiles.arrays(docs, hashes)


def _write_keys(folder: str, segment: str, field: str, result: tuple) -> None:
    keyfiles.write(folder, segment, field, *result)


_KEYS = SegmentArrays(keyfiles.read, from_column, _write_keys)


def forget_except(live: set[str]) -> None:
    """Drop the arrays of segments no longer in use."""
    _KEYS.forget_except(live)


class KeyQuery(wq.Query):
    """The documents having one key in a key field; scores like a term without lengths
    (wrap it in ``ConstantScoreQuery`` for a fixed score)."""

    def __init__(self, fieldname: str, text: str, boost: float = 1.0):
        self.fieldname = fieldname
        self.text = text
        self.boost = boost
        self._hash = keyfiles.key_hash(text)

    def __eq__(self, other):
        return (other.__class__ is self.__class__ and other.fieldname == self.fieldname
                and other.text == self.text and other.boost == self.boost)

    def __hash__(self):
        return hash((self.__class__.__name__, self.fieldname, self.text, self.boost))

    def __repr__(self):
        return f"{self.__class__.__name__}({self.fieldname!r}, {self.text!r})"

    def __unicode__(self):
        return f"{self.fieldname}:={self.text}"

    __str__ = __unicode__

    def is_leaf(self):
        return True

    def docs(self, searcher):
        """Whoosh's ``Query.docs``: the document numbers of one (sub)searcher having the
        key (as a required clause, ``heading:``, reaches it through ``docs_for_query``)."""
        return iter(self.leaf_docs(searcher.reader()).tolist())

    def leaf_docs(self, leaf) -> np.ndarray:
        """The documents of one segment having the key, in order."""
        hashes, docs = segment_keys(leaf, self.fieldname)
        wanted = np.uint64(self._hash)
        start = np.searchsorted(hashes, wanted, "left")
        end = np.searchsorted(hashes, wanted, "right")
        found = docs[start:end]   # sorted by hash, then document
        if len(found) and leaf.has_deletions():  # the key files know nothing of deletions
            found = found[~np.isin(found, deleted_ids(leaf))]
        return found

    def estimate_size(self, ixreader):
        return sum(len(self.leaf_docs(leaf)) for leaf, _offset in ixreader.leaf_readers())

    def matcher(self, searcher, context=None):
        ids = self.leaf_docs(searcher.reader())
        if not len(ids):
            return matching.NullMatcher()
        return matching.ListMatcher(ids.tolist(), all_weights=self.boost)
