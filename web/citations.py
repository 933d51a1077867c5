"""Citations and reference-manager exports of one mapped record (a plain dict).

:func:`apa` (APA 7th edition, reference list style) and :func:`gbt7714`
(GB/T 7714-2015, the Chinese national standard for references) return
plain text; :func:`ris` and :func:`bibtex` return the file formats
reference managers import. The input is a member record's mapped dict
(:data:`indexer.mapped.FIELDS`); nothing here knows Flask.
"""

from __future__ import annotations

import re
import unicodedata

from indexer.document import HAN_OR_KANA

_DATES = re.compile(r",?\s*(?:\d{3,4}\??-?(?:\d{3,4})?|b\.\s*\d+|d\.\s*\d+|fl\.\s*\S+)[.,]?\s*$")
_TRAILING = re.compile(r"[\s/:;,=.]+$")

RIS_TYPES = {"book": "BOOK", "serial": "JOUR", "article": "JOUR", "map": "MAP",
             "video": "VIDEO", "sound": "SOUND", "music": "MUSIC", "score": "MUSIC",
             "image": "ART", "software": "COMP", "thesis": "THES"}
BIBTEX_TYPES = {"book": "book", "serial": "periodical", "article": "article", "thesis": "phdthesis"}
# GB/T 7714-2015 document type codes
GBT_TYPES = {"book": "M", "serial": "J", "article": "J", "map": "CM", "software": "CP",
             "thesis": "D", "score": "M"}


def _clean(text: str | None) -> str:
    return _TRAILING.sub("", (text or "").strip())


def _name(heading: str) -> str:
    """A name heading without its dates: 'Chen, Wanzhen, 1950-' -> 'Chen, Wanzhen'."""
    return _clean(_DATES.sub("", heading.strip()))


def _initials(given: str) -> str:
    parts = [p for p in re.split(r"[\s.]+", given) if p]
    out = []
    for part in parts:
        pieces = part.split("-")
        out.append("-".join(p[0] + "." for p in pieces if p))
    return " ".join(out)


def apa_name(heading: str) -> str:
    """'Chen, Wanzhen, 1950-' -> 'Chen, W.'; a name without a comma (a body, a Han name) as it is."""
    name = _name(heading)
    family, sep, given = name.partition(", ")
    if not sep or HAN_OR_KANA.search(name):
        return name
    return f"{family}, {_initials(given)}"


def _people(rec: dict) -> list[str]:
    return [a for a in rec.get("authors", []) if a]


def _is_chinese(rec: dict) -> bool:
    return "chi" in rec.get("languages", []) or bool(
        HAN_OR_KANA.search(rec.get("title_vernacular") or ""))


def _title(rec: dict, vernacular: bool = False) -> str:
    if vernacular and rec.get("title_vernacular"):
        return _clean(rec["title_vernacular"])
    return _clean(rec.get("title") or rec.get("title_vernacular"))


def _publisher(rec: dict) -> str:
    return _clean((rec.get("publishers") or [""])[0]).strip("[]")


def _place(rec: dict) -> str:
    return _clean((rec.get("places") or [""])[0]).strip("[]")


def apa(rec: dict) -> str:
    """Author, A. A., & Author, B. B. (Year). Title (Edition). Publisher."""
    names = [apa_name(a) for a in _people(rec)]
    if len(names) > 20:
        names = names[:19] + ["…", names[-1]]
    if len(names) > 1:
        authors = ", ".join(names[:-1]) + ", & " + names[-1]
    else:
        authors = names[0] if names else ""
    year = f"({rec['year']})" if rec.get("year") else "(n.d.)"
    title = _title(rec)
    if rec.get("edition"):
        title += f" ({_clean(rec['edition'])})"
    parts = [f"{authors.rstrip('.')}. {year}." if authors else f"{title}. {year}."]
    if authors:
        parts.append(f"{title}.")
    if _publisher(rec):
        parts.append(f"{_publisher(rec)}.")
    return " ".join(parts)


def gbt7714(rec: dict) -> str:
    """作者. 题名[M]. 版本. 出版地: 出版者, 出版年. (GB/T 7714-2015, 4.1)."""
    chinese = _is_chinese(rec)
    names = [_name(a) for a in (rec.get("authors_vernacular") if chinese else None)
             or _people(rec)]
    etal = "等" if chinese else "et al"
    authors = ", ".join(names[:3]) + (f", {etal}" if len(names) > 3 else "")
    code = GBT_TYPES.get(rec.get("format") or "", "Z") + ("/OL" if rec.get("online") else "")
    out = f"{authors}. " if authors else ""
    out += f"{_title(rec, vernacular=chinese)}[{code}]. "
    if rec.get("edition"):
        out += f"{_clean(rec['edition'])}. "
    where = ": ".join(x for x in (_place(rec), _publisher(rec)) if x)
    year = str(rec.get("year") or "")
    tail = ", ".join(x for x in (where, year) if x)
    if tail:
        out += f"{tail}."
    return out.strip()


def _ris_line(tag: str, value) -> str:
    value = " ".join(str(value).split())
    return f"{tag}  - {value}"


def ris(rec: dict, record_id: str, url: str | None = None) -> str:
    lines = [_ris_line("TY", RIS_TYPES.get(rec.get("format") or "", "GEN"))]
    lines += [_ris_line("AU", _name(a)) for a in _people(rec)]
    lines.append(_ris_line("TI", _title(rec)))
    if rec.get("title_vernacular"):
        lines.append(_ris_line("TT", _clean(rec["title_vernacular"])))
    if rec.get("year"):
        lines.append(_ris_line("PY", rec["year"]))
    for key, tag in (("edition", "ET"), ("extent", "SP")):
        if rec.get(key):
            lines.append(_ris_line(tag, _clean(rec[key])))
    if _publisher(rec):
        lines.append(_ris_line("PB", _publisher(rec)))
    if _place(rec):
        lines.append(_ris_line("CY", _place(rec)))
    lines += [_ris_line("SN", v) for v in rec.get("isbns", []) + rec.get("issns", [])]
    lines += [_ris_line("LA", v) for v in rec.get("languages", [])]
    lines += [_ris_line("KW", v) for v in rec.get("subjects", [])]
    lines += [_ris_line("CN", v) for v in rec.get("lcc", [])[:1]]
    lines += [_ris_line("AB", v) for v in rec.get("summary", [])[:1]]
    if url:
        lines.append(_ris_line("UR", url))
    lines.append(_ris_line("ID", record_id))
    lines.append("ER  - ")
    return "\r\n".join(lines) + "\r\n"


_BIBTEX_SPECIAL = {"\\": r"\textbackslash{}", "{": r"\{", "}": r"\}", "%": r"\%", "&": r"\&",
                   "$": r"\$", "#": r"\#", "_": r"\_", "^": r"\^{}", "~": r"\~{}"}


def bibtex_escape(text: str) -> str:
    return "".join(_BIBTEX_SPECIAL.get(c, c) for c in " ".join(str(text).split()))


def bibtex_key(rec: dict, record_id: str) -> str:
    first = _name((_people(rec) or [""])[0]).split(",")[0]
    base = unicodedata.normalize("NFKD", first)
    base = "".join(c for c in base if c.isascii() and c.isalnum()).lower() or "record"
    safe_id = re.sub(r"[^A-Za-z0-9]", "", record_id)
    return f"{base}{rec.get('year') or ''}_{safe_id}"


def bibtex(rec: dict, record_id: str, url: str | None = None) -> str:
    kind = BIBTEX_TYPES.get(rec.get("format") or "", "misc")
    fields = []
    people = [_name(a) for a in _people(rec)]
    if people:
        # a name without a comma (a body, a Han name) is braced: BibTeX must not split it
        fields.append(("author", " and ".join(
            "{" + bibtex_escape(p) + "}" if "," not in p else bibtex_escape(p) for p in people)))
    fields.append(("title", _title(rec)))
    if rec.get("title_vernacular"):
        fields.append(("titleaddon", _clean(rec["title_vernacular"])))
    if rec.get("year"):
        fields.append(("year", rec["year"]))
    if rec.get("edition"):
        fields.append(("edition", _clean(rec["edition"])))
    if _publisher(rec):
        fields.append(("publisher", _publisher(rec)))
    if _place(rec):
        fields.append(("address", _place(rec)))
    if rec.get("isbns"):
        fields.append(("isbn", rec["isbns"][0]))
    if rec.get("issns"):
        fields.append(("issn", rec["issns"][0]))
    if rec.get("languages"):
        fields.append(("language", ", ".join(rec["languages"])))
    if rec.get("subjects"):
        fields.append(("keywords", ", ".join(rec["subjects"])))
    if url:
        fields.append(("url", url))
    raw = ("author", "url")  # already escaped; our own URL
    body = ",\n".join(f"  {name} = {{{value if name in raw else bibtex_escape(value)}}}"
                      for name, value in fields)
    return f"@{kind}{{{bibtex_key(rec, record_id)},\n{body}\n}}\n"
