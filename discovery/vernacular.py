"""A record's values in their two scripts, as the record page and result lines show them.

The mapping pairs each field that has a linked 880 with it (``*_forms``:
``{'heading': 'Chengdu Shi', 'vernacular': '成都市'}``, :func:`indexer.marc21.linked_forms`);
the plain value lists (``places``, ``publishers``) hold both forms side by side, one
subfield each, and the values no 880 pairs. :func:`paired` makes one list of the two:
each pair once, then every value that no pair already shows.
"""

from __future__ import annotations

from indexer.transforms import trim_punctuation

from .results import Parallel

# what a result line shows of a display record: its list -> the pairs of that list
DETAILS = {"authors": ("authors", "authors_vernacular", "name_forms"),
           "places": ("places", None, "place_forms"),
           "publishers": ("publishers", None, "publisher_forms"),
           "edition": ("edition", None, "edition_forms"),
           "series": ("series", None, "series_forms")}


def _values(value) -> list[str]:
    if not value:
        return []
    return [value] if isinstance(value, str) else [v for v in value if isinstance(v, str) and v]


def _core(text: str) -> str:
    return (trim_punctuation([text.strip()]) or [""])[0]


def _parts(text: str) -> list[str]:
    """A pair's form whole and each place or publisher it joins (``Zhonghua shu ju :
    Xin hua shu dian``: both publishers, each a value of ``publishers``)."""
    return [text, *(p for part in text.split(" ; ") for p in part.split(" : "))]


def paired(values, forms) -> list[Parallel]:
    """``values`` in their order, each pair of ``forms`` where its first value stands and
    no other value that either of its forms shows; then any pair no value named."""
    pairs = [(Parallel(f["heading"], f["vernacular"]),
              set(_parts(f["heading"]) + _parts(f["vernacular"]))) for f in forms or ()]
    out, placed, seen = [], set(), set()
    for value in _values(values):
        core = _core(value)
        at = next((i for i, (_p, parts) in enumerate(pairs) if core in parts), None)
        if at is None and core and core not in seen:
            out.append(Parallel(value))
            seen.add(core)
        elif at is not None and at not in placed:
            out.append(pairs[at][0])
            placed.add(at)
    return out + [p for i, (p, _parts) in enumerate(pairs) if i not in placed]


def details_of(display: dict) -> dict[str, list[Parallel]]:
    """A display record's result-line fields, each value with its other form."""
    out = {}
    for name, (key, vernacular_key, forms_key) in DETAILS.items():
        values = _values(display.get(key)) + _values(display.get(vernacular_key))
        forms = display.get(forms_key) or ()
        if name == "authors":   # (every member's name pairs: this record's names only)
            forms = [f for f in forms if f["heading"] in values]
        found = paired(values, forms)
        if found:
            out[name] = found
    return out
