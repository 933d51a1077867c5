"""SRU's responses as XML: explain, searchRetrieve, scan and diagnostics, in the
namespaces of SRU 1.2 (``http://www.loc.gov/zing/srw/``) or SRU 2.0 (OASIS
searchRetrieve), chosen by the request's version.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from lxml import etree

from discovery.cql_tree import CONTEXT_SETS, INDEXES

from .sru_records import SCHEMAS

SRW_NS = "http://www.loc.gov/zing/srw/"
SRW_DIAG_NS = "http://www.loc.gov/zing/srw/diagnostic/"
SRU2_NS = "http://docs.oasis-open.org/ns/search-ws/sruResponse"
SRU2_DIAG_NS = "http://docs.oasis-open.org/ns/search-ws/diagnostic"
SRU2_SCAN_NS = "http://docs.oasis-open.org/ns/search-ws/scan"
EXPLAIN_NS = "http://explain.z3950.org/dtd/2.0/"
DIAGNOSTIC_URI = "info:srw/diagnostic/1/"

MESSAGES = {
    1: "General system error", 4: "Unsupported operation", 5: "Unsupported version",
    6: "Unsupported parameter value", 7: "Mandatory parameter not supplied",
    8: "Unsupported parameter", 10: "Query syntax error", 12: "Too many characters in query",
    13: "Invalid or unsupported use of parentheses", 14: "Invalid or unsupported use of quotes",
    15: "Unsupported context set", 16: "Unsupported index", 19: "Unsupported relation",
    20: "Unsupported relation modifier", 27: "Empty term unsupported",
    28: "Masking character not supported", 29: "Masked words too short",
    31: "Anchoring character not supported",
    33: "Combination of proximity/adjacency and masking characters not supported",
    36: "Term in invalid format for index or relation", 37: "Unsupported boolean operator",
    38: "Too many boolean operators in query", 46: "Unsupported boolean modifier",
    48: "Query feature unsupported",
    61: "First record position out of range", 66: "Unknown schema for retrieval",
    71: "Unsupported record packing", 72: "XPath retrieval unsupported",
    84: "Too many sort keys to sort", 88: "Unsupported path for sort",
    90: "Unsupported direction", 91: "Unsupported case", 92: "Unsupported missing value action",
    110: "Stylesheets not supported", 120: "Response position out of range",
}


_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def xml_text(value) -> str:
    """Text as XML 1.0 can carry it: control characters (a query's, a record's) dropped."""
    return _NOT_XML.sub("", str(value))


@dataclass
class Diagnostic(Exception):
    """An SRU diagnostic; raised, it ends the request with a response that carries it."""
    code: int
    details: str = ""
    message: str = ""

    def __post_init__(self):
        super().__init__(self.message or MESSAGES.get(self.code, ""))

    @property
    def uri(self) -> str:
        return f"{DIAGNOSTIC_URI}{self.code}"


@dataclass
class Flavour:
    """The namespaces and element names of one SRU version."""
    version: str
    ns: str
    diag_ns: str
    scan_ns: str
    packing_element: str          # recordPacking (1.2) or recordXMLEscaping (2.0)

    def el(self, parent, name: str, text=None, ns: str | None = None):
        element = etree.SubElement(parent, f"{{{ns or self.ns}}}{name}")
        if text is not None:
            element.text = xml_text(text)
        return element

    def root(self, name: str, ns: str | None = None):
        ns = ns or self.ns
        nsmap = {"srw" if self.version != "2.0" else "sru": self.ns,
                 "diag": self.diag_ns}
        if ns == self.scan_ns and ns != self.ns:
            nsmap["scan"] = ns
        root = etree.Element(f"{{{ns}}}{name}", nsmap=nsmap)
        self.el(root, "version", self.version, ns=ns)
        return root

    def diagnostics(self, parent, found: list[Diagnostic], ns: str | None = None) -> None:
        if not found:
            return
        box = self.el(parent, "diagnostics", ns=ns)
        for d in found:
            one = etree.SubElement(box, f"{{{self.diag_ns}}}diagnostic")
            etree.SubElement(one, f"{{{self.diag_ns}}}uri").text = d.uri
            if d.details:
                etree.SubElement(one, f"{{{self.diag_ns}}}details").text = xml_text(d.details)
            etree.SubElement(one, f"{{{self.diag_ns}}}message").text = \
                xml_text(d.message or MESSAGES.get(d.code, ""))


FLAVOURS = {
    "1.1": Flavour("1.1", SRW_NS, SRW_DIAG_NS, SRW_NS, "recordPacking"),
    "1.2": Flavour("1.2", SRW_NS, SRW_DIAG_NS, SRW_NS, "recordPacking"),
    "2.0": Flavour("2.0", SRU2_NS, SRU2_DIAG_NS, SRU2_SCAN_NS, "recordXMLEscaping"),
}


@dataclass
class Found:
    """One searchRetrieve's answer, ready to be written."""
    total: int
    records: list = field(default_factory=list)     # (position, element or None)
    next_position: int | None = None
    schema_id: str = ""
    packing: str = "xml"


def record_box(fl: Flavour, parent, schema_id: str, packing: str, data, position: int) -> None:
    rec = fl.el(parent, "record")
    fl.el(rec, "recordSchema", schema_id)
    fl.el(rec, fl.packing_element, packing)
    box = fl.el(rec, "recordData")
    if packing == "string":
        box.text = etree.tostring(data, encoding="unicode")
    else:
        box.append(data)
    fl.el(rec, "recordPosition", position)


def search_response(fl: Flavour, found: Found | None, diags: list[Diagnostic]) -> bytes:
    root = fl.root("searchRetrieveResponse")
    fl.el(root, "numberOfRecords", found.total if found else 0)
    if found and found.records:
        box = fl.el(root, "records")
        for position, data in found.records:
            if data is None:   # a surrogate diagnostic: the record could not be made
                rec = fl.el(box, "record")
                fl.el(rec, "recordSchema", "info:srw/schema/1/diagnostics-v1.1")
                fl.el(rec, fl.packing_element, "xml")
                holder = fl.el(rec, "recordData")
                fl.diagnostics(holder, [Diagnostic(64, str(position))])
                fl.el(rec, "recordPosition", position)
                continue
            record_box(fl, box, found.schema_id, found.packing, data, position)
    if found and found.next_position:
        fl.el(root, "nextRecordPosition", found.next_position)
    fl.diagnostics(root, diags)
    return _bytes(root)


def scan_response(fl: Flavour, terms: list[tuple[str, int, str]],
                  diags: list[Diagnostic]) -> bytes:
    root = fl.root("scanResponse", ns=fl.scan_ns)
    if terms:
        box = fl.el(root, "terms", ns=fl.scan_ns)
        for value, count, display in terms:
            term = fl.el(box, "term", ns=fl.scan_ns)
            fl.el(term, "value", value, ns=fl.scan_ns)
            fl.el(term, "numberOfRecords", count, ns=fl.scan_ns)
            if display and display != value:
                fl.el(term, "displayTerm", display, ns=fl.scan_ns)
    fl.diagnostics(root, diags, ns=fl.scan_ns)
    return _bytes(root)


@dataclass
class ServerInfo:
    host: str
    port: int
    database: str
    title: str
    default_records: int
    max_records: int
    max_depth: int
    scan_indexes: tuple[str, ...]


def explain_response(fl: Flavour, info: ServerInfo, packing: str,
                     diags: list[Diagnostic]) -> bytes:
    root = fl.root("explainResponse")
    rec = fl.el(root, "record")
    fl.el(rec, "recordSchema", EXPLAIN_NS)
    fl.el(rec, fl.packing_element, packing)
    data = fl.el(rec, "recordData")
    explain = explain_record(fl, info)
    if packing == "string":
        data.text = etree.tostring(explain, encoding="unicode")
    else:
        data.append(explain)
    fl.el(rec, "recordPosition", 1)
    fl.diagnostics(root, diags)
    return _bytes(root)


def explain_failure(fl: Flavour, diags: list[Diagnostic]) -> bytes:
    root = fl.root("explainResponse")
    fl.diagnostics(root, diags)
    return _bytes(root)


def explain_record(fl: Flavour, info: ServerInfo):
    zr = EXPLAIN_NS
    root = etree.Element(f"{{{zr}}}explain", nsmap={"zr": zr})

    def sub(parent, _tag, text=None, **attrs):
        el = etree.SubElement(parent, f"{{{zr}}}{_tag}", **attrs)
        if text is not None:
            el.text = xml_text(text)
        return el

    server = sub(root, "serverInfo", protocol="SRU", version=fl.version, transport="http")
    sub(server, "host", info.host)
    sub(server, "port", info.port)
    sub(server, "database", info.database)
    db = sub(root, "databaseInfo")
    sub(db, "title", info.title, lang="en", primary="true")
    sub(db, "description", "The union catalog of the member libraries: one record per work,"
                           " with a holding for each library that has it.", lang="en")
    index_info = sub(root, "indexInfo")
    for name, uri in CONTEXT_SETS.items():
        sub(index_info, "set", name=name, identifier=uri)
    for index in INDEXES:
        set_name, _dot, short = index.name.partition(".")
        el = sub(index_info, "index", search="true",
                 scan="true" if index.name in info.scan_indexes else "false",
                 sort="true" if index.sort else "false")
        sub(el, "title", index.title, lang="en")
        sub(sub(el, "map"), "name", short, set=set_name)
        supports = sub(el, "configInfo")
        for relation in index.relations:
            supports.append(_supports(zr, "relation", relation))
    schema_info = sub(root, "schemaInfo")
    for schema in SCHEMAS:
        el = sub(schema_info, "schema", identifier=schema.identifier, name=schema.name,
                 retrieve="true")
        sub(el, "title", schema.title, lang="en")
    config = sub(root, "configInfo")
    sub(config, "default", info.default_records, type="numberOfRecords")
    sub(config, "default", "marcxml", type="retrieveSchema")
    sub(config, "default", "cql.serverChoice", type="index")
    sub(config, "default", "=", type="relation")
    sub(config, "setting", info.max_records, type="maximumRecords")
    sub(config, "setting", info.max_depth, type="maximumDepth")
    sub(config, "setting", 0, type="resultSetTTL")
    for kind, value in (("booleanOperator", "and"), ("booleanOperator", "or"),
                        ("booleanOperator", "not"), ("maskingCharacter", "*"),
                        ("sortBy", "sortBy"), ("recordPacking", "xml"),
                        ("recordPacking", "string")):
        config.append(_supports(zr, kind, value))
    return root


def _supports(zr: str, kind: str, value: str):
    el = etree.Element(f"{{{zr}}}supports", type=kind)
    el.text = value
    return el


def _bytes(root) -> bytes:
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")
