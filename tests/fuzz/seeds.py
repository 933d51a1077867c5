"""Real inputs the fuzz targets start from: records, files, pages and queries of the
test fixtures and the demo collection (see tests/fixtures/PROVENANCE.md, demo/PROVENANCE.md).

Small records are preferred: a mutation of a 3 kB record reaches the same branches as
one of a 200 kB record, a hundred times faster.
"""

from __future__ import annotations

import functools
import io
from pathlib import Path

from harvest.marcfile import read_iso2709

from ..support import FIXTURES, iso2709_records

DEMO = FIXTURES.parents[1] / "demo"
MAX_SEED_BYTES = 4000
MARC21_FILES = ["chinese_880_simplified.mrc", "vietnamese_nfd_titles.mrc", "wade_giles_lc.mrc",
                "multiscript_880_traject.mrc", "directory_lengths_in_characters.mrc",
                "leader09_blank_but_utf8.mrc", "leader09_utf8_but_marc8.mrc",
                "utf8_invalid_bytes.mrc", "bad_leaders_and_directories.mrc"]
MARC8_FILES = ["marc8_eacc_chinese.mrc", "marc8_eacc_mangled_chinese.mrc",
               "marc8_ncr_escaped_chinese.mrc", "marc8_cyrillic.mrc",
               "marc8_french_diacritics.mrc", "marc8_bad_indicator_082.mrc", "marc8_bad_eacc.mrc"]
UNIMARC_FILES = ["unimarc_italian_sbn.mrc", "cnmarc_utf8.mrc", "cnmarc_gb18030.mrc",
                 "cnmarc_mislabelled.mrc"]
MARCXML_FILES = ["marcxml_chabon.xml", "marcxml_second_record_broken.xml"]
# what readers type (the README's examples, and the forms the query language documents)
QUERIES = ["中華書局", "Hà Nội", "history china", "year:1990-1995 lang:vie", "黃崗村志",
           'title:"history of china" AND author:chen', "(china OR japan) NOT -korea",
           "isbn:7209024727", "library:loc su:history*", "year:-1900 pb:zhonghua", "ti:(a b)"]
QUERY_SYNTAX = ['"', "(", ")", ":", "*", "-", "+", "AND ", "OR ", "NOT ", "title:", "year:",
                "lang:", "isbn:", "library:", "..", "\u3000", "\x00", " ", "李　宗仁", "e\u0301"]
CQL = ["dc.title = history", 'dc.title adj "history of china"', "dc.date within \"1990 2000\"",
       "history and dc.date > 1989", "(history or china) not japan sortBy dc.title/sort.descending",
       "bath.isbn = 7209024727", "sheaf.library = loc", "dc.title = 黃崗村志",
       "cql.serverChoice any \"Hà Nội\"", "dc.title = hist*", "rec.id = loc:00409591"]
CQL_SYNTAX = ["=", "==", "<>", "<", ">=", "(", ")", '"', "\\", "*", "?", "^", "/", ".",
              " and ", " or ", " not ", " prox ", "dc.title", "sortBy ", " any ", " all ",
              "/relevant", "/sort.missingHigh", "cql.", "\x00", " "]


def _small(records: list[bytes]) -> list[bytes]:
    return [r for r in records if len(r) <= MAX_SEED_BYTES]


@functools.lru_cache(maxsize=None)
def records(names: tuple[str, ...], flavour: str | None = None) -> list[bytes]:
    """The small records of these fixtures that the reader accepts (a seed known good)."""
    out = []
    for name in names:
        path = FIXTURES / name
        for data in _small(iso2709_records(path)):
            if list(read_iso2709(io.BytesIO(data), name, flavour, lambda r: None)):
                out.append(data)
    return out


def marc21_records() -> list[bytes]:
    demo = tuple(str(p) for p in sorted(DEMO.glob("*.mrc")))
    return records(tuple(MARC21_FILES) + demo)


def files(names: list[str]) -> list[bytes]:
    return [(FIXTURES / name).read_bytes() for name in names]


@functools.lru_cache(maxsize=None)
def oai_pages() -> list[bytes]:
    """The recorded OAI-PMH pages (under 30 kB), and the Alma MARCXML page cut to its first
    three records so that MARCXML inside OAI-PMH is a small seed too."""
    pages = [p.read_bytes() for p in sorted((FIXTURES / "oai").glob("*.xml"))
             if p.stat().st_size < 30_000]
    alma = (FIXTURES / "oai" / "alma_marc21_list_records_100.xml").read_bytes()
    first = alma.index(b"<record>")
    end = b"</metadata></record>"   # an OAI record's end (its MARC record is inside it)
    third_end = first
    for _ in range(3):
        third_end = alma.index(end, third_end) + len(end)
    pages.append(alma[:third_end] + alma[alma.rindex(end) + len(end):])
    return pages
