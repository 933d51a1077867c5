"""Looking up hashed keys (:mod:`indexer.keyfiles`) as a Whoosh query.

``KeyQuery("title_keys", "=hong lou meng")`` matches the documents that
have that key. Each segment's sorted (hash, document) arrays are loaded
once per process, from the file the rebuild wrote beside the segment, or
else made from the segment's column and saved, and kept while the segment
is live (:func:`forget_except`).
"""

from __future__ import annotations

import threading

import numpy as np
from whoosh import matching
from whoosh import query as wq

from indexer import keyfiles

_lock = threading.Lock()
_loaded: dict[tuple[str, str], tuple[np.ndarray, np.ndarray]] = {}


def segment_keys(leaf, field: str) -> tuple[np.ndarray, np.ndarray]:
    """(sorted hashes, documents) of one segment's keys in ``field``."""
    segment = leaf.segment() if hasattr(leaf, "segment") else None
    cache_key = (segment.segment_id() if segment is not None else f"reader-{id(leaf)}", field)
    with _lock:
        hit = _loaded.get(cache_key)
    if hit is not None:
        return hit
    folder = getattr(leaf.storage(), "folder", None) if segment is not None else None
    result = keyfiles.read(folder, cache_key[0], field) if folder else None
    if result is None:
        result = from_column(leaf, field)
        if folder:
            keyfiles.write(folder, cache_key[0], field, *result)
    with _lock:
        _loaded[cache_key] = result
    return result


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


def forget_except(live: set[str]) -> None:
    """Drop the arrays of segments no longer in use."""
    with _lock:
        for cache_key in [k for k in _loaded if k[0] not in live]:
            del _loaded[cache_key]


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

    def docs(self, leaf) -> np.ndarray:
        """The documents of one segment having the key, in order."""
        hashes, docs = segment_keys(leaf, self.fieldname)
        wanted = np.uint64(self._hash)
        start = np.searchsorted(hashes, wanted, "left")
        end = np.searchsorted(hashes, wanted, "right")
        return docs[start:end]   # sorted by hash, then document

    def estimate_size(self, ixreader):
        return sum(len(self.docs(leaf)) for leaf, _offset in ixreader.leaf_readers())

    def matcher(self, searcher, context=None):
        ids = self.docs(searcher.reader())
        if not len(ids):
            return matching.NullMatcher()
        return matching.ListMatcher(ids.tolist(), all_weights=self.boost)
