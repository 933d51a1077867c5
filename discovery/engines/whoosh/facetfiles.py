"""Facet values per segment, kept beside the segment so searchers need not rebuild them.

For each facet field a segment has ``facets-<segment id>-<field>.npz``: two
arrays (local document number, value number) and the values. The rebuild
writes them as it writes each segment, from the very terms it indexes
(or, for a facet kept as a column, the column's values); a searcher that
meets a segment without them (one an update or a merge wrote) builds them
from the postings or the column once and saves them for every other process.
Segments are immutable, so a file never goes stale; it goes with its
generation.
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np


def path_of(folder: str | Path, segment_id: str, field: str) -> Path:
    return Path(folder) / f"facets-{segment_id}-{field}.npz"


def save_npz(target: Path, **arrays) -> None:
    """Arrays into an ``.npz`` file, written beside it and then moved into place (a
    reader in another process never sees half a file)."""
    tmp = target.with_suffix(f".{os.getpid()}.tmp")
    with open(tmp, "wb") as fh:
        np.savez(fh, **arrays)
    os.replace(tmp, target)


def load_npz(target: Path, *names: str, allow_pickle: bool = False) -> list | None:
    """The named arrays of an ``.npz`` file, or None when it is missing or unreadable."""
    try:
        with np.load(target, allow_pickle=allow_pickle) as data:
            return [data[name] for name in names]
    except (OSError, ValueError, KeyError):
        return None


def write(folder: str | Path, segment_id: str, field: str, docs, values, labels) -> None:
    save_npz(path_of(folder, segment_id, field), docs=np.asarray(docs, dtype=np.int32),
             values=np.asarray(values, dtype=np.int32), labels=np.asarray(labels, dtype=object))


def read(folder: str | Path, segment_id: str, field: str):
    """(docs, labels, values) or None when the file is missing or unreadable."""
    found = load_npz(path_of(folder, segment_id, field), "docs", "labels", "values",
                     allow_pickle=True)
    return None if found is None else (found[0], list(found[1]), found[2])


class Collector:
    """Gathers a segment's facet values from the terms its writer indexes
    (``indexer.segwriter.SegmentBuilder(keep_terms=collector.receivers())``),
    or from its caller for facets kept as columns."""

    def __init__(self, fields: tuple[str, ...]):
        self.entries = {f: ([], []) for f in fields}   # field -> (docs, terms)

    def receivers(self) -> dict:
        """Field name -> function taking a document number and its terms in that field."""
        def receiver(docs: list, terms: list):
            def take(docnum: int, values: list[str]) -> None:
                docs.extend([docnum] * len(values))
                terms.extend(values)
            return take
        return {field: receiver(*lists) for field, lists in self.entries.items()}

    def save(self, folder: str | Path, segment_id: str) -> None:
        for field, (docs, terms) in self.entries.items():
            labels = sorted(set(terms))
            number = {t: i for i, t in enumerate(labels)}
            write(folder, segment_id, field, docs, [number[t] for t in terms],
                  labels)
