"""Simple Dublin Core (``oai_dc``) from a mapped record.

The mapped record (:data:`indexer.mapped.FIELDS`) is the one the index and
the record page use, so ``oai_dc`` says what the site says: the romanized
and the vernacular title, authors in both scripts, subject headings and
class numbers, publisher, year, material type, extent, ISBN/ISSN/LCCN as
URNs and links, languages as MARC codes (ISO 639-2/B), series as relations.
The element order is DC's own (title, creator, subject, ... rights).
"""

from __future__ import annotations

from lxml import etree

from indexer.export import xml_text

OAI_DC_NS = "http://www.openarchives.org/OAI/2.0/oai_dc/"
DC_NS = "http://purl.org/dc/elements/1.1/"
XSI_NS = "http://www.w3.org/2001/XMLSchema-instance"
OAI_DC_SCHEMA = "http://www.openarchives.org/OAI/2.0/oai_dc.xsd"

# DC element -> the mapped keys it is made of, in order; a callable turns one value into text
_ELEMENTS = (
    ("title", ("title", "title_vernacular")),
    ("creator", ("authors", "authors_vernacular")),
    ("subject", ("subjects", "lcc", "ddc", "clc", "udc")),
    ("description", ("summary", "contents")),
    ("publisher", ("publishers",)),
    ("date", ("year",)),
    ("type", ("format",)),
    ("format", ("extent",)),
    ("identifier", ("isbns", "issns", "lccn", "links")),
    ("language", ("languages",)),
    ("relation", ("series",)),
)
_URN = {"isbns": "urn:isbn:", "issns": "urn:issn:", "lccn": "info:lccn/"}


def _values(mapped: dict, key: str) -> list[str]:
    value = mapped.get(key)
    if value is None:
        return []
    items = value if isinstance(value, list) else [value]
    out = []
    for item in items:
        if key == "links":
            item = item.get("url") if isinstance(item, dict) else None
        if item is None or item == "":
            continue
        out.append(_URN.get(key, "") + str(item))
    return out



def oai_dc(mapped: dict) -> bytes:
    """The ``oai_dc:dc`` element of a mapped record, serialised."""
    root = etree.Element(f"{{{OAI_DC_NS}}}dc", nsmap={"oai_dc": OAI_DC_NS, "dc": DC_NS,
                                                       "xsi": XSI_NS})
    root.set(f"{{{XSI_NS}}}schemaLocation", f"{OAI_DC_NS} {OAI_DC_SCHEMA}")
    for element, keys in _ELEMENTS:
        seen = set()
        for key in keys:
            for value in _values(mapped, key):
                if value not in seen:
                    seen.add(value)
                    etree.SubElement(root, f"{{{DC_NS}}}{element}").text = xml_text(value)
    return etree.tostring(root, encoding="utf-8")
