"""Which character set an ISO 2709 record is in: what it says, what its bytes say, what we are told.

MARC 21 states its character set in leader/09 ('a' = UCS/UTF-8, blank =
MARC-8). UNIMARC states it in field 100 $a positions 26-29 ("50" = ISO
10646/UTF-8; Chinese exports write "0110", "0120" or "0121" for GB 2312 and
mean GBK or GB 18030 in practice). A source's ``encoding`` setting overrides
both. Exports often state it wrongly, so the bytes are checked: escape
sequences mean MARC-8, valid multi-byte UTF-8 means UTF-8. When the bytes
clearly contradict the record, the bytes win and :attr:`Charset.note` says so.
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass

from .iso2709 import Layout, subfields

UTF8 = "utf-8"
MARC8 = "marc8"
GB18030 = "gb18030"
ISO5426 = "iso5426"

# Names a librarian may give in ``encoding``; GB 2312 and GBK are read as their
# superset GB 18030, which decodes everything they encode identically.
_ALIASES = {
    "utf8": UTF8, "utf-8": UTF8, "unicode": UTF8, "ucs": UTF8,
    "marc8": MARC8, "marc-8": MARC8, "ansel": MARC8,
    "gb2312": GB18030, "gbk": GB18030, "cp936": GB18030, "gb18030": GB18030, "euc-cn": GB18030,
    "iso5426": ISO5426, "iso-5426": ISO5426,
}
# 100 $a/28-29 (the G1 set) values seen for GB 2312 in Chinese UNIMARC exports
_CHINESE_G1 = {"10", "20", "21"}
_ANSEL_DIACRITIC = re.compile(rb"[\xe0-\xfe][\x41-\x5a\x61-\x7a]")
_NOT_ANSEL = re.compile(rb"[\x80-\x87\x8a-\x8c\x8f-\xa0\xff]")


@dataclass(frozen=True, slots=True)
class Charset:
    codec: str                 # utf-8, marc8, gb18030, iso5426 or a Python codec name
    note: str | None = None    # why the record's own statement was not followed
    invalid: bool = False      # bytes that are not valid in ``codec`` (decode with replacement)


def normalize_encoding(name: str) -> str:
    """The codec for a configured encoding name; ValueError when it is unknown."""
    key = name.strip().lower().replace("_", "-")
    if key in _ALIASES:
        return _ALIASES[key]
    try:
        return codecs.lookup(key).name
    except LookupError:
        raise ValueError(f"unknown encoding {name!r}") from None


def unimarc_coded_data(layout: Layout) -> str:
    """UNIMARC 100 $a (general processing data), or "" when absent."""
    value = layout.first("100")
    if not value:
        return ""
    for sub in subfields(value)[1]:
        if sub[:1] == b"a":
            return sub[1:].decode("latin-1")
    return ""


def declared(layout: Layout, flavour: str) -> str:
    """The character set the record claims for itself."""
    if flavour == "unimarc":
        coded = unimarc_coded_data(layout)
        g0, g1 = coded[26:28], coded[28:30]
        if g0 == "50":
            return UTF8
        if g1 in _CHINESE_G1 or coded[22:25] == "chi":
            return GB18030
        if g1 == "03" or g0 == "03":
            return ISO5426
        return UTF8 if not coded else ISO5426
    return UTF8 if layout.leader[9:10] == b"a" else MARC8


def _valid(data: bytes, codec: str) -> bool:
    try:
        data.decode(codec)
    except UnicodeDecodeError:
        return False
    return True


def choose(data: bytes, layout: Layout, flavour: str, override: str | None = None) -> Charset:
    """The character set to decode ``data`` with, checked against its bytes."""
    if override:
        codec = normalize_encoding(override)
        if codec == ISO5426:
            return Charset("latin-1", "ISO 5426 is read as Latin-1")
        if codec == MARC8:
            return Charset(codec)
        if _valid(data, codec):
            return Charset(codec)
        return Charset(codec, f"bytes that are not valid {codec} were replaced", invalid=True)
    claimed = declared(layout, flavour)
    where = "field 100 $a/26-29" if flavour == "unimarc" else "leader/09"
    has_escape = b"\x1b" in data
    if data.isascii():
        if has_escape and claimed != MARC8 and flavour != "unimarc":
            return Charset(MARC8, f"{where} says {claimed} but the record has MARC-8"
                                  " escape sequences")
        return Charset(UTF8 if claimed == ISO5426 else claimed)
    utf8_ok = _valid(data, UTF8)
    if claimed == UTF8:
        if utf8_ok:
            return Charset(UTF8)
        if flavour != "unimarc" and (has_escape or _ansel_like(data)):
            return Charset(MARC8, f"{where} says UTF-8 but the bytes are MARC-8")
        if flavour == "unimarc" and _valid(data, GB18030):
            return Charset(GB18030, f"{where} says UTF-8 but the bytes are GB 18030")
        return Charset(UTF8, "invalid UTF-8 bytes replaced", invalid=True)
    if utf8_ok and not has_escape:
        return Charset(UTF8, f"{where} says {claimed} but the bytes are UTF-8")
    if claimed == GB18030:
        if _valid(data, GB18030):
            return Charset(GB18030)
        return Charset(GB18030, "bytes that are not valid GB 18030 were replaced", invalid=True)
    if claimed == ISO5426:
        return Charset("latin-1", f"{where} says ISO 5426, which Sheaf reads as Latin-1"
                                  " (letters with diacritics may come out wrong)")
    return Charset(claimed)


def _ansel_like(data: bytes) -> bool:
    """High bytes that read as MARC-8 Latin: combining marks written before letters."""
    return bool(_ANSEL_DIACRITIC.search(data)) and not _NOT_ANSEL.search(data)
