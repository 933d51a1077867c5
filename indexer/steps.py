"""Mapping steps shared by the MARC 21 and UNIMARC rules.

Extractors here build the structured values (holdings, the format)
and transforms normalise identifiers, languages, classifications and
roles, all driven by the tables in ``indexer/data``. Each is small and
pure: a list in, a list out.
"""

from __future__ import annotations

import re

from . import isbn as isbn_module
from . import tables
from .rules import MarcView, field_value, parse_spec, trim_punctuation

# -- identifiers -----------------------------------------------------------------


def isbns(values: list) -> list:
    """Valid ISBNs, each as ISBN-13 and (for 978) ISBN-10."""
    out = []
    for v in values:
        for isbn13, isbn10 in isbn_module.parse_all(v):
            out.append(isbn13)
            if isbn10:
                out.append(isbn10)
    return list(dict.fromkeys(out))


def isbns_invalid(values: list) -> list:
    """ISBN-like values whose check digit (or length) is wrong, as the record gives them."""
    return list(dict.fromkeys(bad for v in values for bad in isbn_module.invalid_candidates(v)))


def isbn_candidates(values: list) -> list:
    """Every ISBN-shaped value as the record gives it (020 $z: cancelled or invalid)."""
    return list(dict.fromkeys(c for v in values
                              for c in isbn_module.invalid_candidates(v, include_valid=True)))


def issns(values: list) -> list:
    return list(dict.fromkeys(i for v in values for i in [isbn_module.issn(v)] if i))


def issns_invalid(values: list) -> list:
    return list(dict.fromkeys(v for v in values
                              if isbn_module.looks_like_issn(v) and not isbn_module.issn(v)))


_LCCN = re.compile(r"^[a-z]{0,3}\d{8,10}$")


def lccn(values: list) -> list:
    """LC control numbers normalised as LC says: no blanks, serial after a hyphen padded to six."""
    out = []
    for v in values:
        v = v.split("/")[0].replace(" ", "").strip().lower()
        if "-" in v:
            left, _, right = v.partition("-")
            v = left + right.zfill(6)
        if _LCCN.match(v):
            out.append(v)
    return out


_OCLC = re.compile(r"^\((?:OCoLC|OCLC)\)\s*(?:ocm|ocn|on)?0*(\d+)", re.IGNORECASE)


def oclc_numbers(values: list) -> list:
    return list(dict.fromkeys(m.group(1) for v in values for m in [_OCLC.match(v.strip())] if m))


# -- languages -------------------------------------------------------------------

_NOT_LANGUAGES = {"und", "zxx", "mul", "   ", "|||", "xxx", "n/a"}


def language_codes(values: list) -> list:
    """Three-letter codes (041 may run several together: "jpnchi"), lower case."""
    out = []
    for v in values:
        v = v.strip().lower()
        out.extend(v[i:i + 3] for i in range(0, len(v) - 2, 3) if v[i:i + 3].isalpha())
    return [c for c in dict.fromkeys(out) if c not in _NOT_LANGUAGES]


# -- classification --------------------------------------------------------------

_LCC = re.compile(r"^\s*([A-Z]{1,3})\s*\d")
_DDC = re.compile(r"^\s*\[?(\d{3})")
_CLC = re.compile(r"^\s*([A-Z])")


def ddc_value(values: list) -> list:
    """A DDC number without its prime marks: "155.4/23" -> "155.423"."""
    return [v.replace("/", "").replace("'", "").strip() for v in values]


def ddc_facet(values: list) -> list:
    return list(dict.fromkeys(m.group(1)[0] + "00" for v in values for m in [_DDC.match(v)] if m))


def lcc_facet(values: list) -> list:
    classes = tables.lcc_classes()
    out = []
    for v in values:
        m = _LCC.match(v)
        if not m:
            continue
        letters = m.group(1)
        if letters in classes:
            out.append(letters)
        elif letters[0] in classes:
            out.append(letters[0])
    return list(dict.fromkeys(out))


def clc_facet(values: list) -> list:
    classes = tables.clc_classes()
    return list(dict.fromkeys(m.group(1) for v in values for m in [_CLC.match(v)]
                              if m and m.group(1) in classes))


def classification(spec: str, schemes: tuple[str, ...], subfield: str = "2",
                   codes: str = "a") -> object:
    """Class numbers of fields whose source ($2) names one of ``schemes`` (084, 686)."""
    parsed = parse_spec(spec)
    wanted = frozenset(codes)
    names = tuple(s.lower() for s in schemes)

    def extract(view: MarcView) -> list:
        out = []
        for s in parsed:
            for f in view.by_tag.get(s.tag, ()):
                source = (f.get(subfield) or "").strip().lower()
                if source and source.split()[0].rstrip("0123456789") in names or source in names:
                    out.extend(v.strip() for c, v in f.subfields if c in wanted and v.strip())
        return out

    extract.tags = frozenset(s.tag for s in parsed)
    return extract


# -- roles -------------------------------------------------------------------------

_URI_TAIL = re.compile(r".*/")


def role_code(term: str) -> str | None:
    """A relator code for a $4 or $e value: a code, a URI, a UNIMARC number, an
    English term or a Chinese role word; None for an empty value."""
    cleaned = trim_punctuation([term])
    if not cleaned:
        return None
    value = _URI_TAIL.sub("", cleaned[0]) if "/" in cleaned[0] else cleaned[0]
    by_term = tables.relator_by_term()
    key = value.lower()
    if key in by_term:
        return by_term[key]
    words = tables.role_words()
    if value in words:
        return words[value]
    return key


def cut_role_word(name: str) -> tuple[str, str | None]:
    """"王小波著" -> ("王小波", "aut"); a name without a role word comes back as it is."""
    stripped = name.rstrip()
    for word in tables.cuttable_role_words():
        if stripped.endswith(word):
            rest = stripped[:-len(word)].rstrip(" ,;:　")
            if len(rest) >= 2:
                return rest, tables.role_words()[word]
    return name, None


# -- structured values -------------------------------------------------------------

def holding(library: str | None, call_number: str | None = None, location: str | None = None,
            barcode: str | None = None, scheme: str | None = None) -> dict:
    """One holding as a dict without empty keys; ``scheme``: the classification its call
    number is in, when the field says (lcc, ddc, clc)."""
    entry = {"library": library, "call_number": call_number, "location": location,
             "barcode": barcode, "scheme": scheme if call_number else None}
    return {k: v.strip() if isinstance(v, str) else v for k, v in entry.items()
            if v is not None and (not isinstance(v, str) or v.strip())}


def material_type(flavour: str) -> object:
    """The format code for the leader's type of record and bibliographic level."""
    rules = tables.material_types(flavour)

    def extract(view: MarcView) -> list:
        leader = view.leader
        kind, level = leader[6:7], leader[7:8]
        for rtype, rlevel, fmt in rules:
            if rtype == kind and (rlevel == "*" or rlevel == level):
                return [fmt]
        return []

    extract.reads = frozenset()
    return extract


def joined(spec: str, separator: str = " ") -> object:
    """All matching fields' values joined into one (300abc -> "387 p. : port. ; 19 cm")."""
    parsed = parse_spec(spec)

    def extract(view: MarcView) -> list:
        parts = [field_value(f, s.codes, separator) for s in parsed
                 for f in view.by_tag.get(s.tag, ())]
        text = separator.join(p for p in parts if p)
        return [text] if text else []

    extract.tags = frozenset(s.tag for s in parsed)
    return extract
