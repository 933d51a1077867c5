"""Lookup keys per segment, hashed: which documents have a key, without a term per key.

The title keys (``=`` + a whole title, ``^`` + its first words; see
:func:`indexer.document.title_keys`) are nearly all unique: 43,600 distinct
keys per 10,000 records, 14% of all terms of the index. As Whoosh terms they
cost 5% of a rebuild, for lookups of one key at a time. So they live in a
column (the document's keys, joined by FACET_SEPARATOR) and, beside each
segment, in ``keys-<segment id>-<field>.npz``: the keys' 64-bit hashes,
sorted, and the document each belongs to. A lookup is a binary search.

The rebuild writes the files as it writes each segment; a searcher that
meets a segment without them (one an update or a merge wrote) makes them
from the column once and saves them for every other process. Segments are
immutable, so a file never goes stale; it goes with its generation.

Two keys with the same hash would find each other's documents: with 64 bits,
at a million records (five million keys), the chance that any two collide
is about one in a million, and the cost is one document ranked as an exact
title match.
"""

from __future__ import annotations

from hashlib import blake2b
from pathlib import Path

import numpy as np

from .facetfiles import load_npz, save_npz


def key_hash(key: str) -> int:
    """A key as an unsigned 64-bit integer (stable across processes and runs)."""
    return int.from_bytes(blake2b(key.encode("utf-8"), digest_size=8).digest(), "little")


def path_of(folder: str | Path, segment_id: str, field: str) -> Path:
    return Path(folder) / f"keys-{segment_id}-{field}.npz"


def arrays(docs: list[int], hashes: list[int]) -> tuple[np.ndarray, np.ndarray]:
    """(hashes, docs), sorted by hash (and document)."""
    h = np.asarray(hashes, dtype=np.uint64)
    d = np.asarray(docs, dtype=np.int32)
    order = np.lexsort((d, h))
    return h[order], d[order]


def write(folder: str | Path, segment_id: str, field: str, hashes: np.ndarray,
          docs: np.ndarray) -> None:
    save_npz(path_of(folder, segment_id, field), hashes=hashes, docs=docs)


def read(folder: str | Path, segment_id: str, field: str):
    """(hashes, docs) or None when the file is missing or unreadable."""
    found = load_npz(path_of(folder, segment_id, field), "hashes", "docs")
    return None if found is None else tuple(found)


class Collector:
    """Gathers a segment's keys as its documents are written."""

    def __init__(self, fields: tuple[str, ...]):
        self.entries = {f: ([], []) for f in fields}   # field -> (docs, hashes)

    def add(self, field: str, docnum: int, keys: list[str]) -> None:
        docs, hashes = self.entries[field]
        docs.extend([docnum] * len(keys))
        hashes.extend(key_hash(k) for k in keys)

    def save(self, folder: str | Path, segment_id: str) -> None:
        for field, (docs, hashes) in self.entries.items():
            write(folder, segment_id, field, *arrays(docs, hashes))
