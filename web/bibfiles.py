"""The files reference managers import: RIS and BibTeX, of one mapped record.

Both carry the record in its own script (:func:`web.citations.in_script`): the
title, names, edition, place and publisher its 880 fields give, so a Chinese
book arrives in Zotero or EndNote as 米易县志, not as its romanization. The
romanized title goes beside it where each format has room for another title:

* RIS: ``TI`` the title, ``J2`` the romanized one (the spec's "alternate title";
  ``TT`` is a *translated* title, which a romanization is not). ``SP`` is a start
  page, so the physical description (300 $a) is not written at all: "5, 24, 773 p.,
  [10] p. of plates" is no page number.
* BibTeX: ``title`` the title, ``titleaddon`` the romanized one (biblatex prints it
  after the title).

Several records are these files one after another (:mod:`web.exports`).
"""

from __future__ import annotations

import re
import unicodedata

from .citations import in_script, name_of, romanized

RIS_TYPES = {"book": "BOOK", "serial": "JOUR", "article": "JOUR", "map": "MAP",
             "video": "VIDEO", "sound": "SOUND", "music": "MUSIC", "score": "MUSIC",
             "image": "ART", "software": "COMP", "thesis": "THES"}
BIBTEX_TYPES = {"book": "book", "serial": "periodical", "article": "article", "thesis": "phdthesis"}


def _other_title(rec: dict) -> str:
    """The romanized title when the record's own title is another form of it: the 245
    beside its 880, or a CNMARC 200 $9 (pinyin) beside its Han title."""
    own, roman = in_script(rec).title, rec.get("title_romanized") or romanized(rec).title
    return roman if roman and roman != own else ""


def _ris_line(tag: str, value) -> str:
    value = " ".join(str(value).split())
    return f"{tag}  - {value}"


def ris(rec: dict, record_id: str, url: str | None = None) -> str:
    """One RIS reference, TY first and ER last, CRLF line ends (the spec's)."""
    parts = in_script(rec)
    lines = [_ris_line("TY", RIS_TYPES.get(rec.get("format") or "", "GEN"))]
    lines += [_ris_line("AU", name_of(a)) for a in parts.authors]
    lines.append(_ris_line("TI", parts.title))
    if _other_title(rec):
        lines.append(_ris_line("J2", _other_title(rec)))
    if rec.get("year"):
        lines.append(_ris_line("PY", rec["year"]))
    for tag, value in (("ET", parts.edition), ("PB", parts.publisher), ("CY", parts.place)):
        if value:
            lines.append(_ris_line(tag, value))
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
    """ASCII only (BibTeX keys are): the romanized first author, the year, the record id."""
    first = name_of((romanized(rec).authors or [""])[0]).split(",")[0]
    base = unicodedata.normalize("NFKD", first)
    base = "".join(c for c in base if c.isascii() and c.isalnum()).lower() or "record"
    safe_id = re.sub(r"[^A-Za-z0-9]", "", record_id)
    return f"{base}{rec.get('year') or ''}_{safe_id}"


def bibtex(rec: dict, record_id: str, url: str | None = None) -> str:
    kind = BIBTEX_TYPES.get(rec.get("format") or "", "misc")
    parts = in_script(rec)
    fields = []
    people = [name_of(a) for a in parts.authors]
    if people:
        # a name without a comma (a body, a Han name) is braced: BibTeX must not split it
        fields.append(("author", " and ".join(
            "{" + bibtex_escape(p) + "}" if "," not in p else bibtex_escape(p) for p in people)))
    fields.append(("title", parts.title))
    if _other_title(rec):
        fields.append(("titleaddon", _other_title(rec)))
    if rec.get("year"):
        fields.append(("year", rec["year"]))
    for name, value in (("edition", parts.edition), ("publisher", parts.publisher),
                        ("address", parts.place)):
        if value:
            fields.append((name, value))
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
