"""Sort keys that follow each language's own order.

* Chinese titles sort by pinyin (with the tone as a tie-breaker), as Chinese
  library catalogues do, whatever the script of the record; Japanese and
  Korean titles sort by their romanized form.
* Vietnamese titles sort in Vietnamese alphabetical order: a ă â b c d đ e
  ê g h i k l m n o ô ơ p q r s t u ư v x y, then by tone (none, huyền,
  hỏi, ngã, sắc, nặng).
* Everything else sorts by its letters with accents ignored, then with
  accents as a tie-breaker.

A key is a plain string compared code point by code point (UTF-8 bytes in
a Whoosh column compare the same way).
"""

from __future__ import annotations

import re
import unicodedata

from .segmenters import HAN_RUN, to_simplified
from .textnorm import TONE_MARKS, fold, looks_vietnamese, nfc

# Vietnamese letters as ASCII that sorts right among other languages' keys:
# a letter with a shape mark is its base letter followed by a character
# that sorts after "z", so every a-word comes before every ă-word.
_VI_ORDER = {"ă": "a{", "â": "a|", "đ": "d{", "ê": "e{", "ô": "o{", "ơ": "o|", "ư": "u{"}
_VI_TONES = {"": "0", "\u0300": "1", "\u0309": "2", "\u0303": "3", "\u0301": "4", "\u0323": "5"}
_SEPARATOR = "\u0001"  # sorts before every letter, so "ab" < "ab c" < "abc"

def _tone3(text: str) -> list[str]:
    from pypinyin import Style, lazy_pinyin   # (imported on first use)
    return lazy_pinyin(text, style=Style.TONE3, neutral_tone_with_five=True, errors="ignore")


_ALNUM_RUN = re.compile(r"[^\W_]+")   # runs of characters for which str.isalnum() is true


def _latin_key(text: str) -> str:
    words = _ALNUM_RUN.findall(text.lower())
    primary = _SEPARATOR.join(fold(w) for w in words)
    return primary + "\u0000" + " ".join(words)


def _vietnamese_key(text: str) -> str:
    primary, tones = [], []
    for word in nfc(text).lower().split():
        letters, word_tones = [], []
        for ch in word:
            decomposed = unicodedata.normalize("NFD", ch)
            tone = next((m for m in decomposed if m in TONE_MARKS), "")
            base = unicodedata.normalize("NFC", "".join(m for m in decomposed if m not in TONE_MARKS))
            if base in _VI_ORDER:
                letters.append(_VI_ORDER[base])
            elif base.isalnum():
                letters.append(fold(base) if not base.isascii() else base)
            word_tones.append(_VI_TONES[tone])
        if letters:
            primary.append("".join(letters))
            tones.append("".join(word_tones))
    return _SEPARATOR.join(primary) + "\u0000" + " ".join(tones)


def _chinese_key(text: str) -> str:
    syllables = _tone3(to_simplified("".join(HAN_RUN.findall(text))))
    return _SEPARATOR.join(s[:-1] if s[-1:].isdigit() else s for s in syllables) + "\u0000" + \
        "".join(s[-1] for s in syllables if s[-1:].isdigit())


def title_key(mapped: dict) -> str:
    """The key a record's title sorts by."""
    title = mapped.get("title") or ""
    vernacular = mapped.get("title_vernacular") or ""
    languages = mapped.get("languages", ())
    han = vernacular if HAN_RUN.search(vernacular) else (title if HAN_RUN.search(title) else "")
    # pinyin order is for Chinese: a Japanese or Korean title written with Han
    # characters sorts by its romanization (when the record gives one)
    if han and ("chi" in languages or not languages or HAN_RUN.search(title)):
        return _chinese_key(han)
    if "vie" in mapped.get("languages", ()) or looks_vietnamese(title):
        return _vietnamese_key(title)
    return _latin_key(title or vernacular)


def name_key(name: str) -> str:
    """The key an author heading sorts by (Vietnamese and Han names by their own order)."""
    if HAN_RUN.search(name):
        return _chinese_key(name)
    if looks_vietnamese(name):
        return _vietnamese_key(name)
    return _latin_key(name)
