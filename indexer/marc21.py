"""Mapping rules for MARC 21 bibliographic records.

Read the RULES table top to bottom: each line says which index field gets
what, from where, through which steps. Linked 880 fields (the vernacular
script) are part of every field they link to unless a rule says otherwise.
The decoder has already made every value Unicode NFC.
"""

from __future__ import annotations

from .rules import (MarcView, all_of, control_field, control_slice, each_subfield, extract_marc,
                    field_value, first, first_of, parse_spec, reads, spec_fields, strip, to_field,
                    trim_punctuation, unique, uses, year)
from .steps import (clc_facet, classification, ddc_facet, ddc_value, holding, isbn_candidates,
                    isbns, isbns_invalid, issns, issns_invalid, joined, language_codes,
                    lcc_facet, lccn, material_type, oclc_numbers, role_code)
from .online import links_856

NAMES = "100abcdq:110abcdn:111acdnq:700abcdq:710abcdn:711acdnq"
SUBJECTS = ("600abcdfgklmnopqrstvxyz:610abcdfgklmnoprstvxyz:611acdefgklnpqstvxyz:"
            "630adfgklmnoprstvxyz:648avxyz:650abcdvxyz:651avxyz:653a:655avxyz")
NOTES = ("500a:501a:502abcdg:504a:506a:508a:510ac:511a:515a:518a:521a:530a:533abcdefn:534pt:"
         "536a:538a:540a:545ab:546ab:547a:550a:555a:561a:580a:586a:588a")
SERIES = "490a:440anp:800tnp:810tnp:811tnp:830anp"
_NAME_TYPES = {"00": "person", "10": "organization", "11": "meeting"}


_IMPRINT_DATES = extract_marc("264|*1|c:260c")
# 008/06 date types whose date 1 is no publication year: b (no dates, B.C.), n (unknown)
_NO_DATE1 = frozenset("bn")


@reads("008", "260", "264")
def publication_year(view: MarcView) -> list:
    """The year shown, sorted and cited: 008 date 1 unless it is missing or a placeholder.

    008/06 says what 008/07-10 (date 1) and 11-14 (date 2) hold. For s (single date),
    e (detailed), p (release; date 2 production), r (reissue; date 2 original), t
    (publication; date 2 copyright) date 1 is the publication year; for m (multiple),
    q (questionable: earliest possible), i/k (inclusive/bulk), c/d/u (serials) it is
    the first year, the one a reader looks for. All of them are taken from the 008 when
    date 1 is four digits, except:

    - type b or n, or date 1 with "u", blanks or 0000: 008 has no year, so 264 (second
      indicator 1) / 260 $c gives it, as before;
    - a century placeholder: date 1 ends in "00" and 264/260 $c has a concrete year later
      in that same century (008 "m19009999" with 260 $c "<1999-2010>" gives 1999; the
      cataloguer wrote 1900 for "19--"). A $c year equal to date 1, in another century
      or uncertain ("19--", "[199-?]") leaves date 1.
    """
    data = view.control("008")
    kind, date1 = data[6:7], data[7:11]
    imprint = _IMPRINT_DATES(view)
    if kind in _NO_DATE1 or not (date1.isdigit() and date1 != "0000"):
        return imprint
    stated = year(imprint)
    start = int(date1)
    if start % 100 == 0 and stated and start < stated[0] < start + 100:
        return [str(stated[0])]
    return [date1]


def contributors(spec: str = NAMES):
    """Names with their type, roles ($4 codes, $e/$j terms) and script, 880s included."""
    specs = parse_spec(spec)

    def extract(view: MarcView) -> list:
        out = []
        for s, f in spec_fields(view, specs):
            names = trim_punctuation([field_value(f, s.codes)])
            if not names:
                continue
            term_code = "j" if s.tag.endswith("11") else "e"
            roles = [role_code(v) for c, v in f.subfields if c == "4" or c == term_code]
            out.append({"name": names[0], "type": _NAME_TYPES[s.tag[1:]],
                        "roles": list(dict.fromkeys(r for r in roles if r)),
                        "vernacular": f.tag == "880"})
        return out

    extract.tags = frozenset(s.tag for s in specs)
    return extract


def subject_heading(f, codes) -> str:
    """A heading with its subdivisions ($v $x $y $z) after " -- ", each part's
    closing punctuation dropped: "Taiwan -- Politics and government -- 1988-2000"."""
    text = ""
    for code, value in f.subfields:
        value = value.strip()
        if not value or code not in codes:
            continue
        if not text:
            text = value
        elif code in "vxyz":
            text = (trim_punctuation([text]) or [""])[0] + " -- " + value
        else:
            text += " " + value
    return text


def linked_forms(spec: str, joiner=None):
    """The headings that have a form in another script: {'heading': the field's value,
    'vernacular': its linked 880's, paired by the $6 occurrence number} (Lu, Xun, 1881-1936
    with 鲁迅, 1881-1936). The browse lists show both forms as one entry, and the two forms
    of one name find each other in records that give only one of them."""
    specs = parse_spec(spec)

    def text(f, s) -> str:
        value = joiner(f, s.codes) if joiner else field_value(f, s.codes)
        return (trim_punctuation([value]) or [""])[0] if value else ""

    def extract(view: MarcView) -> list:
        by_link = {}
        for s in specs:
            for f in view.linked.get(s.tag, ()):
                by_link.setdefault((f.get("6") or "")[:6], f)
        out, seen = [], set()
        for s, f in spec_fields(view, specs, alternate_script=False):
            link = f.get("6") or ""
            other = by_link.get(f"{f.tag}-{link[4:6]}") if link.startswith("880-") else None
            heading, vernacular = text(f, s), text(other, s) if other is not None else ""
            if heading and vernacular and heading != vernacular and heading not in seen:
                seen.add(heading)
                out.append({"heading": heading, "vernacular": vernacular})
        return out

    extract.tags = frozenset(s.tag for s in specs)
    return extract


def subfields_joined(separator: str):
    """A joiner for :func:`linked_forms`: each subfield without its ISBD punctuation, joined
    by ``separator`` (two publishers of one 260 as "Zhonghua shu ju : Xin hua shu dian")."""

    def join(f, codes) -> str:
        return separator.join(trim_punctuation(
            [v.strip() for c, v in f.subfields if c in codes and v.strip()]))

    return join


def _call_number(*parts: str | None) -> str | None:
    text = " ".join(p.strip() for p in parts if p and p.strip())
    return text or None


_852_SCHEMES = {"0": "lcc", "1": "ddc"}   # the first indicator: shelving scheme
_KOHA_SCHEMES = {"lcc": "lcc", "ddc": "ddc", "clc": "clc"}   # 952 $2, cn_source


@reads("852")
def holdings_852(view: MarcView) -> list:
    """852: $a institution (else $b), $khim call number (else $j), $c shelf, $p barcode."""
    out = []
    for f in view.by_tag.get("852", ()):
        call = _call_number(f.get("k"), f.get("h"), *f.get_all("i"), f.get("m")) or f.get("j")
        library = f.get("a") or f.get("b")
        location = f.get("c") or (f.get("b") if f.get("a") else None)
        out.append(holding(library, call, location, f.get("p"),
                           _852_SCHEMES.get(f.ind1)))
    return out


@reads("952")
def holdings_952(view: MarcView) -> list:
    """Koha items: $a home library, $o call number, $c shelving location, $p barcode."""
    return [holding(f.get("a") or f.get("b"), f.get("o"), f.get("c"), f.get("p"),
                    _KOHA_SCHEMES.get((f.get("2") or "").strip().lower()))
            for f in view.by_tag.get("952", ())]


@uses("090", "050", "092", "082")
def source_holding(view: MarcView) -> list:
    """No holdings fields: the record's own library holds it, under its LC call number,
    else under its Dewey number (092, else 082 $a $b without prime marks)."""
    for tag, scheme in (("090", "lcc"), ("050", "lcc"), ("092", "ddc"), ("082", "ddc")):
        for f in view.by_tag.get(tag, ()):
            call = _call_number(*(v for c, v in f.subfields if c in "ab"))
            if call:   # (the scheme is the record's class number's: see indexer.callnumbers)
                call = call.replace("/", "") if scheme == "ddc" else call
                return [holding(view.source, call)] if view.source else []
    return [holding(view.source)] if view.source else []


@reads("007", "008")
def online(view: MarcView) -> list:
    """True when the resource is online: 007/00-01 "cr" (electronic resource, remote), or
    008 form of item "o" (online; at 29 for maps and visual materials, else at 23). Form
    "s" (electronic) is left out: it may be a disc in the library's hands."""
    for f in view.by_tag.get("007", ()):
        if (f.data or "").startswith("cr"):
            return [True]
    data = view.control("008")
    kind = view.leader[6:7]
    at = 29 if kind in ("e", "f", "g", "k", "o", "r") else 23
    return [True] if data[at:at + 1] == "o" else []


RULES = (
    to_field("local_id", control_field("001"), strip, first),
    # titles: the romanized/transcribed 245 for display, its 880 beside it
    to_field("title", extract_marc("245abnp", alternate_script=False), trim_punctuation, first),
    to_field("title_vernacular", extract_marc("245abnp", alternate_script="only"),
             trim_punctuation, first),
    to_field("title_alt", extract_marc("130adfgklmnoprst:240adfgklmnoprs:246abnp:"
                                       "730adfgklmnoprst:740anp"), trim_punctuation, unique),
    to_field("responsibility", extract_marc("245c"), trim_punctuation),
    to_field("authors", extract_marc(NAMES, alternate_script=False), trim_punctuation, unique),
    to_field("authors_vernacular", extract_marc(NAMES, alternate_script="only"),
             trim_punctuation, unique),
    to_field("contributors", contributors()),
    to_field("subjects", extract_marc(SUBJECTS, joiner=subject_heading), trim_punctuation, unique),
    to_field("name_forms", linked_forms(NAMES)),
    to_field("subject_forms", linked_forms(SUBJECTS, joiner=subject_heading)),
    to_field("publishers", each_subfield("260b:264|*1|b", alternate_script=True),
             trim_punctuation, unique),
    to_field("places", each_subfield("260a:264|*1|a", alternate_script=True),
             trim_punctuation, unique),
    to_field("year", publication_year, year),
    to_field("edition", extract_marc("250ab", alternate_script=False), trim_punctuation, first),
    to_field("extent", joined("300abc"), trim_punctuation),
    to_field("languages", control_slice("008", 35, 38), language_codes),
    to_field("languages", each_subfield("041ad"), language_codes),
    to_field("format", material_type("marc21")),
    to_field("online", online),
    to_field("isbns", each_subfield("020a"), isbns),
    to_field("isbns_invalid", each_subfield("020a"), isbns_invalid),
    to_field("isbns_invalid", each_subfield("020z"), isbn_candidates),
    to_field("issns", each_subfield("022a"), issns),
    to_field("issns_invalid", each_subfield("022a"), issns_invalid),
    to_field("issns_invalid", each_subfield("022yz"), strip),
    to_field("lccn", each_subfield("010a"), lccn),
    to_field("oclc", each_subfield("035a"), oclc_numbers),
    to_field("lcc", extract_marc("050ab", alternate_script=False), unique),
    to_field("lcc_facet", extract_marc("050a", alternate_script=False), lcc_facet),
    to_field("ddc", each_subfield("082a"), ddc_value, unique),
    to_field("ddc_facet", each_subfield("082a"), ddc_facet),
    to_field("clc", classification("084", ("clc",)), unique),
    to_field("clc_facet", classification("084", ("clc",)), clc_facet),
    to_field("udc", each_subfield("080a"), unique),
    to_field("series", extract_marc(SERIES), trim_punctuation, unique),
    # the fields shown in two scripts (record page, result lines, and the citations in the
    # record's script, web/citations.py): each paired with its 880
    to_field("responsibility_forms", linked_forms("245c")),
    to_field("edition_forms", linked_forms("250ab")),
    to_field("place_forms", linked_forms("260a:264|*1|a", joiner=subfields_joined(" ; "))),
    to_field("publisher_forms", linked_forms("260b:264|*1|b", joiner=subfields_joined(" : "))),
    to_field("series_forms", linked_forms(SERIES)),
    to_field("note_forms", linked_forms(NOTES)),
    to_field("notes", extract_marc(NOTES), strip),
    to_field("summary", extract_marc("520ab"), strip),
    to_field("contents", extract_marc("505agrt"), strip),
    to_field("links", links_856("856")),
    to_field("holdings", first_of(all_of(holdings_852, holdings_952), source_holding)),
)
