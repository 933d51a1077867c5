"""From stored bytes to a plain dict of index values.

``parse_marc`` decodes a stored record (ISO 2709 in UTF-8, MARC-8 or a
legacy charset; MARCXML) into a pymarc ``Record``; ``map_record`` applies a
flavour's declarative rules and returns a plain dict; nothing else happens
here.
"""

from __future__ import annotations

import io
import warnings

import pymarc
from lxml import etree

from . import marc21
from .errors import MappingError
from .rules import MarcView, map_with

SINGLE_VALUED = ("local_id", "title", "title_vernacular", "year")
RULESETS = {"marc21": marc21.RULES}
MAPPING_VERSION = marc21.MAPPING_VERSION

_XML_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False,
                              huge_tree=False)
_MARC8_MARKER = "iso8859-1"  # what pymarc calls MARC-8 in its file_encoding argument


def parse_marc(data: bytes, fmt: str, encoding: str | None = None) -> pymarc.Record:
    """Decode one stored record. ``encoding`` overrides leader/09."""
    try:
        if fmt == "marcxml":
            return _record_from_marcxml(data)
        force_utf8 = False
        file_encoding = _MARC8_MARKER
        if encoding:
            enc = encoding.lower().replace("_", "-")
            if enc in ("utf-8", "utf8"):
                force_utf8 = True
            else:
                data = data[:9] + b" " + data[10:]
                file_encoding = _MARC8_MARKER if enc in ("marc8", "marc-8") else enc
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return pymarc.Record(data, to_unicode=True, force_utf8=force_utf8,
                                 utf8_handling="replace", file_encoding=file_encoding)
    except MappingError:
        raise
    except Exception as exc:
        raise MappingError(f"cannot parse {fmt} record: {exc.__class__.__name__}: {exc}") from None


def _record_from_marcxml(data: bytes) -> pymarc.Record:
    try:
        elem = etree.fromstring(data, _XML_PARSER)
    except etree.XMLSyntaxError as exc:
        raise MappingError(f"MARCXML record is not well formed: {exc}") from None
    record = pymarc.Record()
    for child in elem:
        name = etree.QName(child).localname
        if name == "leader":
            record.leader = pymarc.Leader((child.text or "").ljust(24)[:24])
        elif name == "controlfield":
            record.add_field(pymarc.Field(tag=child.get("tag", ""), data=child.text or ""))
        elif name == "datafield":
            subfields = [pymarc.Subfield(code=sf.get("code", ""), value=sf.text or "")
                         for sf in child if etree.QName(sf).localname == "subfield"]
            record.add_field(pymarc.Field(
                tag=child.get("tag", ""),
                indicators=pymarc.Indicators(child.get("ind1", " ")[:1] or " ",
                                             child.get("ind2", " ")[:1] or " "),
                subfields=subfields))
    return record


def map_record(record: pymarc.Record, flavour: str = "marc21") -> dict:
    """Apply the flavour's rules: a plain dict of lists, with a few single values."""
    try:
        rules = RULESETS[flavour]
    except KeyError:
        raise MappingError(f"no mapping rules for {flavour!r} records yet") from None
    out = map_with(rules, MarcView(record))
    for key in SINGLE_VALUED:
        if key in out:
            out[key] = out[key][0]
    if "languages" in out:
        out["languages"] = list(dict.fromkeys(out["languages"]))
    return out


def map_stored(data: bytes, fmt: str, encoding: str | None = None) -> dict:
    """Parse and map one stored record."""
    flavour = "marc21" if fmt in ("marc21", "marcxml") else fmt
    return map_record(parse_marc(data, fmt, encoding), flavour)


def marc_text(record: pymarc.Record) -> str:
    """The record in MARC breaker-like text, for staff views and debugging."""
    buf = io.StringIO()
    buf.write(str(record))
    return buf.getvalue()
