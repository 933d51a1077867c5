"""The SolrCloud engine's browsing: pages of a values field's values, and the shelves.

* A page of values is one JSON terms facet with ``offset``, ``limit``, ``prefix``,
  ``sort`` (``count desc`` or ``index asc``) and ``numBuckets``, over the query
  and its tagged filters (the facet's own left out), refined across shards.
* The values between two values are the terms component's ``terms.lower`` /
  ``terms.upper`` in index order.
* A shelf is a range query on its shelf-key field (a string field, indexed, with
  docValues): ``[start TO *]`` sorted up for what follows, ``[* TO start}``
  sorted down for what comes before.
"""

from __future__ import annotations

import json
import urllib.parse

from discovery.engine import ValuesPage
from discovery.highlight import no_terms
from discovery.hits import hit_of
from discovery.results import Hit

from .documents import display_of
from .query import quoted



def values_page(engine, collection: str, q: str, fqs: list[str], field: str, order: str,
                offset: int, limit: int, prefix: str, own_facet: str | None) -> ValuesPage:
    facet = {"type": "terms", "field": field, "offset": offset, "limit": limit,
             "sort": "count desc" if order == "count" else "index asc", "mincount": 1,
             "numBuckets": True, "refine": True}
    if prefix:
        facet["prefix"] = prefix
    if own_facet:
        facet["domain"] = {"excludeTags": f"f_{own_facet}"}
    found = engine._select(collection, {"q": q, "fq": fqs, "rows": 0, "shards.tolerant": "true",
                                        "json.facet": json.dumps({"page": facet})})
    counted = found.get("facets", {}).get("page", {})
    values = [(str(b["val"]), int(b["count"])) for b in counted.get("buckets", [])]
    return ValuesPage(values=values, total=int(counted.get("numBuckets", 0)))


def values_between(engine, collection: str, field: str, low: str, high: str,
                   limit: int) -> list[str]:
    form = urllib.parse.urlencode([
        ("terms.fl", field), ("terms.lower", low), ("terms.lower.incl", "true"),
        ("terms.upper", high), ("terms.upper.incl", "true"), ("terms.sort", "index"),
        ("terms.limit", limit), ("terms.mincount", 1), ("shards.qt", "/terms"),
        ("shards.tolerant", "true"), ("wt", "json"), ("json.nl", "map")])
    found = engine.client.post_bytes(f"/{collection}/terms", form.encode("utf-8"),
                                     content_type="application/x-www-form-urlencoded")
    return sorted(found.get("terms", {}).get(field, {}))[:limit]


def shelf(engine, collection: str, field: str, start: str, forward: bool,
          limit: int) -> list[tuple[str, Hit]]:
    where = f"{field}:[{quoted(start)} TO *]" if forward else f"{field}:[* TO {quoted(start)}}}"
    found = engine._select(collection, {
        "q": "*:*", "fq": where, "fl": f"id,display,{field}", "rows": limit,
        "sort": f"{field} {'asc' if forward else 'desc'}", "shards.tolerant": "true"})
    return [(doc[field], hit_of(engine.home, doc["id"], display_of(doc), 0.0,
                                engine._highlighter, no_terms()))
            for doc in found["response"]["docs"]]
