"""The Whoosh engine's search side (:class:`discovery.engine.SearchEngine`).

A backend keeps one searcher open and reuses it across requests. Before a
search it checks, at most every ``check_interval`` seconds, whether the
live generation was switched (a rebuild) or updated (an incremental run),
and reopens or refreshes the searcher then, so running web workers follow
the index without a restart.

One pass over the matching documents does everything that needs them:
the collector scores each match, remembers its number for the facets and
keeps the best ``page x limit`` that pass the selected facet values. Facet
counts, the year histogram and the non-relevance sorts are then NumPy work
over arrays built once per segment (:mod:`.facets`).

The search's deadline (:class:`discovery.budget.Deadline`) is checked at every
node of the matching, every few hundred matches ranked, and before each facet,
each highlighted hit and did-you-mean; the prefixes of a query are counted
against ``max_prefix_terms`` before anything runs. A worker's threads take turns
with the one searcher (Whoosh's searchers are not safe to share), and the wait for
that turn counts too (:func:`discovery.budget.take_turn`, for record lookups and
"more like this" as well).
"""

from __future__ import annotations

import time

import numpy as np
from whoosh import query as wq
from whoosh.collectors import FilterCollector

from harvest.config import Home
from indexer.cluster_store import ClusterStore
from indexer.generations import Generation, IndexDir, versions
from indexer.errors import IndexDamaged
from indexer.fields import FACET_FIELDS, VALUE_FIELDS

from discovery.budget import (NO_DEADLINE, Deadline, Limits, Turns, take_turn,
                              too_many_prefix_terms)
from discovery.engine import (Cluster, SearchEngine, compiler_for, generation_stores,
                              searchable, vernacular_forms)
from discovery.compiler import QueryCompiler
from discovery.errors import IndexUnavailable, IndexUnreadable
from discovery.highlight import Highlighter, no_terms, query_terms
from discovery.hits import facet_values, hit_of
from discovery.query import MatchAll, Node
from discovery.results import FacetValue, Hit, SearchRequest, SearchResult

from . import browse
from . import keys as whoosh_keys
from .damage import reading
from .facets import FacetEngine
from .index import open_index
from .ranking import RankedCollector
from .idf import bound_idf_cache
from .query import to_whoosh
from .schema import versions as whoosh_versions
from .sets import Candidates, MaskSet, MatchSets, Scored

SUGGEST_BELOW = 3
# Matches up to which scoring is led through the known matches (see _ranked). Led, every
# candidate is scored (no pruning); 20,000 made "Press" (15,745 of 50,000 LC records)
# take 253 ms instead of 35, and at 1,000 the 50,000-record query mix's p95 is what it
# was (29.9 ms against 29.8, best of 3 runs of bench_search.query_mix per query)
CANDIDATES_LED = 1000
class WhooshSearch(browse.Browsing, SearchEngine):
    name = "whoosh"

    def __init__(self, home: Home, check_interval: float = 1.0,
                 generation: Generation | None = None):
        """``generation``: search that generation only (a new one before it goes live),
        instead of following ``CURRENT``."""
        self.home = home
        self.index_dir = IndexDir(home.index_path, versions(whoosh_versions()))
        self._pinned = generation
        self.check_interval = check_interval
        self._lock = Turns()      # a worker's threads take the searcher in turns
        self._generation: Generation | None = None
        self._index = None
        self._searcher = None
        self._compiler: QueryCompiler | None = None
        self._highlighter: Highlighter | None = None
        self._facets = FacetEngine(VALUE_FIELDS)
        self._suggest = None
        self._speller = None
        self._sets = MatchSets()
        self._shelves = browse.Shelves()   # (read by browse.Browsing)
        self._checked = 0.0

    def close(self) -> None:
        with self._lock:
            self._close()

    def _close(self) -> None:
        if self._searcher is not None:
            self._searcher.close()
        if getattr(self, "_suggest", None) is not None:
            self._suggest.close()
        self._searcher = self._index = self._generation = self._suggest = None

    def searcher(self):
        """The current searcher (reopened or refreshed when the index changed)."""
        now = time.monotonic()
        if self._searcher is not None and now - self._checked < self.check_interval:
            return self._searcher
        self._checked = now
        try:
            gen = searchable(self.index_dir, self._pinned)
        except IndexUnavailable:
            self._close()
            raise
        try:
            with reading(gen.path):
                if self._generation is None or gen.path != self._generation.path:
                    self._close()
                    self._index = open_index(gen.path)
                    self._searcher = bound_idf_cache(self._index.searcher())
                    self._generation = gen
                    self._highlighter = Highlighter()
                    self._suggest, self._speller = generation_stores(gen)
                    self._compiler = compiler_for(self._suggest)
                elif not self._searcher.up_to_date():
                    self._searcher = bound_idf_cache(self._searcher.refresh())
                self._facets.prepare(self._searcher, str(self._generation.path))
        except IndexDamaged as exc:
            self._close()
            raise IndexUnreadable(str(exc)) from exc
        whoosh_keys.forget_except(self._facets.segments)
        return self._searcher

    @property
    def generation(self) -> str | None:
        return self._generation.name if self._generation else None

    def document_count(self) -> int:
        """Cluster documents in the generation searched (deleted ones not counted)."""
        with self._lock:
            return self.searcher().doc_count()

    def has_cluster(self, cluster_id: str) -> bool:
        """Whether a cluster has a (live) document under its own id."""
        with self._lock:
            return self.searcher().document_number(id=cluster_id) is not None

    # -- search ---------------------------------------------------------------

    def search(self, request: SearchRequest, tree: Node, deadline: Deadline | None = None,
               limits: Limits | None = None) -> SearchResult:
        deadline = deadline or NO_DEADLINE
        with take_turn(self._lock, deadline):
            searcher = self.searcher()
            plan = self._compiler.compile(tree)
            compiled = to_whoosh(plan)
            if limits is not None:
                _check_prefixes(searcher.reader(), compiled, limits)
            engine = self._facets
            masks = self._filter_masks(request)
            allowed = _all_of(masks.values(), engine.size)
            depth = request.page * request.limit
            matched = self._sets.mask(searcher, compiled, engine.years, deadline)
            hits_mask = matched & allowed if allowed is not None else matched
            total = int(hits_mask.sum())
            start = (request.page - 1) * request.limit
            scores: dict[int, float] = {}
            if request.sort == "relevance" and not isinstance(tree, MatchAll):
                ranked = self._ranked(searcher, compiled, depth, allowed, hits_mask, total,
                                      deadline)
                scores = dict(ranked)
                docnums = [d for d, _s in ranked[start:depth]]
            else:
                docnums = self._sorted(hits_mask, request.sort)[start:depth]
            terms = query_terms(plan)
            hits = []
            for d in docnums:
                deadline.check("highlighting")
                hits.append(self._hit(searcher, d, scores.get(d, 0.0), terms))
            facets = self._count_facets(request, matched, masks, deadline)
            deadline.check("facets")
            histogram = self._histogram(matched, masks) if "year" in request.facets else []
            suggestion = None
            if total < SUGGEST_BELOW and request.query.strip():
                deadline.check("did-you-mean")

                def count(searcher, tree):
                    deadline.check("did-you-mean")
                    return self._count(searcher, tree)

                suggestion = self._speller.suggestion(searcher, self._compiler, tree, total,
                                                      count)
        return SearchResult(request=request, total=total, hits=hits, facets=facets,
                            year_histogram=histogram, suggestion=suggestion)

    def count(self, tree: Node) -> int:
        with self._lock:
            return self._count(self.searcher(), tree)

    def _count(self, searcher, tree) -> int:
        compiled = to_whoosh(self._compiler.compile(tree))
        return int(self._sets.mask(searcher, compiled, self._facets.years).sum())

    def _ranked(self, searcher, compiled, depth: int, allowed, hits_mask,
                total: int, deadline: Deadline = NO_DEADLINE) -> list[tuple[int, float]]:
        """The best ``depth`` matches in the relevance order (:mod:`.ranking`), Whoosh
        skipping blocks that cannot make it.

        Up to CANDIDATES_LED matches, Whoosh is led through the known matches
        (:class:`discovery.engines.whoosh.sets.Candidates`), scoring every one; past
        that, Whoosh walks the query itself, pruning what cannot make the page.
        """
        led = 0 < total <= CANDIDATES_LED
        if led:
            candidates = Candidates(hits_mask, searcher.reader())
            compiled = wq.And([candidates, candidates.lead(compiled)])
        # Led by the candidates, Whoosh's pruning is not safe: the quality it estimates
        # for a clause fell below what the clause's best match scores (`history`, 1 a
        # page: the intersection was dropped at 9.09 for a clause said to reach 8.27, and
        # a work scoring 11.08 never shown), so every candidate is scored. With the
        # exact-spelling tier (a constant far above any block's quality) too: skipping
        # was seen to leave a tier document off a five-result page.
        collector = RankedCollector(self._facets.holdings, depth,
                                    prune=not (led or self._compiler.tiered), deadline=deadline)
        if allowed is not None and not led:
            collector = FilterCollector(collector, allow=MaskSet(allowed))
        searcher.search_with_collector(compiled, collector)
        return (collector.child if isinstance(collector, FilterCollector) else collector).ranked()

    def vernacular_names(self, names: list[str]) -> dict[str, str]:
        with self._lock:
            self.searcher()
            return vernacular_forms(self._suggest, names)

    def suggest(self, typed: str, kinds: tuple[str, ...], limit: int) -> list[dict]:
        """Titles, authors and subjects starting with (a word of) what was typed."""
        with self._lock:
            self.searcher()
            store = self._suggest
            return store.suggest(typed, kinds, limit) if store is not None else []

    def similar(self, cluster_id: str, limit: int,
                deadline: Deadline | None = None) -> list[Hit]:
        """Clusters sharing subjects, authors and title words with this one ("more like this")."""
        with take_turn(self._lock, deadline or NO_DEADLINE):
            searcher = self.searcher()
            docnum = searcher.document_number(id=cluster_id)
            if docnum is None:
                return []
            display = searcher.stored_fields(docnum)["display"]
            # shared subjects and authors, scored from the facet arrays (those facets
            # have no terms), added to Whoosh's scores of shared title words
            engine = self._facets
            shared = (3.0 * engine.arrays("subject_facet").idf_scores(
                          [s.split(" -- ")[0] for s in display.get("subjects", [])[:8]], engine.size)
                      + 2.0 * engine.arrays("author_facet").idf_scores(
                          display.get("authors", [])[:4], engine.size))
            clauses = [Scored(shared, searcher.reader())] if shared.any() else []
            words = self._compiler.tokens(display.get("title", ""))[:10]
            clauses += [wq.Or([wq.Term("title", w), wq.Term("title_rest", w)], boost=0.5)
                        for w in words if len(w) > 2]
            if not clauses:
                return []
            found = searcher.search(wq.Or(clauses), limit=limit + 1,
                                    mask=wq.Term("id", cluster_id))
            return [self._hit(searcher, hit.docnum, hit.score, no_terms())
                    for hit in found][:limit]

    def _filter_masks(self, request: SearchRequest) -> dict[str, np.ndarray]:
        """One mask per filtered facet: selected values ORed, then exclusions removed."""
        engine = self._facets
        masks = {}
        for facet in {f.facet for f in request.filters}:
            chosen = [f.value for f in request.filters if f.facet == facet and not f.exclude]
            dropped = [f.value for f in request.filters if f.facet == facet and f.exclude]
            if facet == "year":
                mask = (_years_mask(engine.years, request.year_ranges()) if chosen
                        else np.ones(engine.size, dtype=bool))
                if dropped:
                    mask &= ~_years_mask(engine.years, request.year_ranges(exclude=True))
            else:
                arrays = engine.arrays(FACET_FIELDS[facet])
                mask = arrays.mask_of(chosen, engine.size) if chosen \
                    else np.ones(engine.size, dtype=bool)
                if dropped:
                    mask &= ~arrays.mask_of(dropped, engine.size)
            masks[facet] = mask
        return masks

    def _count_facets(self, request, matched, masks,
                      deadline: Deadline = NO_DEADLINE) -> dict[str, list[FacetValue]]:
        """Each facet counted under every filter but its own, so other values stay choosable."""
        out = {}
        for facet in request.facets:
            if facet == "year":
                continue
            deadline.check("facets")
            arrays = self._facets.arrays(FACET_FIELDS[facet])
            others = _all_of([m for f, m in masks.items() if f != facet], self._facets.size)
            base = matched & others if others is not None else matched
            counts = arrays.count(base)
            order = np.argsort(-counts, kind="stable")
            values = facet_values(self.home, request, facet,
                                  ((arrays.labels[k], int(counts[k])) for k in order),
                                  self._suggest, deadline)
            out[facet] = values
        return out

    def _histogram(self, matched, masks) -> list[tuple[int, int, int]]:
        others = _all_of([m for f, m in masks.items() if f != "year"], self._facets.size)
        base = matched & others if others is not None else matched
        years = self._facets.years[base]
        years = years[years > 0]
        if not len(years):
            return []
        lo, hi = int(years.min()) // 10 * 10, int(years.max()) // 10 * 10 + 10
        counts, edges = np.histogram(years, bins=range(lo, hi + 1, 10))
        return [(int(edges[i]), int(edges[i + 1]) - 1, int(c)) for i, c in enumerate(counts) if c]

    def _sorted(self, mask: np.ndarray, sort: str) -> list[int]:
        docnums = np.flatnonzero(mask)
        if sort == "relevance":  # browsing with no query: widely held, then recent, first
            order = np.lexsort((docnums, -self._facets.years[docnums],
                                -self._facets.holdings[docnums]))
        elif sort == "new":  # newest arrivals in the union catalogue first
            order = np.lexsort((docnums, -self._facets.added[docnums]))
        elif sort in ("year", "year_asc"):
            years = self._facets.years[docnums]
            key = -years if sort == "year" else np.where(years > 0, years, 1 << 30)
            order = np.lexsort((docnums, key))
        else:
            ranks = self._facets.rank(self._searcher, "sort_" + sort)
            order = np.lexsort((docnums, ranks[docnums]))
        return docnums[order].tolist()

    def _hit(self, searcher, docnum: int, score: float, terms) -> Hit:
        fields = searcher.stored_fields(docnum)
        return hit_of(self.home, fields["id"], fields.get("display", {}), score,
                      self._highlighter, terms)

    # -- records --------------------------------------------------------------

    def cluster(self, any_id: str, deadline: Deadline | None = None) -> Cluster | None:
        """The cluster with this id, or the one holding the record with this id."""
        with take_turn(self._lock, deadline or NO_DEADLINE):
            searcher = self.searcher()
            docnum = searcher.document_number(id=any_id)
            if docnum is None:
                with ClusterStore(self._generation.clusters_path) as clusters:
                    cluster = clusters.cluster_of(any_id)
                docnum = searcher.document_number(id=cluster) if cluster else None
            if docnum is None:
                return None
            fields = searcher.stored_fields(docnum)
            return Cluster(id=fields["id"], display=fields.get("display", {}))


def _check_prefixes(reader, compiled, limits: Limits) -> None:
    """QueryTooLarge when the prefixes of a compiled query stand for more indexed words
    than ``limits.prefix_terms`` (each field's expansion counted; reading stops there)."""
    left = limits.prefix_terms
    seen = set()
    stack = [compiled]
    while stack:
        node = stack.pop()
        if isinstance(node, wq.Prefix):
            key = (node.fieldname, node.text)
            if key in seen:
                continue
            seen.add(key)
            for _term in reader.expand_prefix(node.fieldname, node.text):
                left -= 1
                if left < 0:
                    raise too_many_prefix_terms(limits)
        elif not node.is_leaf():
            stack.extend(node.children())


def _all_of(masks, size: int) -> np.ndarray | None:
    masks = list(masks)
    if not masks:
        return None
    out = masks[0].copy()
    for m in masks[1:]:
        out &= m
    return out


def _years_mask(years: np.ndarray, ranges) -> np.ndarray:
    mask = np.zeros(len(years), dtype=bool)
    for lo, hi in ranges:
        part = years > 0
        if lo is not None:
            part &= years >= lo
        if hi is not None:
            part &= years <= hi
        mask |= part
    return mask
