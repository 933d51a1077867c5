"""The SolrCloud engine's search side (:class:`discovery.engine.SearchEngine`).

A query is compiled to the same plan as on Whoosh (:mod:`discovery.compiler`) and
rendered for Solr's standard parser (:mod:`.query`). Facet filters are tagged
``fq``s, and each facet is counted by the JSON Facet API with its own filter
excluded (OR within a facet, AND across, counted under the others); the year
histogram counts years the same way. Hits, highlighting, facet labels,
did-you-mean and autocomplete are Sheaf's own (:mod:`discovery.hits`,
:mod:`discovery.highlight`, :mod:`discovery.spelling`, the generation's
autocomplete store), so they read the same on every engine.

Searches go to the collection alias (``solr_alias``); a pinned generation (the
probe of one not live yet) searches its own collection. ``shards.tolerant``
lets a search answer when a shard has no live replica; such an answer says it
is partial.
"""

from __future__ import annotations

import json
import time
import urllib.parse
from contextlib import nullcontext

from discovery import plan as p
from discovery.compiler import QueryCompiler
from discovery.engine import (Cluster, SearchEngine, ValuesPage, compiler_for,
                              generation_stores, searchable, vernacular_forms)
from discovery.budget import (NO_DEADLINE, Deadline, Limits, SearchTimeout, Turns, take_turn,
                              too_many_prefix_terms)
from discovery.errors import IndexUnavailable
from discovery.highlight import Highlighter, no_terms, query_terms
from discovery.hits import decades, facet_values, hit_of
from discovery.query import MatchAll, Node
from discovery.results import Hit, SearchRequest, SearchResult
from discovery.spelling import Speller
from harvest.config import Home
from indexer.cluster_store import ClusterStore
from indexer.errors import IndexerError
from indexer.fields import FACET_FIELDS, SORTS
from indexer.generations import Generation, IndexDir, versions
from indexer.suggest import SuggestStore

from . import browse
from .client import SolrClient
from .documents import display_of
from .index import collection_of
from .query import escape, int_field, quoted, to_solr
from .schema import versions as solr_versions

SUGGEST_BELOW = 3
# how long past the deadline a reply may still arrive: Solr stops at timeAllowed and
# answers with what it has, which the search reports as its timeout
REPLY_GRACE = 0.25
OVERREQUEST = 200   # facet values a shard offers beyond the ones asked for
_SORT_KEYS = {s.name: s.key for s in SORTS}


class _Terms:
    """Document frequencies for did-you-mean, asked of Solr's terms component in batches."""

    def __init__(self, client: SolrClient, collection: str):
        self.client, self.collection = client, collection
        self.known: dict[tuple[str, str], int] = {}

    def prefetch(self, fields, terms) -> None:
        """The frequencies of ``terms`` in every one of ``fields``: one request per 500
        terms, however many fields."""
        terms = [t for t in dict.fromkeys(terms) if "," not in t]
        wanted = [t for t in terms if any((f, t) not in self.known for f in fields)]
        for start in range(0, len(wanted), 500):
            part = wanted[start:start + 500]
            form = urllib.parse.urlencode(
                [("terms.fl", f) for f in fields]
                + [("terms.list", ",".join(part)), ("terms.limit", -1), ("shards.qt", "/terms"),
                   ("shards.tolerant", "true"), ("wt", "json"), ("json.nl", "map")])
            # (a form: the candidates make too long a URL)
            found = self.client.post_bytes(f"/{self.collection}/terms", form.encode("utf-8"),
                                           content_type="application/x-www-form-urlencoded")
            for field in fields:
                counts = found.get("terms", {}).get(field, {})
                for t in part:
                    self.known[(field, t)] = int(counts.get(t, 0))

    def doc_frequency(self, field: str, term: str) -> int:
        if (field, term) not in self.known:
            self.prefetch([field], [term])
        # a term with a comma cannot be listed (terms.list splits on commas); the
        # analysers keep none in the word fields the speller asks
        return self.known.get((field, term), 0)


class SolrSearch(SearchEngine):
    name = "solr"

    def __init__(self, home: Home, check_interval: float = 1.0,
                 generation: Generation | None = None):
        settings = home.settings
        self.home = home
        self.client = SolrClient(str(settings["solr_url"]), float(settings["engine_timeout"]))
        self.alias = str(settings["solr_alias"])
        self.index_dir = IndexDir(home.index_path, versions(solr_versions()))
        self._pinned = generation
        self.check_interval = check_interval
        self._lock = Turns()      # a worker's threads take the searcher in turns
        self._generation: Generation | None = None
        self._collection: str | None = None
        self._suggest: SuggestStore | None = None
        self._speller = Speller()
        self._compiler = QueryCompiler()
        self._highlighter = Highlighter()
        self._checked = 0.0

    # -- the generation followed ----------------------------------------------

    def _current(self) -> str:
        """The collection to search, after following ``CURRENT`` (at most every
        ``check_interval`` seconds)."""
        now = time.monotonic()
        if self._collection is not None and now - self._checked < self.check_interval:
            return self._collection
        self._checked = now
        try:
            gen = searchable(self.index_dir, self._pinned)
        except IndexUnavailable:
            self._close()
            raise
        if self._generation is None or gen.path != self._generation.path \
                or gen.meta != self._generation.meta:
            self._close()
            try:
                own = collection_of(gen.path)
            except IndexerError as exc:
                raise IndexUnavailable(str(exc)) from None
            self._collection = own if self._pinned else self.alias
            self._generation = gen
            self._suggest, self._speller = generation_stores(gen)
            self._compiler = compiler_for(self._suggest)
        return self._collection

    def _close(self) -> None:
        if self._suggest is not None:
            self._suggest.close()
        self._suggest = self._generation = self._collection = None

    def close(self) -> None:
        with self._lock:
            self._close()

    @property
    def generation(self) -> str | None:
        return self._generation.name if self._generation else None

    def _select(self, collection: str, params: dict) -> dict:
        # the same query asks the same replicas: their scores can differ (each merges its
        # own segments), which would reorder equal hits from one page to the next
        params = {"shards.preference": "replica.base:stable:hash:q", **params}
        return self.client.post_bytes(
            f"/{collection}/select", json.dumps({"params": params}).encode("utf-8"),
            {"wt": "json"}, "application/json")

    # -- search ---------------------------------------------------------------

    def search(self, request: SearchRequest, tree: Node, deadline: Deadline | None = None,
               limits: Limits | None = None) -> SearchResult:
        """``deadline`` goes to Solr as ``timeAllowed``: partial results past it are a
        SearchTimeout (partial results before it: a shard with no live replica)."""
        deadline = deadline or NO_DEADLINE
        bounded = self.client.within(deadline.remaining() + REPLY_GRACE) \
            if deadline.seconds != float("inf") else nullcontext()
        with take_turn(self._lock, deadline), bounded:
            collection = self._current()
            plan = self._compiler.compile(tree)
            if limits is not None:
                self._check_prefixes(collection, plan, limits)
            fqs, tags = self._filters(request)
            facets = {}
            for facet in request.facets:
                if facet == "year":
                    facets["year"] = {"type": "terms", "field": "year", "limit": -1,
                                      "mincount": 1, "domain": {"excludeTags": "f_year"}}
                    continue
                searched = request.facet_search and request.facet_search[0] == facet
                facets[facet] = {
                    "type": "terms", "field": FACET_FIELDS[facet], "mincount": 1,
                    # exact counts across shards, not the sum of their tops; a shard offers
                    # more than the top values, so values tied at the cut are not left out
                    "refine": True, "overrequest": OVERREQUEST,
                    # a facet search reads every value (its labels are Sheaf's)
                    "limit": -1 if searched else request.facet_limit + len(tags.get(facet, ())),
                    "domain": {"excludeTags": f"f_{facet}"}}
            params = {"q": to_solr(plan), "fq": fqs, "fl": "id,display,score",
                      "start": (request.page - 1) * request.limit, "rows": request.limit,
                      "sort": self._sort(request, tree), "shards.tolerant": "true",
                      "json.facet": json.dumps(facets) if facets else None}
            if deadline.seconds != float("inf"):
                params["timeAllowed"] = max(1, int(deadline.remaining() * 1000))
            try:
                found = self._select(collection,
                                     {k: v for k, v in params.items() if v is not None})
            except IndexUnavailable as exc:
                if deadline.expired() and not isinstance(exc, SearchTimeout):
                    # Solr refused the request once its timeAllowed ran out
                    raise SearchTimeout(deadline.seconds, "Solr's timeAllowed") from exc
                raise
            if found.get("responseHeader", {}).get("partialResults") and deadline.expired():
                raise SearchTimeout(deadline.seconds, "Solr's timeAllowed")
            deadline.check("matching")
            total = int(found["response"]["numFound"])
            terms = query_terms(plan)
            hits = []
            for doc in found["response"]["docs"]:
                deadline.check("highlighting")
                hits.append(hit_of(self.home, doc["id"], display_of(doc), doc.get("score", 0.0),
                                   self._highlighter, terms))
            counted = found.get("facets", {})
            values = {}
            for facet in request.facets:
                if facet == "year":
                    continue
                buckets = counted.get(facet, {}).get("buckets", [])
                values[facet] = facet_values(self.home, request, facet,
                                             ((str(b["val"]), int(b["count"])) for b in buckets),
                                             self._suggest, deadline)
            histogram = decades((int(b["val"]), int(b["count"]))
                                for b in counted.get("year", {}).get("buckets", [])) \
                if "year" in request.facets else []
            suggestion = None
            if total < SUGGEST_BELOW and request.query.strip():
                deadline.check("did-you-mean")
                terms_of = _Terms(self.client, collection)
                suggestion = self._speller.suggestion(
                    _Reader(terms_of), self._compiler, tree, total,
                    lambda _searcher, t: self.count(t))
            partial = bool(found.get("responseHeader", {}).get("partialResults"))
        return SearchResult(request=request, total=total, hits=hits, facets=values,
                            year_histogram=histogram, suggestion=suggestion, partial=partial)

    def _check_prefixes(self, collection: str, plan, limits: Limits) -> None:
        """QueryTooLarge when the plan's prefixes stand for more indexed words than
        ``limits.prefix_terms`` (each field's counted, as on Whoosh): the terms component
        lists at most what is left of the budget, one request per prefix."""
        fields_of: dict[str, list[str]] = {}   # prefix text -> the fields it truncates in
        for field, text in sorted(p.prefixes(plan)):
            fields_of.setdefault(text, []).append(field)
        left = limits.prefix_terms
        for text, names in fields_of.items():
            form = urllib.parse.urlencode(
                [("terms.fl", f) for f in names]
                + [("terms.prefix", text), ("terms.limit", left + 1), ("terms.sort", "index"),
                   ("shards.qt", "/terms"), ("shards.tolerant", "true"), ("wt", "json"),
                   ("json.nl", "map")])
            found = self.client.post_bytes(f"/{collection}/terms", form.encode("utf-8"),
                                           content_type="application/x-www-form-urlencoded")
            left -= sum(len(found.get("terms", {}).get(f, {})) for f in names)
            if left < 0:
                raise too_many_prefix_terms(limits)

    def _filters(self, request: SearchRequest) -> tuple[list[str], dict[str, list]]:
        """One tagged ``fq`` per filtered facet: its chosen values ORed, its exclusions out."""
        fqs, tags = [], {}
        for facet in dict.fromkeys(f.facet for f in request.filters):
            chosen = [f.value for f in request.filters if f.facet == facet and not f.exclude]
            dropped = [f.value for f in request.filters if f.facet == facet and f.exclude]
            tags[facet] = chosen + dropped
            if facet == "year":
                def ranges(pairs):
                    return " ".join(f"year:[{1 if lo is None else int_field(lo)} TO"
                                    f" {'*' if hi is None else int_field(hi)}]"
                                    for lo, hi in pairs)
                keep = f"+({ranges(request.year_ranges())})" if chosen else "+year:[1 TO *]"
                drop = f" -({ranges(request.year_ranges(exclude=True))})" if dropped else ""
                fqs.append(f"{{!tag=f_year}}({keep}{drop})" if chosen or dropped else "")
                continue
            field = FACET_FIELDS[facet]
            keep = ("+(" + " ".join(f"{field}:{quoted(v)}" for v in chosen) + ")") if chosen \
                else "+*:*"
            drop = "".join(f" -{field}:{quoted(v)}" for v in dropped)
            fqs.append(f"{{!tag=f_{facet}}}({keep}{drop})")
        return [f for f in fqs if f], tags

    @staticmethod
    def _sort(request: SearchRequest, tree: Node) -> str:
        if request.sort == "relevance":
            if isinstance(tree, MatchAll):   # browsing: widely held, then recent, first
                return "holdings desc,year desc,id asc"
            return "score desc,holdings desc,id asc"
        key = _SORT_KEYS[request.sort]
        if request.sort in ("year", "new"):
            return f"{key} desc,id asc"
        return f"{key} asc,id asc"

    def count(self, tree: Node) -> int:
        with self._lock:
            collection = self._current()
            found = self._select(collection, {"q": to_solr(self._compiler.compile(tree)),
                                              "rows": 0, "shards.tolerant": "true"})
            return int(found["response"]["numFound"])

    # -- the rest of the interface --------------------------------------------

    def vernacular_names(self, names: list[str]) -> dict[str, str]:
        with self._lock:
            self._current()
            return vernacular_forms(self._suggest, names)

    def suggest(self, typed: str, kinds: tuple[str, ...], limit: int) -> list[dict]:
        with self._lock:
            self._current()
            store = self._suggest
            return store.suggest(typed, kinds, limit) if store is not None else []

    def _get(self, cluster_id: str) -> dict | None:
        collection = self._current()
        # (a record on a shard with no live replica is a 503: Solr cannot say it is absent)
        return self.client.get(f"/{collection}/get", {"id": cluster_id, "fl": "id,display",
                                                      "shards.tolerant": "true",
                                                      "wt": "json"}).get("doc")

    def similar(self, cluster_id: str, limit: int,
                deadline: Deadline | None = None) -> list[Hit]:
        """Clusters sharing subjects, authors and title words with this one."""
        with take_turn(self._lock, deadline or NO_DEADLINE):
            doc = self._get(cluster_id)
            if doc is None:
                return []
            display = display_of(doc)
            clauses = [f"subject_facet:{quoted(s.split(' -- ')[0])}^3"
                       for s in display.get("subjects", [])[:8]]
            clauses += [f"author_facet:{quoted(a)}^2" for a in display.get("authors", [])[:4]]
            words = self._compiler.tokens(display.get("title", ""))[:10]
            clauses += [f"(title:{escape(w)} title_rest:{escape(w)})^0.5"
                        for w in words if len(w) > 2]
            if not clauses:
                return []
            found = self._select(self._collection, {
                "q": "(" + " ".join(clauses) + ")", "fq": f"-id:{quoted(cluster_id)}",
                "fl": "id,display,score", "rows": limit, "sort": "score desc,id asc",
                "shards.tolerant": "true"})
            return [hit_of(self.home, d["id"], display_of(d), d.get("score", 0.0),
                           self._highlighter, no_terms()) for d in found["response"]["docs"]]

    def cluster(self, any_id: str, deadline: Deadline | None = None) -> Cluster | None:
        with take_turn(self._lock, deadline or NO_DEADLINE):
            doc = self._get(any_id)
            if doc is None:
                with ClusterStore(self._generation.clusters_path) as clusters:
                    other = clusters.cluster_of(any_id)
                doc = self._get(other) if other else None
            return Cluster(id=doc["id"], display=display_of(doc)) if doc else None

    # -- browsing (.browse) ----------------------------------------------------

    def values_page(self, request: SearchRequest, tree: Node, field: str, order: str,
                    offset: int, limit: int, prefix: str = "",
                    own_facet: str | None = None) -> ValuesPage:
        with self._lock:
            collection = self._current()
            fqs, _tags = self._filters(request)
            return browse.values_page(self, collection, to_solr(self._compiler.compile(tree)),
                                      fqs, field, order, offset, limit, prefix, own_facet)

    def values_between(self, field: str, low: str, high: str, limit: int) -> list[str]:
        with self._lock:
            return browse.values_between(self, self._current(), field, low, high, limit)

    def shelf(self, field: str, start: str, forward: bool, limit: int) -> list[tuple[str, Hit]]:
        with self._lock:
            return browse.shelf(self, self._current(), field, start, forward, limit)

    def document_count(self) -> int:
        with self._lock:
            found = self._select(self._current(), {"q": "*:*", "rows": 0})
            return int(found["response"]["numFound"])

    def has_cluster(self, cluster_id: str) -> bool:
        with self._lock:
            return self._get(cluster_id) is not None


class _Reader:
    """What the speller asks of an index reader, answered by Solr's terms component."""

    def __init__(self, terms: _Terms):
        self.terms = terms

    def reader(self):
        return self

    def prefetch(self, fields, terms) -> None:
        self.terms.prefetch(fields, terms)

    def doc_frequency(self, field: str, term: str) -> int:
        return self.terms.doc_frequency(field, term)
