"""ISO 2709 record structure: leader, directory and fields, as bytes.

Shared by the file reader (which checks a record before storing it) and by
the indexer's decoder (which reads the same bytes back from the store), so
both agree on what a record holds. Nothing is decoded to text here except
what the structure itself needs; character sets are in :mod:`harvest.charsets`.

Real exports break the directory in a few recurring ways: records longer
than the 99,999 bytes a leader can state, fields longer than 9,999 bytes,
offsets that overflow into a sixth digit, base addresses that are wrong.
When the field terminators are intact the fields can still be found; such a
record is kept and :attr:`Layout.repair` says what was done, for a warning.
"""

from __future__ import annotations

from dataclasses import dataclass

RT = 0x1D  # record terminator
FT = 0x1E  # field terminator
SF = 0x1F  # subfield delimiter
RECORD_TERMINATOR = b"\x1d"
FIELD_TERMINATOR = b"\x1e"
SUBFIELD_DELIMITER = b"\x1f"


class StructureError(ValueError):
    """The record's leader and directory cannot be made sense of."""


@dataclass(slots=True)
class Layout:
    """A record cut into its leader and its fields (tag, bytes without terminator)."""

    leader: bytes
    fields: list[tuple[str, bytes]]
    repair: str | None = None

    def first(self, tag: str) -> bytes | None:
        for t, value in self.fields:
            if t == tag:
                return value
        return None

    @property
    def tags(self) -> set[str]:
        return {t for t, _ in self.fields}


def read_layout(data: bytes) -> Layout:
    """Cut one ISO 2709 record (terminator included or not) into leader and fields.

    Raises :class:`StructureError` with a reason a librarian can act on.
    """
    if len(data) < 25:
        raise StructureError(f"record is only {len(data)} bytes long")
    leader = data[:24]
    first_ft = data.find(FIELD_TERMINATOR, 24)
    if first_ft < 0:
        raise StructureError("no field terminator: this is not an ISO 2709 record")
    notes = []
    base_digits = leader[12:17]
    base = int(base_digits) if base_digits.isdigit() else -1
    if base != first_ft + 1:
        if base < 0:
            notes.append(f"leader base address {base_digits!r} is not a number")
        else:
            notes.append(f"leader base address {base} is wrong")
        base = first_ft + 1
    directory = data[24:base - 1]
    end = len(data) - 1 if data[-1] == RT else len(data)
    try:
        fields = _by_directory(data, directory, base, end)
    except StructureError as exc:
        fields = (_by_terminators(data, directory, base, end)
                  or _by_entry_order(data, directory, base, end))
        if fields is None:
            raise StructureError(str(exc)) from None
        notes.append(f"{exc}; fields found by their terminators instead")
    if not fields:
        raise StructureError("record has no fields")
    return Layout(leader, fields, "; ".join(notes) or None)


def _by_directory(data: bytes, directory: bytes, base: int, end: int) -> list[tuple[str, bytes]]:
    if len(directory) % 12:
        raise StructureError(f"directory length {len(directory)} is not a multiple of 12")
    fields = []
    for i in range(0, len(directory), 12):
        entry = directory[i:i + 12]
        length, start = entry[3:7], entry[7:12]
        if not (length.isdigit() and start.isdigit()):
            raise StructureError(f"directory entry {entry.decode('latin-1')!r} is not numeric")
        first = base + int(start)
        last = first + int(length) - 1  # the field's terminator
        if last >= end or length == b"0000":
            raise StructureError(
                f"field {entry[:3].decode('latin-1')} runs past the end of the record")
        if data[last] != FT:
            raise StructureError(
                f"field {entry[:3].decode('latin-1')} does not end where the directory says")
        fields.append((entry[:3].decode("latin-1"), data[first:last]))
    return fields


def _by_terminators(data: bytes, directory: bytes, base: int,
                    end: int) -> list[tuple[str, bytes]] | None:
    """Fields cut at their terminators, tags read from a directory with widened entries.

    Each entry is ``tag + length + start`` where length and start may have
    grown a digit (or been capped at nines) because the record is too big
    for the format; the true lengths and starts come from the terminators.
    """
    body = data[base:end]
    if not body.endswith(FIELD_TERMINATOR):
        return None
    pieces = body[:-1].split(FIELD_TERMINATOR)
    fields = []
    pos, start = 0, 0
    for piece in pieces:
        size = len(piece) + 1
        tag = directory[pos:pos + 3]
        if len(tag) != 3:
            return None
        for lw, sw in ((4, 5), (5, 5), (4, 6), (5, 6)):
            length = directory[pos + 3:pos + 3 + lw]
            where = directory[pos + 3 + lw:pos + 3 + lw + sw]
            if (len(where) == sw and _fits(length, size) and _fits(where, start)):
                pos += 3 + lw + sw
                break
        else:
            return None
        fields.append((tag.decode("latin-1"), piece))
        start += size
    return fields if pos == len(directory) else None


def _by_entry_order(data: bytes, directory: bytes, base: int,
                    end: int) -> list[tuple[str, bytes]] | None:
    """Fields cut at their terminators, tags taken from 12-character entries in the
    order of their stated starts, when there are as many entries as fields: the
    lengths are wrong (exporters that count characters, not bytes) but not the tags."""
    body = data[base:end]
    if len(directory) % 12 or not body.endswith(FIELD_TERMINATOR):
        return None
    pieces = body[:-1].split(FIELD_TERMINATOR)
    entries = [directory[i:i + 12] for i in range(0, len(directory), 12)]
    if len(entries) != len(pieces) or not all(e[7:12].isdigit() for e in entries):
        return None
    order = sorted(range(len(entries)), key=lambda i: int(entries[i][7:12]))
    return [(entries[i][:3].decode("latin-1"), piece) for i, piece in zip(order, pieces)]


def _fits(digits: bytes, value: int) -> bool:
    """A directory number that states ``value``, or overflowed: capped at nines, or
    cut to its last digits (offsets past 99,999 in records longer than the format allows)."""
    if not digits.isdigit():
        return False
    number = int(digits)
    return (number == value or number == value % 10 ** len(digits)
            or (digits.count(b"9") == len(digits) and value >= number))


def control_number(layout: Layout) -> str:
    """The record's 001, stripped ("" when there is none)."""
    value = layout.first("001")
    return value.decode("utf-8", "replace").strip() if value else ""


def subfields(value: bytes, indicators: int = 2) -> tuple[bytes, list[bytes]]:
    """A data field's indicators and its subfields (code byte first, delimiter off)."""
    return value[:indicators], [s for s in value[indicators:].split(SUBFIELD_DELIMITER)[1:] if s]


def detect_flavour(layout: Layout) -> str | None:
    """``marc21`` or ``unimarc`` when the tags say so clearly; None when they don't.

    MARC 21 records have a 245 title and a 008; UNIMARC records have a 200
    title and a 100 whose $a starts with the eight-digit date entered.
    """
    tags = layout.tags
    if "245" in tags or "008" in tags:
        return "marc21"
    if "200" in tags and "100" in tags:
        value = layout.first("100") or b""
        _, subs = subfields(value)
        if subs and subs[0][:1] == b"a" and subs[0][1:9].isdigit():
            return "unimarc"
    return None


def write_layout(leader: bytes, fields: list[tuple[str, bytes]]) -> bytes:
    """An ISO 2709 record from a leader and fields (bytes without terminators).

    Record length, base address and the entry map (leader/20-23 "4500") are
    computed; the rest of the leader is kept. A record too large for the
    format raises StructureError rather than writing a broken directory.
    """
    directory, body, start = [], [], 0
    for tag, value in fields:
        value += FIELD_TERMINATOR
        if len(value) > 9999 or start > 99999:
            raise StructureError(f"field {tag} is too long for an ISO 2709 directory")
        directory.append(f"{tag[:3]:0>3}{len(value):04d}{start:05d}".encode("ascii"))
        body.append(value)
        start += len(value)
    base = 24 + 12 * len(fields) + 1
    length = base + start + 1
    if length > 99999:
        raise StructureError(f"record of {length} bytes is too long for ISO 2709")
    leader = leader.ljust(24)[:24]
    leader = (b"%05d" % length) + leader[5:12] + (b"%05d" % base) + leader[17:20] + b"4500"
    return leader + b"".join(directory) + FIELD_TERMINATOR + b"".join(body) + RECORD_TERMINATOR
