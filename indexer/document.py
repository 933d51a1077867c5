"""One index document per cluster: the same work or edition as every member library holds it.

The searchable text is the union of the members' distinct values (four
identical copies index like one, so popular works are not scored up by
repetition); facets list every holding library; ``display`` carries what a
result needs, from the richest member, plus one holding per member record.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timezone

from .segmenters import HAN_CLASS, HAN_RUN, KANA_HANGUL_CLASS, to_simplified
from .callnumbers import SCHEMES, scheme_of, shelf_key, shelf_value
from .collation import name_key, title_key
from .headings import browse_value, form_value, heading_keys
from .online import ONLINE_VALUE, access_links, cluster_links
from .textnorm import close_han_gaps, folded_words, normalize

FACET_SEPARATOR = "\x1f"
HAN_OR_KANA = re.compile(f"[{HAN_CLASS}{KANA_HANGUL_CLASS}]")
_HAN_CHAR = re.compile(f"[{HAN_CLASS}]")
_ISBD_PARTS = re.compile(r"\s+[:=/;]\s+|\s*\.\s+(?=[A-Z])")


@dataclass(frozen=True)
class Member:
    """One member library's record of a cluster."""

    record_id: str   # "<source>:<local id>"
    source: str
    mapped: dict
    first_seen: str = ""   # when the store first saw the record (ISO 8601, UTC)


def _unique(values) -> list[str]:
    return list(dict.fromkeys(v for v in values if v))


def _unique_pairs(pairs) -> list[dict]:
    return list({(p["heading"], p["vernacular"]): p for p in pairs}.values())


def _collect(members: list[Member], *keys: str) -> list[str]:
    """The members' distinct non-empty strings under ``keys``, in order."""
    out: dict[str, None] = {}
    for m in members:
        mapped = m.mapped
        for key in keys:
            value = mapped.get(key)
            if not value:
                continue
            if isinstance(value, str):
                out[value] = None
            else:
                for v in value:
                    if v and isinstance(v, str):
                        out[v] = None
    return list(out)


def _join(values) -> str:
    return "\n".join(values)


def main_title(title: str) -> str:
    """The title proper (245a): the title up to its first ISBD separator."""
    return _ISBD_PARTS.split(title, maxsplit=1)[0].strip() if title else ""


def title_match_key(text: str) -> str:
    """A title's words, lowercased, folded, Han in simplified form: for exact and start matching.

    Cheap on purpose (no segmentation): a run of Han characters is one word.
    """
    return " ".join(folded_words(to_simplified(close_han_gaps(normalize(text)))))


def title_keys(titles: list[str]) -> list[str]:
    """'=' + the whole title and the title proper; '^' + its first one and two words,
    or for a title that starts with Han characters, its first two to four characters;
    '#' + the number of Han characters in a Han title proper (``#4`` for 李宗仁传 :
    ...), which :mod:`discovery.ranking` weighs a Han fragment's share of the title by.

    Longer title starts are left to the exact keys and phrase matching: each
    key is a term of its own, and nearly all longer ones would be unique.
    """
    keys = []
    for title in titles:
        whole = title_match_key(title)
        main = main_title(title)
        for key in (whole, whole if main == title else title_match_key(main)):
            if key:
                keys.append("=" + key)
        han = len(_HAN_CHAR.findall(main))
        if han:
            keys.append(f"#{han}")
        words = whole.split()
        if not words:
            continue
        if HAN_RUN.match(words[0]):
            keys.extend("^" + words[0][:n] for n in range(2, min(len(words[0]), 4) + 1))
        keys.extend("^" + " ".join(words[:n]) for n in range(1, min(len(words), 2) + 1))
    return _unique(keys)


def _epoch(stamp: str) -> int:
    """Seconds since 1970 of a store timestamp (``2026-11-21T08:00:00Z``); 0 if there is none."""
    if not isinstance(stamp, str) or len(stamp) != 20 or not stamp.endswith("Z"):
        return 0
    try:
        return int(datetime.fromisoformat(stamp[:19]).replace(tzinfo=timezone.utc).timestamp())
    except ValueError:
        return 0


def _facet(values) -> str:
    return FACET_SEPARATOR.join(_unique(v.replace(FACET_SEPARATOR, " ") for v in values))


def _holdings(member: Member, names: dict[str, str]) -> list[dict]:
    base = {"source": member.source, "record_id": member.record_id,
            "name": names.get(member.source, member.source)}
    copies = [h for h in member.mapped.get("holdings", []) if h.get("call_number") or h.get("location")]
    if not copies:
        return [base]
    classes = {scheme: member.mapped.get(scheme, []) for scheme in SCHEMES}
    out = []
    for h in copies:
        entry = {**base, **{k: h[k] for k in ("call_number", "location", "library") if h.get(k)}}
        scheme = scheme_of(h["call_number"], classes, h.get("scheme")) \
            if h.get("call_number") else None
        if scheme:
            entry["scheme"] = scheme
        out.append(entry)
    return out


def _shelves(holdings: list[dict]) -> dict[str, str]:
    """Each scheme's first key among the holdings: where the cluster stands on that shelf."""
    out: dict[str, str] = {}
    for h in holdings:
        scheme = h.get("scheme")
        key = shelf_key(scheme, h["call_number"]) if scheme else None
        if key and (scheme not in out or key < out[scheme]):
            out[scheme] = key
    return out


def _headings(members: list[Member], key: str, forms: str) -> dict[str, str | None]:
    """heading -> its form in another script (None when no member gives one), in the
    members' order. An 880 heading paired with its romanized one is no entry of its own;
    a Chinese record's other form is given in simplified characters (one entry for both
    forms of the characters)."""
    out: dict[str, str | None] = {}
    paired = set()
    for m in members:
        chinese = "chi" in m.mapped.get("languages", ())
        for e in m.mapped.get(forms, []):
            paired.add(e["vernacular"])
            if out.get(e["heading"]) is None:
                out[e["heading"]] = to_simplified(e["vernacular"]) if chinese \
                    else e["vernacular"]
    for m in members:
        for heading in m.mapped.get(key, []):
            if heading not in paired:
                out.setdefault(heading, None)
    return out


def _browse(headings: dict[str, str | None]) -> tuple[str, str]:
    """(browse values, forms values) of a cluster's headings."""
    return (_facet(browse_value(h) for h in headings),
            _facet(form_value(h, o) for h, o in headings.items() if o and o != h))


def document_for(cluster_id: str, members: list[Member], names: dict[str, str]) -> dict:
    """The index document of a cluster, shown through its richest member's record."""
    from .cluster import richest
    return cluster_document(cluster_id, members, members[richest([m.mapped for m in members])],
                            names)


def cluster_document(cluster_id: str, members: list[Member], display: Member,
                     names: dict[str, str]) -> dict:
    """The index document of a cluster whose display record is ``display``."""
    ordered = [display] + [m for m in members if m is not display]
    d = display.mapped
    titles = _collect(ordered, "title", "title_vernacular", "title_romanized")
    all_titles = _unique(titles + _collect(ordered, "title_alt"))
    mains = _unique(main_title(t) for t in titles)
    rests = _unique([t[len(main_title(t)):].strip(" :=/;.") for t in titles]
                    + _collect(ordered, "title_alt"))
    authors = _collect(ordered, "authors", "authors_vernacular", "authors_romanized")
    subjects = _collect(ordered, "subjects")
    publishers = _collect(ordered, "publishers")
    isbns = _collect(ordered, "isbns")
    english = not d.get("languages") or "eng" in d.get("languages", [])
    holdings = [h for m in ordered for h in _holdings(m, names)]
    shelves = _shelves(holdings)
    author_browse, author_forms = _browse(_headings(ordered, "authors", "name_forms"))
    subject_browse, subject_forms = _browse(_headings(ordered, "subjects", "subject_forms"))
    links = cluster_links(m.mapped.get("links") for m in ordered)
    first_parts = _unique(s.split(" -- ")[0] for s in subjects if not HAN_OR_KANA.search(s))
    doc = {
        "id": cluster_id,
        "source": " ".join(_unique(m.source for m in ordered)),
        # the title proper (245a) and the rest of the title in two fields, so the
        # title proper can weigh more without indexing any title word twice
        "title": _join(mains),
        "title_rest": _join(rests),
        "author": _join(authors),
        "subject": _join(subjects),
        "publisher": _join(publishers),
        "all": _join(_collect(ordered, "responsibility", "places", "series", "notes", "summary",
                              "contents", "edition") + isbns + _collect(ordered, "issns")),
        "title_cjk": _join(all_titles) if HAN_OR_KANA.search(_join(all_titles)) else "",
        "cjk": _join(authors + subjects) if HAN_OR_KANA.search(_join(authors + subjects)) else "",
        "pinyin": _join(all_titles + authors) if HAN_RUN.search(_join(all_titles + authors)) else "",
        # English stems: subject headings (English in MARC 21 catalogs) and the
        # titles of English-language records; Porter's rules would blur other languages
        "stem": _join((all_titles if english else []) + subjects),
        "title_keys": _facet(title_keys(titles)),
        "language": " ".join(_collect(ordered, "languages")),
        "format": d.get("format", ""),
        "isbn": " ".join(isbns),
        "issn": " ".join(_collect(ordered, "issns")),
        "subject_facet": _facet(first_parts),
        "author_facet": _facet(_collect(ordered, "authors")),
        "class_facet": _facet([f"clc:{v}" for v in _collect(ordered, "clc_facet")]
                              + [f"ddc:{v}" for v in _collect(ordered, "ddc_facet")]
                              + [f"lcc:{v}" for v in _collect(ordered, "lcc_facet")]),
        # an access link, or a member the mapping calls online (007 cr, 008 form o...)
        "online": ONLINE_VALUE if access_links(links) or any(m.mapped.get("online")
                                                             for m in ordered)
        else "",
        "author_browse": author_browse,
        "author_forms": author_forms,
        "subject_browse": subject_browse,
        "subject_forms": subject_forms,
        "subject_az": _facet(browse_value(v) for v in first_parts),
        "subject_keys": _facet(k for s in subjects for k in heading_keys(s)),
        **{f"shelf_{scheme}": shelf_value(key, cluster_id).encode("utf-8")
           for scheme, key in shelves.items()},
        "holdings": len(holdings),
        # when the newest member record arrived: "new titles" sort and feeds
        "added": max((_epoch(m.first_seen) for m in ordered), default=0),
        "sort_title": title_key(d).encode("utf-8"),
        "sort_author": name_key((d.get("authors") or [""])[0]).encode("utf-8"),
        "display": {
            "title": d.get("title") or d.get("title_vernacular") or "",
            "title_vernacular": d.get("title_vernacular"),
            "authors": d.get("authors", []),
            "authors_vernacular": d.get("authors_vernacular", []),
            # every member's (name, 880) pairs: the suggestion store keeps them for queries
            "name_forms": _unique_pairs(p for m in ordered for p in m.mapped.get("name_forms", ())),
            "year": d.get("year"),
            "languages": d.get("languages", []),
            "format": d.get("format"),
            "publishers": d.get("publishers", []),
            "places": d.get("places", []),
            "series": d.get("series", [])[:3],
            # the result line's fields in both scripts (discovery.vernacular pairs them)
            **{key: d[key] for key in ("place_forms", "publisher_forms", "edition_forms",
                                       "series_forms") if d.get(key)},
            "subjects": subjects[:12],
            "edition": d.get("edition"),
            "isbns": d.get("isbns", [])[:4],
            "links": links,
            "holdings": holdings,
            "shelves": shelves,
            "members": [m.record_id for m in ordered],
        },
    }
    if d.get("year") is not None:
        doc["year"] = d["year"]
    return {k: v for k, v in doc.items() if v != ""}
