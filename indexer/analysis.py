"""Text analysis for every language in the catalog.

Whoosh pickles analyzers into the index schema, so every class here must
stay importable at ``indexer.analysis.<Name>``: renaming or moving one is an
index format change. Bump :data:`ANALYSIS_VERSION` whenever the tokens
produced for the same text change; an index built with another version is
reported as "rebuild needed". The text functions behind the classes live in
:mod:`indexer.textnorm` and :mod:`indexer.pinyin`.

Analyzers (one tokenizer and a few small filters each):

* ``main_analyzer`` — the word fields. Text is normalised (NFC, widths);
  Han runs are converted to simplified characters (OpenCC) and cut by jieba,
  everything else is cut into words. Positions count words, so phrases work
  in Chinese too. Vietnamese tone marks are placed by one rule (hòa = hoà),
  and each accented word is indexed a second time, folded (đường → duong),
  at the same position: a query without diacritics finds it, a query with
  them ranks exact matches first. With ``compounds=True`` (titles), pyvi's
  Vietnamese compound words are indexed too (``thư_viện``), stacked on their
  first syllable.
* ``cjk_analyzer`` — Han unigrams and bigrams, kana and hangul bigrams: the
  recall path for one- and two-character queries and the middle of titles.
* ``pinyin_analyzer`` — Han text as toneless pinyin syllables.
* ``stem_analyzer`` — folded Latin-script words, Porter-stemmed.

No stopwords anywhere: ``an``, ``to`` and ``do`` are Vietnamese syllables.
"""

from __future__ import annotations

import logging
import re
import threading

from whoosh.analysis import LowercaseFilter, StemFilter, Token, Tokenizer
from whoosh.analysis.filters import Filter

from . import pinyin, textnorm

ANALYSIS_VERSION = 4

# Han ideographs: URO, Extension A, compatibility ideographs, Extensions B-H
# and the compatibility supplement, plus U+3007 (〇).
HAN_CLASS = ("\u3007\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
             "\U00020000-\U0003134f\U0002f800-\U0002fa1f")
KANA_HANGUL_CLASS = "\u3041-\u309f\u30a0-\u30ff\u31f0-\u31ff\uac00-\ud7af\u1100-\u11ff\u3130-\u318f"
_RUNS = re.compile(f"([{HAN_CLASS}]+)|([^{HAN_CLASS}]+)")
_CJK_RUN = re.compile(f"[{HAN_CLASS}]+|[{KANA_HANGUL_CLASS}\u30fc]+")
HAN_RUN = re.compile(f"[{HAN_CLASS}]+")
# A word: letters and digits with any combining marks inside it.
# (U+FE20-FE2F: the combining half marks of ALA-LC ligatures, as in t︠s︡)
_WORD = re.compile(r"(?:[^\W_]|[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\ufe20-\ufe2f"
                   r"\u0591-\u05bd\u05bf\u05c1\u05c2\u05c4\u05c5\u05c7\u064b-\u065f\u0670])+")

_lock = threading.Lock()
_jieba = None
_t2s = None
_vi_tokenize = None


def warm_up(vietnamese: bool = False) -> None:
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
        warm_up()
    simplified = _t2s.convert(text)
    if len(simplified) != len(text):
        simplified = "".join(c if len(c) == 1 else ch
                             for ch, c in ((ch, _t2s.convert(ch)) for ch in text))
    return simplified


def cut_han(run: str) -> list[tuple[str, int, int]]:
    """jieba words of a run of Han characters: (simplified word, start, end) in ``run``."""
    if _jieba is None:
        warm_up()
    out = []
    start = 0
    for word in _jieba.cut(to_simplified(run), HMM=True):
        end = start + len(word)
        out.append((word, start, end))
        start = end
    return out


def vietnamese_compounds(text: str) -> list[tuple[str, ...]]:
    """pyvi's multi-syllable words in ``text``, each as a tuple of lowercased syllables."""
    if _vi_tokenize is None:
        warm_up(vietnamese=True)
    return [tuple(w.lower().split("_")) for w in _vi_tokenize(text).split() if "_" in w]


def _set(t: Token, text: str, pos: int, start: int, end: int, positions: bool, chars: bool,
         keeporiginal: bool, start_char: int) -> Token:
    t.text = text
    t.boost = 1.0
    t.stopped = False
    if keeporiginal:
        t.original = text
    if positions:
        t.pos = pos
    if chars:
        t.startchar, t.endchar = start_char + start, start_char + end
    return t


class MultilingualTokenizer(Tokenizer):
    """jieba words for Han runs, Unicode words for everything else.

    ``han=False`` leaves Han text out (the stem field); ``compounds=True``
    adds pyvi compound tokens for Vietnamese text in index mode.
    """

    def __init__(self, han: bool = True, compounds: bool = False):
        self.han = han
        self.compounds = compounds

    def __call__(self, value, positions=False, chars=False, keeporiginal=False,
                 removestops=True, start_pos=0, start_char=0, tokenize=True, mode="", **kw):
        value = textnorm.normalize(value)
        t = Token(positions, chars, removestops=removestops, mode=mode, **kw)
        if not tokenize:
            yield _set(t, value, start_pos, 0, len(value), positions, chars, keeporiginal,
                       start_char)
            return
        words = []
        for run in _RUNS.finditer(value):
            base = run.start()
            if run.group(1):
                if self.han:
                    words.extend((w, base + s, base + e) for w, s, e in cut_han(run.group(1)))
            else:
                words.extend((m.group(0), base + m.start(), base + m.end())
                             for m in _WORD.finditer(run.group(2)))
        for i, (text, start, end) in enumerate(words):
            yield _set(t, text, start_pos + i, start, end, positions, chars, keeporiginal,
                       start_char)
        if self.compounds and mode != "query" and textnorm.looks_vietnamese(value):
            for text, i, start, end in _compounds(value, words):
                yield _set(t, text, start_pos + i, start, end, positions, chars,
                           keeporiginal, start_char)


def _compounds(value: str, words: list) -> list:
    """(compound, index of first word, start, end) for pyvi compounds found among ``words``."""
    found = set(vietnamese_compounds(value))
    if not found:
        return []
    longest = max(map(len, found))
    lowered = [textnorm.place_tone(w.lower()) for w, _s, _e in words]
    found = {tuple(textnorm.place_tone(s) for s in c) for c in found}
    out = []
    for i in range(len(words)):
        for n in range(min(longest, len(words) - i), 1, -1):
            if tuple(lowered[i:i + n]) in found:
                out.append(("_".join(lowered[i:i + n]), i, words[i][1], words[i + n - 1][2]))
                break
    return out


class VietnameseToneFilter(Filter):
    """Put each Vietnamese syllable's tone mark where the modern rule puts it."""

    def __eq__(self, other):
        return other.__class__ is self.__class__

    def __call__(self, tokens):
        place = textnorm.place_tone
        for t in tokens:
            if not t.text.isascii():
                t.text = place(t.text)
            yield t


class FoldingFilter(Filter):
    """In index mode, add the folded form of each accented word at the same position."""

    def __eq__(self, other):
        return other.__class__ is self.__class__

    def __call__(self, tokens):
        fold = textnorm.fold
        for t in tokens:
            yield t
            if t.mode != "query" and not t.text.isascii():
                folded = fold(t.text)
                if folded != t.text and folded:
                    t.text = folded
                    yield t


class FoldReplaceFilter(Filter):
    """Replace each word by its folded form."""

    def __eq__(self, other):
        return other.__class__ is self.__class__

    def __call__(self, tokens):
        fold = textnorm.fold
        for t in tokens:
            if not t.text.isascii():
                t.text = fold(t.text)
            yield t


class CJKNgramTokenizer(Tokenizer):
    """Han unigrams and bigrams (simplified), kana and hangul bigrams.

    A unigram and the bigram starting at the same character share a
    position, so a phrase of bigrams matches consecutive characters. Runs
    are kept apart by a position gap.
    """

    def __eq__(self, other):
        return other.__class__ is self.__class__

    def __call__(self, value, positions=False, chars=False, keeporiginal=False,
                 removestops=True, start_pos=0, start_char=0, tokenize=True, mode="", **kw):
        value = textnorm.normalize(value)
        t = Token(positions, chars, removestops=removestops, mode=mode, **kw)
        pos = start_pos
        for run in _CJK_RUN.finditer(value):
            text = run.group(0)
            han = HAN_RUN.match(text) is not None
            if han:
                text = to_simplified(text)
            base = run.start()
            for i, ch in enumerate(text):
                if han or len(text) == 1:
                    yield _set(t, ch, pos, base + i, base + i + 1, positions, chars,
                               keeporiginal, start_char)
                if i + 1 < len(text):
                    yield _set(t, text[i:i + 2], pos, base + i, base + i + 2, positions, chars,
                               keeporiginal, start_char)
                pos += 1
            pos += 1


class PinyinTokenizer(Tokenizer):
    """Han text as toneless pinyin syllables, one position per character."""

    def __eq__(self, other):
        return other.__class__ is self.__class__

    def __call__(self, value, positions=False, chars=False, keeporiginal=False,
                 removestops=True, start_pos=0, start_char=0, tokenize=True, mode="", **kw):
        t = Token(positions, chars, removestops=removestops, mode=mode, **kw)
        pos = start_pos
        for run in HAN_RUN.finditer(textnorm.normalize(value)):
            # no gap between runs: readers typing pinyin leave punctuation out;
            # a polyphonic character's other readings share its position
            base = run.start()
            for i, readings in enumerate(pinyin.han_readings(to_simplified(run.group(0)))):
                for syllable in readings:
                    yield _set(t, syllable, pos, base + i, base + i + 1, positions, chars,
                               keeporiginal, start_char)
                pos += bool(readings)


def main_analyzer(compounds: bool = False):
    return (MultilingualTokenizer(compounds=compounds) | LowercaseFilter()
            | VietnameseToneFilter() | FoldingFilter())


def cjk_analyzer():
    return CJKNgramTokenizer()


def pinyin_analyzer():
    return PinyinTokenizer()


def stem_analyzer():
    return MultilingualTokenizer(han=False) | LowercaseFilter() | FoldReplaceFilter() | StemFilter()
