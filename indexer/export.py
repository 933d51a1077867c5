"""Writing stored records back out as MARC 21 (ISO 2709) or MARCXML.

The store is the truth, so an export gives back what came in:

* an ISO 2709 record (MARC 21 or UNIMARC, any character set) is written
  out byte for byte as it was received;
* a MARCXML record is written out as its stored element;
* the other way round, a record is decoded and re-encoded: ISO 2709 to
  MARCXML (Unicode, leader/09 'a') and MARCXML to ISO 2709 in UTF-8, with
  the same leader, fields, indicators and subfields (structurally equal);
* a Dublin Core record is cross-walked to MARC 21 the way the Library of
  Congress's DC-to-MARC crosswalk does it (245, 720, 653, 520, 260 ...).

UNIMARC records stay UNIMARC: converting them to MARC 21 tags is a
cataloguing decision, not an export.
"""

from __future__ import annotations

from typing import BinaryIO, Iterable

from lxml import etree

from harvest.iso2709 import StructureError, write_layout

from .dublincore import parse_dc
from .errors import MappingError, TooLongForIso2709
from .record import MARCXML_NS, Field, Record, decode

EXPORT_FORMATS = ("marc21", "marcxml")
_ISO2709_FORMATS = ("marc21", "unimarc", "iso2709")


def record_of(data: bytes, fmt: str, encoding: str | None = None,
              local_id: str | None = None) -> Record:
    """A stored record decoded with nothing left out (non-sorting marks included)."""
    if fmt == "oai_dc":
        return dc_to_marc(data, local_id)
    return decode(data, fmt, encoding, keep_nonsorting=True)


def to_iso2709(data: bytes, fmt: str, encoding: str | None = None,
               local_id: str | None = None) -> bytes:
    """The record as ISO 2709: the source bytes when it came as ISO 2709."""
    if fmt in _ISO2709_FORMATS:
        return data
    return write_record(record_of(data, fmt, encoding, local_id))


def to_marcxml(data: bytes, fmt: str, encoding: str | None = None,
               local_id: str | None = None) -> bytes:
    """The record as one MARCXML ``record`` element: the source element when it came as MARCXML."""
    if fmt == "marcxml":
        return data
    return etree.tostring(record_element(record_of(data, fmt, encoding, local_id)),
                          encoding="utf-8")


def write_record(record: Record) -> bytes:
    """A decoded record as ISO 2709 in UTF-8 (leader/09 'a')."""
    fields = []
    for f in record.fields:
        if f.data is not None:
            fields.append((f.tag, f.data.encode("utf-8")))
        else:
            subs = "".join(f"\x1f{code}{value}" for code, value in f.subfields)
            fields.append((f.tag, f"{f.ind1}{f.ind2}{subs}".encode("utf-8")))
    leader = record.leader.ljust(24)[:24]
    if record.flavour == "marc21":
        leader = leader[:9] + "a" + leader[10:]
    try:
        return write_layout(leader.encode("ascii", "replace"), fields)
    except StructureError as exc:
        raise TooLongForIso2709(f"cannot write record as ISO 2709: {exc}") from None


def record_element(record: Record) -> etree._Element:
    """A decoded record as a MARCXML ``record`` element (slim namespace)."""
    ns = MARCXML_NS
    elem = etree.Element(f"{{{ns}}}record", nsmap={None: ns})
    leader = record.leader.ljust(24)[:24]
    if record.flavour == "marc21":   # MARCXML is Unicode, whatever the source was
        leader = leader[:9] + "a" + leader[10:]
    etree.SubElement(elem, f"{{{ns}}}leader").text = xml_text(leader)
    for f in record.fields:
        if f.data is not None:
            child = etree.SubElement(elem, f"{{{ns}}}controlfield", tag=xml_text(f.tag))
            child.text = xml_text(f.data)
        else:
            child = etree.SubElement(elem, f"{{{ns}}}datafield", tag=xml_text(f.tag),
                                     ind1=xml_text(f.ind1), ind2=xml_text(f.ind2))
            for code, value in f.subfields:
                etree.SubElement(child, f"{{{ns}}}subfield",
                                 code=xml_text(code)).text = xml_text(value)
    return elem


def xml_text(text: str) -> str:
    """XML 1.0 cannot carry C0 controls (but tab and newlines), lone surrogates or U+FFFE/F:
    they become U+FFFD."""
    if text.isprintable():
        return text
    return "".join(c if (c >= " " or c in "\t\n\r") and not "\ud800" <= c <= "\udfff"
                   and c not in "\ufffe\uffff" else "\ufffd" for c in text)


def write_collection(out: BinaryIO, records: Iterable[tuple[bytes, str, str | None, str | None]],
                     fmt: str = "marcxml") -> int:
    """Write (data, stored format, encoding, local id) records to ``out``; how many were written.

    ``fmt`` "marc21" writes ISO 2709 one after another; "marcxml" writes a
    ``collection`` document, one record element per record.
    """
    if fmt not in EXPORT_FORMATS:
        raise ValueError(f"unknown export format {fmt!r} (use one of {', '.join(EXPORT_FORMATS)})")
    count = 0
    if fmt == "marcxml":
        out.write(b'<?xml version="1.0" encoding="UTF-8"?>\n'
                  b'<collection xmlns="' + MARCXML_NS.encode() + b'">\n')
    for data, stored_fmt, encoding, local_id in records:
        if fmt == "marc21":
            out.write(to_iso2709(data, stored_fmt, encoding, local_id))
        else:
            out.write(to_marcxml(data, stored_fmt, encoding, local_id) + b"\n")
        count += 1
    if fmt == "marcxml":
        out.write(b"</collection>\n")
    return count


def export_store(store, out: BinaryIO, fmt: str = "marcxml", source: str | None = None,
                 encodings: dict[str, str | None] | None = None) -> int:
    """Every live record of the store (or of one source) written to ``out``."""
    encodings = encodings or {}
    records = ((rec.data, rec.format, encodings.get(rec.source), rec.local_id)
               for rec in store.iter_records(source=source, include_deleted=False))
    return write_collection(out, records, fmt)


# Dublin Core element -> (tag, indicators, subfield code, extra subfields), after LC's crosswalk
_DC_TO_MARC = (
    ("title", "245", "00", "a", ()),
    ("creator", "720", "  ", "a", (("e", "author"),)),
    ("contributor", "720", "  ", "a", ()),
    ("subject", "653", "  ", "a", ()),
    ("description", "520", "  ", "a", ()),
    ("publisher", "260", "  ", "b", ()),
    ("date", "260", "  ", "c", ()),
    ("type", "655", " 7", "a", (("2", "local"),)),
    ("format", "856", "  ", "q", ()),
    ("identifier", "024", "8 ", "a", ()),
    ("source", "786", "0 ", "n", ()),
    ("language", "546", "  ", "a", ()),
    ("relation", "787", "0 ", "n", ()),
    ("coverage", "500", "  ", "a", ()),
    ("rights", "540", "  ", "a", ()),
)


def dc_to_marc(data: bytes, local_id: str | None = None) -> Record:
    """A Dublin Core record as a MARC 21 record (first title 245, others 246; URLs 856 $u)."""
    elements = parse_dc(data).elements
    fields = [Field("001", data=local_id)] if local_id else []
    for name, tag, inds, code, extra in _DC_TO_MARC:
        for n, value in enumerate(elements.get(name, ())):
            if name == "title" and n:
                fields.append(Field("246", "3", "3", [("a", value)]))
            elif name == "identifier" and value.lower().startswith(("http://", "https://")):
                fields.append(Field("856", "4", "0", [("u", value)]))
            else:
                fields.append(Field(tag, inds[0], inds[1], [(code, value), *extra]))
    fields.sort(key=lambda f: f.tag)
    return Record("     nam a22     uu 4500", fields)
