"""Wade-Giles and Hanyu Pinyin, syllable for syllable.

LC converted its Chinese records to pinyin in 2000; older records, other
libraries and many readers still write Wade-Giles (``Mao Tse-tung`` for Mao
Zedong, ``Chʻing`` for Qing). The table (``data/wade_giles.tsv``, written by
``scripts/make_wade_giles.py`` from the standard correspondence) is read once.

Many Wade-Giles syllables are English words (``chang``, ``sun``, ``men``,
``hung``, ``pen``, ``to``, ``so``), so a word is taken for Wade-Giles only when
it carries a mark pinyin never writes (:func:`marked`); the words beside such a
word are then read as Wade-Giles too (``Teng Hsiao-pʻing``).
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from pathlib import Path

from .pinyin import split_syllables
from .textnorm import FOLDED_MARK

_DATA = Path(__file__).with_name("data") / "wade_giles.tsv"
ASPIRATE = "\u02bb"
# the apostrophes readers and catalogues write for aspiration
_APOSTROPHES = re.compile("['\u2018\u2019\u02bb\u02bc`]")
_MARKED_INITIAL = re.compile("^(hs|ts|tz|ss|sz)")


def _plain(text: str) -> str:
    """Without ü's diaeresis and ê's circumflex (aspiration kept)."""
    return "".join(c for c in unicodedata.normalize("NFD", text)
                   if not unicodedata.combining(c))


def _load() -> tuple[dict[str, tuple[str, ...]], dict[str, str]]:
    to_pinyin: dict[str, list[str]] = {}
    from_pinyin: dict[str, str] = {}
    for line in _DATA.read_text(encoding="utf-8").splitlines():
        if not line or line.startswith("#"):
            continue
        wg, py = line.split("\t")
        to_pinyin.setdefault(wg, []).append(py)
        from_pinyin.setdefault(py, wg)
    # ü and ê are often typed (and catalogued) without their marks: the unmarked
    # spelling is read too where no other syllable is spelled that way (hsu, tse)
    for wg, pys in list(to_pinyin.items()):
        plain = _plain(wg)
        if plain != wg and plain not in to_pinyin:
            to_pinyin[plain] = pys
    return {wg: tuple(pys) for wg, pys in to_pinyin.items()}, from_pinyin


TO_PINYIN, FROM_PINYIN = _load()


def aspirated_pattern() -> str:
    """A regular expression for an aspirated Wade-Giles syllable written with any
    apostrophe (``Ch'ing``, ``tʻang``, ``K’ung``), case-insensitive, as a whole word:
    the word analyzers read such a syllable as one word, not two (``ch``, ``ing``)."""
    heads: dict[str, list[str]] = {}
    for syllable in TO_PINYIN:
        if ASPIRATE in syllable:
            head, tail = syllable.split(ASPIRATE, 1)
            heads.setdefault(head, []).append(re.escape(tail))
    alternatives = "|".join(
        f"{head}{_APOSTROPHES.pattern}(?:{'|'.join(sorted(tails, key=len, reverse=True))})"
        for head, tails in sorted(heads.items(), key=lambda kv: -len(kv[0])))
    return f"(?i:(?<![^\\W_])(?:{alternatives})(?![^\\W_]))"


def aspirate(word: str) -> str:
    """``word`` with its apostrophes written as LC writes aspiration (``ch'ing``: ``chʻing``)."""
    return _APOSTROPHES.sub(ASPIRATE, word)


def _syllables(word: str) -> list[str] | None:
    """A word's hyphen-separated parts when each is one Wade-Giles syllable, else None."""
    word = _APOSTROPHES.sub(ASPIRATE, unicodedata.normalize("NFC", word.lower()))
    parts = word.split("-")
    if not all(part in TO_PINYIN for part in parts):
        return None
    return parts


def marked(word: str) -> bool:
    """Whether a word is Wade-Giles by a mark pinyin never writes: syllables joined by
    hyphens (Tse-tung), an aspiration apostrophe (Chʻing, T'ang), ü or ê, an initial hs,
    ts, tz, ss or sz, or a final -ih or -ieh (shih, hsieh)."""
    parts = _syllables(word)
    if not parts:
        return False
    return len(parts) > 1 or any(
        ASPIRATE in s or "ü" in s or "ê" in s or _MARKED_INITIAL.match(s)
        or s.endswith("ih") or (s.endswith("ieh") and s != "yeh") for s in parts)


@lru_cache(maxsize=4096)
def to_pinyin(word: str) -> tuple[tuple[str, ...], ...]:
    """The pinyin readings of a Wade-Giles word, syllable by syllable (``Tse-tung``:
    ((ze, dong),)); () if it is not Wade-Giles."""
    parts = _syllables(word)
    if not parts:
        return ()
    readings: list[tuple[str, ...]] = [()]
    for part in parts:
        readings = [r + (py,) for r in readings for py in TO_PINYIN[part]][:4]
    return tuple(readings)


def distinctly_pinyin(word: str) -> bool:
    """Whether a word is pinyin that no English word spells: two or more syllables
    (zedong, xiaoping) or one with the initial q, x or zh."""
    readings = split_syllables(word)
    return bool(readings) and (len(readings[0]) > 1
                               or readings[0][0].startswith(("q", "x", "zh")))


@lru_cache(maxsize=4096)
def from_pinyin(word: str) -> tuple[tuple[str, ...], ...]:
    """The Wade-Giles syllables of a pinyin word, one reading per way of cutting it
    (``zedong``: ((tsê, tung),)); () if it is not pinyin."""
    out = []
    for reading in split_syllables(word):
        wg = tuple(FROM_PINYIN.get(s.replace("v", "ü"), "") for s in reading)
        if all(wg):
            out.append(wg)
    return tuple(out)


def index_forms(syllable: str) -> tuple[str, ...]:
    """The terms a Wade-Giles syllable may be indexed as: with its marks (``tʻang``,
    ``lü`` folded as ``~lu``) and as catalogues write it without them (``tang``)."""
    forms = [syllable]
    plain = _plain(syllable).replace(ASPIRATE, "")
    if plain != syllable:
        forms.append(plain)
    if "ü" in syllable or "ê" in syllable:
        forms.append(FOLDED_MARK + _plain(syllable.replace(ASPIRATE, "")))
    return tuple(dict.fromkeys(forms))
