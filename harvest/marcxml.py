"""Reading MARCXML files one record element at a time, whatever state they are in.

The file is scanned as bytes, in blocks, for ``record`` elements in the
MARC 21 slim namespace (prefixed or default) or in no namespace at all, so
a collection, a lone record, an OAI-PMH page with MARCXML inside, a file
with a BOM or without a prolog all read the same way and a 1 GB file is
never held in memory. Each element is then parsed on its own with lxml
(entities and network off), so one broken record is reported and skipped
while the records around it are kept. Records found after the document
element has closed (a file that is not well-formed) are kept with a warning.

A stored record is the element's bytes in UTF-8, with the namespace
declarations it relied on copied onto it so that it stands alone.
"""

from __future__ import annotations

import codecs
import re
from typing import BinaryIO, Callable, Iterator

from lxml import etree

from .records import RawRecord, ReadWarning, Rejected
from .xml_guard import refusal

MARCXML_NS = "http://www.loc.gov/MARC21/slim"
MAX_RECORD_BYTES = 64 << 20

# libxml2's own limits stay on (no huge_tree): a text or attribute over 10 MB, or elements
# nested over 256 deep, is no MARC record but an attack on the parser
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False,
                          huge_tree=False, remove_comments=True, remove_pis=True)
_START = re.compile(rb"<(?:([A-Za-z_][\w.-]*):)?record(?=[\s/>])")
_TAG = re.compile(rb"<(/?)((?:[A-Za-z_][\w.-]*:)?[A-Za-z_][\w.-]*)(?=[\s/>])")
_XMLNS = re.compile(rb"""\sxmlns(?::([A-Za-z_][\w.-]*))?\s*=\s*(["'])(.*?)\2""", re.S)
_PROLOG_ENCODING = re.compile(rb"""^<\?xml[^>]*?encoding\s*=\s*["']([A-Za-z0-9._-]+)["']""")

OnReject = Callable[[Rejected], None]
OnWarning = Callable[[ReadWarning], None]


def _utf8_blocks(fh: BinaryIO, size: int, notes: list[str]) -> Iterator[bytes]:
    """The file as UTF-8 blocks: a BOM dropped, UTF-16 or a declared legacy charset transcoded.

    An encoding Python does not know is reported in ``notes`` and the file read as UTF-8.
    """
    first = fh.read(size)
    encoding = "utf-8"
    if first.startswith(codecs.BOM_UTF8):
        first = first[3:]
    elif first.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        encoding = "utf-16"
    else:
        m = _PROLOG_ENCODING.match(first.lstrip())
        if m and m.group(1).decode("ascii").lower() not in ("utf-8", "utf8", "us-ascii", "ascii"):
            encoding = m.group(1).decode("ascii")
            try:
                codecs.lookup(encoding)
            except LookupError:
                notes.append(f"unknown encoding {encoding!r} in the XML declaration;"
                             " read as UTF-8")
                encoding = "utf-8"
    if encoding == "utf-8":
        block = first
        while block:
            yield block
            block = fh.read(size)
        return
    decoder = codecs.getincrementaldecoder(encoding)(errors="replace")
    block = first
    while block:
        yield decoder.decode(block).encode("utf-8")
        block = fh.read(size)
    yield decoder.decode(b"", final=True).encode("utf-8")


def read_marcxml(fh: BinaryIO, where: str, on_reject: OnReject, *,
                 on_warning: OnWarning | None = None, block: int = 1 << 20) -> Iterator[RawRecord]:
    """MARCXML records of a stream, each parsed alone; broken ones go to ``on_reject``."""
    scanner = _Scanner(where, on_reject, on_warning)
    notes: list[str] = []
    blocks = _utf8_blocks(fh, block, notes)
    buf = b""
    eof = False
    while True:
        records, consumed = scanner.scan(buf, eof)
        yield from records
        buf = buf[consumed:]
        scanner.offset += consumed
        if eof:
            break
        more = next(blocks, None)
        while notes:
            if on_warning:
                on_warning(ReadWarning(where, "whole file", notes.pop(0)))
            else:
                notes.pop(0)
        if more is None:
            eof = True
        else:
            buf += more
    scanner.finish()


class _Scanner:
    """State of one file's scan: namespaces in scope outside records, offsets, counts."""

    def __init__(self, where: str, on_reject: OnReject, on_warning: OnWarning | None):
        self.where = where
        self.on_reject = on_reject
        self.on_warning = on_warning
        self.namespaces: dict[bytes, bytes] = {}   # prefix (b"" = default) -> uri
        self.offset = 0       # absolute offset of the buffer's first byte
        self.line = 1
        self.ordinal = 0
        self.root: bytes | None = None
        self.root_closed = False
        self.warned_outside = False

    def position(self, at: int, line: int) -> str:
        return f"record {self.ordinal} at byte {self.offset + at} (line {line})"

    def _outside(self, text: bytes) -> None:
        """Tags between records: namespace declarations and the document element."""
        for m in _XMLNS.finditer(text):
            self.namespaces[m.group(1) or b""] = m.group(3)
        for m in _TAG.finditer(text):
            closing, name = m.group(1), m.group(2)
            if self.root is None and not closing:
                self.root = name
            elif closing and name == self.root:
                self.root_closed = True

    def _is_marc(self, buf: bytes, m: re.Match) -> bool:
        prefix = m.group(1) or b""
        tag_end = buf.find(b">", m.end())
        own = {d.group(1) or b"": d.group(3) for d in _XMLNS.finditer(buf, m.end(), tag_end)}
        uri = own.get(prefix, self.namespaces.get(prefix))
        return uri is None or uri == MARCXML_NS.encode()

    def scan(self, buf: bytes, eof: bool) -> tuple[list[RawRecord], int]:
        """Records complete in ``buf``; how many bytes of it were used up."""
        out: list[RawRecord] = []
        pos = 0
        while True:
            m = _START.search(buf, pos)
            if m is None:
                keep = max(pos, len(buf) - 256) if not eof else len(buf)
                self._advance(buf, pos, keep, outside=True)
                return out, keep
            tag_end = buf.find(b">", m.end())
            if tag_end < 0 and not eof:
                self._advance(buf, pos, m.start(), outside=True)
                return out, m.start()
            self._advance(buf, pos, m.start(), outside=True)
            pos = m.start()
            if not self._is_marc(buf, m):
                self._advance(buf, pos, m.end(), outside=True)
                pos = m.end()
                continue
            end, broken = self._find_end(buf, m, tag_end)
            if (end is None and broken is None and not eof
                    and len(buf) - m.start() < MAX_RECORD_BYTES):
                return out, m.start()
            self.ordinal += 1
            line = self.line
            if end is None:
                end = len(buf) if broken is None else broken
                reason = ("XML is not well formed: the record element is not closed"
                          if broken is not None or eof else
                          f"record element is larger than {MAX_RECORD_BYTES} bytes")
                self.on_reject(Rejected(self.where, self.position(m.start(), line), reason,
                                        buf[m.start():end]))
            else:
                record = self._record(buf[m.start():end], m.group(1),
                                      self.position(m.start(), line))
                if record is not None:
                    out.append(record)
            self._advance(buf, m.start(), end, outside=False)
            if self.root is None:   # a lone record is the document element
                self.root, self.root_closed = b"record", True
            pos = end

    def _find_end(self, buf: bytes, start: re.Match, tag_end: int) -> tuple[int | None, int | None]:
        """(end of the element, None) or (None, where the next record starts if it is unclosed)."""
        if tag_end >= 0 and buf[tag_end - 1:tag_end] == b"/":
            return tag_end + 1, None
        qname = (start.group(1) + b":" if start.group(1) else b"") + b"record"
        closing = b"</" + qname
        search_from = max(tag_end, start.end())
        while True:
            end = buf.find(closing, search_from)
            nested = buf.find(b"<" + qname, search_from)
            while nested >= 0 and buf[nested + len(qname) + 1:nested + len(qname) + 2] not in (
                    b" ", b">", b"/", b"\t", b"\n", b"\r"):
                nested = buf.find(b"<" + qname, nested + 1)
            if end < 0:
                return None, (nested if nested >= 0 else None)
            if 0 <= nested < end:
                return None, nested   # a new record begins before this one ended
            gt = buf.find(b">", end)
            if gt < 0:
                return None, None
            return gt + 1, None

    def _advance(self, buf: bytes, start: int, end: int, outside: bool) -> None:
        if end <= start:
            return
        text = buf[start:end]
        self.line += text.count(b"\n")
        if outside:
            self._outside(text)

    def _record(self, element: bytes, prefix: bytes | None, position: str) -> RawRecord | None:
        element = self._standalone(element, prefix or b"")
        try:
            elem = etree.fromstring(element, _PARSER)
        except etree.XMLSyntaxError as exc:
            self.on_reject(Rejected(self.where, position, f"XML is not well formed: {exc}",
                                    element))
            return None
        except Exception as exc:  # never let one record stop an import
            self.on_reject(Rejected(self.where, position,
                                    f"unreadable record ({exc.__class__.__name__}: {exc})",
                                    element))
            return None
        hostile = refusal(elem)
        if hostile:
            self.on_reject(Rejected(self.where, position, hostile, element))
            return None
        ns = etree.QName(elem).namespace
        q = (lambda name: f"{{{ns}}}{name}") if ns else (lambda name: name)
        if elem.find(q("leader")) is None and elem.find(q("controlfield")) is None \
                and elem.find(q("datafield")) is None:
            self.on_reject(Rejected(self.where, position, "not a MARC record: the record element"
                                    " has no leader, controlfield or datafield", element))
            return None
        control = elem.find(f"{q('controlfield')}[@tag='001']")
        local_id = (control.text or "").strip() if control is not None else ""
        if not local_id:
            self.on_reject(Rejected(self.where, position, "no 001 control number", element))
            return None
        if self.root_closed and not self.warned_outside and self.on_warning:
            self.warned_outside = True
            self.on_warning(ReadWarning(
                self.where, position, "records after the end of the document element"
                " (the file is not well-formed XML); they are read anyway"))
        leader = elem.findtext(q("leader")) or ""
        return RawRecord(local_id=local_id, format="marcxml", data=element,
                         deleted=leader[5:6] == "d", position=position)

    def _standalone(self, element: bytes, prefix: bytes) -> bytes:
        """Copy the declarations in scope onto the element's start tag."""
        tag_end = element.find(b">")
        declared = {d.group(1) or b"" for d in _XMLNS.finditer(element, 0, tag_end)}
        extra = b"".join(
            (b' xmlns:' + p if p else b' xmlns') + b'="' + uri + b'"'
            for p, uri in self.namespaces.items() if p not in declared and uri)
        if not extra:
            return element
        name_end = 1 + len(prefix) + (1 if prefix else 0) + len(b"record")
        return element[:name_end] + extra + element[name_end:]

    def finish(self) -> None:
        if self.ordinal == 0 and self.on_warning:
            self.on_warning(ReadWarning(self.where, "whole file", "no MARCXML record found"))
