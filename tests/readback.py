"""Every read a reader or partner makes, taken as one comparable picture of an index.

:func:`picture` asks a running site (or a Flask test client) for searches
with and without filters under every sort, all facets and the year
histogram, highlights and result-line details, the author facet's labels, every
cluster's record, suggestions and Atom feeds,
and reduces each answer to what must not depend on how the index was
written: totals, facet counts, histograms, the set of ids, and for each
sort the sequence of sort keys (documents with equal keys may come in any
order). :func:`differences` compares two pictures and names what differs.

An index brought up to date by updates must give the same picture as a
``--rebuild`` of the same store.
"""

from __future__ import annotations

import json
import re
import urllib.error
import urllib.parse
import urllib.request

from indexer.collation import name_key, title_key

SORTS = ("title", "author", "year", "year_asc", "new")
PAGE = 100


class HttpReader:
    """GETs against a running ``sheaf serve``."""

    def __init__(self, base: str):
        self.base = base

    def get(self, path: str, params: dict | list | None = None) -> tuple[int, bytes]:
        url = self.base + path + ("?" + urllib.parse.urlencode(params, doseq=True)
                                  if params else "")
        try:
            with urllib.request.urlopen(url, timeout=30) as response:
                return response.status, response.read()
        except urllib.error.HTTPError as exc:
            return exc.code, exc.read()


class ClientReader:
    """The same GETs through a Flask test client."""

    def __init__(self, client):
        self.client = client

    def get(self, path: str, params: dict | list | None = None) -> tuple[int, bytes]:
        response = self.client.get(path, query_string=params or None)
        return response.status_code, response.data


def get_json(reader, path: str, params=None) -> dict:
    status, body = reader.get(path, params)
    assert status == 200, (path, params, status, body[:500])
    return json.loads(body)


def search_all(reader, params: dict) -> dict:
    """Every page of one search, as (first page's answer, all hits)."""
    first = get_json(reader, "/api/search", {**params, "limit": PAGE, "facet_limit": 1000})
    hits = list(first["results"])
    page = 1
    while len(hits) < first["total"]:
        page += 1
        more = get_json(reader, "/api/search", {**params, "limit": PAGE, "page": page,
                                                "facets": ""})
        assert more["results"], (params, page, first["total"], len(hits))
        hits += more["results"]
    return {**first, "results": hits}


def _sort_key(sort: str, hit: dict):
    if sort == "title":
        return title_key({"title": hit["title"], "title_vernacular": hit["title_vernacular"],
                          "languages": hit["languages"]})
    if sort == "author":
        return name_key((hit["authors"] or [""])[0])
    if sort in ("year", "year_asc"):
        return hit["year"] or 0
    return None   # "new": the arrival time is not in the answer; only the set is compared


def _reduce(answer: dict, sort: str) -> dict:
    hits = answer["results"]
    out = {"total": answer["total"],
           "ids": sorted(h["id"] for h in hits),
           "facets": {name: {v["value"]: v["count"] for v in values}
                      for name, values in sorted(answer.get("facets", {}).items())},
           "years": answer.get("year_histogram", [])}
    if sort == "relevance":
        out["highlights"] = {h["id"]: h["highlights"] for h in hits}
        # the result lines' fields in both scripts, and the author facet's own-script labels
        out["details"] = {h["id"]: h.get("details") for h in hits}
        out["author_labels"] = {v["value"]: v["label"]
                                for v in answer.get("facets", {}).get("author", [])}
        out["holdings"] = {h["id"]: sorted(x["record_id"] for x in h["holdings"]) for h in hits}
    elif sort != "new":
        out["order"] = [_sort_key(sort, h) for h in hits]
    return out


def searches(queries: list[str], filters: list[str]) -> list[tuple[str, dict]]:
    """(label, API parameters) of every search the picture takes."""
    out = []
    for q in queries:
        out.append((f"{q!r}", {"q": q}))
        for f in filters:
            out.append((f"{q!r} filter {f}", {"q": q, "filter": f}))
        for sort in SORTS:
            out.append((f"{q!r} sort {sort}", {"q": q, "sort": sort}))
    return out


_FEED_ID = re.compile(r"<id>([^<]*)</id>")
_ORIGIN = re.compile(r"^https?://[^/]+")
_SIMILAR = re.compile(r'<ul class="similar">(.*?)</ul>', re.S)
_LINK = re.compile(r'href="/record/([^"?#]+)"')


def picture(reader, queries: list[str], filters: list[str], prefixes: list[str]) -> dict:
    """What every read of the site answers, reduced to what must not depend on how the
    index was written (see the module's docstring)."""
    pic: dict = {"search": {}, "records": {}, "suggest": {}, "feeds": {}}
    for label, params in searches(queries, filters):
        pic["search"][label] = _reduce(search_all(reader, params), params.get("sort",
                                                                            "relevance"))
    everything = search_all(reader, {"q": "", "facets": ""})
    for hit in everything["results"]:
        record = get_json(reader, f"/api/record/{hit['id']}")
        record.pop("url", None)   # names the server's own address
        for member in record["members"]:
            member.pop("first_seen", None)   # store times: equal anyway, kept out of diffs
            member.pop("last_changed", None)
        pic["records"][hit["id"]] = record
    for prefix in prefixes:
        found = get_json(reader, "/api/suggest", {"q": prefix, "limit": 50})
        pic["suggest"][prefix] = sorted((s["kind"], s["text"]) for s in found["suggestions"])
    for q in queries:
        if pic["search"][f"{q!r}"]["total"] > 50:
            continue  # a feed shows the newest 50; equal arrival times may come in any order
        status, body = reader.get("/feed.atom", {"q": q, "limit": 50})
        assert status == 200, (q, status, body[:300])
        pic["feeds"][q] = sorted(_ORIGIN.sub("", i) for i in _FEED_ID.findall(body.decode())[1:])
    return pic


def record_pages(reader, ids: list[str], live: set[str]) -> list[str]:
    """Problems with record pages: each must answer 200, and its similar items must be
    live clusters other than itself."""
    problems = []
    for cluster_id in ids:
        status, body = reader.get(f"/record/{cluster_id}")
        if status != 200:
            problems.append(f"/record/{cluster_id} answered {status}")
            continue
        section = _SIMILAR.search(body.decode("utf-8"))
        for other in _LINK.findall(section.group(1)) if section else []:
            other = urllib.parse.unquote(other)
            if other == cluster_id or other not in live:
                problems.append(f"/record/{cluster_id} offers {other} as similar,"
                                f" which is {'itself' if other == cluster_id else 'not live'}")
    return problems


def differences(got: dict, want: dict, limit: int = 12) -> list[str]:
    """Where two pictures differ, first ``limit`` places, each named."""
    out: list[str] = []

    def walk(a, b, where: str) -> None:
        if len(out) >= limit:
            return
        if isinstance(a, dict) and isinstance(b, dict):
            for key in sorted(set(a) | set(b), key=str):
                if key not in a:
                    out.append(f"{where}/{key}: missing after updates (rebuild: {b[key]!r:.200})")
                elif key not in b:
                    out.append(f"{where}/{key}: only after updates ({a[key]!r:.200})")
                else:
                    walk(a[key], b[key], f"{where}/{key}")
        elif a != b:
            out.append(f"{where}: after updates {a!r:.300}, rebuild {b!r:.300}")

    walk(got, want, "")
    return out
