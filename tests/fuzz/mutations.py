"""Hypothesis strategies that damage real inputs the way exports and servers do.

Random bytes rarely get past a leader; a real record with one number or terminator
changed reaches every branch of a reader. Each strategy takes real seeds and applies
a few drawn mutations, so Hypothesis can shrink a failure to one small change.
"""

from __future__ import annotations

import hypothesis.strategies as st

# bytes that mean something to an ISO 2709 reader or a MARC-8 decoder
STRUCTURE_BYTES = [b"\x1d", b"\x1e", b"\x1f", b"\x1b", b"\x00", b"0", b"9", b" ", b"\xff",
                   b"\xc3", b"\xe1", b"\x88", b"\x89", b"\r\n"]
# MARC-8 escapes (to G0/G1 sets, EACC, Greek, Cyrillic, subscripts ...), some cut short
MARC8_ESCAPES = [b"\x1b(B", b"\x1b(N", b"\x1b(S", b"\x1b(2", b"\x1b(3", b"\x1b(4",
                 b"\x1b$1", b"\x1b$", b"\x1b)!E", b"\x1b)Q", b"\x1b$)1", b"\x1bb", b"\x1bp",
                 b"\x1bg", b"\x1bs", b"\x1b", b"\x1b(", b"\x1b$1\x21", b"\x1b$1\x21\x30",
                 b"\x1b$1\x21\x30\x21", b"\x1b(\xff", b"\x1b$\x00"]
# pieces of XML that break a document or attack a parser
XML_PIECES = [b"<", b">", b"</", b"<record>", b"</record>", b"<marc:record>", b"<datafield",
              b"<subfield code=\"a\">", b"&", b"&amp;", b"&lol;", b"&#0;", b"&#x1F;",
              b"<![CDATA[", b"]]>", b"<!--", b"-->", b"<?xml version=\"1.0\"?>", b"\"", b"'",
              b"xmlns=\"urn:wrong\"", b"xmlns:marc=\"urn:wrong\"", b"\xff\xfe", b"\xc3",
              b"\xed\xa0\x80",
              b"\x00", b"\x07", b"<!DOCTYPE r [<!ENTITY x SYSTEM \"http://127.0.0.1:9/x\">]>",
              b"<xi:include xmlns:xi=\"http://www.w3.org/2001/XInclude\" href=\"/etc/passwd\"/>"]


def _position(draw, data: bytes) -> int:
    return draw(st.integers(0, len(data)))


def _digits(draw, width: int) -> bytes:
    """A number field's replacement: another number, one past the edge, or junk."""
    return draw(st.one_of(
        st.integers(0, 10 ** width - 1).map(lambda n: b"%0*d" % (width, n)),
        st.sampled_from([b"9" * width, b"0" * width, b" " * width, b"-" + b"1" * (width - 1),
                         b"%d" % (10 ** width)]),
        st.binary(min_size=width, max_size=width)))


def byte_edit(draw, data: bytes) -> bytes:
    """Flip, insert, delete, duplicate or truncate at a drawn place."""
    kind = draw(st.sampled_from(["flip", "insert", "delete", "duplicate", "truncate"]))
    at = _position(draw, data)
    if kind == "flip" and at < len(data):
        return data[:at] + bytes([data[at] ^ draw(st.integers(1, 255))]) + data[at + 1:]
    if kind == "insert":
        piece = draw(st.one_of(st.sampled_from(STRUCTURE_BYTES), st.binary(max_size=8)))
        return data[:at] + piece + data[at:]
    if kind == "delete":
        return data[:at] + data[at + draw(st.integers(1, 64)):]
    if kind == "duplicate":
        size = draw(st.integers(1, 256))
        return data[:at] + data[at:at + size] * draw(st.integers(2, 40)) + data[at:]
    return data[:at]


def iso2709_edit(draw, data: bytes) -> bytes:
    """A change to what the structure says: leader numbers, a directory entry, a terminator."""
    kind = draw(st.sampled_from(["length", "base", "leader09", "entry_length", "entry_start",
                                 "entry_tag", "terminator"]))
    if len(data) < 24:
        return data
    if kind == "length":
        return _digits(draw, 5) + data[5:]
    if kind == "base":
        return data[:12] + _digits(draw, 5) + data[17:]
    if kind == "leader09":
        return data[:9] + draw(st.sampled_from([b"a", b" ", b"z", b"\x1e"])) + data[10:]
    entries = max(0, (data.find(b"\x1e", 24) - 24) // 12)
    if kind.startswith("entry") and entries:
        at = 24 + 12 * draw(st.integers(0, entries - 1))
        if kind == "entry_length":
            return data[:at + 3] + _digits(draw, 4) + data[at + 7:]
        if kind == "entry_start":
            return data[:at + 7] + _digits(draw, 5) + data[at + 12:]
        return data[:at] + draw(st.sampled_from([b"001", b"245", b"880", b"000", b"abc",
                                                  b"\x1e\x1e\x1e", b"200", b"100"])) + data[at + 3:]
    # a field terminator removed, or added where none belongs
    ends = [i for i in range(24, len(data)) if data[i] == 0x1E]
    if ends and draw(st.booleans()):
        at = draw(st.sampled_from(ends))
        return data[:at] + data[at + 1:]
    at = _position(draw, data)
    return data[:at] + b"\x1e" + data[at:]


def marc8_edit(draw, data: bytes) -> bytes:
    """An escape sequence or a MARC-8 combining mark where it should not be."""
    at = _position(draw, data)
    piece = draw(st.one_of(st.sampled_from(MARC8_ESCAPES),
                           st.integers(0xE0, 0xFE).map(lambda b: bytes([b])),
                           st.binary(min_size=1, max_size=6)))
    return data[:at] + piece + data[at:]


def xml_edit(draw, data: bytes) -> bytes:
    """A piece of markup inserted, a tag cut, the namespace changed, an attribute made
    huge, elements nested deep, or bytes that are not UTF-8."""
    kind = draw(st.sampled_from(["piece", "cut_tag", "namespace", "huge_attribute", "deep",
                                 "bad_utf8"]))
    at = _position(draw, data)
    if kind == "piece":
        return data[:at] + draw(st.sampled_from(XML_PIECES)) + data[at:]
    if kind == "cut_tag":
        close = data.find(b">", at)
        return data if close < 0 else data[:close] + data[close + 1:]
    if kind == "namespace":
        return data.replace(b"http://www.loc.gov/MARC21/slim",
                            draw(st.sampled_from([b"urn:wrong", b"",
                                                  b"http://www.loc.gov/MARC21/slim/"])),
                            draw(st.integers(1, 3)))
    if kind == "huge_attribute":
        tag = data.find(b"<datafield", at)
        if tag < 0:
            tag = data.find(b"<", at)
        if tag < 0:
            return data
        end = data.find(b" ", tag)
        size = draw(st.sampled_from([1 << 10, 1 << 16, 1 << 20]))
        return data[:end] + b' huge="' + b"A" * size + b'"' + data[end:] if end > 0 else data
    if kind == "deep":
        depth = draw(st.sampled_from([100, 300, 3000, 20000]))
        return data[:at] + b"<d>" * depth + b"</d>" * draw(st.sampled_from([0, depth])) + data[at:]
    return data[:at] + draw(st.sampled_from([b"\xff", b"\xc3\x28", b"\xe2\x82", b"\xf0\x90\x80",
                                             b"\xed\xa0\x80", b"\xc0\xaf"])) + data[at:]


EDITS = {"bytes": byte_edit, "iso2709": iso2709_edit, "marc8": marc8_edit, "xml": xml_edit}


@st.composite
def mutated(draw, seeds: list[bytes], kinds: tuple[str, ...], max_edits: int = 4) -> bytes:
    """One seed with up to ``max_edits`` edits of the given kinds (``EDITS``)."""
    data = draw(st.sampled_from(seeds))
    for _ in range(draw(st.integers(1, max_edits))):
        data = EDITS[draw(st.sampled_from(kinds))](draw, data)
    return data


@st.composite
def mutated_text(draw, seeds: list[str], alphabet: list[str], max_edits: int = 4) -> str:
    """A real query with pieces of its language's syntax inserted, deleted or repeated."""
    text = draw(st.sampled_from(seeds))
    for _ in range(draw(st.integers(1, max_edits))):
        at = draw(st.integers(0, len(text)))
        kind = draw(st.sampled_from(["insert", "delete", "repeat", "any"]))
        if kind == "insert":
            text = text[:at] + draw(st.sampled_from(alphabet)) + text[at:]
        elif kind == "delete":
            text = text[:at] + text[at + draw(st.integers(1, 8)):]
        elif kind == "repeat":
            piece = draw(st.sampled_from(alphabet)) * draw(st.integers(2, 3000))
            text = text[:at] + piece + text[at:]
        else:
            text = text[:at] + draw(st.text(max_size=8)) + text[at:]
    return text
