"""Online copies: 856 links as access links a reader can follow, and what counts as "online".

An 856 says by its second indicator what it links to: 0 the resource itself, 1 a
version of it (a digitised copy), 2 a related resource (a table of contents, a
publisher's description). Blank (no information, and UNIMARC, which leaves the
indicator undefined) and 8 (no display constant) are taken as the resource: a
member library that gives a bare 856 gives the copy it holds. A link labelled as what
is about the work ("Table of contents", "Sample text", "Publisher description": LC gives
these as 856 41) or pointing at LC's enhancements (``loc.gov/catdir/``) is related,
whatever its indicator says (:func:`about_the_work`, ``data/related_links.tsv``). A
IIIF manifest (a URL ending in ``/manifest`` or ``manifest.json``, or $q/$2 naming IIIF)
is kind ``iiif``
so a viewer can be offered for it later. Only http(s) URLs are kept: a catalogue's
data is not trusted to put ``javascript:`` or ``data:`` into a reader's page.

The ``online`` facet (:mod:`indexer.fields`) counts the clusters with at least one
access link (resource, version or IIIF) or a member the mapping says is online (the
``online`` flag: 007 ``cr``, a remote electronic resource, or 008 form of item ``o``);
related links alone do not make a copy online.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from .rules import MarcView, parse_spec, trim_punctuation
from .tables import load

KINDS = {"0": "resource", "1": "version", "2": "related"}
ACCESS_KINDS = ("resource", "version", "iiif")
ONLINE_VALUE = "yes"          # the one value of the online facet (filter ``online:yes``)
_IIIF_PATH = re.compile(r"(/manifest|manifest\.json)/?$", re.IGNORECASE)


def http_url(url: str | None) -> str | None:
    """``url`` stripped, only if it is http(s) with a host: never javascript: or data:."""
    if not url or not isinstance(url, str):
        return None
    url = url.strip()
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        return None
    if any(c in url for c in "\r\n\t\x00"):
        return None
    return url


def is_iiif(url: str, hints: list[str] = ()) -> bool:
    """A IIIF Presentation manifest: by its URL's end or a $q/$2 that says IIIF."""
    if any("iiif" in h.lower() for h in hints):
        return True
    return bool(_IIIF_PATH.search(urlsplit(url).path))


def about_the_work(url: str, labels: list[str]) -> bool:
    """Whether a link is about the work (its table of contents, a sample, a description)
    rather than the work: by its labels' start or its URL (``data/related_links.tsv``)."""
    rows = load("related_links")
    starts = tuple(r["text"].casefold() for r in rows if r["match"] == "label")
    spots = [r["text"].casefold() for r in rows if r["match"] == "url"]
    if any(label.strip().casefold().startswith(starts) for label in labels):
        return True
    parts = urlsplit(url)
    where = (parts.netloc + parts.path).casefold()
    return any(spot in where for spot in spots)


def link(url: str | None, label: str | None = None, kind: str = "resource") -> dict | None:
    """One access link as the mapping keeps it, or None for a URL a reader must not get."""
    url = http_url(url)
    if url is None:
        return None
    out = {"url": url, "kind": kind}
    if label:
        out["label"] = label
    return out


def links_856(spec: str = "856") -> object:
    """Each 856 $u as {url, label ($y, else $3, else $z), kind}: the extractor of both
    MARC flavours (UNIMARC's 856 has the same subfields; its ind2 is blank)."""
    parsed = parse_spec(spec)

    def extract(view: MarcView) -> list:
        out = []
        for s in parsed:
            for f in view.by_tag.get(s.tag, ()):
                text = trim_punctuation([f.get("y") or f.get("3") or f.get("z") or ""])
                kind = KINDS.get(f.ind2, "resource")
                hints = f.get_all("q") + f.get_all("2")
                labels = f.get_all("3") + f.get_all("y") + f.get_all("z")
                for url in f.get_all("u"):
                    entry = link(url, text[0] if text else None, kind)
                    if entry and kind != "related" and about_the_work(entry["url"], labels):
                        entry["kind"] = "related"
                    if entry and entry["kind"] != "related" and is_iiif(entry["url"], hints):
                        entry["kind"] = "iiif"
                    if entry:
                        out.append(entry)
        return out

    extract.tags = frozenset(s.tag for s in parsed)
    return extract


def access_links(links) -> list[dict]:
    """The links that are the resource itself, a version of it or its IIIF manifest."""
    return [entry for entry in links or () if entry.get("kind", "resource") in ACCESS_KINDS]


def cluster_links(members_links) -> list[dict]:
    """The members' links, each URL once (first member's label and kind win), access
    links before related ones: what a cluster's record page and result line show."""
    seen: dict[str, dict] = {}
    for links in members_links:
        for entry in links or ():
            url = http_url(entry.get("url")) if isinstance(entry, dict) else None
            if url and url not in seen:
                seen[url] = {**entry, "url": url, "kind": entry.get("kind", "resource")}
    ordered = list(seen.values())
    return [e for e in ordered if e["kind"] in ACCESS_KINDS] + \
        [e for e in ordered if e["kind"] not in ACCESS_KINDS]
