"""Reading exported MARC files into :class:`RawRecord` objects, as a stream.

ISO 2709 files are cut at record terminators and each record's leader and
directory are checked, so a record is kept byte for byte but a broken one
is reported (file, ordinal, byte offset, reason) and skipped while its
neighbours are kept. Character sets are not decoded here: that is the
indexer's job, and the store keeps the bytes as they came.

MARCXML is read with lxml's ``iterparse`` (entities and network off), one
record element at a time, so a large file is never loaded whole.
"""

from __future__ import annotations

import glob
import os
from pathlib import Path
from typing import BinaryIO, Callable, Iterator

from lxml import etree

from .errors import SourceUnreadable
from .records import RawRecord, Rejected

RECORD_TERMINATOR = b"\x1d"
FIELD_TERMINATOR = b"\x1e"
MARCXML_NS = "http://www.loc.gov/MARC21/slim"
FORMATS = ("marc21", "unimarc", "marcxml")

OnReject = Callable[[Rejected], None]


def expand_paths(pattern: str) -> list[Path]:
    """A file, a directory (its files) or a glob; an empty match is an error."""
    path = Path(pattern).expanduser()
    if path.is_dir():
        files = sorted(p for p in path.iterdir() if p.is_file())
    elif any(ch in pattern for ch in "*?["):
        files = sorted(Path(p) for p in glob.glob(os.path.expanduser(pattern), recursive=True)
                       if Path(p).is_file())
    else:
        files = [path]
    if not files:
        raise SourceUnreadable(f"no files match {pattern}")
    for f in files:
        if not os.access(f, os.R_OK) or not f.is_file():
            raise SourceUnreadable(f"cannot read {f}: no such readable file")
    return files


def detect_format(path: Path) -> str:
    """Guess ``marcxml`` or ISO 2709 from the first bytes of a file."""
    with open(path, "rb") as fh:
        head = fh.read(512).lstrip(b"\xef\xbb\xbf \t\r\n")
    return "marcxml" if head.startswith(b"<") else "marc21"


def read_file(path: Path, fmt: str, on_reject: OnReject) -> Iterator[RawRecord]:
    """Records of one file in the given format (``marc21``, ``unimarc``, ``marcxml``)."""
    try:
        fh = open(path, "rb")
    except OSError as exc:
        raise SourceUnreadable(f"cannot read {path}: {exc.strerror}") from None
    with fh:
        if fmt == "marcxml":
            yield from read_marcxml(fh, str(path), on_reject)
        else:
            yield from read_iso2709(fh, str(path), fmt, on_reject)


def _chunks(fh: BinaryIO, size: int = 1 << 20) -> Iterator[tuple[int, bytes]]:
    """(byte offset, record bytes incl. terminator) for every record in a stream."""
    buf = b""
    offset = 0
    while True:
        block = fh.read(size)
        if not block:
            break
        buf += block
        start = 0
        while True:
            end = buf.find(RECORD_TERMINATOR, start)
            if end < 0:
                break
            yield offset + start, buf[start:end + 1]
            start = end + 1
        offset += start
        buf = buf[start:]
    if buf.strip(b"\r\n\x00 \x1a"):
        yield offset, buf


def parse_directory(data: bytes) -> dict[str, list[bytes]]:
    """Check an ISO 2709 record's leader and directory; return its control fields.

    Raises ValueError with a reason a librarian can act on.
    """
    if len(data) < 25:
        raise ValueError(f"record is only {len(data)} bytes long")
    leader = data[:24]
    if not leader[:5].isdigit():
        raise ValueError(f"leader record length {leader[:5]!r} is not a number")
    if not leader[12:17].isdigit():
        raise ValueError(f"leader base address {leader[12:17]!r} is not a number")
    if not data.endswith(RECORD_TERMINATOR):
        raise ValueError("record is truncated (no record terminator)")
    base = int(leader[12:17])
    if base < 25 or base > len(data) or data[base - 1:base] != FIELD_TERMINATOR:
        raise ValueError(f"base address {base} does not point past the directory")
    directory = data[24:base - 1]
    if len(directory) % 12:
        raise ValueError(f"directory length {len(directory)} is not a multiple of 12")
    body_len = len(data) - base
    control: dict[str, list[bytes]] = {}
    for i in range(0, len(directory), 12):
        entry = directory[i:i + 12]
        tag, length, start = entry[:3], entry[3:7], entry[7:12]
        if not (length.isdigit() and start.isdigit()):
            raise ValueError(f"directory entry {entry!r} is not numeric")
        length, start = int(length), int(start)
        if start + length > body_len:
            raise ValueError(f"field {tag.decode('latin-1')} runs past the end of the record")
        if tag.startswith(b"00"):
            value = data[base + start:base + start + length]
            control.setdefault(tag.decode("latin-1"), []).append(value.rstrip(FIELD_TERMINATOR))
    return control


def _position(ordinal: int, offset: int) -> str:
    return f"record {ordinal} at byte {offset}"


def read_iso2709(fh: BinaryIO, where: str, fmt: str, on_reject: OnReject) -> Iterator[RawRecord]:
    for ordinal, (offset, data) in enumerate(_chunks(fh), start=1):
        position = _position(ordinal, offset)
        try:
            control = parse_directory(data)
            ids = control.get("001")
            if not ids or not ids[0].strip():
                raise ValueError("no 001 control number")
            local_id = ids[0].decode("utf-8", "replace").strip()
        except ValueError as exc:
            on_reject(Rejected(where, position, str(exc), data))
            continue
        yield RawRecord(local_id=local_id, format=fmt, data=data,
                        deleted=data[5:6] == b"d", position=position)


def _safe_iterparse(fh: BinaryIO, tag: str):
    return etree.iterparse(fh, events=("end",), tag=tag, resolve_entities=False,
                           no_network=True, load_dtd=False, huge_tree=False,
                           remove_blank_text=False)


def read_marcxml(fh: BinaryIO, where: str, on_reject: OnReject) -> Iterator[RawRecord]:
    """MARCXML records, namespaced or not, from a collection or a lone record."""
    ordinal = 0
    try:
        for _event, elem in _safe_iterparse(fh, tag=("{%s}record" % MARCXML_NS, "record")):
            ordinal += 1
            position = f"record {ordinal} (line {elem.sourceline})"
            ns = elem.nsmap.get(elem.prefix)
            q = (lambda name: f"{{{ns}}}{name}") if ns else (lambda name: name)
            control = elem.find(f"{q('controlfield')}[@tag='001']")
            data = etree.tostring(elem, encoding="utf-8")
            leader = elem.findtext(q("leader")) or ""
            if control is None or not (control.text or "").strip():
                on_reject(Rejected(where, position, "no 001 control number", data))
            else:
                yield RawRecord(local_id=control.text.strip(), format="marcxml", data=data,
                                deleted=leader[5:6] == "d", position=position)
            # free what has been read so memory stays flat
            elem.clear()
            parent = elem.getparent()
            if parent is not None:
                while elem.getprevious() is not None:
                    del parent[0]
    except etree.XMLSyntaxError as exc:
        on_reject(Rejected(where, f"after record {ordinal}", f"XML is not well formed: {exc}"))
