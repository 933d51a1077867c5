"""The two forms of one name that a record's 880 pairs give, as keys both sides look up.

An LC record names its author as ``Lu, Xun, 1881-1936`` with the 880
``鲁迅, 1881-1936``; another library's record of another work may give only one
of the two. Each generation's suggestion store keeps every pair it has seen
(:meth:`indexer.suggest.SuggestStore.names_paired`), and a query that is one
of the forms also asks for the other (:mod:`discovery.compiler`). Keys drop
what the two forms write differently from one record to the next: dates and
punctuation, diacritics and case, and traditional against simplified Han.
"""

from __future__ import annotations

import re

from .segmenters import HAN_RUN, to_simplified
from .textnorm import close_han_gaps, folded_words, normalize

_DATES = re.compile(r"\d")
# alif and ayin (Gavriʼel, Yaʻakov) and their ASCII stand-ins: readers leave them out
_MARKS = re.compile("[\u02bb\u02bc\u02b9\u02ba'\u2018\u2019`]")
MIN_WORDS = 2      # one word (Ba Jin's "Ba") would pair too widely to mean one person
MIN_HAN = 2


def _words(text: str) -> list[str]:
    """Folded words without dates and without alif/ayin marks."""
    return folded_words(_MARKS.sub("", _DATES.sub(" ", text)))


def roman_key(name: str) -> str:
    """``Lu, Xun, 1881-1936`` -> ``lu xun``, ``Gavriʼel, David`` -> ``gavriel david``;
    '' for a name too short to pair."""
    words = _words(normalize(name))
    return " ".join(words) if len(words) >= MIN_WORDS and not HAN_RUN.search(name) else ""


def vernacular_key(name: str) -> str:
    """The Han of a name, simplified and without gaps: ``魯迅, 1881-1936`` -> ``鲁迅``;
    for a name in another script (kana, hangul, Cyrillic ...) its folded words."""
    text = close_han_gaps(normalize(name))
    han = "".join(HAN_RUN.findall(text))
    if han:
        return to_simplified(han) if len(han) >= MIN_HAN else ""
    return " ".join(_words(text))


def without_dates(name: str) -> str:
    """A heading as a reader would type it: ``Lu, Xun, 1881-1936`` -> ``Lu, Xun``."""
    return re.sub(r"[,\s]*\d{3,4}\??-?(\d{3,4}\??)?\.?$", "", name.strip()).strip(" ,")
