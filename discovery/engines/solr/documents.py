"""Sheaf's documents as Solr documents: every text field pre-analysed by Sheaf's analyzers.

A text field's value is the JSON of ``solr.PreAnalyzedField``:
``{"v": "1", "tokens": [{"t": term, "s": start, "e": end, "i": increment}]}``,
the tokens of :mod:`indexer.analysis` in position order (stacked forms, such
as a folded twin, a compound or a bigram, at their word's position, increment
0). Offsets are counted in UTF-16 code units, as Lucene counts them: they
differ from Python's for characters outside the Basic Multilingual Plane
(CJK Extension B and beyond, common in names). Solr drops a value it cannot
parse with only a warning in its log, so the JSON is built here and nowhere
else.
"""

from __future__ import annotations

import json

from indexer.analysis import (SpanAnalyzer, cjk_analyzer, main_analyzer, pinyin_analyzer,
                              stem_analyzer)
from indexer.document import FACET_SEPARATOR
from indexer.fields import INDEX_FIELDS

ANALYZERS: dict[str, SpanAnalyzer] = {
    "words": main_analyzer(), "words+compounds": main_analyzer(compounds=True),
    "ngrams": cjk_analyzer(), "pinyin": pinyin_analyzer(), "stem": stem_analyzer()}


def _utf16(text: str) -> list[int] | None:
    """UTF-16 offset of every character boundary of ``text``; None when it is all BMP."""
    if all(ord(c) < 0x10000 for c in text):
        return None
    out, n = [0], 0
    for c in text:
        n += 2 if ord(c) >= 0x10000 else 1
        out.append(n)
    return out


def pre_analysed(analyzer: SpanAnalyzer, text: str) -> str | None:
    """The PreAnalyzedField JSON of ``text``; None when it has no tokens."""
    spans = sorted(analyzer.spans(text), key=lambda s: (s[1], s[2]))
    if not spans:
        return None
    where = _utf16(text)
    tokens, last = [], -1
    for term, pos, start, end in spans:
        if where is not None:
            start, end = where[start], where[end]
        tokens.append({"t": term, "s": start, "e": end, "i": pos - last})
        last = pos
    return json.dumps({"v": "1", "tokens": tokens}, ensure_ascii=False, separators=(",", ":"))


def solr_document(doc: dict) -> dict:
    """The Solr document of an engine-neutral one (:func:`indexer.document.document_for`)."""
    out: dict = {}
    for f in INDEX_FIELDS:
        value = doc.get(f.name)
        if value is None or value == "":
            continue
        kind = f.analysis
        if kind in ANALYZERS:
            analysed = pre_analysed(ANALYZERS[kind], value)
            if analysed is not None:
                out[f.name] = analysed
        elif kind in ("keyword", "keyword-lower"):
            values = value.split()
            out[f.name] = [v.lower() for v in values] if kind == "keyword-lower" else values
        elif kind in ("values", "keys"):
            out[f.name] = [v for v in dict.fromkeys(value.split(FACET_SEPARATOR)) if v]
        elif kind == "sort-key":
            out[f.name] = value.hex() if isinstance(value, bytes) else value.encode("utf-8").hex()
        elif kind == "shelf-key":   # readable, for range queries (its characters are ASCII)
            out[f.name] = value.decode("utf-8") if isinstance(value, bytes) else value
        elif kind == "stored":
            out[f.name] = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
        else:   # id, year, number
            out[f.name] = value
    return out


def display_of(stored: dict) -> dict:
    """The display record of a document as Solr returns it."""
    value = stored.get("display")
    return json.loads(value) if isinstance(value, str) else (value or {})
