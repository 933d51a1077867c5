"""Reading exported MARC files into :class:`RawRecord` objects, as a stream.

ISO 2709 files are cut at record terminators and each record's leader and
directory are checked (:mod:`harvest.iso2709`), so a record is kept byte
for byte but a broken one is reported (file, ordinal, byte offset, reason)
and skipped while its neighbours are kept. Each record's flavour (MARC 21
or UNIMARC) is recognised from its tags where they say so clearly, and its
character set is checked against what it claims (:mod:`harvest.charsets`):
a wrong leader/09 is reported as a warning. Nothing is decoded here; the
store keeps the bytes as they came.

MARCXML is read by :mod:`harvest.marcxml`, one record element at a time.
"""

from __future__ import annotations

import glob
import os
from pathlib import Path
from typing import BinaryIO, Callable, Iterator

from . import charsets
from .errors import ConfigError, SourceUnreadable
from .iso2709 import RECORD_TERMINATOR, StructureError, control_number, detect_flavour, read_layout
from .marcxml import read_marcxml
from .records import RawRecord, ReadWarning, Rejected

FLAVOURS = ("marc21", "unimarc")
# what --format accepts: a file format, or (for ISO 2709) a flavour, as older versions took
FORMATS = ("iso2709", "marc21", "unimarc", "marcxml")

OnReject = Callable[[Rejected], None]
OnWarning = Callable[[ReadWarning], None]


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
    """``marcxml`` when the file starts like XML (after a BOM or blanks), else ``iso2709``."""
    with open(path, "rb") as fh:
        head = fh.read(512)
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "marcxml"
    return "marcxml" if head.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"<") else "iso2709"


def resolve(fmt: str | None, flavour: str | None) -> tuple[str | None, str | None]:
    """(file format, forced flavour) from the --format and --flavour options."""
    if fmt is not None and fmt not in FORMATS:
        raise ConfigError(f"unknown format {fmt!r} (use one of {', '.join(FORMATS)})")
    if flavour is not None and flavour not in FLAVOURS:
        raise ConfigError(f"unknown flavour {flavour!r} (use one of {', '.join(FLAVOURS)})")
    if fmt in FLAVOURS:
        return "iso2709", flavour or fmt
    return fmt, flavour


def read_file(path: Path, fmt: str | None, on_reject: OnReject, *, flavour: str | None = None,
              encoding: str | None = None, default_flavour: str = "marc21",
              on_warning: OnWarning | None = None) -> Iterator[RawRecord]:
    """Records of one file.

    ``fmt``: ``iso2709``, ``marcxml``, a flavour name (ISO 2709 of that
    flavour) or None to recognise the file. ``flavour`` forces MARC 21 or
    UNIMARC; otherwise each ISO 2709 record's tags decide and
    ``default_flavour`` (the source's setting) covers records they don't.
    ``encoding`` is the source's character set override.
    """
    fmt, forced = resolve(fmt, flavour)
    try:
        fh = open(path, "rb")
    except OSError as exc:
        raise SourceUnreadable(f"cannot read {path}: {exc.strerror}") from None
    with fh:
        if (fmt or detect_format(path)) == "marcxml":
            yield from read_marcxml(fh, str(path), on_reject, on_warning=on_warning)
        else:
            yield from read_iso2709(fh, str(path), forced, on_reject, encoding=encoding,
                                    default_flavour=default_flavour, on_warning=on_warning)


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


def _position(ordinal: int, offset: int) -> str:
    return f"record {ordinal} at byte {offset}"


def read_iso2709(fh: BinaryIO, where: str, flavour: str | None, on_reject: OnReject, *,
                 encoding: str | None = None, default_flavour: str = "marc21",
                 on_warning: OnWarning | None = None) -> Iterator[RawRecord]:
    """ISO 2709 records of a stream; ``flavour`` None (or "iso2709") means recognise it."""
    if flavour == "iso2709":
        flavour = None
    if encoding:
        try:
            charsets.normalize_encoding(encoding)
        except ValueError as exc:
            raise ConfigError(str(exc)) from None
    other_flavour_seen = False
    for ordinal, (offset, data) in enumerate(_chunks(fh), start=1):
        position = _position(ordinal, offset)
        # a chunk of line breaks or padding between records is not a record
        lead = len(data) - len(data.lstrip(b"\r\n\x00 "))
        if lead and data[lead:lead + 5].isdigit():
            data, offset, position = data[lead:], offset + lead, _position(ordinal, offset + lead)
        try:
            if not data.endswith(RECORD_TERMINATOR):
                raise StructureError("record is truncated (no record terminator)")
            layout = read_layout(data)
            local_id = control_number(layout)
            if not local_id:
                raise StructureError("no 001 control number")
        except StructureError as exc:
            on_reject(Rejected(where, position, str(exc), data))
            continue
        except Exception as exc:  # never let one record stop an import
            on_reject(Rejected(where, position, f"unreadable record ({exc.__class__.__name__}:"
                                                f" {exc})", data))
            continue
        detected = detect_flavour(layout)
        record_flavour = flavour or detected or default_flavour
        if on_warning:
            notes = [layout.repair] if layout.repair else []
            charset = charsets.choose(data, layout, record_flavour, encoding)
            if charset.note:
                notes.append(charset.note)
            if not flavour and detected and detected != default_flavour and not other_flavour_seen:
                other_flavour_seen = True
                notes.append(f"the source's flavour is {default_flavour} but this file holds"
                             f" {detected} records; they are read as {detected}")
            for note in notes:
                on_warning(ReadWarning(where, f"{position} (id {local_id})", note))
        yield RawRecord(local_id=local_id, format=record_flavour, data=data,
                        deleted=data[5:6] == b"d", position=position)
