"""Sheaf's analyzers as Whoosh sees them: the one thin adapter, pickled into every schema.

Whoosh pickles a field's analyzer into the index, so :class:`SheafAnalyzer`
must stay importable here: renaming or moving it is an index format change
(bump :data:`discovery.engines.whoosh.schema.SCHEMA_LAYOUT`). It wraps an
engine-neutral analyzer of :mod:`indexer.analysis` and presents its spans as
Whoosh Tokens (for queries, highlighting and Whoosh's own writer); Sheaf's
segment writer reads ``term_positions`` directly.
"""

from __future__ import annotations

from whoosh.analysis import Token, Tokenizer

from indexer.analysis import SpanAnalyzer


class SheafAnalyzer(Tokenizer):
    def __init__(self, inner: SpanAnalyzer):
        self.inner = inner

    def __eq__(self, other):
        return other.__class__ is self.__class__ and other.inner == self.inner

    def __hash__(self):
        return hash(self.inner)

    def __repr__(self):
        return f"SheafAnalyzer({self.inner.__class__.__name__})"

    def __call__(self, value, positions=False, chars=False, keeporiginal=False,
                 removestops=True, start_pos=0, start_char=0, tokenize=True, mode="", **kw):
        t = Token(positions, chars, removestops=removestops, mode=mode, **kw)
        for text, pos, start, end in self.inner.spans(value, mode, tokenize):
            t.text = text
            t.boost = 1.0
            t.stopped = False
            if keeporiginal:
                t.original = text
            if positions:
                t.pos = start_pos + pos
            if chars:
                t.startchar, t.endchar = start_char + start, start_char + end
            yield t

    def term_positions(self, value: str) -> dict[str, list[int]]:
        return self.inner.term_positions(value)
