"""Citations of one mapped record (a plain dict), in the script each style asks for.

:func:`gbt7714` (GB/T 7714-2015, the Chinese national standard for references)
is written in the record's own script: the title, names, edition, place and
publisher its 880 fields give (``title_vernacular``, and the pairs the record page shows:
``name_forms``, ``edition_forms``, ``place_forms``, ``publisher_forms``), the
romanized 245/1XX/250/260 only where a record has no other form.
:func:`apa` (APA 7th edition, reference list) romanizes, as APA asks for works
in a non-Latin script; :func:`apa_html` is the same reference with the title
in italics, every piece of record text escaped. The reference-manager files
(RIS, BibTeX) are :mod:`web.bibfiles`. Nothing here knows Flask.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from markupsafe import Markup, escape

from indexer.document import HAN_OR_KANA
from indexer.textnorm import HAN_CLASS

_DATES = re.compile(r",?\s*(?:\d{3,4}\??-?(?:\d{3,4})?|b\.\s*\d+|d\.\s*\d+|fl\.\s*\S+)[.,]?\s*$")
_TRAILING = re.compile(r"[\s/:;,=.．，：；／]+$")
# A first edition is not given: GB/T 7714-2015 8.3.1 ("第1版不著录"), APA 7 (only editions
# other than the first); GB/T cites 第3版 as 3版
# (a place before it is a first edition too, 北京第1版; 新1版, 增订1版 and 修订版 are not)
_FIRST_EDITION = re.compile(r"^\W*(?:(?:(?![修增増新再订訂])\w){0,2}\s*(?:第\s*[1１一]\s*版|[1１]\s*版"
                            r"|初版)|di\s*1\s*ban|chu\s*ban|1st\.?\s*ed(?:ition)?|first edition)\W*$",
                            re.IGNORECASE)
_NTH_EDITION = re.compile(r"^第\s*(\d+)\s*版$")
# older LC records divide Chinese words with ideographic spaces (台灣　的　新反對　運動): the
# cataloguer's division, which a Chinese citation does not write (Korean spacing stays)
_HAN_SPACE = re.compile(f"(?<=[{HAN_CLASS}])[ \u3000]+(?=[{HAN_CLASS}])")

# GB/T 7714-2015 document type codes (4.1, appendix B)
GBT_TYPES = {"book": "M", "serial": "J", "article": "J", "map": "CM", "software": "CP",
             "thesis": "D", "score": "M"}


def clean(text: str | None) -> str:
    """A value without the ISBD punctuation that ends it."""
    return _TRAILING.sub("", (text or "").strip())


def name_of(heading: str) -> str:
    """A name heading without its dates: 'Chen, Wanzhen, 1950-' -> 'Chen, Wanzhen'."""
    return clean(_DATES.sub("", heading.strip()))


@dataclass(frozen=True)
class Parts:
    """What a citation names, in one script: names as headings (dates kept)."""

    title: str
    authors: list[str]
    edition: str
    place: str
    publisher: str


def _people(rec: dict) -> list[str]:
    return [a for a in rec.get("authors", []) if a] or list(rec.get("authors_vernacular", []))


def _first(values, leave_out=()) -> str:
    """The first of an imprint's values, without the brackets of a supplied place."""
    return next((clean(v).strip("[]") for v in values or () if v not in leave_out
                 and clean(v).strip("[]")), "")


# a pairs field -> what joins the values of one field in it (indexer.marc21.linked_forms)
_JOINED = {"place_forms": " ; ", "publisher_forms": " : ", "edition_forms": None}


def vernaculars(rec: dict, key: str) -> list[str]:
    """The 880 forms of a pairs field (``place_forms``...), each value apart: the two
    publishers of one 880 260 (``齐鲁音像出版社 : 广州音像出版社``) are two."""
    sep = _JOINED[key]
    return [part for f in rec.get(key) or () if f.get("vernacular")
            for part in (f["vernacular"].split(sep) if sep else [f["vernacular"]]) if part]


def romanized(rec: dict) -> Parts:
    """The record as its romanized (or only) fields give it: 245, 1XX/7XX, 250, 260/264
    (``places`` and ``publishers`` hold the 880s' values too: those are left out)."""
    return Parts(title=clean(rec.get("title") or rec.get("title_vernacular")),
                 authors=_people(rec), edition=clean(rec.get("edition")),
                 place=_first(rec.get("places"), vernaculars(rec, "place_forms")),
                 publisher=_first(rec.get("publishers"), vernaculars(rec, "publisher_forms")))


def in_script(rec: dict) -> Parts:
    """The record in its own script: each part from its 880 where there is one. A name's
    other form is the one the mapping paired with it by $6 (``name_forms``)."""
    roman = romanized(rec)
    paired = {f["heading"]: f["vernacular"] for f in rec.get("name_forms", [])}
    chinese = "chi" in rec.get("languages", [])

    def own(text: str) -> str:
        return _HAN_SPACE.sub("", text) if chinese else text

    return Parts(title=own(clean(rec.get("title_vernacular")) or roman.title),
                 authors=[own(paired.get(a, a)) for a in roman.authors],
                 edition=own(_first(vernaculars(rec, "edition_forms")) or roman.edition),
                 place=own(_first(vernaculars(rec, "place_forms")) or roman.place),
                 publisher=own(_first(vernaculars(rec, "publisher_forms")) or roman.publisher))


def _initials(given: str, dot: str = ".") -> str:
    out = []
    for part in (p for p in re.split(r"[\s.]+", given) if p):
        out.append("-".join(p[0] + dot for p in part.split("-") if p))
    return " ".join(out)


def apa_name(heading: str) -> str:
    """'Chen, Wanzhen, 1950-' -> 'Chen, W.'; a name without a comma (a body, a Han name)
    as it is."""
    name = name_of(heading)
    family, sep, given = name.partition(", ")
    if not sep or HAN_OR_KANA.search(name):
        return name
    return f"{family}, {_initials(given)}"


def apa_parts(rec: dict) -> list[tuple[str, bool]]:
    """Author, A. A., & Author, B. B. (Year). *Title* (Edition). Publisher.
    As (text, italic) pieces: :func:`apa` joins them, :func:`apa_html` marks them up."""
    parts = romanized(rec)
    names = [apa_name(a) for a in parts.authors]
    if len(names) > 20:
        names = names[:19] + ["…", names[-1]]
    authors = (", ".join(names[:-1]) + ", & " + names[-1]) if len(names) > 1 else "".join(names)
    year = f"({rec['year']})" if rec.get("year") else "(n.d.)"
    title = [(parts.title, True)]
    if later_edition(parts.edition):   # the point of "2nd ed." that the mapping trims
        edition = parts.edition + ("." if re.search(r"\bed$", parts.edition) else "")
        title.append((f" ({edition})", False))
    if authors:
        out = [(f"{authors.rstrip('.')}. {year}. ", False), *title, (".", False)]
    else:
        out = [*title, (f". {year}.", False)]
    if parts.publisher:
        out.append((f" {parts.publisher}.", False))
    return out


def apa(rec: dict) -> str:
    return "".join(text for text, _italic in apa_parts(rec))


def apa_html(rec: dict) -> Markup:
    """The APA reference with its title in italics; the record's text is escaped."""
    return Markup("").join(Markup("<i>%s</i>") % text if italic else escape(text)
                           for text, italic in apa_parts(rec))


def gbt_name(heading: str) -> str:
    """A name as GB/T 7714-2015 8.1.2 gives it: 'Smith, John Ronald' -> 'SMITH J R' (the
    family name in capitals, initials without points); Han names and bodies as written."""
    name = name_of(heading)
    family, sep, given = name.partition(", ")
    if not sep or HAN_OR_KANA.search(name):
        return name
    return f"{family.upper()} {_initials(given, dot='')}".strip()


def later_edition(edition: str) -> str:
    """The edition statement, '' when it states a first edition (初版, 第1版, 1st ed.)."""
    return "" if not edition or _FIRST_EDITION.match(edition) else edition


def gbt_edition(edition: str) -> str:
    """'' for a first edition (8.3.1: not given), '2版' for 第2版, others as transcribed."""
    if not later_edition(edition):
        return ""
    nth = _NTH_EDITION.match(edition)
    return f"{nth.group(1)}版" if nth else edition


def gbt7714(rec: dict) -> str:
    """主要责任者. 题名[文献类型标识]. 版本项. 出版地: 出版者, 出版年. (GB/T 7714-2015, 4.1)"""
    parts = in_script(rec)
    chinese = bool(HAN_OR_KANA.search(parts.title + "".join(parts.authors)))
    names = [gbt_name(a) for a in parts.authors]
    authors = ", ".join(names[:3]) + ((", 等" if chinese else ", et al") if len(names) > 3 else "")
    code = GBT_TYPES.get(rec.get("format") or "", "Z")
    out = f"{authors}. " if authors else ""
    title = parts.title.replace(" : ", ": ")   # 题名: 其他题名信息 (ISBD writes " : ")
    out += f"{title}[{code}{'/OL' if rec.get('online') else ''}]. "
    if gbt_edition(parts.edition):
        out += f"{gbt_edition(parts.edition)}. "
    year = str(rec.get("year") or "")
    if code != "J" and (parts.place or parts.publisher or year):
        # 8.4.1.3, 8.4.2.3: an imprint without a place or a publisher says so
        place = parts.place or ("[出版地不详]" if chinese else "[S.l.]")
        publisher = parts.publisher or ("[出版者不详]" if chinese else "[s.n.]")
        out += f"{place}: {publisher}" + (f", {year}." if year else ".")
    elif year:
        out += f"{year}."
    return out.strip()
