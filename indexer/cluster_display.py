"""A cluster's display record: the member with the most description.

Kept apart from the matching rules (:mod:`indexer.cluster`), which never read it.
"""

from __future__ import annotations

NOT_DESCRIPTIVE = frozenset({"local_id", "holdings"})


def _text_length(value) -> int:
    if isinstance(value, str):
        return len(value)
    if isinstance(value, dict):
        return sum(_text_length(v) for v in value.values())
    if isinstance(value, (list, tuple)):
        return sum(_text_length(v) for v in value)
    return 0


def description_score(mapped: dict) -> tuple[int, int]:
    """(descriptive keys present, characters of their text); holdings and ids left out."""
    present = [k for k, v in mapped.items() if k not in NOT_DESCRIPTIVE and v not in (None, "", [])]
    return len(present), sum(_text_length(mapped[k]) for k in present)


def richest(members: list[dict]) -> int:
    """Index of the display record: most descriptive keys, then most text; ties to the first."""
    if not members:
        raise ValueError("richest() of an empty cluster")
    if len(members) == 1:
        return 0
    scores = [description_score(m) for m in members]
    return max(range(len(members)), key=lambda i: (scores[i], -i))
