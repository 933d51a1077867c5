"""Call numbers as shelf keys: the order books stand in on a library's shelves.

Three schemes, each read by its own rules into a key that compares as a plain
string (code point by code point, as a Whoosh column and a Solr string field
compare):

* **LCC** (Library of Congress): class letters, then the class number as a
  number with its decimal extension read as a decimal fraction, then the
  cutters, each read as a decimal fraction too, then dates and volume
  numbers. So ``PL9`` < ``PL10`` and ``PL2265.12`` < ``PL2265.5 .A2``
  (.12 is less than .5: LC's shelflisting reads the extension decimally, a
  natural-number sort would put .5 first), and ``.A12`` < ``.A2``.
* **DDC** (Dewey): the number as a decimal (``895.1`` < ``895.13`` <
  ``895.2``), then the book number.
* **CLC** (中国图书馆分类法): the class letters, then the class digits read
  as one decimal fraction (the dots only group them: ``I24`` < ``I247`` <
  ``I247.5`` < ``I25``), the auxiliary marks (``-53``, ``=76``), then the
  book number after ``/`` (种次号 or 著者号) as a number.

Components are joined by ``!``, which sorts before every digit and letter, so
a shorter component sorts first; numbers that are compared as numbers are
padded with zeros. A key holds only ``[0-9A-Z!=()-]``: a space after it (see
:func:`shelf_value`) sorts before all of them.
"""

from __future__ import annotations

import re
import unicodedata

from . import tables

SCHEMES = ("clc", "lcc", "ddc")
_SEP = "!"
_PAD = 6

_LCC = re.compile(r"([A-Z]{1,3})\s*(\d{1,5})(?:\.(\d+))?(.*)")
_CUTTER = re.compile(r"\s*\.?\s*([A-Z])(\d+)")
_DDC = re.compile(r"\[?(\d{1,3})(?:\.(\d+))?\]?(.*)")
_CLC = re.compile(r"([A-Z]{1,2})(\d[\d.]*)([^/]*)(?:/(.*))?")
_TOKENS = re.compile(r"[A-Z]+|\d+")


def _clean(call: str) -> str:
    """Upper case, full-width forms folded (Ｉ２４７ is I247), prime marks dropped."""
    text = unicodedata.normalize("NFKC", call or "").upper().strip()
    return text.replace("'", "").replace("\u2032", "")


def _rest(text: str) -> list[str]:
    """Dates, volume and copy numbers: letters as they are, numbers padded to compare."""
    return [t.zfill(_PAD) if t.isdigit() else t for t in _TOKENS.findall(text)]


def _decimal(digits: str) -> str:
    """A decimal fraction's digits, trailing zeros dropped (.50 shelves as .5)."""
    return digits.rstrip("0")


_SPLIT_LETTERS = re.compile(r"^([A-Z]{1,2})\s+(?=[A-Z]{1,2}\s*\d)")   # "P Z7" for PZ7


def lcc_key(call: str) -> str | None:
    m = _LCC.fullmatch(_SPLIT_LETTERS.sub(r"\1", _clean(call)))
    if not m:
        return None
    letters, number, fraction, tail = m.groups()
    parts = [letters, number.zfill(5), _decimal(fraction or "")]
    while True:
        cut = _CUTTER.match(tail)
        if not cut:
            break
        parts.append(cut.group(1) + _decimal(cut.group(2)))
        tail = tail[cut.end():]
    return _SEP.join(parts + _rest(tail))


def ddc_key(call: str) -> str | None:
    m = _DDC.fullmatch(_clean(call).replace("/", ""))
    if not m or len(m.group(1)) != 3:
        return None
    number, fraction, tail = m.groups()
    if tail and not tail[:1].isspace():
        return None   # "5490A": not a Dewey number
    return _SEP.join([number, _decimal(fraction or "")] + _rest(tail))


def clc_key(call: str) -> str | None:
    m = _CLC.fullmatch(_clean(call).replace(" ", ""))
    if not m or m.group(1)[0] not in tables.clc_classes():
        return None
    letters, digits, marks, book = m.groups()
    marks = re.sub(r"[^0-9A-Z=()-]", "", marks)
    return _SEP.join([letters, digits.replace(".", ""), marks] + _rest(book or ""))


KEYS = {"lcc": lcc_key, "ddc": ddc_key, "clc": clc_key}


def shelf_key(scheme: str, call: str) -> str | None:
    """The key of a call number in a scheme; None when it is not one of that scheme's."""
    return KEYS[scheme](call)


def _of_class(scheme: str, call: str, numbers: list[str]) -> bool:
    """Whether the call number shelves under one of the record's class numbers."""
    key = KEYS[scheme](call)
    return bool(key) and any(k and key.startswith(k) for k in map(KEYS[scheme], numbers))


def scheme_of(call: str, classes: dict[str, list[str]] | None = None,
              given: str | None = None) -> str | None:
    """The scheme a holding's call number is shelved by, or None (an accession number).

    ``given``: the scheme the holdings field names (852 first indicator). Else the
    scheme of a class number the record gives and the call number starts with
    (its 084 CLC number, its 050, its 082); else the call number's shape: a CLC
    number with a book number after ``/``, three digits for Dewey, class
    letters and a number for LCC.
    """
    if given in KEYS:
        return given if KEYS[given](call) else None
    for scheme in SCHEMES:
        if _of_class(scheme, call, (classes or {}).get(scheme, [])):
            return scheme
    text = _clean(call)
    if "/" in text and clc_key(text):
        return "clc"
    if ddc_key(text):
        return "ddc"
    if lcc_key(text):
        return "lcc"
    return None


def shelf_value(key: str, cluster_id: str) -> str:
    """What a document's shelf field holds: the key, then its id to tell equal keys apart
    (a space sorts before every character of a key)."""
    return f"{key} {cluster_id}"


def shelf_start(typed: str, scheme: str) -> str | None:
    """Where a typed call number (``PL2265``) stands on a shelf: its key; every cluster
    whose value sorts at or after it comes at or after it on the shelf."""
    if scheme == "lcc" and re.fullmatch(r"[A-Z]{1,3}", _clean(typed)):
        return _clean(typed)      # a class's letters alone: the shelf from that class on
    return shelf_key(scheme, typed)
