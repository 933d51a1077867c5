"""One library's records first: the union catalog searched as one member sees it.

A request with ``prefer`` (a library code) finds what the same request without it finds,
in the same total, facets and year histogram, but ordered in two groups: the clusters that
library holds first, then the others, each group in the request's own order. Both groups
are plain filtered searches that every engine answers (``library:CODE`` and
``library:-CODE`` added to the request's filters, which are disjoint and together the
whole result), so nothing here knows an engine; the counts and facets come from one search
of the union, the page's hits from the group or two groups it falls in.
"""

from __future__ import annotations

from dataclasses import replace

from .budget import Deadline, Limits
from .engine import SearchEngine
from .query import Node
from .results import Filter, Hit, SearchRequest, SearchResult

FACET = "library"


def groups(request: SearchRequest) -> tuple[SearchRequest, SearchRequest] | None:
    """The two searches, ours and the others', of a request preferring a library; None
    when there is nothing to order: ours filtered out, chosen alone (every result is then
    ours), or chosen libraries that leave ours out (its records are not among the results;
    those also held by a chosen library are not told apart)."""
    code = request.prefer
    chosen = [f.value for f in request.filters if f.facet == FACET and not f.exclude]
    dropped = [f.value for f in request.filters if f.facet == FACET and f.exclude]
    if not code or code in dropped or (chosen and code not in chosen) or chosen == [code]:
        return None
    # values of one facet are ORed: ours is the request with the library chosen replaced by
    # ours alone; the others', the request with ours excluded
    kept = tuple(f for f in request.filters if f.facet != FACET or f.exclude)
    ours = replace(request, prefer="", filters=kept + (Filter(FACET, code),), facets=())
    others = replace(request, prefer="", facets=(),
                     filters=request.filters + (Filter(FACET, code, exclude=True),))
    return ours, others


def _window(engine: SearchEngine, request: SearchRequest, tree: Node, offset: int, count: int,
            deadline: Deadline | None, limits: Limits | None) -> tuple[list[Hit], bool]:
    """``count`` hits of a search from ``offset`` on, by one or two pages of ``count``."""
    first, skip = divmod(offset, count)
    hits, partial = [], False
    for page in (first + 1, first + 2) if skip else (first + 1,):
        found = engine.search(replace(request, page=page, limit=count), tree,
                              deadline=deadline, limits=limits)
        hits += found.hits
        partial = partial or found.partial
    return hits[skip:skip + count], partial


def search(engine: SearchEngine, request: SearchRequest, tree: Node,
           deadline: Deadline | None = None, limits: Limits | None = None) -> SearchResult:
    """The result of a validated request with ``prefer``: see the module's docstring."""
    split = groups(request)
    if split is None:
        return engine.search(request, tree, deadline=deadline, limits=limits)
    ours, others = split
    # the union: the total, facets, histogram and did-you-mean the reader sees
    union = engine.search(replace(request, prefer="", page=1, limit=1), tree,
                          deadline=deadline, limits=limits)
    found = engine.search(ours, tree, deadline=deadline, limits=limits)
    hits, partial = list(found.hits), union.partial or found.partial
    start, need = (request.page - 1) * request.limit, request.limit - len(found.hits)
    if need > 0:
        more, cut = _window(engine, others, tree, max(0, start - found.total), need,
                            deadline, limits)
        hits += more
        partial = partial or cut
    return replace(union, request=request, hits=hits, partial=partial)
