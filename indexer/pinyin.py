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

from .textnorm import fold

_DATA = Path(__file__).with_name("data") / "pinyin_syllables.txt"
SYLLABLES = frozenset(
    line.strip() for line in _DATA.read_text(encoding="utf-8").splitlines()
    if line.strip() and not line.startswith("#"))
_LONGEST = max(map(len, SYLLABLES))
_TONE_NUMBER = re.compile(r"(?<=[a-zü])[1-5]")

_pinyin = None


def han_to_pinyin(text: str) -> list[str]:
    """Toneless syllables of the Han characters in ``text`` (others are skipped)."""
    global _pinyin
    if _pinyin is None:
        from pypinyin import lazy_pinyin
        _pinyin = lazy_pinyin
    out = []
    for syllable in _pinyin(text, v_to_u=False, errors="ignore"):
        syllable = syllable.strip().lower()
        if syllable.isascii() and syllable.isalpha():
            out.append(syllable)
    return out


@lru_cache(maxsize=16384)
def split_syllables(word: str) -> tuple[str, ...] | None:
    """Cut one typed word into pinyin syllables, or None if it is not pinyin.

    ``honglou`` -> (hong, lou); ``xi'an`` -> (xi, an); ``hóng`` -> (hong,);
    tone numbers and marks are ignored; ``ü`` may be typed ``v`` or ``u:``.
    """
    w = _TONE_NUMBER.sub("", word.lower()).replace("u:", "v").replace("ü", "v")
    w = fold(w)
    parts = [p for p in re.split(r"['\u2019-]", w) if p]
    if not parts:
        return None
    out: list[str] = []
    for part in parts:
        cut = _cut(part)
        if cut is None:
            return None
        out.extend(cut)
    return tuple(out)


def _cut(word: str) -> list[str] | None:
    """Fewest syllables covering ``word`` exactly (dynamic programming)."""
    if not word.isascii() or not word.isalpha():
        return None
    n = len(word)
    best: list[list[str] | None] = [None] * (n + 1)
    best[0] = []
    for i in range(n):
        if best[i] is None:
            continue
        for j in range(min(n, i + _LONGEST), i, -1):
            piece = word[i:j]
            if piece in SYLLABLES and (best[j] is None or len(best[i]) + 1 < len(best[j])):
                best[j] = best[i] + [piece]
    return best[n]
