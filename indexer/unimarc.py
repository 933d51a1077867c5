"""Mapping rules for UNIMARC bibliographic records, CNMARC (the Chinese variant) included.

Read the RULES table top to bottom, as for :mod:`indexer.marc21`. UNIMARC
leaves ISBD punctuation to the display, so titles are joined with it here
(200 $a : $e . $h , $i). CNMARC adds pinyin in $9 and writes role words
(著, 编, 译 ...) in $4 or after the name; they are cut off the name and kept
as relator codes (data/role_words.tsv).
"""

from __future__ import annotations

import re

from . import tables
from .rules import (MarcView, all_of, control_field, each_subfield, extract_marc, first, first_of,
                    parse_spec, reads, strip, subfield_slice, to_field, trim_punctuation, unique,
                    uses, year)
from .steps import (clc_facet, classification, cut_role_word, ddc_facet, ddc_value, holding,
                    isbn_candidates, isbns, isbns_invalid, issns, issns_invalid, language_codes,
                    lcc_facet, material_type, role_code)
from .online import links_856

NAMES = "700:701:702:710:711:712"
NOTES = ("300a:301a:302a:303a:304a:305a:306a:307a:308a:310a:311a:312a:313a:314a:315a:316a:"
         "317a:320a:321a:322a:323a:324a:325a:326a:328a:332a:333a:334a:336a:337a:345a")
_NATIONALITY = re.compile(r"^[(（\[〔][^)）\]〕]{1,3}[)）\]〕]$")


def isbd(prefixes: dict[str, str], after: dict[tuple[str, str], str] | None = None):
    """A joiner putting ISBD punctuation before subfields: {"e": " : ", "h": ". "}."""
    after = after or {}

    def join(f, codes) -> str:
        out, previous = [], None
        for code, value in f.subfields:
            value = value.strip()
            if not value or (codes is not None and code not in codes):
                continue
            if out:
                out.append(after.get((previous, code), prefixes.get(code, " ")))
            out.append(value)
            previous = code
        return "".join(out)

    return join


TITLE = isbd({"a": " ; ", "e": " : ", "h": ". ", "i": ". "}, {("h", "i"): ", "})
RESPONSIBILITY = isbd({"f": " ; ", "g": " ; "})
EXTENT = isbd({"c": " : ", "d": " ; ", "e": " + "})
SUBJECT = isbd({"b": ", ", "c": " ", "d": " ", "f": ", ", "j": " -- ", "x": " -- ",
                "y": " -- ", "z": " -- "})


def _person(f) -> str:
    name = (f.get("a") or "").strip()
    forename = (f.get("b") or "").strip()
    if forename:
        name = f"{name}{forename}" if forename.startswith(",") else f"{name}, {forename}"
    for code in "dcf":
        for value in f.get_all(code):
            value = value.strip()
            if not value or (code == "c" and _NATIONALITY.match(value)):
                continue
            name += f" {value}" if code != "f" or value.startswith("(") else f", {value}"
    return name


def _body(f) -> str:
    """Corporate name: $a. $b ... then its qualifiers ($d number, $f date, $e place,
    $c addition) in the record's order, separated by " ; ": "学会. 年会 (2010 ; 苏州)"."""
    name = (f.get("a") or "").strip()
    name += "".join(". " + v.strip() for v in f.get_all("b") if v.strip())
    qualifiers = [v.strip() for c, v in f.subfields if c in "cdef" and v.strip()]
    return f"{name} {' ; '.join(qualifiers)}" if qualifiers else name


@reads("700", "701", "702", "710", "711", "712")
def names(view: MarcView) -> list:
    """Contributors of 700-712: role words cut from the name, $4 (codes or words) kept."""
    out = []
    for s in parse_spec(NAMES):
        for f in view.by_tag.get(s.tag, ()):
            text = _person(f) if s.tag < "710" else _body(f)
            text, cut = cut_role_word(text)
            cleaned = trim_punctuation([text])
            if not cleaned:
                continue
            roles = [role_code(v) for v in f.get_all("4")] + ([cut] if cut else [])
            kind = "person" if s.tag < "710" else ("meeting" if f.ind1 == "1" else "organization")
            out.append({"name": cleaned[0], "type": kind,
                        "roles": list(dict.fromkeys(r for r in roles if r)), "vernacular": False})
    return out


def name_strings(values: list) -> list:
    return list(dict.fromkeys(v["name"] for v in values))


def embedded(f) -> list[tuple[str, list[tuple[str, str]]]]:
    """Fields embedded in a 4XX linking field with $1: (tag, subfields) in order."""
    out: list = []
    for code, value in f.subfields:
        if code == "1":
            out.append((value[:3], []))
        elif out:
            out[-1][1].append((code, value))
    return out


def linked_titles(spec: str):
    """Titles of linked works (410 series, 454 original): $t, or the embedded 200 $a ; $v."""
    tags = [s.tag for s in parse_spec(spec)]

    def extract(view: MarcView) -> list:
        out = []
        for tag in tags:
            for f in view.by_tag.get(tag, ()):
                for etag, subs in embedded(f) or [("200", [(c, v) for c, v in f.subfields
                                                           if c in "tv"])]:
                    if etag != "200":
                        continue
                    title = [v.strip() for c, v in subs if c in "at" and v.strip()]
                    if title:
                        out.append(title[0])
        return out

    extract.tags = frozenset(tags)
    return extract


@reads("200")
def gmd(view: MarcView) -> list:
    """200 $b, the general material designation, as (format, online) from data/gmd.tsv."""
    terms = tables.gmd_terms()
    for f in view.by_tag.get("200", ()):
        for value in f.get_all("b"):
            key = trim_punctuation([value])
            if key and key[0].lower() in terms:
                return [terms[key[0].lower()]]
    return []


@reads("200")
def gmd_format(view: MarcView) -> list:
    return [fmt for fmt, _online in gmd(view)]


@reads("200")
def gmd_online(view: MarcView) -> list:
    return [True for _fmt, online in gmd(view) if online]


@reads("995")
def holdings_995(view: MarcView) -> list:
    """Koha UNIMARC items: $b home library (else $a), $k call number, $e shelf, $f barcode."""
    return [holding(f.get("b") or f.get("a") or f.get("c"), f.get("k"), f.get("e"), f.get("f"))
            for f in view.by_tag.get("995", ())]


@reads("905")
def holdings_905(view: MarcView) -> list:
    """CNMARC 905: $a library, $d class number / $e book number, $b barcode."""
    out = []
    for f in view.by_tag.get("905", ()):
        call = "/".join(v.strip() for v in (f.get("d"), f.get("e")) if v and v.strip()) or None
        out.append(holding(f.get("a"), call, f.get("c"), f.get("b")))
    return out


@uses("690")
def source_holding(view: MarcView) -> list:
    """No holdings fields: the record's own library holds it, under its CLC class number
    (690 $a), as a MARC 21 record without them stands under its 050."""
    call = next((f.get("a").strip() for f in view.by_tag.get("690", ())
                 if (f.get("a") or "").strip()), None)
    return [holding(view.source, call, scheme="clc" if call else None)] if view.source else []


@reads("100")
def year_of_100(view: MarcView) -> list:
    values = subfield_slice("100", "a", 9, 13)(view)
    return values if values and values[0].isdigit() else []


RULES = (
    to_field("local_id", control_field("001"), strip, first),
    to_field("title", extract_marc("200aehi", joiner=TITLE), trim_punctuation, first),
    to_field("title_romanized", each_subfield("2009"), trim_punctuation, first),
    to_field("title_alt", all_of(each_subfield("200d:500a:510a:512a:513a:514a:515a:516a:517a:532a"),
                                 linked_titles("454")), trim_punctuation, unique),
    to_field("responsibility", extract_marc("200fg", joiner=RESPONSIBILITY), trim_punctuation),
    to_field("authors", names, name_strings),
    to_field("authors_romanized", each_subfield("7009:7019:7029:7109:7119:7129"),
             trim_punctuation, unique),
    to_field("contributors", names),
    to_field("subjects", extract_marc("600abcdfjxyz:601abcdefjxyz:602afjxyz:604atjxyz:605ajxyz:"
                                      "606ajxyz:607ajxyz:608ajxyz", joiner=SUBJECT),
             trim_punctuation, unique),
    to_field("subjects", each_subfield("610a"), trim_punctuation, unique),
    to_field("publishers", each_subfield("210c:214c"), trim_punctuation, unique),
    to_field("places", each_subfield("210a:214a"), trim_punctuation, unique),
    to_field("year", first_of(year_of_100, each_subfield("210d:214d")), year),
    to_field("edition", each_subfield("205a"), trim_punctuation, first),
    to_field("extent", extract_marc("215acde", joiner=EXTENT), trim_punctuation, first),
    to_field("languages", each_subfield("101a"), language_codes),
    to_field("format", first_of(gmd_format, material_type("unimarc"))),
    to_field("online", gmd_online),
    to_field("isbns", each_subfield("010a"), isbns),
    to_field("isbns_invalid", each_subfield("010a"), isbns_invalid),
    to_field("isbns_invalid", each_subfield("010z"), isbn_candidates),
    to_field("issns", each_subfield("011a"), issns),
    to_field("issns_invalid", each_subfield("011a"), issns_invalid),
    to_field("issns_invalid", each_subfield("011yz"), strip),
    to_field("lcc", extract_marc("680ab"), unique),
    to_field("lcc_facet", each_subfield("680a"), lcc_facet),
    to_field("ddc", each_subfield("676a"), ddc_value, unique),
    to_field("ddc_facet", each_subfield("676a"), ddc_facet),
    to_field("clc", all_of(each_subfield("690a"), classification("686", ("clc",))), unique),
    to_field("clc_facet", all_of(each_subfield("690a"), classification("686", ("clc",))),
             clc_facet),
    to_field("udc", each_subfield("675a"), unique),
    to_field("series", all_of(each_subfield("225a"), linked_titles("410:461")),
             trim_punctuation, unique),
    to_field("notes", extract_marc(NOTES), strip),
    to_field("summary", extract_marc("330a"), strip),
    to_field("contents", extract_marc("327a", separator=" -- "), strip),
    to_field("links", links_856("856")),
    to_field("holdings", first_of(all_of(holdings_995, holdings_905), source_holding)),
)
