"""OAI-PMH 2.0 responses: parsing a page safely, and one small class per protocol entity.

A :class:`Page` is one HTTP response body, parsed with entities, DTDs and
network access off (no XXE; entity amplification is refused by libxml2).
A page that does not parse is given one repair: broken UTF-8 and characters
XML 1.0 forbids are removed (:func:`sanitize`) and the repair is reported in
``Page.fixes``, so the caller can keep the raw page. A page that still does
not parse raises :class:`NotOaiXml`, which the client treats as a transient
fault (truncated pages) and retries.

Elements are looked up by local name, so a response without the OAI
namespace (some real servers send one) reads the same.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Iterator

from lxml import etree

from .errors import NoRecordsMatch, oai_error

OAI_NS = "http://www.openarchives.org/OAI/2.0/"
MARCXML_NS = "http://www.loc.gov/MARC21/slim"
OAI_DC_NS = "http://www.openarchives.org/OAI/2.0/oai_dc/"
DAY = "YYYY-MM-DD"
SECONDS = "YYYY-MM-DDThh:mm:ssZ"


class NotOaiXml(ValueError):
    """A body that is not a well-formed OAI-PMH document (even after repair)."""


def safe_parser() -> etree.XMLParser:
    """A new parser with entities, DTD loading and network access off (one per parse:
    lxml parsers are not to be shared between threads)."""
    return etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False,
                           huge_tree=False)


_BAD_CHARS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_BAD_REFS = re.compile(  # &#1; &#x1B; ...: references to characters XML 1.0 forbids
    r"&#(?:[xX]0*(?:[0-8bBcCeEfF]|1[0-9a-fA-F])|0*(?:[0-8]|1[12]|1[4-9]|2[0-9]|3[01]));")
_DECLARATION = re.compile(rb"^\s*<\?xml[^>]*?encoding=[\"']([A-Za-z0-9._-]+)[\"']")


def sanitize(raw: bytes) -> tuple[bytes, list[str]]:
    """Repair what a parser refuses in otherwise good pages; say what was done.

    Bytes that are not valid in the declared encoding become U+FFFD,
    characters and character references XML 1.0 forbids are dropped, and the
    result is UTF-8 with its declaration saying so.
    """
    fixes = []
    match = _DECLARATION.match(raw)
    encoding = match.group(1).decode("ascii").lower() if match else "utf-8"
    try:
        text = raw.decode(encoding)
    except LookupError:
        encoding = "utf-8"
        text = None
    except UnicodeDecodeError:
        text = None
    if text is None:
        text = raw.decode(encoding, "replace")
        fixes.append(f"bytes that are not {encoding.upper()} replaced by U+FFFD")
    text = text.lstrip("\ufeff")
    text, n = _BAD_CHARS.subn("", text)
    if n:
        fixes.append(f"{n} characters not allowed in XML removed")
    text, n = _BAD_REFS.subn("", text)
    if n:
        fixes.append(f"{n} character references not allowed in XML removed")
    if match and encoding not in ("utf-8", "utf8"):
        text = re.sub(r"encoding=[\"'][A-Za-z0-9._-]+[\"']", 'encoding="UTF-8"', text, count=1)
    return text.encode("utf-8"), fixes


def parse_page(raw: bytes, url: str = "") -> "Page":
    """A response body as a :class:`Page`; :class:`NotOaiXml` if it cannot be one."""
    fixes: list[str] = []
    try:
        root = etree.fromstring(raw, safe_parser())
    except etree.XMLSyntaxError as first:
        repaired, fixes = sanitize(raw)
        if not fixes:
            raise NotOaiXml(f"not well-formed XML: {first}") from None
        try:
            root = etree.fromstring(repaired, safe_parser())
        except etree.XMLSyntaxError as exc:
            raise NotOaiXml(f"not well-formed XML even after repair: {exc}") from None
    if root is None or etree.QName(root).localname != "OAI-PMH":
        tag = etree.QName(root).localname if root is not None else "nothing"
        raise NotOaiXml(f"not an OAI-PMH response (the document is <{tag}>)")
    return Page(root, url, fixes)


def datestamp(value: str, granularity: str = SECONDS, *, end_of_day: bool = False) -> str:
    """A date or datetime as an OAI-PMH datestamp at the server's granularity.

    ``2024-05-01``, ``2024-05-01T10:00:00Z`` and ISO forms with an offset or
    fractions (as some responseDates have) are accepted. A day given to a
    seconds-granularity server becomes its first second, or with
    ``end_of_day`` its last (for ``until``). Raises ValueError.
    """
    text = value.strip()
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
        datetime.strptime(text, "%Y-%m-%d")
        if granularity == DAY:
            return text
        return text + ("T23:59:59Z" if end_of_day else "T00:00:00Z")
    when = datetime.fromisoformat(text.replace("Z", "+00:00").replace("z", "+00:00"))
    if when.tzinfo is not None:
        when = when.astimezone(timezone.utc)
    return when.strftime("%Y-%m-%d" if granularity == DAY else "%Y-%m-%dT%H:%M:%SZ")


def _text(parent, name: str) -> str | None:
    node = parent.find(f"{{*}}{name}")
    if node is None or node.text is None:
        return None
    return node.text.strip()


@dataclass(frozen=True, slots=True)
class ResumptionToken:
    value: str
    cursor: int | None = None
    complete_list_size: int | None = None
    expiration_date: str | None = None


@dataclass(frozen=True, slots=True)
class Header:
    identifier: str | None
    datestamp: str | None
    deleted: bool
    set_specs: tuple[str, ...] = ()

    @classmethod
    def from_element(cls, elem) -> "Header":
        return cls(identifier=_text(elem, "identifier"), datestamp=_text(elem, "datestamp"),
                   deleted=elem.get("status") == "deleted",
                   set_specs=tuple(s.text.strip() for s in elem.iterfind("{*}setSpec") if s.text))


@dataclass(frozen=True, slots=True)
class Record:
    """A header and its metadata element (``None`` for a deleted record)."""

    header: Header
    metadata: object | None     # the lxml element inside <metadata>
    element: object             # the whole <record>, for reports

    @classmethod
    def from_element(cls, elem) -> "Record":
        header = elem.find("{*}header")
        meta = elem.find("{*}metadata")
        payload = next((child for child in meta if isinstance(child.tag, str)), None) \
            if meta is not None else None
        if payload is not None and etree.QName(payload).localname == "collection":
            inner = payload.findall(f"{{{MARCXML_NS}}}record")
            payload = inner[0] if len(inner) == 1 else payload
        return cls(Header.from_element(header) if header is not None
                   else Header(None, None, False), payload, elem)

    def metadata_format(self, prefix: str) -> str:
        """``marcxml`` for a MARCXML record, ``oai_dc`` for Dublin Core, else the prefix."""
        if self.metadata is None:
            return prefix
        ns = etree.QName(self.metadata).namespace
        if ns == MARCXML_NS:
            return "marcxml"
        if ns == OAI_DC_NS:
            return "oai_dc"
        return prefix

    def marc_deleted(self) -> bool:
        """A MARCXML record whose leader/05 is ``d`` (some servers mark deletions so)."""
        if self.metadata is None or etree.QName(self.metadata).namespace != MARCXML_NS:
            return False
        leader = self.metadata.findtext(f"{{{MARCXML_NS}}}leader") or ""
        return leader[5:6] == "d"

    def metadata_bytes(self) -> bytes:
        return etree.tostring(self.metadata, encoding="utf-8", with_tail=False)

    def element_bytes(self) -> bytes:
        return etree.tostring(self.element, encoding="utf-8", with_tail=False)


@dataclass(frozen=True, slots=True)
class Identify:
    repository_name: str | None
    base_url: str | None
    protocol_version: str | None
    earliest_datestamp: str | None
    deleted_record: str | None      # no, transient or persistent
    granularity: str                # YYYY-MM-DD or YYYY-MM-DDThh:mm:ssZ
    admin_emails: tuple[str, ...] = ()
    compression: tuple[str, ...] = ()

    @classmethod
    def from_element(cls, elem) -> "Identify":
        granularity = _text(elem, "granularity") or DAY
        return cls(repository_name=_text(elem, "repositoryName"), base_url=_text(elem, "baseURL"),
                   protocol_version=_text(elem, "protocolVersion"),
                   earliest_datestamp=_text(elem, "earliestDatestamp"),
                   deleted_record=_text(elem, "deletedRecord"),
                   granularity=SECONDS if "hh" in granularity else DAY,
                   admin_emails=tuple(e.text.strip() for e in elem.iterfind("{*}adminEmail")
                                      if e.text),
                   compression=tuple(e.text.strip() for e in elem.iterfind("{*}compression")
                                     if e.text))


@dataclass(frozen=True, slots=True)
class MetadataFormat:
    prefix: str
    schema: str | None
    namespace: str | None


@dataclass(frozen=True, slots=True)
class OaiSet:
    spec: str
    name: str | None


class Page:
    """One OAI-PMH response. The payload is read lazily, entity by entity."""

    def __init__(self, root, url: str = "", fixes: list[str] | None = None):
        self.root = root
        self.url = url
        self.fixes = fixes or []
        self.response_date = _text(root, "responseDate")
        self.errors = [(e.get("code") or "", (e.text or "").strip())
                       for e in root.iterfind("{*}error")]
        # set by OaiClient.pages: the request after this page, None on the last
        self.next_token: str | None = None
        self.cursor: int | None = None
        self.complete_list_size: int | None = None

    def raise_for_error(self) -> None:
        """Raise the OAI error this page carries (noRecordsMatch first), if any."""
        if not self.errors:
            return
        codes = [code for code, _ in self.errors]
        code, message = self.errors[codes.index(NoRecordsMatch.code)] \
            if NoRecordsMatch.code in codes else self.errors[0]
        raise oai_error(code, message, url=self.url, response_date=self.response_date)

    def payload(self, verb: str):
        """The verb's element (``<ListRecords>`` ...); NotOaiXml if the page lacks it."""
        node = self.root.find(f"{{*}}{verb}")
        if node is None:
            raise NotOaiXml(f"the response has no <{verb}> element")
        return node

    def token(self, verb: str) -> ResumptionToken | None:
        """The resumptionToken; ``None`` when absent or empty (the last page)."""
        node = self.payload(verb).find("{*}resumptionToken")
        if node is None or not (node.text or "").strip():
            return None

        def number(name: str) -> int | None:
            value = node.get(name)
            return int(value) if value and value.strip().isdigit() else None
        return ResumptionToken(node.text.strip(), number("cursor"), number("completeListSize"),
                               node.get("expirationDate"))

    def records(self) -> Iterator[Record]:
        for elem in self.payload("ListRecords").iterfind("{*}record"):
            yield Record.from_element(elem)

    def record(self) -> Record:
        elem = self.payload("GetRecord").find("{*}record")
        if elem is None:
            raise NotOaiXml("the GetRecord response has no <record>")
        return Record.from_element(elem)

    def headers(self) -> Iterator[Header]:
        for elem in self.payload("ListIdentifiers").iterfind("{*}header"):
            yield Header.from_element(elem)

    def sets(self) -> Iterator[OaiSet]:
        for elem in self.payload("ListSets").iterfind("{*}set"):
            yield OaiSet(_text(elem, "setSpec") or "", _text(elem, "setName"))

    def metadata_formats(self) -> Iterator[MetadataFormat]:
        for elem in self.payload("ListMetadataFormats").iterfind("{*}metadataFormat"):
            yield MetadataFormat(_text(elem, "metadataPrefix") or "", _text(elem, "schema"),
                                 _text(elem, "metadataNamespace"))

    def identify(self) -> Identify:
        return Identify.from_element(self.payload("Identify"))
