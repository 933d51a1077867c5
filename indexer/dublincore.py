"""Mapping rules for Dublin Core records (OAI-PMH ``oai_dc``).

A stored ``oai_dc`` record holds the ``<oai_dc:dc>`` element's bytes. Its
elements are read into a :class:`DcView` and the RULES below apply, as for
MARC: one line per index field. DC has no record id of its own; the store's
local id (the OAI identifier) is passed in.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Callable

from lxml import etree

from . import tables
from .errors import MappingError
from .mapped import finish, report
from .online import link
from .rules import first, map_with, strip, to_field, trim_punctuation, unique, year
from .steps import holding, isbns, issns, language_codes

DC_NS = "http://purl.org/dc/elements/1.1/"
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False,
                          huge_tree=False, remove_comments=True, remove_pis=True)
_URL = re.compile(r"^https?://\S+$", re.IGNORECASE)


class DcView:
    """A Dublin Core record's element values by element name (title, creator ...)."""

    __slots__ = ("elements", "source", "warnings", "rule")

    def __init__(self, elements: dict[str, list[str]], source: str | None = None):
        self.elements = elements
        self.source = source
        self.warnings: list[str] = []
        self.rule = None

    def warn(self, message: str) -> None:
        where = f"rule for {self.rule.field!r} ({self.rule.declared_at}): " if self.rule else ""
        self.warnings.append(where + message)


def parse_dc(data: bytes) -> DcView:
    try:
        root = etree.fromstring(data, _PARSER)
    except etree.XMLSyntaxError as exc:
        raise MappingError(f"Dublin Core record is not well formed: {exc}") from None
    elements: dict[str, list[str]] = {}
    for elem in root.iter():
        if not isinstance(elem.tag, str) or elem is root:
            continue
        qname = etree.QName(elem)
        if qname.namespace not in (DC_NS, None):
            continue
        text = unicodedata.normalize("NFC", " ".join("".join(elem.itertext()).split()))
        if text:
            elements.setdefault(qname.localname, []).append(text)
    return DcView(elements)


def dc(name: str) -> Callable[[DcView], list]:
    """Values of one Dublin Core element."""

    def extract(view: DcView) -> list:
        return list(view.elements.get(name, ()))

    return extract


def split_semicolons(values: list) -> list:
    """"History; China; Politics" -> three subjects (repositories often pack them)."""
    return [part.strip() for v in values for part in v.split(";") if part.strip()]


def names(role: str):
    """Creators and contributors as contributors; DC does not say person or body."""

    def apply(values: list) -> list:
        return [{"name": v, "type": "unknown", "roles": [role], "vernacular": False}
                for v in trim_punctuation(values)]

    return apply


def after_first(values: list) -> list:
    return values[1:]


def languages(values: list) -> list:
    """ISO 639-1 (en, zh-CN), MARC/639-2 (eng) or English names (English) -> MARC codes."""
    two = tables.language_from_iso639_1()
    names = {row["en"].lower(): row["code"] for row in tables.load("languages")}
    out = []
    for v in values:
        key = v.strip().lower().replace("_", "-")
        if key in names:
            out.append(names[key])
        elif key.split("-")[0] in two:
            out.append(two[key.split("-")[0]])
        else:
            out.extend(language_codes([key]) if len(key) == 3 else [])
    return out


def dc_type(values: list) -> list:
    terms = {row["term"]: row["format"] for row in tables.load("dc_types")}
    for v in values:
        key = v.strip().lower()
        tail = key.rstrip("/").rsplit("/", 1)[-1]
        for candidate in (key, tail):
            if candidate in terms:
                return [terms[candidate]]
    return []


def prefixed(*prefixes: str):
    """Identifiers naming a scheme ("urn:isbn:", "ISBN ") with the prefix left on."""
    lowered = tuple(p.lower() for p in prefixes)

    def apply(values: list) -> list:
        return [v for v in values if v.lower().startswith(lowered)]

    return apply


def urls(values: list) -> list:
    """dc:identifier URLs as access links: an OAI-DC record's URL is the resource's."""
    return [entry for entry in (link(v) for v in values if _URL.match(v)) if entry]


def online(values: list) -> list:
    return [True] if any(_URL.match(v) for v in values) else []


def source_holding(view: DcView) -> list:
    entry = holding(view.source)
    return [entry] if entry else []


RULES = (
    to_field("title", dc("title"), trim_punctuation, first),
    to_field("title_alt", dc("title"), trim_punctuation, after_first),
    to_field("authors", dc("creator"), trim_punctuation, unique),
    to_field("authors", dc("contributor"), trim_punctuation, unique),
    to_field("contributors", dc("creator"), names("cre")),
    to_field("contributors", dc("contributor"), names("ctb")),
    to_field("subjects", dc("subject"), split_semicolons, trim_punctuation, unique),
    to_field("summary", dc("description"), strip),
    to_field("publishers", dc("publisher"), trim_punctuation, unique),
    to_field("year", dc("date"), year),
    to_field("languages", dc("language"), languages),
    to_field("format", dc("type"), dc_type),
    to_field("isbns", dc("identifier"), prefixed("urn:isbn:", "isbn"), isbns),
    to_field("issns", dc("identifier"), prefixed("urn:issn:", "issn"), issns),
    to_field("links", dc("identifier"), urls),
    to_field("online", dc("identifier"), online),
    to_field("notes", dc("source"), strip),
    to_field("notes", dc("coverage"), strip),
    to_field("notes", dc("rights"), strip),
    to_field("holdings", source_holding),
)


def map_dc(data: bytes, local_id: str | None = None, source: str | None = None,
           on_warning=None) -> dict:
    """Map one stored ``oai_dc`` record to the same plain dict as MARC records give."""
    view = parse_dc(data)
    view.source = source
    out = finish(map_with(RULES, view))
    if local_id:
        out = {"local_id": local_id, **out}
    if view.warnings:
        report(view.warnings, local_id, on_warning)
    return out
