"""Headings in browse order: author and subject headings, and the values that list them.

A browse field (``author_browse``, ``subject_browse``, ``subject_az``) holds a
document's headings each as ``<key in hex>\x1e<heading>``: the key is the
heading's collation key (:mod:`indexer.collation`: pinyin order for Han,
Vietnamese order for Vietnamese), a subject's subdivisions each keyed on their
own and joined by a separator that sorts before a word boundary (``China --
History`` before ``China Sea``); in hex, so that a value's code point order is
its key's byte order on every engine and no control character reaches one.
Listing a field's values in their order lists the headings alphabetically;
the values starting with :func:`typed_prefix` of what a reader typed (in any
script: ``zhang`` finds 张 too) are the headings starting with it.

A forms field (``author_forms``, ``subject_forms``) holds the headings that
have a form in another script (the romanized heading's vernacular 880) as
``<browse value>\x1e<other form>``: right after its heading's value in the
same order, so the other forms of a page of headings are the values between
the page's first and last (:func:`forms_range`). Each heading is then one entry
whether or not every record gives its other form.
"""

from __future__ import annotations

from .collation import name_key
from .segmenters import to_simplified
from .textnorm import folded_words, normalize

PART = "\x1e"            # between the key, the heading and its other form
SUBDIVISION = " -- "
_BOUNDARY = "\x00"       # between a subject's parts: before the word separator (\x01)
_SECONDARY = "\x00\x00"  # before the accents and tones that break ties


def heading_key(heading: str) -> str:
    """The collation key of a heading (a subject's subdivisions keyed part by part)."""
    primary, secondary = [], []
    for part in heading.split(SUBDIVISION):
        first, _sep, second = name_key(part.strip()).partition("\x00")
        primary.append(first)
        secondary.append(second)
    return _BOUNDARY.join(primary) + _SECONDARY + " ".join(secondary)


def _hex(text: str) -> str:
    return text.encode("utf-8").hex()


def browse_value(heading: str) -> str:
    """A heading as a browse field holds it."""
    return _hex(heading_key(heading)) + PART + heading


def form_value(heading: str, other: str) -> str:
    """A heading's other form as a forms field holds it."""
    return browse_value(heading) + PART + other


def read_value(value: str) -> tuple[str, str | None]:
    """(heading, other form or None) of a browse or forms field's value."""
    _key, _sep, rest = value.partition(PART)
    heading, _sep, other = rest.partition(PART)
    return heading, other or None


def forms_range(first: str, last: str) -> tuple[str, str]:
    """The forms values of the headings from browse value ``first`` to ``last``: those
    from ``first`` up to (and not past) ``last`` with anything after it."""
    return first + PART, last + PART + "\U0010ffff"


def typed_prefix(typed: str) -> str:
    """The value prefix of the headings starting with what was typed ('' for nothing):
    the typed text's key without its tie-breakers, in hex."""
    text = " ".join(typed.split())
    if not text:
        return ""
    primary = heading_key(text).partition(_SECONDARY)[0]
    return _hex(primary)


def match_key(heading: str) -> str:
    """A heading for exact lookup: each part's words lowercased and folded, Han in
    simplified form, parts joined by `` -- ``."""
    return SUBDIVISION.join(" ".join(folded_words(to_simplified(normalize(part))))
                            for part in heading.split(SUBDIVISION))


def heading_keys(heading: str) -> list[str]:
    """The lookup key of a subject heading whole (``heading:"China -- History"`` finds
    the records with that heading, and neither "China" nor "China -- History -- 1949-"):
    a heading's search finds what its browse entry counts."""
    key = match_key(heading)
    return [key] if key.strip(" -") else []
