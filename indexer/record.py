"""A lean, decoded MARC record: what mapping rules read.

:func:`decode` turns stored bytes (ISO 2709 in any character set the
record or its source states, or a MARCXML element) into a :class:`Record`
of :class:`Field` objects whose text is Unicode NFC. It is deliberately
small: a leader, a list of fields, and the notes the decoding produced
(a wrong leader/09, invalid bytes, a repaired directory) for warnings.
"""

from __future__ import annotations

import contextlib
import io
import re

from lxml import etree

from harvest import charsets
from harvest.iso2709 import StructureError, detect_flavour, read_layout

from .errors import MappingError
from .textnorm import nfc

MARCXML_NS = "http://www.loc.gov/MARC21/slim"
# libxml2's own limits stay on (no huge_tree), as in harvest.marcxml and the OAI client:
# every MARCXML record in the store came through one of them, so none has a text node over
# 10 MB or elements nested over 256 deep, and a record that did (a store written by hand)
# is a MappingError with the parser's reason, not an unbounded parse
_XML_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False,
                              huge_tree=False, remove_comments=True, remove_pis=True)
# Presentation marks left out of the text mapping sees: non-sorting markers (ISO 6630
# NSB/NSE and their MARC-8 C1 forms) and the bidi controls LC puts around right-to-left
# text (RLM, LRE/PDF ...), which Unicode text does not need. Export keeps them.
_MARKS = "\x88\x89\x98\x9c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
_NONSORT = dict.fromkeys(map(ord, _MARKS))
_NONSORT_RE = re.compile(f"[{_MARKS}]")
_NCR = re.compile(r"&#x([0-9A-Fa-f]{2,6});")


class Field:
    """A control field (``data`` set) or a data field (indicators and subfields)."""

    __slots__ = ("tag", "ind1", "ind2", "subfields", "data")

    def __init__(self, tag: str, ind1: str = " ", ind2: str = " ",
                 subfields: list[tuple[str, str]] | None = None, data: str | None = None):
        self.tag = tag
        self.ind1 = ind1
        self.ind2 = ind2
        self.subfields = subfields if subfields is not None else []
        self.data = data

    @property
    def is_control(self) -> bool:
        return self.data is not None

    def get(self, code: str) -> str | None:
        for c, v in self.subfields:
            if c == code:
                return v
        return None

    def get_all(self, code: str) -> list[str]:
        return [v for c, v in self.subfields if c == code]

    def __repr__(self) -> str:
        if self.is_control:
            return f"={self.tag}  {self.data}"
        subs = "".join(f"${c}{v}" for c, v in self.subfields)
        return f"={self.tag}  {self.ind1}{self.ind2}{subs}"

    def __eq__(self, other) -> bool:
        return isinstance(other, Field) and all(
            getattr(self, s) == getattr(other, s) for s in self.__slots__)


class Record:
    """A decoded record: its leader, fields in order, flavour and decoding notes."""

    __slots__ = ("leader", "fields", "flavour", "charset", "notes")

    def __init__(self, leader: str, fields: list[Field], flavour: str = "marc21",
                 charset: str = charsets.UTF8, notes: list[str] | None = None):
        self.leader = leader
        self.fields = fields
        self.flavour = flavour
        self.charset = charset
        self.notes = notes if notes is not None else []

    def get_fields(self, *tags: str) -> list[Field]:
        return [f for f in self.fields if not tags or f.tag in tags]

    def __getitem__(self, tag: str) -> Field | None:
        for f in self.fields:
            if f.tag == tag:
                return f
        return None

    def __str__(self) -> str:
        return "\n".join([f"=LDR  {self.leader}"] + [repr(f) for f in self.fields])


_INDICATOR_CHARS = " 0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ|#"
_GOOD_INDICATORS = frozenset(a + b for a in _INDICATOR_CHARS for b in _INDICATOR_CHARS)


def _indicators(inds: str, tag: str, notes: list[str]) -> tuple[str, str]:
    """Two indicators; anything else (a stray byte, a missing one) is read as blank, with a note."""
    if inds in _GOOD_INDICATORS:
        return inds[0], inds[1]
    notes.append(f"field {tag}: indicators {inds!r} are not valid; read as blanks where wrong")
    fixed = [c if c in _INDICATOR_CHARS else " " for c in inds[:2].ljust(2)]
    return fixed[0], fixed[1]


def _nfc(text: str) -> str:
    return nfc(text)


def decode(data: bytes, fmt: str, encoding: str | None = None, flavour: str | None = None,
           keep_nonsorting: bool = False, only: dict | None = None) -> Record:
    """Decode one stored record (``marc21``, ``unimarc`` or ``marcxml``).

    ``encoding`` (a source's setting) overrides what the record says about
    its character set; ``flavour`` overrides the stored format's flavour.
    ``only`` maps a flavour to the tags worth decoding (others are left out).
    """
    if fmt == "marcxml":
        return from_marcxml(data, flavour, keep_nonsorting)
    if fmt not in ("marc21", "unimarc", "iso2709"):
        raise MappingError(f"cannot decode records stored as {fmt!r}")
    return from_iso2709(data, flavour or (fmt if fmt != "iso2709" else None), encoding,
                        keep_nonsorting, only)


def from_iso2709(data: bytes, flavour: str | None = None, encoding: str | None = None,
                 keep_nonsorting: bool = False, only: dict | None = None) -> Record:
    try:
        layout = read_layout(data)
    except StructureError as exc:
        raise MappingError(f"cannot parse ISO 2709 record: {exc}") from None
    flavour = flavour or detect_flavour(layout) or "marc21"
    try:
        charset = charsets.choose(data, layout, flavour, encoding)
    except ValueError as exc:
        raise MappingError(str(exc)) from None
    notes = [n for n in (layout.repair, charset.note) if n]
    leader = layout.leader.decode("ascii", "replace")
    codec = charset.codec
    raw = layout.fields
    wanted = only.get(flavour) if only else None
    if wanted is not None:
        raw = [(tag, value) for tag, value in raw if tag in wanted]
    if codec == charsets.MARC8:
        fields = _marc8_fields(raw, notes)
    else:
        errors = "replace" if charset.invalid else "strict"
        fields = _fields(raw, codec, errors, keep_nonsorting, notes)
    if codec == charsets.MARC8 and not keep_nonsorting:
        _drop_nonsorting(fields)
    return Record(leader, fields, flavour, codec, notes)


def _fields(raw: list[tuple[str, bytes]], codec: str, errors: str,
            keep_nonsorting: bool, notes: list[str]) -> list[Field]:
    fields = []
    append = fields.append
    nonsort = _NONSORT_RE.search
    for tag, value in raw:
        text = value.decode(codec, errors)
        if not text.isascii():
            text = nfc(text)  # Vietnamese shape/tone marks reordered first (textnorm.nfc)
            if not keep_nonsorting and nonsort(text):
                text = text.translate(_NONSORT)
        if tag < "010" and tag.isdigit():
            append(Field(tag, data=text))
            continue
        parts = text.split("\x1f")
        ind1, ind2 = _indicators(parts[0], tag, notes)
        append(Field(tag, ind1, ind2, [(p[0], p[1:]) for p in parts[1:] if p]))
    return fields


def _marc8_fields(raw: list[tuple[str, bytes]], notes: list[str]) -> list[Field]:
    """MARC-8 (with EACC, and LC's numeric character references) to Unicode."""
    from pymarc.marc8 import MARC8ToUnicode

    def convert(chunk: bytes, where: str) -> str:
        try:
            text = MARC8ToUnicode(quiet=True).translate(chunk)
        except (UnicodeDecodeError, IndexError, TypeError, KeyError):
            notes.append(f"{where}: MARC-8 bytes that cannot be decoded were dropped")
            text = chunk.decode("ascii", "ignore").replace("\x1b", "")
        if "&#x" in text:
            text = _NCR.sub(lambda m: chr(int(m.group(1), 16)), text)
        return _nfc(text)

    fields = []
    trouble = io.StringIO()
    with contextlib.redirect_stderr(trouble):
        for tag, value in raw:
            if tag < "010" and tag.isdigit():
                fields.append(Field(tag, data=convert(value, tag)))
                continue
            parts = value.split(b"\x1f")
            ind1, ind2 = _indicators(parts[0].decode("latin-1"), tag, notes)
            subs = [(chr(p[0]), convert(p[1:], f"{tag} ${chr(p[0])}")) for p in parts[1:] if p]
            fields.append(Field(tag, ind1, ind2, subs))
    if trouble.getvalue().strip():
        notes.append("MARC-8: " + trouble.getvalue().strip().splitlines()[0])
    return fields


def _drop_nonsorting(fields: list[Field]) -> None:
    for f in fields:
        if f.data is None:
            for i, (code, value) in enumerate(f.subfields):
                if not value.isascii() and _NONSORT_RE.search(value):
                    f.subfields[i] = (code, value.translate(_NONSORT))


def from_marcxml(data: bytes, flavour: str | None = None,
                 keep_nonsorting: bool = False) -> Record:
    """A MARCXML ``record`` element (namespaced or not) as a Record."""
    try:
        elem = etree.fromstring(data, _XML_PARSER)
    except etree.XMLSyntaxError as exc:
        raise MappingError(f"MARCXML record is not well formed: {exc}") from None
    if etree.QName(elem).localname != "record":
        found = elem.find(f".//{{{MARCXML_NS}}}record")
        if found is None:
            found = elem.find(".//record")
        if found is None:
            raise MappingError(f"no MARCXML record in a <{etree.QName(elem).localname}> element")
        elem = found
    leader = " " * 24
    fields: list[Field] = []
    for child in elem:
        if not isinstance(child.tag, str):
            continue
        name = etree.QName(child).localname
        if name == "leader":
            leader = (child.text or "").ljust(24)[:24]
        elif name == "controlfield":
            fields.append(Field(child.get("tag", "").strip(), data=_nfc(child.text or "")))
        elif name == "datafield":
            subs = [((sf.get("code") or " ")[:1], _nfc(sf.text or "")) for sf in child
                    if isinstance(sf.tag, str) and etree.QName(sf).localname == "subfield"]
            fields.append(Field(child.get("tag", "").strip(), (child.get("ind1") or " ")[:1],
                                (child.get("ind2") or " ")[:1], subs))
    if not keep_nonsorting:
        _drop_nonsorting(fields)
    record = Record(leader, fields, "marc21", charsets.UTF8)
    tags = {f.tag for f in fields}
    if flavour:
        record.flavour = flavour
    elif "245" not in tags and "008" not in tags and "200" in tags and "100" in tags:
        record.flavour = "unimarc"
    return record


def from_pymarc(record) -> Record:
    """A pymarc ``Record`` as a lean Record (for callers that already hold one)."""
    fields = []
    for f in record.fields:
        if f.is_control_field():
            fields.append(Field(f.tag, data=_nfc(f.data)))
        else:
            fields.append(Field(f.tag, f.indicator1 or " ", f.indicator2 or " ",
                                [(sf.code, _nfc(sf.value)) for sf in f.subfields]))
    return Record(str(record.leader), fields)
