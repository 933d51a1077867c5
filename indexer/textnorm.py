"""Pure text functions behind the analyzers: normalisation, tone placement, folding.

Nothing here is pickled into the index, but changing what these functions
return changes the tokens: bump ``analysis.ANALYSIS_VERSION`` when you do.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

# Han ideographs: URO, Extension A, compatibility ideographs, Extensions B-H
# and the compatibility supplement, plus U+3007 (〇).
HAN_CLASS = ("\u3007\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
             "\U00020000-\U0003134f\U0002f800-\U0002fa1f")

# -- word division inside Han text --------------------------------------------

# Between two Han characters these are the cataloguer's word division, not the
# reader's: older (RLIN-era) LC records put an ideographic space between Han
# words (台灣　的　新反對　運動; :func:`normalize` has made it a space by then),
# names carry middle dots (列夫·托尔斯泰) and some text zero-width characters.
# Readers type the text without them, so analysis reads Han across them.
HAN_GAP_CHARS = " \t\u00b7\u2027\u30fb\u200b\u200c\u200d\u2060\ufeff"
_HAN_GAP = re.compile(f"(?<=[{HAN_CLASS}])[{HAN_GAP_CHARS}]+(?=[{HAN_CLASS}])")
_GAP = re.compile(f"[{HAN_GAP_CHARS}]")


def close_han_gaps(text: str) -> str:
    """``text`` with the word division between Han characters taken out (see above)."""
    return _HAN_GAP.sub("", text) if _GAP.search(text) else text


# What a query keeps of the reader's own division between Han words: a WORD JOINER
# (itself a gap, so every analysis reads across it) where the reader put a space.
HAN_JOINER = "\u2060"


def join_han_gaps(text: str) -> str:
    """``text`` with each division between Han characters made one :data:`HAN_JOINER`:
    one word to the query parser, whose parts the compiler can still tell apart."""
    return _HAN_GAP.sub(HAN_JOINER, text) if _GAP.search(text) else text


def han_gap_map(run: str) -> tuple[str, list[int]]:
    """A run of Han characters and gaps as (the characters alone, the offset in ``run``
    of each of them), so tokens of the joined text keep their true offsets."""
    where = [i for i, ch in enumerate(run) if ch not in HAN_GAP_CHARS]
    return "".join(run[i] for i in where), where


# -- width and Unicode normalisation ------------------------------------------

# Full-width ASCII (U+FF01-FF5E) to ASCII and the ideographic space to a space,
# one character for one so character offsets stay true.
_WIDTH = {cp: cp - 0xFEE0 for cp in range(0xFF01, 0xFF5F)}
_WIDTH[0x3000] = 0x20
_HALFWIDTH = re.compile("[\uff61-\uffef]")


def _halfwidth_char(m: re.Match) -> str:
    folded = unicodedata.normalize("NFKC", m.group(0))
    return folded if len(folded) == 1 else m.group(0)


# Vietnamese letters carry a shape mark (circumflex, breve) and a tone mark,
# both of combining class 230, so canonical ordering cannot put them right:
# LC writes ê + acute as e, U+0301, U+0302, which NFC leaves as "é̂". The
# shape mark must come first for NFC to compose "ế".
_TONE_BEFORE_SHAPE = re.compile("([\u0300\u0301\u0303\u0309])([\u0302\u0306])")
_COMBINING = re.compile("[\u0300-\u036f]")


def nfc(text: str) -> str:
    """NFC, with Vietnamese shape and tone marks put in composable order first."""
    if text.isascii():
        return text
    if _COMBINING.search(text):
        text = _TONE_BEFORE_SHAPE.sub(r"\2\1", unicodedata.normalize("NFD", text))
    return unicodedata.normalize("NFC", text)


def normalize(text: str) -> str:
    """NFC (see :func:`nfc`), full-width ASCII and half-width kana folded to their usual forms."""
    if text.isascii():   # (a constant-time test in CPython)
        return text
    text = nfc(text).translate(_WIDTH)
    if _HALFWIDTH.search(text):
        text = _HALFWIDTH.sub(_halfwidth_char, text)
    return text


# -- Vietnamese tone marks ----------------------------------------------------

TONE_MARKS = {"\u0300", "\u0301", "\u0303", "\u0309", "\u0323"}  # huyền sắc ngã hỏi nặng
_VOWELS = set("aăâeêioôơuưy")
_MARKED_VOWELS = set("ăâêôơư")
# A Vietnamese syllable: optional onset, a vowel nucleus, optional coda.
_SYLLABLE = re.compile(
    r"^(ngh|ng|nh|ch|gh|gi|kh|ph|qu|th|tr|[bcdđghklmnpqrstvx])?"
    r"([aăâeêioôơuưy]{1,3})"
    r"(ng|nh|ch|[cmnpt])?$")
_NUCLEI = frozenset((
    "a ă â e ê i o ô ơ u ư y ai ao au ay âu ây eo êu ia iê iu oa oă oe oi ôi ơi oo ua uâ "
    "uê ui uô uơ uy ưa ưi ươ ưu yê oai oay oao oeo uây uôi uya uyê uyu ươi ươu yêu iêu").split())
_VIETNAMESE_LETTERS = re.compile(
    "[ăâđêôơưĂÂĐÊÔƠƯ\u0300\u0301\u0303\u0309\u0323\u0306\u031b"
    "ạảấầẩẫậắằẳẵặẹẻẽếềểễệỉịọỏốồổỗộớờởỡợụủứừửữựỳỵỷỹ]")


def looks_vietnamese(text: str) -> bool:
    """True if the text has a letter or mark only Vietnamese uses among Latin scripts."""
    return _VIETNAMESE_LETTERS.search(text) is not None


# A Vietnamese syllable written without diacritics (hanoi = ha + noi, saigon = sai + gon).
_FOLDED_SYLLABLE = re.compile(
    r"(ngh|ng|nh|ch|gh|gi|kh|ph|qu|th|tr|[bcdghklmnpqrstvx])?([aeiouy]{1,3})(ng|nh|ch|[cmnpt])?")
_FOLDED_NUCLEI = frozenset("".join(c for c in unicodedata.normalize("NFD", n)
                                   if not unicodedata.combining(c)) for n in _NUCLEI)


@lru_cache(maxsize=16384)
def split_folded_syllables(word: str, most: int = 3) -> tuple[tuple[str, ...], ...]:
    """The ways a lowercase word without diacritics divides into two to ``most``
    Vietnamese syllables (``hanoi``: ha noi, han oi), as readers join place and
    personal names (hanoi, vietnam, saigon)."""
    out: list[tuple[str, ...]] = []

    def walk(rest: str, parts: tuple[str, ...]) -> None:
        if not rest:
            if len(parts) >= 2:
                out.append(parts)
            return
        if len(parts) >= most:
            return
        for end in range(len(rest), 0, -1):
            m = _FOLDED_SYLLABLE.fullmatch(rest[:end])
            # a later syllable starts with a consonant: a joined name is not cut before
            # a vowel (hanoi is ha noi, not han oi)
            if m and m.group(2) in _FOLDED_NUCLEI and (m.group(1) or not parts):
                walk(rest[end:], parts + (rest[:end],))

    if word.isascii() and word.isalpha() and 4 <= len(word) <= 21:
        walk(word, ())
    return tuple(out)


def is_folded_syllable(word: str) -> bool:
    """Whether a lowercase word without diacritics can be one Vietnamese syllable."""
    m = _FOLDED_SYLLABLE.fullmatch(word)
    return bool(m) and m.group(2) in _FOLDED_NUCLEI


def _tone_index(onset: str, nucleus: str, coda: str) -> int:
    """Where the tone mark belongs in the nucleus (the 'new' placement: hoà, thuý, khoẻ)."""
    marked = [i for i, ch in enumerate(nucleus) if ch in _MARKED_VOWELS]
    if marked:
        return marked[-1]          # ươ takes it on ơ; otherwise the one marked vowel
    if len(nucleus) == 1:
        return 0
    if coda:
        return len(nucleus) - 1    # toán, hoàng, tuyết
    if len(nucleus) == 3:
        return 1                   # hoài, khuỷu
    if nucleus in ("oa", "oe", "uy"):
        return 1                   # hoà, khoẻ, thuý
    return 0                       # mái, cáo, múa, gìn


@lru_cache(maxsize=65536)
def place_tone(word: str) -> str:
    """Put a Vietnamese syllable's tone mark where the modern rule puts it.

    ``hòa`` and ``hoà`` both become ``hoà``; a word that is not a well-formed
    Vietnamese syllable with one tone mark comes back unchanged.
    """
    decomposed = unicodedata.normalize("NFD", word)
    tones = [ch for ch in decomposed if ch in TONE_MARKS]
    if len(tones) != 1:
        return word
    bare = unicodedata.normalize("NFC", "".join(ch for ch in decomposed if ch not in TONE_MARKS))
    lower = bare.lower()
    m = _SYLLABLE.match(lower)
    if not m:
        return word
    onset, nucleus, coda = m.group(1) or "", m.group(2), m.group(3) or ""
    if nucleus not in _NUCLEI:
        return word
    where = len(onset) + _tone_index(onset, nucleus, coda)
    placed = bare[:where + 1] + tones[0] + bare[where + 1:]
    return unicodedata.normalize("NFC", placed)


# -- folding ------------------------------------------------------------------

_FOLD_EXTRA = str.maketrans({
    "đ": "d", "Đ": "d", "ø": "o", "Ø": "o", "ł": "l", "Ł": "l", "ı": "i", "ß": "ss",
    "æ": "ae", "Æ": "ae", "œ": "oe", "Œ": "oe", "þ": "th", "ð": "d", "ħ": "h",
    # Arabic: alef forms, alef maqsura, teh marbuta, tatweel
    "أ": "ا", "إ": "ا", "آ": "ا", "ٱ": "ا", "ى": "ي", "ة": "ه", "ـ": None,
    # Cyrillic ё is е with a diaeresis, and NFD takes care of it; й stays й
})
_KEEP_MARKS = {"\u0306"}  # breve: Cyrillic й/ў are letters of their own


# The folded form an accented word is also indexed under, marked so that a query can
# tell it from the same letters catalogued without any diacritics: ``thứ`` is indexed
# as ``thứ`` and ``~thu``, the plain word ``thu`` as ``thu``. A reader who types
# ``thu`` finds all three spellings alike; one who types ``thư`` finds ``thư`` first,
# then ``thu`` and ``thứ`` at lower weights (see discovery.whoosh_query).
FOLDED_MARK = "~"


@lru_cache(maxsize=65536)
def fold(word: str) -> str:
    """Lowercase, strip diacritics (Latin, Greek, Hebrew points, Arabic vowels) and map đ to d."""
    return fold_text(word)


_WORD = re.compile(r"[^\W_]+")


def folded_words(text: str) -> list[str]:
    """The words of a text, folded: the text is folded first, so a letter with a mark
    NFC has no composed form for (r̥, ã̧) stays one word, as readers type it."""
    return _WORD.findall(text.lower() if text.isascii() else fold_text(text))


def fold_text(word: str) -> str:
    """:func:`fold` without its cache, for whole texts."""
    if word.isascii():
        return word.lower()
    decomposed = unicodedata.normalize("NFD", word.lower())
    out = []
    for ch in decomposed:
        if unicodedata.combining(ch) and not (ch in _KEEP_MARKS and out and _is_cyrillic(out[-1])):
            continue
        out.append(ch)
    return unicodedata.normalize("NFC", "".join(out)).translate(_FOLD_EXTRA)


def _is_cyrillic(ch: str) -> bool:
    return "\u0400" <= ch <= "\u04ff"
