"""SRU's record schemas of one work (a cluster): MARCXML and Dublin Core.

``marcxml`` is the MARC of the cluster's display member (the richest
description), decoded from the store whatever its syntax (MARC-8 included),
with its own 852s replaced by one 852 per holding library: ``$a`` the
library's code, ``$b`` its name, ``$c`` the location and ``$h`` the call
number when the member record gives them, ``$x`` the member's Sheaf record id.
``dc`` is the display record as simple Dublin Core.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from lxml import etree

from discovery.records import ClusterView
from harvest.oai.protocol import safe_parser

MARC_NS = "http://www.loc.gov/MARC21/slim"
DC_NS = "http://purl.org/dc/elements/1.1/"
SRW_DC_NS = "info:srw/schema/1/dc-schema"
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


@dataclass(frozen=True)
class Schema:
    name: str
    identifier: str
    title: str


SCHEMAS = (
    Schema("marcxml", "info:srw/schema/1/marcxml-v1.1", "MARCXML (MARC 21 slim)"),
    Schema("dc", "info:srw/schema/1/dc-v1.1", "Dublin Core (simple)"),
)
# what a client may send as recordSchema: a schema's short name or its identifier
SCHEMA_NAMES = {key: s for s in SCHEMAS for key in (s.name, s.identifier)}
SCHEMA_NAMES["marc21"] = SCHEMAS[0]
SCHEMA_NAMES["info:srw/schema/1/dc-schema"] = SCHEMAS[1]


def marcxml(view: ClusterView) -> etree._Element | None:
    """The display member's MARCXML with one 852 per holding (None without a member)."""
    main = view.main
    if main is None:
        return None
    root = etree.fromstring(main.marcxml(), safe_parser())   # one per parse
    record = root if etree.QName(root).localname == "record" else \
        next((el for el in root.iter() if etree.QName(el).localname == "record"), None)
    if record is None:
        return None
    ns = etree.QName(record).namespace
    tag = (lambda name: f"{{{ns}}}{name}") if ns else (lambda name: name)
    for old in [f for f in record if etree.QName(f).localname == "datafield"
                and f.get("tag") == "852"]:
        record.remove(old)
    details = {m.record_id: m for m in view.members}
    for holding in view.display.get("holdings", []):
        field = etree.SubElement(record, tag("datafield"), tag="852", ind1=" ", ind2=" ")
        member = details.get(holding.get("record_id"))
        values = [("a", holding.get("source")), ("b", holding.get("name")),
                  ("c", holding.get("location")), ("h", holding.get("call_number")),
                  ("x", holding.get("record_id"))]
        if member is not None and not holding.get("name"):
            values[1] = ("b", member.library)
        for code, value in values:
            if value:
                sub = etree.SubElement(field, tag("subfield"), code=code)
                sub.text = _text(value)
    return record


def dublin_core(view: ClusterView) -> etree._Element:
    """The cluster's display record as ``srw_dc:dc``."""
    d = view.display
    root = etree.Element(f"{{{SRW_DC_NS}}}dc", nsmap={"srw_dc": SRW_DC_NS, "dc": DC_NS})

    def add(name: str, value) -> None:
        if value:
            el = etree.SubElement(root, f"{{{DC_NS}}}{name}")
            el.text = _text(value)

    add("title", d.get("title"))
    if d.get("title_vernacular") and d.get("title_vernacular") != d.get("title"):
        add("title", d.get("title_vernacular"))
    for name in d.get("authors", []) + d.get("authors_vernacular", []):
        add("creator", name)
    for subject in d.get("subjects", []):
        add("subject", subject)
    for publisher in d.get("publishers", []):
        add("publisher", publisher)
    add("date", d.get("year"))
    add("type", d.get("format"))
    for language in d.get("languages", []):
        add("language", language)
    for isbn in d.get("isbns", []):
        add("identifier", f"urn:isbn:{isbn}")
    add("identifier", view.id)
    for holding in d.get("holdings", []):
        add("source", holding.get("name") or holding.get("source"))
    return root


def _text(value) -> str:
    """Text as XML 1.0 can carry it (a record's stray control characters dropped)."""
    return _NOT_XML.sub("", str(value))


def render(view: ClusterView, schema: Schema) -> etree._Element | None:
    return marcxml(view) if schema.name == "marcxml" else dublin_core(view)
