"""Does search work? One probe, run before a generation goes live and by monitoring.

:func:`probe` searches the way readers do, through the real backend: it
browses everything with facets and two sorts (the total must equal the
generation's document count), then finds sample clusters by their own title
words under a library filter (the first ranked by relevance, the others by
year), and checks that removed clusters are gone. Any
exception on the way is a problem, not a crash. The index build calls
:func:`check_generation` on a new generation before ``CURRENT`` moves to it;
``/healthz?deep=1``, ``/status.json``, the admin page and ``sheaf status``
call :func:`probe` on the live one.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

from harvest.config import Home
from indexer.analysis import WORD_PATTERN
from indexer.generations import Generation
from indexer.textnorm import normalize

from .results import Filter, SearchRequest

SAMPLES = 5        # clusters looked up by their title words
DEPTH = 100        # results a sample must be found within
ATTEMPTS = 3       # probes run when the live generation changes under one


@dataclass
class Probe:
    generation: str | None = None
    documents: int = 0
    problems: list[str] = field(default_factory=list)   # search is broken: refuse, alert
    notes: list[str] = field(default_factory=list)      # worth a look, not a failure
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return not self.problems

    def to_dict(self) -> dict:
        return {"status": "ok" if self.ok else "error", "generation": self.generation,
                "documents": self.documents, "problems": list(self.problems),
                "notes": list(self.notes),
                "ms": round(self.seconds * 1000, 1)}

    def __str__(self) -> str:
        if self.ok:
            return (f"search works ({self.generation}: {self.documents} documents,"
                    f" probed in {self.seconds * 1000:.0f} ms)")
        return f"search fails ({self.generation}): " + "; ".join(self.problems)


def title_query(title: str) -> str:
    """A title as a reader types it: its words as the analyzers see them (a ligature tie
    inside ``kommunikat͡s︡ionnye`` stays inside the word, diacritics stay as written),
    lowercase, with no field, operator or phrase syntax."""
    return " ".join(WORD_PATTERN.findall(normalize(title).lower())[:8])


def probe(backend, expect: tuple[str, ...] = (), absent: tuple[str, ...] = ()) -> Probe:
    """Search ``backend`` (a :class:`discovery.service.SearchService`) as a reader would; ``expect``: clusters that must be found,
    ``absent``: clusters that must have no document."""
    started = time.perf_counter()
    for _ in range(ATTEMPTS):
        out = Probe()
        try:
            _run(backend, out, list(expect), list(absent))
        except Exception as exc:  # noqa: BLE001 - every failure is what the probe reports
            out.problems.append(f"search failed: {type(exc).__name__}: {exc}")
        seen, out.generation = out.generation, backend.generation
        # a live backend follows CURRENT: when it moved on mid-probe, the answers came
        # from two generations (a cluster browsed in the old one and looked up in the new)
        # and prove nothing about either, so the probe runs again on the new one
        if seen == out.generation:
            break
    out.seconds = time.perf_counter() - started
    return out


def _run(backend, out: Probe, expect: list[str], absent: list[str]) -> None:
    out.documents = docs = backend.document_count()
    out.generation = backend.generation
    browse = backend.search(SearchRequest(query="", sort="title", limit=10,
                                          facets=("library", "year")))
    if browse.total != docs:
        out.problems.append(f"browsing finds {browse.total} of {docs} documents")
    if docs and not browse.hits:
        out.problems.append("browsing shows no results")
    libraries = {v.value: v.count for v in browse.facets.get("library", [])}
    for hit in browse.hits:
        for holding in hit.holdings:
            if libraries.get(holding.source, 0) < 1:
                out.problems.append(f"library facet has no count for {holding.source},"
                                    f" which holds {hit.id}")
    by_year = backend.search(SearchRequest(query="", sort="year", limit=1, facets=()))
    if by_year.total != browse.total:
        out.problems.append(f"sorting by year finds {by_year.total}, by title {browse.total}")
    hits = browse.hits
    samples = list(dict.fromkeys(
        expect[:SAMPLES] or [h.id for h in hits[:1] + hits[len(hits) // 2:][:1] + hits[-1:]]))
    # the first sample is ranked by relevance (the scoring path); the others by year,
    # which reads only the match sets (a relevance search of common title words can
    # take a second at 250,000 records)
    misses = [miss for n, cluster_id in enumerate(samples)
              if (miss := _find(backend, out, cluster_id, "relevance" if n == 0 else "year"))]
    # one title its own words miss is a search-quality matter (analysis, odd characters),
    # not a broken index; every one of three or more samples missed is. (With one or two
    # samples a miss stays a note: refusing would refuse the same update every night.)
    if misses and len(misses) == len(samples) >= 3:
        out.problems += misses
    else:
        out.notes += misses
    for cluster_id in absent[:4 * SAMPLES]:
        if backend.has_cluster(cluster_id):
            out.problems.append(f"{cluster_id} was removed but is still in the index")


def _find(backend, out: Probe, cluster_id: str, sort: str) -> str | None:
    """A cluster must be found by its title words, filtered to a library that holds it;
    returns what went wrong when it is not."""
    stored = backend.cluster(cluster_id) if backend.has_cluster(cluster_id) else None
    if stored is None:
        out.problems.append(f"{cluster_id} was written but has no document")
        return None
    display = stored.display
    query = title_query(display.get("title") or "")
    if sort == "relevance":
        # the longer words only: scoring a union of every field's postings of "a", "of"
        # and "the" is what a cold searcher pays most for
        query = " ".join(([w for w in query.split() if len(w) > 3] or query.split())[:3])
    holdings = display.get("holdings") or []
    if not query or not holdings:
        return None
    source = holdings[0]["source"]
    found = backend.search(SearchRequest(query=query, limit=DEPTH, facets=("library",),
                                         sort=sort, filters=(Filter("library", source),)))
    if found.total:
        counted = {v.value: v.count for v in found.facets.get("library", [])}
        if counted.get(source, 0) != found.total:
            out.problems.append(f"{query!r} in library {source}: {found.total} results,"
                                f" but the library facet counts {counted.get(source, 0)}")
    if cluster_id not in {h.id for h in found.hits} and found.total < DEPTH:
        return (f"{cluster_id} is not found by its title words {query!r} in library"
                f" {source} ({found.total} other results)")
    return None


def check_generation(home: Home, generation: Generation, expect: tuple[str, ...] = (),
                     absent: tuple[str, ...] = ()) -> Probe:
    """The probe over a generation that is not live yet."""
    from .engines import open_search

    search = open_search(home, generation=generation)
    try:
        return probe(search, expect, absent)
    finally:
        search.close()
