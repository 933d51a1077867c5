"""Text analysis for every language in the catalog.

Engine-neutral: an analyzer turns text into (term, position, start, end)
spans, and every engine indexes exactly those (Whoosh through the thin
adapter :mod:`discovery.engines.whoosh.analysis`). Engines pickle or store
analyzers, so every class here must stay importable at
``indexer.analysis.<Name>``: renaming or moving one is an index format
change. Bump :data:`ANALYSIS_VERSION` whenever the tokens produced for the
same text change; an index built with another version is reported as
"rebuild needed". The text functions behind the classes live in
:mod:`indexer.textnorm`, :mod:`indexer.segmenters` (OpenCC, jieba, pyvi)
and :mod:`indexer.pinyin`.

Analyzers (one tokenizer and a few small filters each):

* ``main_analyzer`` — the word fields. Text is normalised (NFC, widths);
  Han runs are converted to simplified characters (OpenCC) and cut by jieba,
  everything else is cut into words. Positions count words, so phrases work
  in Chinese too. Vietnamese tone marks are placed by one rule (hòa = hoà),
  and each accented word is indexed a second time, folded and marked
  (đường → ~duong, ``textnorm.FOLDED_MARK``), at the same position: a query
  without diacritics finds it alike, a query with them ranks its own spelling
  above the words catalogued without diacritics or with other ones. A Han run reaches across the cataloguer's
  word division (ideographic spaces, middle dots, zero-width characters:
  ``textnorm.HAN_GAP_CHARS``), so ``台灣　的　新反對　運動`` is cut, n-grammed
  and read in pinyin as the reader types it, ``台灣的新反對運動``, with offsets
  into the text as written. With ``compounds=True`` (titles), pyvi's
  Vietnamese compound words are indexed too (``thư_viện``), stacked on their
  first syllable.
* ``cjk_analyzer`` — Han unigrams and bigrams, kana and hangul bigrams: the
  recall path for one- and two-character queries and the middle of titles.
* ``pinyin_analyzer`` — Han text as toneless pinyin syllables.
* ``stem_analyzer`` — folded Latin-script words, Porter-stemmed.

No stopwords anywhere: ``an``, ``to`` and ``do`` are Vietnamese syllables.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import NamedTuple

import snowballstemmer

from . import pinyin, segmenters, textnorm, wade_giles
from .segmenters import CJK_RUN, HAN_BRIDGED, HAN_CLASS, HAN_RUN

# 7: Han across ideographic spaces; 8: folded forms marked; 9: engine-neutral
# (Snowball's Porter stemmer, no longer Whoosh's variant of it); 10: an aspirated
# Wade-Giles syllable one word whatever its apostrophe (Ch'ing: chʻing, ~ching);
# 11: no empty stems (Porter stems "s" to nothing)
ANALYSIS_VERSION = 11

MARK = textnorm.FOLDED_MARK
_RUNS = re.compile(f"({HAN_BRIDGED})|([^{HAN_CLASS}]+)")
# A word: letters and digits with any combining marks inside it.
# (U+FE20-FE2F: the combining half marks of ALA-LC ligatures, as in t︠s︡)
# An aspirated Wade-Giles syllable is one word however its apostrophe is written
# (Ch'ing, Ch’ing, Chʻing: chʻing), the apostrophe read as LC's ʻ (wade_giles.aspirate).
_WORD = re.compile(wade_giles.aspirated_pattern() + "|"
                   r"(?:[^\W_]|[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\ufe20-\ufe2f"
                   r"\u0591-\u05bd\u05bf\u05c1\u05c2\u05c4\u05c5\u05c7\u064b-\u065f\u0670])+")
_APOSTROPHE = re.compile("['\u2018\u2019\u02bc`]")

WORD_PATTERN = _WORD   # what the word analyzers call a word (outside Han runs)
_porter = snowballstemmer.stemmer("porter")


def warm_up(vietnamese: bool = False) -> None:
    """Load jieba's dictionary, OpenCC and pypinyin (and pyvi if asked) now, not inside a
    document (and before a rebuild forks its workers, so they share them)."""
    segmenters.load(vietnamese)
    pinyin.load()


def _words(value: str, han: bool = True) -> list[tuple[str, int, int]]:
    """(word, start, end) in normalised ``value``: jieba words of Han runs (left out with
    ``han=False``), Unicode words elsewhere."""
    words = []
    for run in _RUNS.finditer(value):
        base = run.start()
        if run.group(1):
            if han:
                words.extend((w, base + s, base + e) for w, s, e in segmenters.han_words(run.group(1)))
        else:
            words.extend((_aspirated(m.group(0)), base + m.start(), base + m.end())
                         for m in _WORD.finditer(run.group(2)))
    return words


def _folded(word: str) -> str:
    """A word's folded twin: without diacritics, and without the aspiration mark ʻ
    (chʻing: ~ching, found by Ching typed plain)."""
    folded = textnorm.fold(word)
    return folded.replace(wade_giles.ASPIRATE, "") if wade_giles.ASPIRATE in folded else folded


def _aspirated(word: str) -> str:
    """A word as the index holds it: an aspirated syllable's apostrophe as ʻ."""
    return wade_giles.aspirate(word) if _APOSTROPHE.search(word) else word


def _word_texts(value: str, han: bool = True) -> list[str]:
    """The words of :func:`_words` without their offsets (one regex pass for text without Han)."""
    if value.isascii() or HAN_RUN.search(value) is None:
        words = _WORD.findall(value)
        return [_aspirated(w) for w in words] if _APOSTROPHE.search(value) else words
    words = []
    for run in _RUNS.finditer(value):
        if run.group(1):
            if han:
                words.extend(w for w, _s, _e in segmenters.cut_han(textnorm.close_han_gaps(run.group(1))))
        else:
            words.extend(map(_aspirated, _WORD.findall(run.group(2))))
    return words


class Span(NamedTuple):
    """One token: its term, its position (in words) and its characters in the text."""
    text: str
    pos: int
    startchar: int
    endchar: int


class SpanAnalyzer:
    """An analyzer computed in one pass as a list of (text, position, start, end) spans.

    ``spans`` gives every token with its position and character offsets (for
    queries, highlighting and engines that store offsets); ``term_positions``
    gives each term's positions directly (what a segment writer needs). By
    default both come from ``spans``; the word analyzers compute
    ``term_positions`` without character offsets, and a test holds the two to
    the same terms. ``mode`` is "index" or "query" (a query is not given the
    folded twins and compounds of its words).
    """

    def __eq__(self, other):
        return other.__class__ is self.__class__ and other.__dict__ == self.__dict__

    def __hash__(self):
        return hash((self.__class__.__name__, tuple(sorted(self.__dict__.items()))))

    def spans(self, value: str, mode: str = "", tokenize: bool = True) -> list[tuple]:
        raise NotImplementedError

    def analyze(self, value: str, mode: str = "index") -> list[Span]:
        """The tokens of ``value``, as :class:`Span` objects."""
        return [Span(*span) for span in self.spans(value, mode)]

    def term_positions(self, value: str) -> dict[str, list[int]]:
        """Each term of ``value`` in index mode, with its positions in order."""
        out: dict[str, list[int]] = {}
        for text, pos, _start, _end in self.spans(value):
            found = out.get(text)
            if found is None:
                out[text] = [pos]
            else:
                found.append(pos)
        return out


class WordAnalyzer(SpanAnalyzer):
    """The word fields: jieba words for Han runs, Unicode words for everything else;
    lowercased, Vietnamese tone marks placed by one rule, and in index mode each
    accented word followed by its folded form at the same position.

    ``compounds=True`` adds pyvi's Vietnamese compound words in index mode.
    """

    def __init__(self, compounds: bool = False):
        self.compounds = compounds

    def spans(self, value, mode="", tokenize=True):
        value = textnorm.normalize(value)
        words = _words(value) if tokenize else [(value, 0, len(value))]
        index = mode != "query"
        place, fold = textnorm.place_tone, textnorm.fold
        out = []
        for i, (text, start, end) in enumerate(words):
            text = text.lower()
            if text.isascii():
                out.append((text, i, start, end))
                continue
            text = place(text)
            out.append((text, i, start, end))
            if index:
                folded = _folded(text)
                if folded != text and folded:
                    out.append((MARK + folded, i, start, end))
        if self.compounds and index and tokenize and textnorm.looks_vietnamese(value):
            for text, i, start, end in _compounds(value, words):
                out.append((text, i, start, end))
                folded = fold(text)
                if folded != text and folded:
                    out.append((MARK + folded, i, start, end))
        return out

    def term_positions(self, value):
        # ``spans`` in index mode, without offsets: the writer's path (a third of a build)
        value = textnorm.normalize(value)
        words = _word_texts(value)
        place, fold = textnorm.place_tone, textnorm.fold
        out: dict[str, list[int]] = {}
        get = out.get
        for i, text in enumerate(words):
            text = text.lower()
            if text.isascii():
                found = get(text)
                if found is None:
                    out[text] = [i]
                else:
                    found.append(i)
                continue
            text = place(text)
            folded = _folded(text)
            for form in (text, MARK + folded) if folded != text and folded else (text,):
                found = get(form)
                if found is None:
                    out[form] = [i]
                else:
                    found.append(i)
        if self.compounds and not value.isascii() and textnorm.looks_vietnamese(value):
            for text, i, _start, _end in _compounds(value, [(w, 0, 0) for w in words]):
                folded = fold(text)
                for form in (text, MARK + folded) if folded != text and folded else (text,):
                    out.setdefault(form, []).append(i)
        return out


class StemAnalyzer(SpanAnalyzer):
    """Latin-script words (Han text left out), lowercased, folded and Porter-stemmed."""

    def spans(self, value, mode="", tokenize=True):
        value = textnorm.normalize(value)
        words = _words(value, han=False) if tokenize else [(value, 0, len(value))]
        fold = textnorm.fold
        out = []
        for i, (text, start, end) in enumerate(words):
            text = text.lower()
            if not text.isascii():
                text = fold(text)
            out.append((_stem(text), i, start, end))
        return out

    def term_positions(self, value):
        # ``spans`` without offsets
        fold = textnorm.fold
        out: dict[str, list[int]] = {}
        for i, text in enumerate(_word_texts(textnorm.normalize(value), han=False)):
            text = text.lower()
            if not text.isascii():
                text = fold(text)
            out.setdefault(_stem(text), []).append(i)
        return out


@lru_cache(maxsize=65536)
def _stem(word: str) -> str:
    """The word's Porter stem; a word the stemmer would leave nothing of ("s", the "s" of
    "Children's") stands for itself: an empty term would match nothing on Solr, and on
    Whoosh every record with such a word."""
    return _porter.stemWord(word) or word


def _compounds(value: str, words: list) -> list:
    """(compound, index of first word, start, end) for pyvi compounds found among ``words``."""
    found = set(segmenters.vietnamese_compounds(value))
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


class ValueList(SpanAnalyzer):
    """Keyword values: each match of ``pattern`` is one term, lowercased if asked.

    For the keyword and facet fields (Whoosh's ``SpaceSeparatedTokenizer``
    and ``RegexTokenizer`` do the same, token object by token object).
    """

    def __init__(self, pattern: str = r"[^ \t\r\n]+", lowercase: bool = False):
        self.pattern = pattern
        self.lowercase = lowercase
        self._regex = re.compile(pattern)

    def __getstate__(self):
        return {"pattern": self.pattern, "lowercase": self.lowercase}

    def __setstate__(self, state):
        self.__init__(**state)

    def __eq__(self, other):
        return other.__class__ is self.__class__ and other.__getstate__() == self.__getstate__()

    def __hash__(self):
        return hash((self.pattern, self.lowercase))

    def spans(self, value, mode="", tokenize=True):
        if not tokenize:
            return [(value.lower() if self.lowercase else value, 0, 0, len(value))]
        lower = self.lowercase
        return [(m.group(0).lower() if lower else m.group(0), i, m.start(), m.end())
                for i, m in enumerate(self._regex.finditer(value))]


class CJKNgramTokenizer(SpanAnalyzer):
    """Han unigrams and bigrams (simplified), kana and hangul bigrams.

    A unigram and the bigram starting at the same character share a
    position, so a phrase of bigrams matches consecutive characters. Runs
    are kept apart by a position gap.
    """

    def spans(self, value, mode="", tokenize=True):
        value = textnorm.normalize(value)
        out = []
        pos = 0
        for run in CJK_RUN.finditer(value):
            text = run.group(0)
            han = HAN_RUN.match(text) is not None
            if han:
                # bigrams bridge the word division inside the run (台灣　的 gives 灣的)
                text, where = textnorm.han_gap_map(text)
                text = segmenters.to_simplified(text)
            else:
                where = range(len(text))
            base = run.start()
            last = len(text) - 1
            for i, ch in enumerate(text):
                start = base + where[i]
                if han or not last:
                    out.append((ch, pos, start, start + 1))
                if i < last:
                    out.append((text[i:i + 2], pos, start, base + where[i + 1] + 1))
                pos += 1
            pos += 1
        return out


class PinyinTokenizer(SpanAnalyzer):
    """Han text as toneless pinyin syllables, one position per character."""

    def spans(self, value, mode="", tokenize=True):
        out = []
        pos = 0
        for run in HAN_RUN.finditer(textnorm.normalize(value)):
            # no gap between runs: readers typing pinyin leave punctuation out;
            # a polyphonic character's other readings share its position
            base = run.start()
            for i, readings in enumerate(pinyin.han_readings(segmenters.to_simplified(run.group(0)))):
                for syllable in readings:
                    out.append((syllable, pos, base + i, base + i + 1))
                pos += bool(readings)
        return out


def main_analyzer(compounds: bool = False):
    return WordAnalyzer(compounds=compounds)


def cjk_analyzer():
    return CJKNgramTokenizer()


def pinyin_analyzer():
    return PinyinTokenizer()


def stem_analyzer():
    return StemAnalyzer()
