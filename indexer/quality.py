"""The data-quality checks of one stored record, and keeping the store's findings current.

:func:`check_stored` decodes and maps a record as the index does and says
what is wrong with it as :class:`harvest.quality.Finding` objects (a check
code and a detail). :func:`update` runs the checks over the records changed
since the store's ``quality_seq`` only, so the report pages sum a table and
never decode records. :data:`CHECKS` lists the codes with what they mean.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from harvest import charsets
from harvest.config import Home
from harvest.iso2709 import StructureError, read_layout
from harvest.quality import REJECTED, Finding
from harvest.store import RecordStore

from . import isbn
from .dublincore import map_dc
from .errors import MappingError, NotBibliographic
from .mapping import _READS, map_record
from .record import decode
from .steps import clc_facet, ddc_facet, lcc_facet

# code -> what it means (the report's line; the web pages translate the same words)
CHECKS = {
    "unreadable": "records the mapping cannot read (not in the index)",
    "not_bibliographic": "authority, holdings or other records that describe no work"
                         " (leader/06; kept, not indexed, not checked further)",
    "no_title": "records without a title",
    "no_date": "records without a date of publication",
    "no_language": "records without a language (008/35-37, 041)",
    "book_without_isbn": "books published since 1975 without an ISBN (020 $a)",
    "serial_without_issn": "serials without an ISSN (022 $a)",
    "invalid_isbn": "ISBNs with a wrong check digit or length (020 $a)",
    "invalid_issn": "ISSNs with a wrong check digit (022 $a)",
    "date_conflict": "008 dates that disagree with the 260/264 date",
    "encoding_mismatch": "character set declared one way and found another",
    "decoding_repair": "bytes that could not be decoded and were replaced or dropped",
    "structure_repair": "records whose leader or directory had to be repaired",
    "bad_indicators": "fields with indicators that are not valid",
    "unlinked_880": "880 fields without a partner field",
    "no_classification": "records without a classification (LCC, DDC, CLC, UDC)",
    "bad_classification": "class numbers that are not LCC, DDC or CLC numbers",
    "ignored_field": "fields the mapping ignored (by tag)",
    REJECTED: "records rejected by the latest import or harvest (by reason)",
}

# ISBNs were assigned from 1970 (ISO 2108); five years later a book without one is a gap
ISBN_SINCE = 1975
# 008/06 types whose Date1/Date2 are single dates the imprint should repeat (MARC 21 008/06)
_SINGLE_DATE_TYPES = frozenset("stpre")
_YEAR = re.compile(r"(?<!\d)(1[0-9]\d\d|20\d\d)(?!\d)")
# Notes the decoder writes (indexer.record) that name a kind of repair
_MARC8_LOSS = "MARC-8"
_BAD_INDICATORS = re.compile(r"^field (\d{3}): indicators ")
# fields of the rules that hold class numbers, and the tag the report names
_CLASS_FIELDS = {"marc21": {"lcc": "050", "ddc": "082", "clc": "084"},
                 "unimarc": {"lcc": "680", "ddc": "676", "clc": "690/686"}}
_VALID_CLASS = {"lcc": lcc_facet, "ddc": ddc_facet, "clc": clc_facet}
_CLASSIFIED_BY = ("lcc", "ddc", "clc", "udc")
# DDC's optional letters for biography, easy books and fiction, which LC writes in 082
_DDC_LETTERS = frozenset({"B", "E", "Fic", "[B]", "[E]", "[Fic]"})
# a local LC call number (090) classifies a record as well as a 050 does
_LOCAL_CALL_NUMBERS = ("090",)


def check_stored(data: bytes, fmt: str, encoding: str | None = None,
                 source: str | None = None, local_id: str | None = None) -> list[Finding]:
    """What is wrong with one stored record (empty: nothing the checks know of)."""
    if fmt == "oai_dc":
        try:
            mapped = map_dc(data, local_id=local_id, source=source, on_warning=_ignore)
        except MappingError as exc:
            return [Finding("unreadable", str(exc))]
        return _content(mapped, None)
    try:
        record = decode(data, fmt, encoding)
        mapped = map_record(record, source=source, on_warning=_ignore)
    except NotBibliographic as exc:
        return [Finding("not_bibliographic", exc.kind)]
    except MappingError as exc:
        return [Finding("unreadable", str(exc))]
    found = _content(mapped, record)
    found += _decoding(data, fmt, encoding, record)
    found += _identifiers(record)
    found += _dates(record)
    found += _classification(mapped, record)
    found += _unlinked_880s(record)
    found += _ignored(record)
    return found


def _ignore(_message: str) -> None:
    """Mapping's warnings are read from the record here, not reported again."""


def _content(mapped: dict, record) -> list[Finding]:
    found = []
    if not mapped.get("title"):
        found.append(Finding("no_title"))
    if not mapped.get("year"):
        found.append(Finding("no_date"))
    if record is None:
        return found + ([] if mapped.get("languages") else [Finding("no_language")])
    if not mapped.get("languages"):
        # what 008/35-37 says instead (blank, und, mul ...), so the line shows the pattern
        fixed = next((f.data for f in record.fields if f.tag == "008" and f.data), "")
        found.append(Finding("no_language", f"008 '{fixed[35:38]}'"
                             if fixed and record.flavour == "marc21" else ""))
    fmt = mapped.get("format")
    if fmt == "book" and not mapped.get("isbns") and not mapped.get("isbns_invalid") \
            and (mapped.get("year") or 0) >= ISBN_SINCE:
        found.append(Finding("book_without_isbn", str(mapped["year"])))
    if fmt == "serial" and not mapped.get("issns") and not mapped.get("issns_invalid"):
        found.append(Finding("serial_without_issn"))
    return found


def _decoding(data: bytes, fmt: str, encoding: str | None, record) -> list[Finding]:
    """Character set and structure repairs: what the record said against what was read."""
    found = []
    notes = list(record.notes)
    if fmt != "marcxml":
        try:
            layout = read_layout(data)
            charset = charsets.choose(data, layout, record.flavour, encoding)
        except (StructureError, ValueError):   # decode() has already read it: not reached
            layout = charset = None
        if layout is not None and layout.repair:
            found.append(Finding("structure_repair", layout.repair))
            notes = [n for n in notes if n != layout.repair]
        if charset is not None and charset.note:
            found.append(Finding("decoding_repair" if charset.invalid else "encoding_mismatch",
                                 charset.note))
            notes = [n for n in notes if n != charset.note]
    for note in notes:
        bad = _BAD_INDICATORS.match(note)
        if bad:
            found.append(Finding("bad_indicators", bad.group(1)))
        elif _MARC8_LOSS in note:
            found.append(Finding("decoding_repair", note))
    return found


def _values(record, tag: str, code: str) -> list[str]:
    return [v for f in record.fields if f.tag == tag for v in f.get_all(code)]


def _identifiers(record) -> list[Finding]:
    isbn_tag, issn_tag = ("010", "011") if record.flavour == "unimarc" else ("020", "022")
    found = [Finding("invalid_isbn", bad) for value in _values(record, isbn_tag, "a")
             for bad in isbn.invalid_candidates(value)]
    found += [Finding("invalid_issn", value.strip()) for value in _values(record, issn_tag, "a")
              if isbn.looks_like_issn(value) and isbn.issn(value) is None]
    return found


def _dates(record) -> list[Finding]:
    """008/07-14 against the imprint's years (MARC 21 only: UNIMARC keeps dates in 100)."""
    if record.flavour != "marc21":
        return []
    fixed = next((f.data for f in record.fields if f.tag == "008" and f.data), "")
    kind, date1, date2 = fixed[6:7], fixed[7:11], fixed[11:15]
    if kind not in _SINGLE_DATE_TYPES or not date1.isdigit():
        return []
    # 260 $g is the date of printing, which 008 may give instead of the publication date
    imprint = [v for f in record.fields
               if f.tag == "260" or (f.tag == "264" and f.ind2 in "1 ")
               for code, v in f.subfields if code in "cg"]
    years = {m.group(1) for v in imprint for m in _YEAR.finditer(v)}
    if years and date1 not in years and date2 not in years:
        return [Finding("date_conflict", f"008 {date1} / {', '.join(sorted(years))}")]
    return []


def _classification(mapped: dict, record) -> list[Finding]:
    has_local = any(f.tag in _LOCAL_CALL_NUMBERS for f in record.fields)
    if not has_local and not any(mapped.get(k) for k in _CLASSIFIED_BY):
        return [Finding("no_classification")]
    tags = _CLASS_FIELDS.get(record.flavour, {})
    return [Finding("bad_classification", f"{scheme} {tags.get(scheme, '')}: {value}")
            for scheme, valid in _VALID_CLASS.items()
            for value in mapped.get(scheme, ())
            if not valid([value]) and not (scheme == "ddc" and value in _DDC_LETTERS)]


def _unlinked_880s(record) -> list[Finding]:
    """880s whose $6 names no field that links back (occurrence 00 means "no partner")."""
    links = {(f.tag, link[4:6]) for f in record.fields if f.tag != "880"
             for link in f.get_all("6") if link[:4] == "880-"}
    found = []
    for f in record.fields:
        if f.tag != "880":
            continue
        link = f.get("6") or ""
        tag, occurrence = link[:3], link[4:6]
        if not (tag.isdigit() and link[3:4] == "-"):
            found.append(Finding("unlinked_880", "no $6"))
        elif occurrence != "00" and (tag, occurrence) not in links:
            found.append(Finding("unlinked_880", f"{tag}-{occurrence}"))
    return found


# the control number's agency and the time of the latest change: about the record, never
# content a reader searches, so not worth a line of "fields the mapping ignored"
_NOT_CONTENT = frozenset({"003", "005"})


def _ignored(record) -> list[Finding]:
    read = _READS.get(record.flavour)
    if read is None:
        return []
    return [Finding("ignored_field", tag)
            for tag in sorted({f.tag for f in record.fields} - read - _NOT_CONTENT)]


@dataclass
class QualityRun:
    """What one :func:`update` did."""

    checked: int = 0
    sources: set = field(default_factory=set)

    def __str__(self) -> str:
        return (f"quality: {self.checked} records checked"
                + (f" ({', '.join(sorted(self.sources))})" if self.sources else ""))


def update(home: Home, store: RecordStore, sources=(), batch: int = 500) -> QualityRun:
    """Check every record changed since the last update; snapshot the trend of the
    sources that changed and of ``sources`` (a run that only rejected records)."""
    encodings = {code: s.encoding for code, s in home.sources.items()}
    run = QualityRun(sources=set(sources))
    top = store.max_seq()
    pending: list[tuple[str, str, list[Finding]]] = []
    for rec in store.iter_records(after_seq=store.quality_seq()):
        if pending and len(pending) >= batch:
            # everything before this record's change is checked (its change may go on)
            store.put_findings(pending, rec.seq - 1)
            pending = []
        found = [] if rec.deleted else check_stored(rec.data, rec.format,
                                                    encodings.get(rec.source), rec.source,
                                                    rec.local_id)
        pending.append((rec.source, rec.local_id, found))
        run.checked += 1
        run.sources.add(rec.source)
    if pending or store.quality_seq() < top:
        store.put_findings(pending, top)
    if run.sources:
        store.snapshot_quality(sorted(run.sources))
    return run


def report(home: Home, store: RecordStore, codes=None) -> dict:
    """The quality report as plain data (CLI text, JSON, CSV and the admin pages render it):
    per source its live records, a line per check that found something (records, share,
    top details) in :data:`CHECKS` order, and its trend over the last runs."""
    counts = store.counts()
    codes = list(codes if codes is not None else home.sources)
    order = list(CHECKS)
    sources = {}
    for code in codes:
        live = counts.get(code, {}).get("records", 0)
        found = store.quality_counts(code)
        lines = [{"check": check, "label": CHECKS.get(check, check), "records": n["records"],
                  "share": round(n["records"] / live, 4) if live else None,
                  "details": n["details"]}
                 for check, n in sorted(found.items(),
                                        key=lambda kv: order.index(kv[0]) if kv[0] in order
                                        else len(order))]
        source = home.sources.get(code)
        sources[code] = {"name": source.name if source else "(not configured)",
                         "records": live, "checks": lines, "trend": store.quality_trend(code)}
    checked, top = store.quality_seq(), store.max_seq()
    return {"checked_seq": checked, "store_seq": top, "behind": checked < top,
            "sources": sources}


CSV_HEADER = ("source", "check", "meaning", "detail", "records")


def csv_rows(data: dict):
    """The report as CSV rows: a row per check, then one per detail of it."""
    yield CSV_HEADER
    for code, src in data["sources"].items():
        for line in src["checks"]:
            yield code, line["check"], line["label"], "", line["records"]
            for d in line["details"]:
                yield code, line["check"], line["label"], d["detail"], d["records"]
