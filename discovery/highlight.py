"""Where the query matched in a display string, as character spans.

The display text is analysed again with Sheaf's own analyzers (the ones
every engine indexes the tokens of), with character offsets: word tokens (including the folded forms, so ``duong``
marks ``Đường``), CJK n-grams (so a Chinese fragment marks exactly the
characters it matched, whatever jieba did) and pinyin syllables (marking
the Han characters a pinyin query matched). pyvi gives no offsets, but
compounds are only stacked on syllables whose offsets Sheaf computed
itself, so Vietnamese spans are exact too.

Spans are (start, end) offsets into the NFC display string; renderers
escape the text and wrap the spans, so markup never comes from data.
"""

from __future__ import annotations

from indexer import fields
from indexer.analysis import cjk_analyzer, main_analyzer, pinyin_analyzer

from .plan import terms_of

WORD_FIELDS = {*fields.WORD_FIELDS, fields.STEM_FIELD}
NGRAM_FIELDS = set(fields.NGRAM_FIELDS)


def query_terms(plan) -> dict[str, set[str]]:
    """Terms of a compiled plan by kind ("words", "ngrams", "pinyin", "prefix"), NOT clauses
    and optional boosts left out."""
    return terms_of(plan, WORD_FIELDS, NGRAM_FIELDS, fields.PINYIN_FIELD)


def no_terms() -> dict[str, set[str]]:
    """The terms of no query: what a hit found without one (a shelf, similar items) marks."""
    return {"words": set(), "ngrams": set(), "pinyin": set(), "prefix": set()}


class Highlighter:
    def __init__(self):
        # the word analyzer without pyvi compounds: highlighting needs only the
        # syllables and their folded forms, and pyvi (with scikit-learn) would
        # cost every web worker about 230 MB
        self.words = main_analyzer()
        self.ngrams = cjk_analyzer()
        self.pinyin = pinyin_analyzer()

    def spans(self, text: str, terms: dict[str, set[str]]) -> list[tuple[int, int]]:
        if not text:
            return []
        found = []
        if terms["words"] or terms["prefix"]:
            prefixes = tuple(terms["prefix"])
            for term, _pos, start, end in self.words.spans(text):
                if term in terms["words"] or (prefixes and term.startswith(prefixes)):
                    found.append((start, end))
        if terms["ngrams"]:
            found.extend((start, end) for term, _pos, start, end in self.ngrams.spans(text)
                         if term in terms["ngrams"])
        if terms["pinyin"]:
            found.extend((start, end) for term, _pos, start, end in self.pinyin.spans(text)
                         if term in terms["pinyin"])
        return _merge(found)


def _merge(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    merged: list[list[int]] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    return [(s, e) for s, e in merged]
