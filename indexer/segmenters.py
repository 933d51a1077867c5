"""The language tools behind the analysis, loaded once: OpenCC, jieba and pyvi.

jieba's dictionary loads lazily (about 0.45 s, 95 MiB) and would cut the
first document without it; :func:`load` (called by
:func:`indexer.analysis.warm_up`) loads everything at start-up, before a
rebuild forks its workers so that they share it. jieba splits accented Latin
words, so it is given only runs of Han characters.
"""

from __future__ import annotations

import logging
import re
import threading
from functools import lru_cache

from . import textnorm

HAN_CLASS = textnorm.HAN_CLASS
KANA_HANGUL_CLASS = "\u3041-\u309f\u30a0-\u30ff\u31f0-\u31ff\uac00-\ud7af\u1100-\u11ff\u3130-\u318f"
# a Han run reaches across the cataloguer's word division (textnorm.HAN_GAP_CHARS)
HAN_BRIDGED = f"[{HAN_CLASS}](?:[{textnorm.HAN_GAP_CHARS}]*[{HAN_CLASS}])*"
CJK_RUN = re.compile(f"{HAN_BRIDGED}|[{KANA_HANGUL_CLASS}\u30fc]+")
HAN_RUN = re.compile(f"[{HAN_CLASS}]+")

_lock = threading.Lock()
_jieba = None
_t2s = None
_vi_tokenize = None


def load(vietnamese: bool = False) -> None:
    """Load jieba's dictionary and OpenCC (and pyvi if asked) now, not inside a document."""
    global _jieba, _t2s, _vi_tokenize
    with _lock:
        if _jieba is None:
            import jieba
            jieba.setLogLevel(logging.WARNING)
            jieba.initialize()
            _jieba = jieba
        if _t2s is None:
            import opencc
            _t2s = opencc.OpenCC("t2s")
        if vietnamese and _vi_tokenize is None:
            from pyvi import ViTokenizer
            _vi_tokenize = ViTokenizer.tokenize


def to_simplified(text: str) -> str:
    """Traditional to simplified Chinese (OpenCC ``t2s``), character for character.

    Where OpenCC changes the length (a rare phrase conversion), the text is
    converted one character at a time instead, so offsets stay true.
    """
    if _t2s is None:
        load()
    simplified = _t2s.convert(text)
    if len(simplified) != len(text):
        simplified = "".join(c if len(c) == 1 else ch
                             for ch, c in ((ch, _t2s.convert(ch)) for ch in text))
    return simplified


def cut_han(run: str) -> tuple[tuple[str, int, int], ...]:
    """jieba words of a run of Han characters: (simplified word, start, end) in ``run``."""
    if _jieba is None:
        load()
    return _cut_han(run)


@lru_cache(maxsize=32768)
def _cut_han(run: str) -> tuple[tuple[str, int, int], ...]:
    # cached: a heading's Han text recurs, in its own field and in ``all``
    out = []
    start = 0
    for word in _jieba.cut(to_simplified(run), HMM=True):
        end = start + len(word)
        out.append((word, start, end))
        start = end
    return tuple(out)


def vietnamese_compounds(text: str) -> list[tuple[str, ...]]:
    """pyvi's multi-syllable words in ``text``, each as a tuple of lowercased syllables."""
    if _vi_tokenize is None:
        load(vietnamese=True)
    return [tuple(w.lower().split("_")) for w in _vi_tokenize(text).split() if "_" in w]


def han_words(run: str) -> list[tuple[str, int, int]]:
    """jieba words of a Han run that may hold word division (U+3000 and the like):
    cut as if the run were contiguous, with offsets into ``run`` itself."""
    joined, where = textnorm.han_gap_map(run)
    if len(joined) == len(run):
        return list(cut_han(run))
    return [(w, where[s], where[e - 1] + 1) for w, s, e in cut_han(joined)]
