"""Where the query matched in a display string, as character spans.

The display text is analysed again with the index's own analyzers, with
character offsets: word tokens (including the folded forms, so ``duong``
marks ``Đường``), CJK n-grams (so a Chinese fragment marks exactly the
characters it matched, whatever jieba did) and pinyin syllables (marking
the Han characters a pinyin query matched). pyvi gives no offsets, but
compounds are only stacked on syllables whose offsets Sheaf computed
itself, so Vietnamese spans are exact too.

Spans are (start, end) offsets into the NFC display string; renderers
escape the text and wrap the spans, so markup never comes from data.
"""

from __future__ import annotations

from whoosh import query as wq

from indexer import fields

WORD_FIELDS = {*fields.WORD_FIELDS, fields.STEM_FIELD}
NGRAM_FIELDS = set(fields.NGRAM_FIELDS)


def query_terms(q) -> dict[str, set[str]]:
    """Terms of a compiled query by kind ("words", "ngrams", "pinyin", "prefix"), NOT clauses left out."""
    out: dict[str, set[str]] = {"words": set(), "ngrams": set(), "pinyin": set(), "prefix": set()}

    def add(field: str, text) -> None:
        text = text.decode("utf-8") if isinstance(text, bytes) else str(text)
        if field in WORD_FIELDS:
            out["words"].add(text)
        elif field in NGRAM_FIELDS:
            out["ngrams"].add(text)
        elif field == "pinyin":
            out["pinyin"].add(text)

    def walk(node) -> None:
        if isinstance(node, wq.Not):
            return
        if isinstance(node, wq.Phrase):
            for word in node.words:
                add(node.fieldname, word)
        elif isinstance(node, wq.Prefix):
            if node.fieldname in WORD_FIELDS:
                out["prefix"].add(node.text)
        elif isinstance(node, wq.Term):
            add(node.fieldname, node.text)
        elif isinstance(node, wq.AndMaybe):
            walk(node.a)  # the optional boosts never decide what matched
        else:
            for child in node.children():
                walk(child)

    walk(q)
    return out


class Highlighter:
    def __init__(self, schema):
        # the word analyzer without pyvi compounds: highlighting needs only the
        # syllables and their folded forms, and pyvi (with scikit-learn) would
        # cost every web worker about 230 MB
        self.words = schema["author"].analyzer
        self.ngrams = schema["title_cjk"].analyzer
        self.pinyin = schema["pinyin"].analyzer

    def spans(self, text: str, terms: dict[str, set[str]]) -> list[tuple[int, int]]:
        if not text:
            return []
        found = []
        if terms["words"] or terms["prefix"]:
            prefixes = tuple(terms["prefix"])
            for t in self.words(text, chars=True, mode="index"):
                if t.text in terms["words"] or (prefixes and t.text.startswith(prefixes)):
                    found.append((t.startchar, t.endchar))
        if terms["ngrams"]:
            found.extend((t.startchar, t.endchar) for t in self.ngrams(text, chars=True)
                         if t.text in terms["ngrams"])
        if terms["pinyin"]:
            found.extend((t.startchar, t.endchar) for t in self.pinyin(text, chars=True)
                         if t.text in terms["pinyin"])
        return _merge(found)


def _merge(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    merged: list[list[int]] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    return [(s, e) for s, e in merged]
