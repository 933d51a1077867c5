"""Hanyu Pinyin for Han text, and cutting typed pinyin into syllables.

Readers type ``hong lou meng``, ``honglou meng``, ``Hónglóumèng`` or
``hong2 lou2 meng4`` for 红楼梦. Han text is indexed as toneless pinyin
syllables (pypinyin, traditional and simplified alike), and typed pinyin is
cut into the same syllables, so every spelling meets the same tokens.
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

from .segmenters import HAN_RUN, cut_han
from .textnorm import fold

_DATA = Path(__file__).with_name("data") / "pinyin_syllables.txt"
SYLLABLES = frozenset(
    line.strip() for line in _DATA.read_text(encoding="utf-8").splitlines()
    if line.strip() and not line.startswith("#"))
_LONGEST = max(map(len, SYLLABLES))
_TONE_NUMBER = re.compile(r"(?<=[a-zü])[1-5]")

_lazy_pinyin = None
_char_readings: dict | None = None


def load() -> None:
    """Load pypinyin's dictionaries (about 0.7 s); done on first use otherwise."""
    global _lazy_pinyin, _char_readings
    if _lazy_pinyin is not None:
        return
    from pypinyin import Style, lazy_pinyin
    from pypinyin.pinyin_dict import pinyin_dict
    from pypinyin.style import convert
    readings = {}
    for code, values in pinyin_dict.items():
        toneless = []
        for value in values.split(","):
            bare = convert(value, Style.NORMAL, strict=False)
            if bare in SYLLABLES and bare not in toneless:
                toneless.append(bare)
        if len(toneless) > 1:
            readings[chr(code)] = toneless
    _char_readings = readings
    _lazy_pinyin = lazy_pinyin


def han_readings(run: str) -> list[tuple[str, ...]]:
    """For each character of a run of Han characters, its toneless readings.

    Every reading of a polyphonic character is indexed, because choosing one
    from context goes wrong (in 女红军 pypinyin reads 女红, needlework, as nü
    gong, not hong). With all of them stacked, context only decides which
    comes first, so readings are looked up one character at a time, cached:
    pypinyin's phrase segmentation of every title cost more than the rest of
    the pinyin field. (Of pypinyin's 143,861 phrase readings only 5 are not
    among their characters' own readings, e.g. 乐亭 lao.)
    """
    return [_readings(ch) for ch in run]


@lru_cache(maxsize=None)
def _readings(ch: str) -> tuple[str, ...]:
    """A Han character's toneless readings, its most common one first."""
    if _lazy_pinyin is None:
        load()
    first = (_lazy_pinyin(ch, v_to_u=False, errors=lambda chars: ["?"]) or ["?"])[0].lower()
    readings = [first] if first in SYLLABLES else []
    readings.extend(r for r in _char_readings.get(ch, ()) if r not in readings)
    return tuple(readings)


def han_to_pinyin(text: str) -> list[str]:
    """The reading of each Han character in ``text`` (others are skipped): pypinyin's
    reading of each of the jieba words of its Han runs.

    Words recur where whole texts do not, so each word's reading is cached;
    pypinyin segmenting every text itself was a third of the time autocomplete
    keys took. A word's reading is the one its context gives it (长江 chang
    jiang, 行为 xing wei, 女红军 nü hong jun); pypinyin's own segmentation read
    those zhang, hang and gong in 9 of 5,138 Han titles of LC records.
    """
    out: list[str] = []
    for run in HAN_RUN.findall(text):
        for word, _start, _end in cut_han(run):
            out.extend(_word_pinyin(word))
    return out


@lru_cache(maxsize=65536)
def _word_pinyin(word: str) -> tuple[str, ...]:
    if _lazy_pinyin is None:
        load()
    return tuple(p for p in (p.lower() for p in _lazy_pinyin(word, v_to_u=False,
                                                                 errors="ignore"))
                 if p in SYLLABLES)


@lru_cache(maxsize=16384)
def split_syllables(word: str) -> tuple[tuple[str, ...], ...]:
    """Every way to cut one typed word into the fewest pinyin syllables; () if it is not pinyin.

    ``honglou`` -> ((hong, lou),); ``xi'an`` -> ((xi, an),); ``hóng`` ->
    ((hong,),); ``liangan`` -> ((liang, an), (lian, gan)). Tone numbers and
    marks are ignored; ``ü`` may be typed ``v`` or ``u:``. An apostrophe
    or hyphen settles a boundary, as in standard pinyin.
    """
    w = _TONE_NUMBER.sub("", word.lower()).replace("u:", "v").replace("ü", "v")
    w = fold(w)
    parts = [p for p in re.split(r"['\u2019-]", w) if p]
    if not parts:
        return ()
    combos: list[tuple[str, ...]] = [()]
    for part in parts:
        cuts = _cuts(part)
        if not cuts:
            return ()
        combos = [c + cut for c in combos for cut in cuts][:MAX_READINGS]
    return tuple(combos)


MAX_READINGS = 4


def _cuts(word: str) -> list[tuple[str, ...]]:
    """All segmentations of ``word`` into the fewest syllables (dynamic programming)."""
    if not word.isascii() or not word.isalpha():
        return []
    n = len(word)
    best: list[list[tuple[str, ...]]] = [[] for _ in range(n + 1)]
    best[0] = [()]
    for i in range(n):
        if not best[i]:
            continue
        size = len(best[i][0])
        for j in range(i + 1, min(n, i + _LONGEST) + 1):
            piece = word[i:j]
            if piece not in SYLLABLES:
                continue
            here = best[j]
            if not here or len(here[0]) > size + 1:
                best[j] = [c + (piece,) for c in best[i]][:MAX_READINGS]
            elif len(here[0]) == size + 1:
                here.extend(c + (piece,) for c in best[i])
                del here[MAX_READINGS:]
    return best[n]
