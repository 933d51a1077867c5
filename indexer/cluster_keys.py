"""What clustering compares: a record's match keys, and how two records' keys meet.

``match_keys(mapped)`` reduces a mapped record (:func:`indexer.mapping.map_stored`)
to normalised values: ids (ISBN-13, OCLC, LCCN, ISSN), title and main-author
keys in each script the record gives, year, format, language, edition and
title numbers, and the extent's page count.

* Title keys: NFC with Vietnamese tone marks put where the modern rule puts
  them (hòa = hoà), lowercase words, Han converted to simplified (OpenCC t2s)
  and run together (LC spaces Han words in its 880s, Chinese catalogues do not).
* Author keys: surname and first initial, folded ("Chen, Wanzhen, 1950-" ->
  "chen w"); names without a comma (corporate, Chinese, Vietnamese direct
  order) whole, qualifiers in parentheses dropped.
* Chinese-language records also get a pinyin pair: the romanized title and
  author as letters only, or for a record with only Han text, pypinyin's
  reading of it, so a Chinese library's record in characters can meet an
  American library's romanized copy without 880s.

Titles meet when their authors are equal and the titles are within
:func:`tolerance` edits with the same digits; without an author only an exact
title of :data:`MIN_AUTHORLESS` or more (CJK characters count twice) meets.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from .segmenters import HAN_CLASS, HAN_RUN, KANA_HANGUL_CLASS, to_simplified
from .pinyin import han_to_pinyin
from .textnorm import fold, looks_vietnamese, normalize, place_tone

AFFIX = 5                 # characters of a title's start and end used as blocking keys
MIN_AUTHORLESS = 12       # shortest title (CJK twice) that may match without an author
VAGUE_LANGUAGES = frozenset({"und", "mul", "zxx", "|||", "   ", ""})
PINYIN_LANGUAGES = frozenset({"chi"})

_WORD = re.compile(r"(?:[^\W_]|[\u0300-\u036f\ufe20-\ufe2f])+")
_HAN_GAP = re.compile(f"(?<=[{HAN_CLASS}]) (?=[{HAN_CLASS}])")
_DIGITS = re.compile(r"[0-9]+")
_CJK = re.compile(f"[{HAN_CLASS}{KANA_HANGUL_CLASS}]")
_QUALIFIERS = re.compile(r"\([^)]*\)|\[[^\]]*\]")
_EXTENT_END = re.compile(r"[:;+]")
_VOLUMES = re.compile(r"\bv\.|\bvols?\b|册|卷|tập", re.I)
_NOT_LETTER = re.compile(r"[^a-z0-9]+")
_HAN_OR_DIGITS = re.compile(f"[{HAN_CLASS}]+|[0-9]+")


@dataclass(frozen=True, slots=True)
class MatchKeys:
    """What matching reads of one record. Empty strings and sets mean unknown."""

    isbns: tuple = ()                   # ISBN-13 forms (ids are sorted tuples: small)
    oclc: tuple = ()                    # digits, leading zeros off
    lccn: tuple = ()
    issns: tuple = ()
    title: str = ""                     # title_key of the main title
    author: str = ""                    # author_key of the first author
    title_vernacular: str = ""          # the same two from the 880s (the romanized
    author_vernacular: str = ""         # author when only the title has an 880)
    year: int | None = None
    format: str = ""
    language: str = ""                  # first language code, "" when vague
    edition: str = ""                   # numbers of the edition statement, "" for none or 1
    numbers: str = ""                   # numbers (0-9) in the main title: volumes, parts, years
    pages: int | None = None            # extent: last page, or -volumes for a set
    title_pinyin: str = ""              # Chinese only: romanized or pypinyin letters
    author_pinyin: str = ""

    def pairs(self) -> list[tuple[str, str]]:
        """(title key, author key) in each script the record gives."""
        out = [(self.title, self.author)] if self.title else []
        if self.title_vernacular and self.title_vernacular != self.title:
            out.append((self.title_vernacular, self.author_vernacular))
        return out

    def all_pairs(self) -> list[tuple[str, str]]:
        """The pairs and the pinyin pair (whose title is marked with a leading "~")."""
        out = self.pairs()
        if self.title_pinyin:
            out.append(("~" + self.title_pinyin, self.author_pinyin))
        return out


# -- keys ---------------------------------------------------------------------

def _han_words(text: str) -> list[str]:
    if HAN_RUN.search(text):
        text = to_simplified(text)
    return _WORD.findall(text)


def title_key(text: str) -> str:
    """Lowercase words of NFC text, Vietnamese tones placed, Han simplified and unspaced."""
    if not text:
        return ""
    text = normalize(text).lower()
    words = _han_words(text)
    if looks_vietnamese(text):
        words = [place_tone(w) for w in words]
    return _HAN_GAP.sub("", " ".join(words))


def author_key(name: str) -> str:
    """Folded surname and first initial ("Chen, Wanzhen, 1950-" -> "chen w"); other names whole."""
    if not name:
        return ""
    parts = [p.strip() for p in _QUALIFIERS.sub(" ", normalize(name)).split(",")]
    words = [fold(w) for w in _han_words(parts[0])]
    if len(parts) > 1 and not any(ch.isdigit() for ch in parts[1]):
        forename = _WORD.findall(parts[1])
        if forename:
            words.append(fold(forename[0])[:1])
    return _HAN_GAP.sub("", " ".join(words))


def numbers(text: str | None) -> str:
    """The numbers in ``text``, leading zeros off: "v. 02 (1923-1936)" -> "2 1923 1936"."""
    return " ".join(str(int(d)) for d in _DIGITS.findall(text or ""))


def extent_size(extent: str | None) -> int | None:
    """The largest page number of an extent ("xi, 243 p. : ill." -> 243), -n for n volumes."""
    head = _EXTENT_END.split(extent or "", 1)[0]
    sizes = [int(d) for d in _DIGITS.findall(_QUALIFIERS.sub(" ", head))]
    if not sizes:
        return None
    return -max(sizes) if _VOLUMES.search(head) else max(sizes)


def _letters(text: str) -> str:
    return _NOT_LETTER.sub("", fold(text))


def _name_letters(name: str) -> str:
    """A name as letters, dates and qualifiers off, Han read as pinyin: "Li, Wuwei, 1950-"
    and "李无为, 1950-" -> "liwuwei"."""
    parts = [p for p in _QUALIFIERS.sub(" ", name).split(",") if not any(c.isdigit() for c in p)]
    return "".join(_pinyin(p) if HAN_RUN.search(p) else _letters(p) for p in parts)


def _pinyin(text: str) -> str:
    """pypinyin's reading of the Han in ``text`` as letters (lv -> lu, as LC's lü folds),
    with the text's digits kept in place."""
    out = []
    for m in _HAN_OR_DIGITS.finditer(_QUALIFIERS.sub(" ", text)):
        run = m.group(0)
        out.append(run if run.isdigit() else
                   "".join(han_to_pinyin(to_simplified(run))).replace("v", "u"))
    return "".join(out)


def pinyin_pair(mapped: dict) -> tuple[str, str]:
    """A Chinese record's title and main author as pinyin letters: LC's romanization
    when the record has it, else pypinyin's reading of the Han title and author."""
    title = mapped.get("title") or ""
    author = (mapped.get("authors") or [""])[0]
    if title and not HAN_RUN.search(title):
        return _letters(title), _name_letters(author)
    return _pinyin(title), _name_letters(author)


def _ids(values) -> tuple:
    return tuple(sorted(set(values)))


def match_keys(mapped: dict) -> MatchKeys:
    """Matching keys of a mapped record (keys read: isbns, oclc, lccn, issns, title,
    title_vernacular, authors, authors_vernacular, year, format, languages, edition,
    extent)."""
    authors = mapped.get("authors") or [""]
    vernacular = mapped.get("authors_vernacular") or [""]
    languages = [code for code in mapped.get("languages") or () if code not in VAGUE_LANGUAGES]
    edition = numbers(mapped.get("edition"))
    chinese = bool(languages) and languages[0] in PINYIN_LANGUAGES
    pinyin = pinyin_pair(mapped) if chinese else ("", "")
    return MatchKeys(
        isbns=_ids(v for v in mapped.get("isbns") or () if len(v) == 13),
        oclc=_ids(v.lstrip("0") for v in mapped.get("oclc") or () if v.strip("0")),
        lccn=_ids(v.strip() for v in mapped.get("lccn") or () if v.strip()),
        issns=_ids(mapped.get("issns") or ()),
        title=title_key(mapped.get("title", "")),
        author=author_key(authors[0]),
        title_vernacular=title_key(mapped.get("title_vernacular", "")),
        author_vernacular=author_key(vernacular[0]) if mapped.get("authors_vernacular")
        else author_key(authors[0]) if mapped.get("title_vernacular") else "",
        year=mapped.get("year"),
        format=mapped.get("format") or "",
        language=languages[0] if languages else "",
        edition="" if edition == "1" else edition,
        numbers=numbers(mapped.get("title")),
        pages=extent_size(mapped.get("extent")),
        title_pinyin=pinyin[0],
        author_pinyin=pinyin[1],
    )


# -- when two records' keys meet -----------------------------------------------

def weight(title: str) -> int:
    """Length with CJK characters counted twice (a Han character says more than a letter)."""
    return len(title) + len(_CJK.findall(title))


def tolerance(title: str, author: str) -> int:
    """Edits allowed for a title: none under 10 characters or without an author, one
    under 25, else two (two titles get the smaller of their two allowances)."""
    if not author or len(title) < 10:
        return 0
    return 1 if len(title) < 25 else 2


def within(a: str, b: str, k: int) -> bool:
    """Levenshtein distance of ``a`` and ``b`` at most ``k`` (banded, early exit)."""
    if a == b:
        return True
    if k <= 0 or abs(len(a) - len(b)) > k:
        return False
    start = 0                                   # common prefix and suffix cost nothing
    while start < len(a) and start < len(b) and a[start] == b[start]:
        start += 1
    ea, eb = len(a), len(b)
    while ea > start and eb > start and a[ea - 1] == b[eb - 1]:
        ea, eb = ea - 1, eb - 1
    a, b = a[start:ea], b[start:eb]
    if not a or not b:
        return max(len(a), len(b)) <= k
    big = k + 1
    prev = [j if j <= k else big for j in range(len(b) + 1)]
    for i, ca in enumerate(a, 1):
        lo, hi = max(1, i - k), min(len(b), i + k)
        cur = [big] * (len(b) + 1)
        cur[0] = i if i <= k else big
        for j in range(lo, hi + 1):
            cost = prev[j - 1] + (ca != b[j - 1])
            cur[j] = min(cost, prev[j] + 1, cur[j - 1] + 1, big)
        if min(cur[lo - 1:hi + 1]) > k:
            return False
        prev = cur
    return prev[len(b)] <= k


def pair_match(t1: str, a1: str, t2: str, a2: str) -> bool:
    """Two (title key, author key) pairs name the same book."""
    if a1 != a2:
        return False
    if not a1:
        return t1 == t2 and weight(t1) >= MIN_AUTHORLESS
    if numbers(t1) != numbers(t2):              # "v. 1" and "v. 2" are one edit apart
        return False
    return within(t1, t2, min(tolerance(t1, a1), tolerance(t2, a2)))


def title_match(x: MatchKeys, y: MatchKeys) -> bool:
    """Some title/author pair of ``x`` matches one of ``y`` (any script against any;
    pinyin pairs, whose titles start with "~", meet only each other)."""
    return any(pair_match(t1, a1, t2, a2) for t1, a1 in x.all_pairs() for t2, a2 in y.all_pairs())


def id_keys(keys: MatchKeys) -> list[str]:
    """One string per identifier: "o" OCLC, "l" LCCN, "i" ISBN-13."""
    return ([f"o{v}" for v in keys.oclc] + [f"l{v}" for v in keys.lccn]
            + [f"i{v}" for v in keys.isbns])


def title_keys(keys: MatchKeys) -> list[tuple[str, str, list[str]]]:
    """(exact key, title, blocking keys) per title that may match on title evidence.

    Blocking keys are the title's first and (when it tolerates edits) last
    :data:`AFFIX` characters after year, format and author: two titles within
    the tolerance share at least one unless both ends were edited.
    """
    if keys.year is None or not keys.format:
        return []
    out = []
    for title, author in keys.all_pairs():
        if not author and weight(title) < MIN_AUTHORLESS:
            continue
        head = f"{keys.year}\x1f{keys.format}\x1f{author}\x1f"
        blocks = [f"p{head}{title[:AFFIX]}"]
        if tolerance(title, author):
            blocks.append(f"s{head}{title[-AFFIX:]}")
        out.append((f"e{head}{title}", title, blocks))
    return out


def candidate_keys(keys: MatchKeys) -> list[str]:
    """Every key under which a record can meet another: ids and title blocks."""
    return id_keys(keys) + [b for _e, _t, blocks in title_keys(keys) for b in blocks]


def _script(text: str) -> str:
    """The script of a title's first letter: Han and kana are one ("CJK"), Latin, Cyrillic ..."""
    for ch in text:
        if ch < "\u0250":
            if ch.isalpha():
                return "LATIN"
        elif ch.isalpha():
            name = unicodedata.name(ch, "?").split()[0]
            return "CJK" if name in ("HIRAGANA", "KATAKANA") else name
    return ""


def comparable(x: MatchKeys, y: MatchKeys) -> bool:
    """Some title of ``x`` is in a script some title of ``y`` is in."""
    return not {_script(t) for t, _ in x.pairs()}.isdisjoint({_script(t) for t, _ in y.pairs()})


def _bigrams(text: str) -> set[str]:
    return {text[i:i + 2] for i in range(len(text) - 1)} or {text}


def _titles_alike(t1: str, t2: str) -> bool:
    s1, s2 = t1.replace(" ", ""), t2.replace(" ", "")
    if s1.startswith(s2) or s2.startswith(s1):
        return True
    b1, b2 = _bigrams(s1), _bigrams(s2)
    return 2 * len(b1 & b2) >= 0.6 * (len(b1) + len(b2))


def look_alike(x: MatchKeys, y: MatchKeys) -> bool:
    """The sanity check of an ISBN match: titles in the same script are alike (one a
    prefix of the other, or character bigram Dice >= 0.6) and authors in the same script
    share their first word. Nothing to compare in the same script counts as alike."""
    titles = authors = None
    for t1, a1 in x.pairs():
        for t2, a2 in y.pairs():
            if _script(t1) == _script(t2):
                titles = titles or _titles_alike(t1, t2)
            if a1 and a2 and _script(a1) == _script(a2):
                authors = authors or a1.split()[0] == a2.split()[0]
    return titles is not False and authors is not False


