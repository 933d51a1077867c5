"""Text analysis for every language in the catalog.

Whoosh pickles analyzers into the index schema, so everything here must
stay importable at ``indexer.analysis.<Name>``: renaming or moving a class
is an index format change. Bump :data:`ANALYSIS_VERSION` whenever the
tokens produced for the same text change; an index built with another
version is reported as "rebuild needed".

The chain is a tokenizer followed by small filters, in Whoosh's style:

* :class:`MultilingualTokenizer` normalises to NFC, finds runs of Han
  characters and cuts them with jieba (after OpenCC traditional-to-simplified
  conversion, so both forms index alike), and cuts everything else into
  words. Positions count words, not characters, so phrase queries work for
  Chinese too.
* Whoosh's ``LowercaseFilter`` lowercases the rest.
"""

from __future__ import annotations

import logging
import re
import threading
import unicodedata

from whoosh.analysis import LowercaseFilter, Token, Tokenizer

ANALYSIS_VERSION = 1

# Han ideographs: URO, Extension A, compatibility ideographs, Extensions B-H
# and the compatibility supplement, plus U+3007 (〇).
HAN_CLASS = ("\u3007\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
             "\U00020000-\U0003134f\U0002f800-\U0002fa1f")
_RUNS = re.compile(f"([{HAN_CLASS}]+)|([^{HAN_CLASS}]+)")
# A word: letters and digits with any combining marks inside it.
_WORD = re.compile(r"(?:[^\W_]|[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff])+")

_jieba_lock = threading.Lock()
_jieba = None
_t2s = None


def warm_up() -> None:
    """Load jieba's dictionary and OpenCC now rather than inside the first document."""
    global _jieba, _t2s
    with _jieba_lock:
        if _jieba is None:
            import jieba
            jieba.setLogLevel(logging.WARNING)
            jieba.initialize()
            _jieba = jieba
        if _t2s is None:
            import opencc
            _t2s = opencc.OpenCC("t2s")


def to_simplified(text: str) -> str:
    """Traditional to simplified Chinese (OpenCC ``t2s``)."""
    if _t2s is None:
        warm_up()
    return _t2s.convert(text)


def cut_han(run: str) -> list[tuple[str, int, int]]:
    """Words of a run of Han characters as (simplified word, start, end) offsets into ``run``.

    OpenCC converts character for character for almost all text; where it
    does not (a phrase that changes length), the run is cut unconverted so
    the offsets stay true.
    """
    if _jieba is None:
        warm_up()
    simplified = _t2s.convert(run)
    if len(simplified) != len(run):
        simplified = run
    out = []
    start = 0
    for word in _jieba.cut(simplified, HMM=True):
        end = start + len(word)
        out.append((word, start, end))
        start = end
    return out


class MultilingualTokenizer(Tokenizer):
    """NFC, then jieba words for Han runs and Unicode words for everything else."""

    def __eq__(self, other):
        return other.__class__ is self.__class__

    def __call__(self, value, positions=False, chars=False, keeporiginal=False,
                 removestops=True, start_pos=0, start_char=0, tokenize=True,
                 mode="", **kwargs):
        value = unicodedata.normalize("NFC", value)
        t = Token(positions, chars, removestops=removestops, mode=mode, **kwargs)
        if not tokenize:
            t.original = t.text = value
            t.boost = 1.0
            if positions:
                t.pos = start_pos
            if chars:
                t.startchar, t.endchar = start_char, start_char + len(value)
            yield t
            return
        pos = start_pos
        for run in _RUNS.finditer(value):
            base = run.start()
            if run.group(1):
                pieces = [(w, base + s, base + e) for w, s, e in cut_han(run.group(1))]
            else:
                pieces = [(m.group(0), base + m.start(), base + m.end())
                          for m in _WORD.finditer(run.group(2))]
            for text, start, end in pieces:
                t.text = text
                t.boost = 1.0
                t.stopped = False
                if keeporiginal:
                    t.original = text
                if positions:
                    t.pos = pos
                if chars:
                    t.startchar, t.endchar = start_char + start, start_char + end
                pos += 1
                yield t


def MultilingualAnalyzer():
    """The analyzer of every full-text field."""
    return MultilingualTokenizer() | LowercaseFilter()
