"""From stored bytes to a plain dict of index values.

``map_stored(data, fmt, encoding)`` is the entry point: it decodes a stored
record (:mod:`indexer.record`), picks the flavour's declarative rules
(:mod:`indexer.marc21`, :mod:`indexer.unimarc`, :mod:`indexer.dublincore`)
and returns a plain dict whose keys are listed in :data:`indexer.mapped.FIELDS`,
the contract with the documents. Absent values are absent keys, never None or [].

Data problems that do not stop a record (a wrong leader/09, invalid bytes,
an 880 without a link) are warnings naming the record and the rule; a
record that cannot be read at all raises :class:`MappingError`.
"""

from __future__ import annotations

from . import marc21, unimarc
from .dublincore import map_dc
from .errors import MappingError, NotBibliographic
from .mapped import OnWarning, finish, report
from .record import Record, decode, from_pymarc
from .rules import MarcView, map_with, tags_read

RULESETS = {"marc21": marc21.RULES, "unimarc": unimarc.RULES}
# the tags each rule set reads: other fields are not decoded at all
# leader/06 of records that describe no work: MARC 21's authority, holdings, classification
# and community formats; UNIMARC/Authorities' entry, reference and explanatory records
_NOT_BIBLIOGRAPHIC = {
    "marc21": {"z": "authority", "u": "holdings", "v": "holdings", "x": "holdings",
               "y": "holdings", "w": "classification", "q": "community information"},
    "unimarc": {"x": "authority", "y": "authority", "z": "authority"},
}

_READS = {flavour: tags_read(rules) for flavour, rules in RULESETS.items()}
# Bump when any rule, table or decoder change alters mapped output: the index says "rebuild".
# 3: name pairs, the year's best source; 4: browse fields, no authority records;
# 5: 880 forms of imprint, edition, series, responsibility and notes; 6: the imprint's and
# edition's values in their 880 script (citations); 7: 856 links with their kind and label
# (indexer.online), http(s) only; 8: Xhosa and Zulu in the language table (Dublin Core's
# xh and zu now map to xho and zul); 9: 856 links about the work (LC's 41 "Table of
# contents", "Sample text"...) are related, the online flag is 007 cr or 008 form o (not s)
# and feeds the online facet; 10: no publishers_vernacular, places_vernacular,
# edition_vernacular (the citations read the 880 forms the display reads, *_forms)
MAPPING_VERSION = 10


def parse_marc(data: bytes, fmt: str, encoding: str | None = None,
               flavour: str | None = None) -> Record:
    """Decode one stored MARC record. ``encoding`` overrides what the record says."""
    return decode(data, fmt, encoding, flavour)


def map_record(record, flavour: str | None = None, source: str | None = None,
               on_warning: OnWarning | None = None) -> dict:
    """Apply the flavour's rules to a decoded record (or a pymarc Record): a plain dict."""
    if not isinstance(record, Record):
        record = from_pymarc(record)
    flavour = flavour or record.flavour
    try:
        rules = RULESETS[flavour]
    except KeyError:
        raise MappingError(f"no mapping rules for {flavour!r} records") from None
    kind = _NOT_BIBLIOGRAPHIC[flavour].get(record.leader[6:7])
    if kind is not None:
        raise NotBibliographic(f"{'an' if kind[0] in 'aeiou' else 'a'} {kind} record"
                               f" (leader/06 {record.leader[6:7]!r}), not a bibliographic one:"
                               " not indexed", kind)
    view = MarcView(record, source)
    out = finish(map_with(rules, view))
    problems = record.notes + view.warnings
    if problems:
        report(problems, out.get("local_id"), on_warning)
    return out


def map_stored(data: bytes, fmt: str, encoding: str | None = None, *,
               flavour: str | None = None, source: str | None = None,
               local_id: str | None = None, on_warning: OnWarning | None = None) -> dict:
    """Parse and map one stored record.

    ``fmt`` is the stored format (``marc21``, ``unimarc``, ``marcxml``,
    ``oai_dc``); ``encoding`` the source's override of the record's
    character set; ``flavour`` forces MARC 21 or UNIMARC rules for MARCXML;
    ``source`` is the member library's code, the holding library of a
    record without holdings fields; ``local_id`` names an oai_dc record.
    """
    if fmt == "oai_dc":
        return map_dc(data, local_id=local_id, source=source, on_warning=on_warning)
    record = decode(data, fmt, encoding, flavour, only=_READS)
    return map_record(record, flavour, source, on_warning)
