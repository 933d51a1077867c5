"""Transforms: the steps after an extractor, each a function from a list of values to a list.

``trim_punctuation`` takes ISBD punctuation off the ends of a value the way a catalogue
shows it; the words whose final period is part of the word are a data file
(``data/abbreviations.tsv``).
"""

from __future__ import annotations

import re
from typing import Callable

from . import tables

Transform = Callable[[list], list]

def first(values: list) -> list:
    return values[:1]


def unique(values: list) -> list:
    return list(dict.fromkeys(values))


def strip(values: list) -> list:
    return [v for v in (v.strip() for v in values) if v]


def lower(values: list) -> list:
    return [v.lower() for v in values]


def translate(table: dict) -> Transform:
    """Replace each value by its entry in ``table``, dropping unknown values."""

    def apply(values: list) -> list:
        return [table[v] for v in values if v in table]

    return apply


_YEAR = re.compile(r"(?<!\d)(1[0-9]{3}|20[0-9]{2})(?!\d)")


def year(values: list) -> list:
    """The first plausible four-digit year among the values, as an int."""
    for v in values:
        m = _YEAR.search(v)
        if m:
            return [int(m.group(1))]
    return []


_TRAILING = " \t\n\r/:;,=.\u3000\uff0f\uff1a\uff1b\uff0c\uff1d\u3002\uff0e"
_LEADING = re.compile(r"^(?:=\s+|\s+)+")
_DOTTED = re.compile(r"^(?:\w\.)+\w$")
_ABBREVIATIONS = frozenset(a.lower() for a in tables.abbreviations())
_END_CHARS = frozenset(_TRAILING + "]")
_START_CHARS = frozenset(" [=")


def _keeps_period(text: str) -> bool:
    """Whether a final period belongs to the last word ("J.", "Co.", "U.S.")."""
    body = text[:-1]
    word = body[max(body.rfind(" "), body.rfind("(")) + 1:].lstrip("[\"'")
    if not word:
        return False
    return (len(word) == 1 and word.isalpha()) or word.lower() in _ABBREVIATIONS \
        or ("." in word and bool(_DOTTED.match(word)))


def trim_punctuation(values: list) -> list:
    """Drop ISBD punctuation at the ends (" /", " :", ",", a final period).

    A final period is kept after an initial ("Smith, J."), a listed
    abbreviation ("Co.", data/abbreviations.tsv) or a dotted one ("U.S.").
    Square brackets around a whole value go ("[Kyoto]" -> "Kyoto").
    """
    out = []
    for v in values:
        if v and v[-1] not in _END_CHARS and v[0] not in _START_CHARS:
            out.append(v)
            continue
        v = v.strip()
        trimmed = v.rstrip(_TRAILING)
        if v[len(trimmed):len(trimmed) + 1] == "." and _keeps_period(trimmed + "."):
            trimmed += "."
        if trimmed[:1] in _START_CHARS:
            trimmed = _LEADING.sub("", trimmed)
        if trimmed.startswith("["):
            if "]" not in trimmed:
                trimmed = trimmed[1:]
            elif trimmed.endswith("]") and trimmed.count("[") == 1:
                trimmed = trimmed[1:-1]
        elif trimmed.endswith("]") and "[" not in trimmed:
            trimmed = trimmed[:-1]
        trimmed = trimmed.strip()
        if trimmed:
            out.append(trimmed)
    return out
