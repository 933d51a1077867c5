"""The metadata formats the provider disseminates, which records each covers, and rendering.

* ``marc21``: every record as MARCXML, as received: a record that came as
  MARCXML is sent as its stored element; one that came as ISO 2709 (MARC 21
  or UNIMARC, MARC-8 or any other character set) is decoded and written as
  MARCXML in Unicode with the same leader, fields, indicators and subfields;
  a Dublin Core record goes through LC's DC-to-MARC crosswalk.
* ``unimarc``: the UNIMARC records only (stored as UNIMARC, or MARCXML of a
  source whose flavour is UNIMARC), the same MARCXML.
* ``oai_dc``: every record, from the mapping (:mod:`.dc`).
"""

from __future__ import annotations

from dataclasses import dataclass
from xml.sax.saxutils import escape

from lxml import etree

from harvest.config import Home
from harvest.listing import Selection
from harvest.oai.protocol import safe_parser
from indexer.errors import MappingError
from indexer.export import record_element, record_of, xml_text
from indexer.mapping import map_stored
from indexer.record import MARCXML_NS

from .dc import OAI_DC_NS, OAI_DC_SCHEMA, oai_dc

MARC_SCHEMA = "http://www.loc.gov/standards/marcxml/schema/MARC21slim.xsd"


@dataclass(frozen=True)
class MetadataFormat:
    prefix: str
    schema: str
    namespace: str
    only: tuple[str, ...] | None    # stored formats it covers (None: every record)


FORMATS = {
    "marc21": MetadataFormat("marc21", MARC_SCHEMA, MARCXML_NS, None),
    "unimarc": MetadataFormat("unimarc", MARC_SCHEMA, MARCXML_NS, ("unimarc",)),
    "oai_dc": MetadataFormat("oai_dc", OAI_DC_SCHEMA, OAI_DC_NS, None),
}


def unimarc_sources(home: Home) -> tuple[str, ...]:
    """Sources whose MARCXML records are UNIMARC (their flavour setting says so)."""
    return tuple(sorted(code for code, s in home.sources.items() if s.flavour == "unimarc"))


def selection(home: Home, prefix: str, **window) -> Selection:
    fmt = FORMATS[prefix]
    if fmt.only is None:
        return Selection(**window)
    return Selection(formats=fmt.only, marcxml_sources=unimarc_sources(home), **window)


def formats_of(home: Home, source: str, stored_format: str) -> list[MetadataFormat]:
    """The formats one record can be disseminated in."""
    out = [FORMATS["marc21"]]
    if stored_format == "unimarc" or (stored_format == "marcxml"
                                      and home.sources.get(source) is not None
                                      and home.sources[source].flavour == "unimarc"):
        out.append(FORMATS["unimarc"])
    out.append(FORMATS["oai_dc"])
    return out


class Renderer:
    """Turns stored records into a format's metadata element (bytes)."""

    def __init__(self, home: Home, prefix: str):
        self.home = home
        self.prefix = prefix

    def _encoding(self, source: str) -> str | None:
        src = self.home.sources.get(source)
        return src.encoding if src is not None else None

    def __call__(self, source: str, local_id: str, fmt: str, data: bytes) -> bytes:
        """The metadata element; :class:`MappingError` when the stored record cannot be read."""
        if self.prefix == "oai_dc":
            src = self.home.sources.get(source)
            flavour = "unimarc" if fmt == "marcxml" and src is not None \
                and src.flavour == "unimarc" else None
            mapped = map_stored(data, fmt, self._encoding(source), flavour=flavour,
                                source=source, local_id=local_id,
                                on_warning=lambda message: None)
            return oai_dc(mapped)
        if fmt == "marcxml":
            return _stored_marcxml(data, local_id)
        return marcxml_bytes(record_of(data, fmt, self._encoding(source), local_id))


_TEXT = {"\r": "&#13;"}                                  # a literal CR would read back as LF
_ATTR = {'"': "&quot;", "\r": "&#13;", "\n": "&#10;", "\t": "&#9;"}


def marcxml_bytes(record) -> bytes:
    """A decoded record as one MARCXML ``record`` element: what
    :func:`indexer.export.record_element` builds, written as text (several times faster
    than building the tree, which is most of a ListRecords page's cost)."""
    leader = record.leader.ljust(24)[:24]
    if record.flavour == "marc21":   # MARCXML is Unicode, whatever the source was
        leader = leader[:9] + "a" + leader[10:]
    out = [f'<record xmlns="{MARCXML_NS}"><leader>{escape(xml_text(leader), _TEXT)}</leader>']
    for f in record.fields:
        tag = escape(xml_text(f.tag), _ATTR)
        if f.data is not None:
            out.append(f'<controlfield tag="{tag}">{escape(xml_text(f.data), _TEXT)}'
                       "</controlfield>")
            continue
        out.append(f'<datafield tag="{tag}" ind1="{escape(xml_text(f.ind1), _ATTR)}"'
                   f' ind2="{escape(xml_text(f.ind2), _ATTR)}">')
        for code, value in f.subfields:
            out.append(f'<subfield code="{escape(xml_text(code), _ATTR)}">'
                       f"{escape(xml_text(value), _TEXT)}</subfield>")
        out.append("</datafield>")
    out.append("</record>")
    return "".join(out).encode("utf-8")


def _stored_marcxml(data: bytes, local_id: str) -> bytes:
    """A stored MARCXML element as sent: itself when it is in the MARC namespace (as
    stored, it declares its namespaces); otherwise written again in that namespace."""
    try:
        elem = etree.fromstring(data, safe_parser())
    except etree.XMLSyntaxError as exc:
        raise MappingError(f"stored MARCXML does not parse: {exc}") from None
    if etree.QName(elem).namespace == MARCXML_NS:
        return data
    return etree.tostring(record_element(record_of(data, "marcxml", None, local_id)),
                          encoding="utf-8")
