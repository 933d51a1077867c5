"""Raw MARC records as byte fields, and MARC-8 written from Unicode.

Used by ``make_cluster_set.py`` to make the exports of pretend libraries: fields
are moved and changed as bytes, the leader and directory rebuilt; ``marc8_copy``
re-encodes a UTF-8 record as MARC-8. pymarc has no Unicode to MARC-8 encoder,
so :func:`to_marc8` inverts pymarc's own decoding tables, and every subfield it
writes is decoded again with pymarc and compared with the original text.
"""

from __future__ import annotations

import unicodedata

from pymarc import marc8_mapping
from pymarc.marc8 import MARC8ToUnicode

from indexer.textnorm import nfc

FT, SF, RT = b"\x1e", b"\x1f", b"\x1d"


# -- ISO 2709 ---------------------------------------------------------------


def split_records(data: bytes) -> list[bytes]:
    return [chunk + RT for chunk in data.split(RT) if chunk.strip()]


def parse(record: bytes) -> tuple[bytes, list[list]]:
    """Leader and [tag, field bytes without terminator] in directory order."""
    base = int(record[12:17])
    directory = record[24:base - 1]
    fields = []
    for i in range(0, len(directory), 12):
        tag = directory[i:i + 3]
        length, start = int(directory[i + 3:i + 7]), int(directory[i + 7:i + 12])
        fields.append([tag.decode(), record[base + start:base + start + length - 1]])
    return record[:24], fields


def build(leader: bytes, fields: list[list]) -> bytes:
    directory, body = b"", b""
    for tag, data in fields:
        data += FT
        directory += tag.encode() + b"%04d%05d" % (len(data), len(body))
        body += data
    base = 24 + len(directory) + 1
    total = base + len(body) + 1
    return (b"%05d" % total + leader[5:12] + b"%05d" % base + leader[17:]
            + directory + FT + body + RT)


def get(fields: list[list], tag: str) -> list[list]:
    return [f for f in fields if f[0] == tag]


def subfields(data: bytes) -> tuple[bytes, list[tuple[bytes, bytes]]]:
    parts = data.split(SF)
    return parts[0], [(p[:1], p[1:]) for p in parts[1:] if p]


def join_subfields(indicators: bytes, subs: list[tuple[bytes, bytes]]) -> bytes:
    return indicators + b"".join(SF + code + value for code, value in subs)


# -- MARC-8 (the reverse of pymarc's decoding tables) -------------------------

# G0 sets reached by escapes, tried in this order; ANSEL stays G1 throughout.
G0_SETS = {0x42: b"\x1b(B", 0x4E: b"\x1b(N", 0x53: b"\x1b(S", 0x32: b"\x1b(2",
           0x33: b"\x1b(3", 0x31: b"\x1b$1"}
HORN = {"o": "ơ", "O": "Ơ", "u": "ư", "U": "Ư"}


def _reverse_tables() -> tuple[dict, dict]:
    """Per G0 set: Unicode character -> code; and the ANSEL (G1) character -> code."""
    by_set = {}
    for charset in G0_SETS:
        table = by_set[charset] = {}
        for code, (uni, combining) in sorted(marc8_mapping.CODESETS[charset].items()):
            if not combining and code >= 0x20:
                table.setdefault(chr(uni), code)
    ansel = {}
    for code, (uni, _combining) in sorted(marc8_mapping.CODESETS[0x45].items()):
        if code >= 0xA1:
            ansel.setdefault(chr(uni), code)
    return by_set, ansel


BY_SET, ANSEL = _reverse_tables()
G0 = {}                                      # character -> the first G0 set that has it
for _charset, _table in BY_SET.items():
    for _char in _table:
        G0.setdefault(_char, _charset)


class NotEncodable(ValueError):
    pass


BIDI = dict.fromkeys(map(ord, "\u200e\u200f\u202a\u202b\u202c\u202d\u202e"))


def _clusters(text: str) -> list[str]:
    """Letters with their combining marks: NFC letters the tables have (kana with
    dakuten, hangul syllables, Arabic with hamza) stay whole, others are decomposed;
    horns are composed (ANSEL has ơ and ư, no combining horn). Bidi marks, which
    MARC-8 has no codes for, are dropped."""
    chars = []
    for ch in unicodedata.normalize("NFC", text.translate(BIDI)):
        chars.extend(ch if ch in G0 or ch in ANSEL else unicodedata.normalize("NFD", ch))
    out: list[str] = []
    for ch in chars:
        if unicodedata.combining(ch) and out:
            if ch == "\u031b" and out[-1] in HORN:
                out[-1] = HORN[out[-1]]
            else:
                out[-1] += ch
        else:
            out.append(ch)
    return out


def to_marc8(text: str) -> tuple[bytes, set[int]]:
    """One subfield's text in MARC-8, starting and ending in ASCII; the G0 sets used."""
    out, current, used = bytearray(), 0x42, set()
    for cluster in _clusters(text):
        base, marks = cluster[0], cluster[1:]
        for mark in marks:                       # MARC-8 writes marks before their letter
            if mark not in ANSEL:
                raise NotEncodable(mark)
            out.append(ANSEL[mark])
        if base in ANSEL and base not in G0:
            out.append(ANSEL[base])
            continue
        charset = current if base in BY_SET[current] else G0.get(base)
        if charset is None or charset == 0x31 and marks:
            raise NotEncodable(cluster)
        if charset != current:
            out += G0_SETS[charset]
            current = charset
            used.add(charset)
        out += BY_SET[charset][base].to_bytes(3 if charset == 0x31 else 1, "big")
    if current != 0x42:
        out += G0_SETS[0x42]
    return bytes(out), used


def marc8_copy(leader: bytes, fields: list[list]) -> tuple[bytes, list[list]]:
    """The record in MARC-8 (leader/09 blank, 066 naming the sets used), checked by
    decoding every subfield again with pymarc; NotEncodable if any text cannot go."""
    out, used = [], set()
    for tag, data in fields:
        if tag < "010":
            if not data.isascii():
                raise NotEncodable(tag)
            out.append([tag, data])
            continue
        if tag == "066":
            continue
        indicators, subs = subfields(data)
        encoded = []
        for code, value in subs:
            text = value.decode("utf-8")
            marc8, sets = to_marc8(text)
            if nfc(MARC8ToUnicode(quiet=True).translate(marc8)) != nfc(text.translate(BIDI)):
                raise NotEncodable(f"{tag} round trip")
            used |= sets
            encoded.append((code, marc8))
        out.append([tag, join_subfields(indicators, encoded)])
    if used - {0x42}:
        escapes = [G0_SETS[c][1:] for c in sorted(used - {0x42})]
        field = join_subfields(b"  ", [(b"c", e) for e in escapes])
        position = next(i for i, f in enumerate(out) if f[0] > "066")
        out.insert(position, ["066", field])
    return leader[:9] + b" " + leader[10:], out
